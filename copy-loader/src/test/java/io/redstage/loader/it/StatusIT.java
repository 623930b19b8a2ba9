package io.redstage.loader.it;

import static io.redstage.loader.it.LoaderStack.cli;
import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.contract.ColumnType;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.it.LoaderStack.Cli;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * 'status' for scripts: {@code --output json} is one document with what the text shows, and the
 * exit code says whether something waits for a person (3) or only for the next cycle (0).
 */
class StatusIT {
  static final List<MarkerColumn> COLS =
      List.of(new MarkerColumn("v", ColumnType.of(ColumnType.Kind.STRING), true));
  static final ObjectMapper JSON = new ObjectMapper();
  static final String COPY_FAILS =
      "Load into table 'rs_stage_1' failed. Check 'stl_load_errors' system table for details.";

  static LoaderStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = LoaderStack.start();
    // control tables of its own: the quarantine listing is not per topic
    stack.jdbc().createStatement().execute("CREATE SCHEMA IF NOT EXISTS st_ctl");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static Unit unit(String topic, long start, long end) {
    return stack.files.unit(topic, 0, start, end, FileFormat.PARQUET, COLS, o -> row("v", "v" + o));
  }

  static Map<String, String> config(String topics) {
    Map<String, String> c = stack.config(topics);
    c.put("control.schema", "st_ctl");
    c.put("load.retry.max-attempts", "2");
    return c;
  }

  @Test
  void statusAsJsonNamesWhatWaitsForAPersonAndExitsThree() throws Exception {
    Unit ok = unit("st_ok", 0, 9);
    Unit quarantined = unit("st_quar", 0, 9);
    Unit failing = unit("st_fail", 0, 4);
    unit("st_bad", 0, 1);
    String broken = unit("st_bad", 2, 3).markerKey();
    stack
        .s3
        .client()
        .putObject(
            b -> b.bucket(LoaderStack.BUCKET).key(broken), RequestBody.fromString("{not json"));

    // before any load, a backlog alone needs nobody
    Cli first = cli(config("st_ok"), "status", "--output", "json");
    assertThat(first.code()).as(first.err()).isZero();
    JsonNode before = JSON.readTree(first.out());
    assertThat(before.get("needsAttention").asBoolean()).isFalse();
    assertThat(before.get("controlTablesExist").asBoolean()).isFalse();
    assertThat(before.get("unitsListed").asInt()).isEqualTo(1);
    assertThat(before.get("unitsPending").asInt()).isEqualTo(1);
    assertThat(before.get("tables")).hasSize(1);
    assertThat(before.get("tables").get(0).get("table").asText()).isEqualTo("public.st_ok");
    assertThat(before.get("tables").get(0).get("pendingUnits").asInt()).isEqualTo(1);
    assertThat(before.get("tables").get(0).get("heldUnits").asInt()).isZero();
    assertThat(before.get("tables").get(0).get("pendingRecords").asLong()).isEqualTo(10);
    assertThat(before.get("tables").get(0).get("pendingBytes").asLong())
        .isEqualTo(ok.marker().totalBytes());
    assertThat(cli(config("st_ok"), "status").code()).as("the text says the same").isZero();

    // st_quar's and st_fail's COPYs fail: both fail alone once, then st_quar a second time
    stack
        .redshift
        .faults()
        .failStatementsMatching(
            "COPY \"rs_stage_1\" FROM 's3://staging/_redstage/manifests/public\\.st_(quar|fail)/",
            -1,
            COPY_FAILS);
    try (Loader loader = stack.loader(config("st_quar,st_fail"))) {
      assertThat(loader.runOnce().batchesFailed()).isEqualTo(2);
    }
    try (Loader loader = stack.loader(config("st_quar"))) {
      CycleReport r = loader.runOnce();
      assertThat(r.batchesQuarantined()).isEqualTo(1);
    }
    stack.redshift.faults().clear();
    String batchId = quarantinedBatch("st_ctl");

    Cli json = cli(config("st_ok,st_quar,st_fail,st_bad"), "status", "--output", "json");
    assertThat(json.code()).as(json.err()).isEqualTo(3);
    JsonNode s = JSON.readTree(json.out());
    assertThat(s.get("needsAttention").asBoolean()).isTrue();
    assertThat(s.get("controlTablesExist").asBoolean()).isTrue();
    assertThat(s.get("at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(s.get("unitsListed").asInt()).isEqualTo(4);
    assertThat(s.get("unitsLoaded").asInt()).isZero();
    assertThat(s.get("unitsPending").asInt()).isEqualTo(4);
    List<String> tables = new ArrayList<>();
    s.get("tables").forEach(t -> tables.add(t.get("table").asText()));
    assertThat(tables)
        .containsExactly("public.st_bad", "public.st_fail", "public.st_ok", "public.st_quar");
    JsonNode quar = s.get("tables").get(3);
    assertThat(quar.get("pendingUnits").asInt()).isEqualTo(1);
    assertThat(quar.get("heldUnits").asInt()).as("quarantined").isEqualTo(1);
    assertThat(quar.get("pendingRecords").asLong()).isEqualTo(10);
    assertThat(quar.get("pendingBytes").asLong()).isEqualTo(quarantined.marker().totalBytes());
    assertThat(quar.get("lagSeconds").asLong()).isGreaterThanOrEqualTo(0);
    JsonNode fail = s.get("tables").get(1);
    assertThat(fail.get("pendingUnits").asInt()).isEqualTo(1);
    assertThat(fail.get("heldUnits").asInt()).as("retried at once: no backoff").isZero();
    assertThat(fail.get("pendingRecords").asLong()).isEqualTo(5);
    assertThat(s.get("loadingNow")).isEmpty();
    assertThat(s.get("waitingForSettings")).isEmpty();

    assertThat(s.get("unreadableMarkers")).hasSize(1);
    assertThat(s.get("unreadableMarkers").get(0).get("markerKey").asText()).isEqualTo(broken);
    assertThat(s.get("unreadableMarkers").get(0).get("reason").asText()).isNotBlank();

    assertThat(s.get("failingUnits")).hasSize(1);
    JsonNode f = s.get("failingUnits").get(0);
    assertThat(f.get("markerKey").asText()).isEqualTo(failing.markerKey());
    assertThat(f.get("attempts").asInt()).isEqualTo(1);
    assertThat(f.get("lastError").asText()).contains(COPY_FAILS);
    assertThat(f.get("lastAttemptAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

    assertThat(s.get("quarantinedBatches")).hasSize(1);
    JsonNode q = s.get("quarantinedBatches").get(0);
    assertThat(q.get("batchId").asText()).isEqualTo(batchId);
    assertThat(q.get("table").asText()).isEqualTo("public.st_quar");
    assertThat(q.get("units").asLong()).isEqualTo(1);
    assertThat(java.time.Instant.parse(q.get("quarantinedAt").asText()))
        .isBeforeOrEqualTo(java.time.Instant.now());
    assertThat(q.get("reason").asText()).contains(COPY_FAILS);

    Cli text = cli(config("st_ok,st_quar,st_fail,st_bad"), "status");
    assertThat(text.code()).as("the text output exits alike").isEqualTo(3);
    assertThat(text.out())
        .contains("Quarantined batches")
        .contains(batchId)
        .contains("1 unreadable marker(s):")
        .contains(failing.markerKey() + " attempts=1 last error: ");
  }

  /**
   * The 3 a.m. case: the loader's database user loses INSERT on a target (for real: the stand-in
   * runs the loader's statements as that PostgreSQL role). The loader that saw it has stopped; a
   * 'status' of its own names the table, the error and when a loader last saw it, and exits 3,
   * until a batch of the table commits again (it used to show a mere backlog, exit 0).
   */
  @Test
  void aTableTheEnvironmentStopsNeedsAPersonUntilItLoadsAgain() throws Exception {
    String role = "st_env_loader";
    sql(
        "CREATE ROLE " + role,
        "GRANT USAGE, CREATE ON SCHEMA public TO " + role,
        // what every database user of a cluster has: the system views and functions
        "GRANT USAGE ON SCHEMA redstage_sys TO " + role,
        "GRANT ALL ON ALL TABLES IN SCHEMA redstage_sys TO " + role);
    Map<String, String> config = config("st_env");
    // the role creates the control tables in public, the schema it may create tables in
    config.put("control.schema", "public");
    config.put("redshift.db-user", role);
    stack.redshift.faults().statementsAsDbUser(true);
    try {
      unit("st_env", 0, 9);
      try (Loader loader = stack.loader(config)) {
        assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      }
      sql("REVOKE INSERT ON public.st_env FROM " + role);
      unit("st_env", 10, 19);
      Instant before = Instant.now();
      for (int cycle = 0; cycle < 2; cycle++) {
        try (Loader loader = stack.loader(config)) { // a 'once' from cron: a new process each
          CycleReport r = loader.runOnce();
          assertThat(r.tablesStopped()).as("the environment stopped the table").isEqualTo(1);
          assertThat(r.batchesQuarantined()).isZero();
        }
      }
      Instant after = Instant.now();

      Cli stuck = cli(config, "status", "--output", "json");
      assertThat(stuck.code()).as(stuck.err()).isEqualTo(3);
      JsonNode s = JSON.readTree(stuck.out());
      assertThat(s.get("needsAttention").asBoolean()).isTrue();
      assertThat(s.get("environmentFailures")).hasSize(1);
      JsonNode f = s.get("environmentFailures").get(0);
      assertThat(f.get("table").asText()).isEqualTo("public.st_env");
      assertThat(f.get("lastError").asText()).contains("permission denied for table st_env");
      assertThat(f.get("cycles").asInt()).as("one per cycle, across processes").isEqualTo(2);
      assertThat(Instant.parse(f.get("lastSeenAt").asText()))
          .isBetween(before.truncatedTo(ChronoUnit.MILLIS), after);
      assertThat(s.get("failingUnits")).as("nothing is counted against the units").isEmpty();
      assertThat(s.get("quarantinedBatches")).isEmpty();
      assertThat(s.get("tables").get(0).get("pendingUnits").asInt()).isEqualTo(1);
      Cli text = cli(config, "status");
      assertThat(text.code()).as("the text output exits alike").isEqualTo(3);
      assertThat(text.out())
          .contains("Tables whose loads a failure of the environment stopped")
          .contains("public.st_env: last seen ")
          .contains("(2 cycle(s) in a row): ")
          .contains("permission denied for table st_env");
      Cli dryRun = cli(config, "dry-run");
      assertThat(dryRun.code()).as("dry-run exits 0 whatever it lists").isZero();
      assertThat(dryRun.out())
          .as("dry-run names the stop in the words of status")
          .contains(
              "-- Tables whose loads a failure of the environment stopped (privileges, disk space,"
                  + " COPY's access to S3), tried again after the load.retry backoff; the loader's"
                  + " ERROR line says what to fix:\n--   public.st_env: last seen ")
          .contains("(2 cycle(s) in a row): ")
          .contains("permission denied for table st_env");

      sql("GRANT INSERT ON public.st_env TO " + role);
      try (Loader loader = stack.loader(config)) {
        CycleReport r = loader.runOnce();
        assertThat(r.unitsLoaded()).isEqualTo(1);
        assertThat(r.tablesStopped()).isZero();
      }
      // a backlog again, which is no one's business at 3 a.m.
      unit("st_env", 20, 29);
      Cli fixed = cli(config, "status", "--output", "json");
      assertThat(fixed.code()).as(fixed.err()).isZero();
      JsonNode later = JSON.readTree(fixed.out());
      assertThat(later.get("needsAttention").asBoolean()).isFalse();
      assertThat(later.get("environmentFailures")).isEmpty();
      assertThat(later.get("tables").get(0).get("pendingUnits").asInt()).isEqualTo(1);
    } finally {
      stack.redshift.faults().statementsAsDbUser(false);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.st_env")).isEqualTo(20);
  }

  /**
   * The checks a cycle makes before a table's first batch: markers that name a metadata column
   * differently stop the table's loads. 'status' showed a plain backlog (exit 0) and 'dry-run' a
   * line of its own; both list the table under its settings now, with the cycle's reason and what
   * to do, and 'status' exits 3.
   */
  @Test
  void anUpsertTableWhoseMarkersNameAMetadataColumnDifferentlyWaitsForItsSettings()
      throws Exception {
    unit("st_mixed", 0, 4);
    String renamed =
        stack
            .files
            .as(
                CommitMarker.FORMAT_VERSION,
                "kafka_topic",
                "kafka_partition",
                "record_offset",
                "kafka_timestamp")
            .unit("st_mixed", 0, 5, 9, FileFormat.PARQUET, COLS, o -> row("v", "v" + o))
            .markerKey();
    Map<String, String> config = config("st_mixed");
    // an append table loads the older names first (MarkerVersionsIT); an upsert table waits
    config.put("load.mode", "upsert");
    config.put("upsert.key", "v");
    String why = "public.st_mixed: Cannot load public.st_mixed: marker ";

    Cli json = cli(config, "status", "--output", "json");
    assertThat(json.code()).as(json.err()).isEqualTo(3);
    JsonNode s = JSON.readTree(json.out());
    assertThat(s.get("waitingForSettings")).hasSize(1);
    JsonNode w = s.get("waitingForSettings").get(0);
    assertThat(w.get("table").asText()).isEqualTo("public.st_mixed");
    assertThat(w.get("reason").asText())
        .contains(renamed)
        .contains("'record_offset'")
        .contains("move the units of the other name out of the markers prefix");
    assertThat(s.get("tables").get(0).get("heldUnits").asInt())
        .as("a cycle loads none of them")
        .isEqualTo(2);
    Cli text = cli(config, "status");
    assertThat(text.code()).isEqualTo(3);
    assertThat(text.out()).contains("Tables whose units wait for their settings:\n  " + why);
    Cli dryRun = cli(config, "dry-run");
    assertThat(dryRun.code()).as(dryRun.err()).isZero();
    assertThat(dryRun.out())
        .contains("-- Tables whose units wait for their settings:\n--   " + why)
        .doesNotContain("COPY ");
  }

  /**
   * Loaders of different topics sharing the control tables: each one's 'status' lists and counts
   * the quarantined batches of its own tables, and names the others' in one line that leaves the
   * exit code alone (it listed them all and exited 3 for another loader's batch, which its own
   * configuration cannot settle); the JSON keeps them in a field of their own. 'dry-run' alike, and
   * 'release --all' leaves them (it released them without their check, their markers unlisted).
   */
  @Test
  void quarantinedBatchesOfAnotherLoadersTablesAreCountedApartAndLeaveTheExitCodeAlone()
      throws Exception {
    anotherLoadersBatchIsCountedApart("st_shared", "st_mine", "st_theirs", null);
  }

  /**
   * Loaders of different topics that tables.map loads into one table, sharing the control tables:
   * the other loader's quarantined batch names a table this configuration loads too, but not one of
   * its topics. It is counted apart, leaves the exit code alone, and 'release --all' leaves it to
   * its loader (it counted as ours by its table: exit 3, and released without its check).
   */
  @Test
  void anotherLoadersQuarantinedBatchOfASharedTableIsCountedApart() throws Exception {
    anotherLoadersBatchIsCountedApart("st_shared2", "st_mine2", "st_theirs2", "st_common");
  }

  /**
   * Two loaders of topics {@code mine} and {@code theirs} on control tables in {@code schema}; both
   * topics load into {@code sharedTable} when it is set (tables.map), else into tables of their
   * own. Theirs has a quarantined batch: status, dry-run and release --all of mine leave it.
   */
  private void anotherLoadersBatchIsCountedApart(
      String schema, String mineTopic, String theirsTopic, String sharedTable) throws Exception {
    stack.jdbc().createStatement().execute("CREATE SCHEMA IF NOT EXISTS " + schema);
    Map<String, String> mine = config(mineTopic);
    Map<String, String> theirs = config(theirsTopic);
    if (sharedTable != null) {
      mine.put("tables.map", mineTopic + ":" + sharedTable);
      theirs.put("tables.map", theirsTopic + ":" + sharedTable);
    }
    for (Map<String, String> c : List.of(mine, theirs)) {
      c.put("control.schema", schema);
      c.put("load.retry.max-attempts", "1");
    }
    unit(mineTopic, 0, 9);
    unit(theirsTopic, 0, 9);
    String theirTable = sharedTable != null ? sharedTable : theirsTopic;
    stack
        .redshift
        .faults()
        .failStatementsMatching(
            "COPY \"rs_stage_1\" FROM 's3://staging/_redstage/manifests/public\\."
                + theirTable
                + "/",
            -1,
            COPY_FAILS);
    try (Loader loader = stack.loader(theirs)) {
      assertThat(loader.runOnce().batchesQuarantined()).isEqualTo(1);
    } finally {
      stack.redshift.faults().clear();
    }
    String batchId = quarantinedBatch(schema);

    Cli json = cli(mine, "status", "--output", "json");
    assertThat(json.code()).as(json.err()).isZero();
    JsonNode s = JSON.readTree(json.out());
    assertThat(s.get("needsAttention").asBoolean()).isFalse();
    assertThat(s.get("quarantinedBatches")).isEmpty();
    assertThat(s.get("quarantinedBatchesOfOtherTopics")).hasSize(1);
    JsonNode other = s.get("quarantinedBatchesOfOtherTopics").get(0);
    assertThat(other.get("batchId").asText()).isEqualTo(batchId);
    assertThat(other.get("table").asText()).isEqualTo("public." + theirTable);
    assertThat(other.get("units").asLong()).isEqualTo(1);
    assertThat(other.get("reason").asText()).contains(COPY_FAILS);
    if (sharedTable != null) {
      assertThat(s.get("tables").get(0).get("heldUnits").asInt())
          .as("its batch holds none of this loader's units")
          .isZero();
    }
    String outside =
        "1 quarantined batch(es) of topics outside this configuration (another loader's, sharing"
            + " the control tables; not counted in the exit code)";
    Cli text = cli(mine, "status");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out())
        .contains(outside)
        .doesNotContain(batchId)
        .doesNotContain("Quarantined batches");
    Cli dryRun = cli(mine, "dry-run");
    assertThat(dryRun.code()).as(dryRun.err()).isZero();
    assertThat(dryRun.out()).contains("-- " + outside).doesNotContain(batchId);

    Cli releaseAll = cli(mine, "release", "--all");
    assertThat(releaseAll.code()).as(releaseAll.err()).isZero();
    assertThat(releaseAll.out())
        .contains(
            "Left 1 quarantined unit(s) of topics outside this configuration (another loader's,"
                + " sharing the control tables): release them with that loader's configuration.")
        .contains("Released 0 unit(s) of all quarantined batches");
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM "
                    + schema
                    + "._redstage_quarantine WHERE released_at IS NULL"))
        .as("release --all of another configuration leaves the batch, unchecked, to its loader")
        .isEqualTo(1);

    Cli owner = cli(theirs, "status", "--output", "json");
    assertThat(owner.code()).as("the loader whose topic it is must settle it").isEqualTo(3);
    JsonNode o = JSON.readTree(owner.out());
    assertThat(o.get("quarantinedBatches")).hasSize(1);
    assertThat(o.get("quarantinedBatches").get(0).get("batchId").asText()).isEqualTo(batchId);
    assertThat(o.get("quarantinedBatchesOfOtherTopics")).isEmpty();
  }

  /**
   * After tables.map moves a topic to another table, a quarantine row of the topic still names the
   * old table, and still holds the unit (holds go by marker key): it is this configuration's.
   * 'status' exits 3 and lists it, and 'release --all' checks it against the new table and releases
   * it, after which it loads there. It counted as another loader's by its table name: exit 0, a
   * line about a loader that does not exist, and 'release --all' left the unit held.
   */
  @Test
  void aQuarantinedBatchUnderATableNameSinceRemappedIsStillThisConfigurations() throws Exception {
    stack.jdbc().createStatement().execute("CREATE SCHEMA IF NOT EXISTS st_remap");
    Map<String, String> before = config("st_moved");
    before.put("control.schema", "st_remap");
    before.put("load.retry.max-attempts", "1");
    before.put("tables.map", "st_moved:st_moved_v1");
    Map<String, String> after = new java.util.HashMap<>(before);
    after.put("tables.map", "st_moved:st_moved_v2");
    unit("st_moved", 0, 9);
    stack
        .redshift
        .faults()
        .failStatementsMatching(
            "COPY \"rs_stage_1\" FROM 's3://staging/_redstage/manifests/public\\.st_moved_v1/",
            -1,
            COPY_FAILS);
    try (Loader loader = stack.loader(before)) {
      assertThat(loader.runOnce().batchesQuarantined()).isEqualTo(1);
    } finally {
      stack.redshift.faults().clear();
    }
    String batchId = quarantinedBatch("st_remap");

    Cli json = cli(after, "status", "--output", "json");
    assertThat(json.code()).as(json.err()).isEqualTo(3);
    JsonNode s = JSON.readTree(json.out());
    assertThat(s.get("quarantinedBatches")).hasSize(1);
    assertThat(s.get("quarantinedBatches").get(0).get("batchId").asText()).isEqualTo(batchId);
    assertThat(s.get("quarantinedBatches").get(0).get("table").asText())
        .isEqualTo("public.st_moved_v1");
    assertThat(s.get("quarantinedBatchesOfOtherTopics")).isEmpty();
    assertThat(s.get("tables").get(0).get("table").asText()).isEqualTo("public.st_moved_v2");
    assertThat(s.get("tables").get(0).get("heldUnits").asInt())
        .as("the row under the old name holds the unit")
        .isEqualTo(1);
    Cli text = cli(after, "status");
    assertThat(text.code()).isEqualTo(3);
    assertThat(text.out()).contains(batchId).doesNotContain("outside this configuration");

    Cli releaseAll = cli(after, "release", "--all");
    assertThat(releaseAll.code()).as(releaseAll.err()).isZero();
    assertThat(releaseAll.out())
        .contains("Released 1 unit(s) of all quarantined batches")
        .doesNotContain("Left ");
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM st_remap._redstage_quarantine WHERE released_at IS NULL"))
        .isZero();
    try (Loader loader = stack.loader(after)) {
      assertThat(loader.runOnce().batchesLoaded()).isEqualTo(1);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.st_moved_v2")).isEqualTo(10);
  }

  static void sql(String... statements) throws Exception {
    try (Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** The id of the one batch quarantined in the control tables of {@code schema}. */
  private static String quarantinedBatch(String schema) throws Exception {
    return ((String)
            stack
                .query("SELECT DISTINCT batch_id FROM " + schema + "._redstage_quarantine")
                .get(0)
                .get(0))
        .trim();
  }
}
