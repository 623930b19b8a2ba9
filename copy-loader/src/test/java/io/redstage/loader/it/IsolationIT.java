package io.redstage.loader.it;

import static io.redstage.loader.it.LoaderStack.cli;
import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.it.LoaderStack.Cli;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Failures stay with the smallest part: a schema conflict quarantines only its unit, a failing
 * batch is split until the poison unit is alone, attempts count across loader processes, release
 * checks before it releases, and JSON Lines rows COPY rejects go to a rejects object while the rest
 * of their unit loads.
 */
class IsolationIT {
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static MarkerColumn c(String name, Kind kind) {
    return new MarkerColumn(name, ColumnType.of(kind), true);
  }

  static List<Long> ids(String table) throws Exception {
    return stack.query("SELECT id FROM public." + table + " ORDER BY id").stream()
        .map(r -> ((Number) r.get(0)).longValue())
        .toList();
  }

  static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  /**
   * In upsert mode a unit that would be quarantined holds its partition's later units back, in a
   * cycle and so in its preview: dry-run printed the later unit's manifest and SQL, which the cycle
   * then did not run.
   */
  @Test
  void inUpsertModeTheDryRunHoldsThePartitionBehindAUnitItWouldQuarantine() throws Exception {
    String topic = "iso_upsert_preview";
    List<MarkerColumn> intV = List.of(c("id", Kind.INT64), c("v", Kind.INT32));
    stack.files.unit(topic, 0, 0, 4, FileFormat.PARQUET, intV, o -> row("id", o, "v", (int) o));
    Map<String, String> config = stack.config(topic);
    config.put("load.mode", "upsert");
    config.put("upsert.key", "id");
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      stack.files.unit(
          topic,
          0,
          5,
          9,
          FileFormat.PARQUET,
          List.of(c("id", Kind.INT64), c("v", Kind.STRING)),
          o -> row("id", o, "v", "s" + o));
      Unit later =
          stack.files.unit(
              topic, 0, 10, 14, FileFormat.PARQUET, intV, o -> row("id", o, "v", (int) o));

      Cli dryRun = cli(config, "dry-run");

      assertThat(dryRun.code()).isZero();
      assertThat(dryRun.out())
          .contains("-- would quarantine alone: Unit " + topic + "/0 offsets 5..9")
          .contains("-- would wait for an earlier unit of its partition: " + later.id())
          .doesNotContain(later.marker().files().get(0).key());
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).as("as the preview said").isZero();
      assertThat(r.batchesQuarantined()).isEqualTo(1);
    }
  }

  @Test
  void oneConflictingUnitAmongFourIsQuarantinedAloneAndReleaseWaitsForTheFix() throws Exception {
    List<MarkerColumn> intV = List.of(c("id", Kind.INT64), c("v", Kind.INT32));
    stack.files.unit(
        "iso_conflict", 0, 0, 4, FileFormat.PARQUET, intV, o -> row("id", o, "v", (int) o));
    Map<String, String> config = stack.config("iso_conflict");
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      stack.files.unit(
          "iso_conflict", 0, 5, 9, FileFormat.PARQUET, intV, o -> row("id", o, "v", (int) o));
      stack.files.unit(
          "iso_conflict",
          0,
          10,
          14,
          FileFormat.PARQUET,
          List.of(c("id", Kind.INT64), c("v", Kind.STRING)),
          o -> row("id", o, "v", "s" + o));
      stack.files.unit(
          "iso_conflict", 0, 15, 19, FileFormat.PARQUET, intV, o -> row("id", o, "v", (int) o));
      stack.files.unit(
          "iso_conflict",
          1,
          0,
          4,
          FileFormat.PARQUET,
          List.of(c("id", Kind.INT64)),
          o -> row("id", 1000 + o));
      Cli dryRun = cli(config, "dry-run");
      assertThat(dryRun.code()).isZero();
      assertThat(dryRun.out())
          .contains("-- would quarantine alone: Unit iso_conflict/0 offsets 10..14")
          .contains("column v is INTEGER");
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).as("the three compatible units load in this cycle").isEqualTo(3);
      assertThat(r.batchesQuarantined()).isEqualTo(1);
    }
    List<Long> expected = new ArrayList<>(range(0, 9));
    expected.addAll(range(15, 19));
    expected.addAll(range(1000, 1004));
    assertThat(ids("iso_conflict")).containsExactlyElementsOf(expected);
    List<List<Object>> q =
        stack.query(
            "SELECT batch_id, start_offset, error FROM public._redstage_quarantine "
                + "WHERE target_table = 'public.iso_conflict' AND released_at IS NULL");
    assertThat(q)
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.get(1)).isEqualTo(10L);
              assertThat((String) row.get(2))
                  .contains("iso_conflict/0 offsets 10..14")
                  .contains("column v is INTEGER but the files now hold string");
            });
    String batch = (String) q.get(0).get(0);

    Cli status = cli(config, "status");
    assertThat(status.code()).as("a quarantined batch waits for a person").isEqualTo(3);
    assertThat(status.out())
        .contains("Quarantined batches")
        .contains(batch)
        .contains("column v is INTEGER");
    Cli refused = cli(config, "release", "--batch", batch);
    assertThat(refused.code()).as("nothing fixed yet: refused with the reason").isEqualTo(3);
    assertThat(refused.out())
        .contains("Not released: Unit iso_conflict/0 offsets 10..14")
        .contains("column v is INTEGER")
        .contains("add --force")
        .contains("Released 0 unit(s)");
    assertThat(unreleased(batch)).isEqualTo(1);

    // the operator's fix: a column that takes both (the Redshift stand-in runs on PostgreSQL)
    try (var conn = stack.jdbc();
        var st = conn.createStatement()) {
      st.execute(
          "ALTER TABLE public.iso_conflict ALTER COLUMN v TYPE VARCHAR(100) USING v::varchar");
    }
    Cli released = cli(config, "release", "--batch", batch);
    assertThat(released.code()).isZero();
    assertThat(released.out()).contains("Released 1 unit(s) of batch " + batch);
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    assertThat(ids("iso_conflict")).hasSize(25).containsAll(range(10, 14));
    assertThat(stack.query("SELECT v FROM public.iso_conflict WHERE id = 12"))
        .containsExactly(List.of("s12"));
  }

  /**
   * A quarantined unit whose marker is gone could never load: release refuses it and names skip,
   * which records the gap. Released, it vanished from status and, in upsert mode, the later units
   * of its partition loaded past it.
   */
  @Test
  void releaseRefusesAUnitWhoseMarkerIsGoneAndNamesSkip() throws Exception {
    List<MarkerColumn> intV = List.of(c("id", Kind.INT64), c("v", Kind.INT32));
    stack.files.unit(
        "iso_gone", 0, 0, 4, FileFormat.PARQUET, intV, o -> row("id", o, "v", (int) o));
    Map<String, String> config = stack.config("iso_gone");
    Unit conflicting;
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      conflicting =
          stack.files.unit(
              "iso_gone",
              0,
              5,
              9,
              FileFormat.PARQUET,
              List.of(c("id", Kind.INT64), c("v", Kind.STRING)),
              o -> row("id", o, "v", "s" + o));
      assertThat(loader.runOnce().batchesQuarantined()).isEqualTo(1);
    }
    String batch =
        (String)
            stack
                .query(
                    "SELECT batch_id FROM public._redstage_quarantine WHERE target_table = "
                        + "'public.iso_gone' AND released_at IS NULL")
                .get(0)
                .get(0);
    stack.s3.client().deleteObject(b -> b.bucket(LoaderStack.BUCKET).key(conflicting.markerKey()));

    Cli refused = cli(config, "release", "--batch", batch);
    assertThat(refused.code()).isEqualTo(3);
    assertThat(refused.out())
        .contains("Cannot release unit " + conflicting.markerKey())
        .contains("its marker is gone from the bucket")
        .contains("skip --batch " + batch)
        .contains("Released 0 unit(s)");
    assertThat(unreleased(batch)).isEqualTo(1);

    Cli forced = cli(config, "release", "--batch", batch, "--force");
    assertThat(forced.code()).as("--force does not release what nothing could load").isEqualTo(3);
    assertThat(forced.out()).contains("Released 0 unit(s)").doesNotContain("add --force");
  }

  @Test
  void upsertKeepsOffsetOrderAConflictingUnitHoldsBackOnlyTheRestOfItsPartition() throws Exception {
    List<MarkerColumn> intV = List.of(c("id", Kind.INT64), c("v", Kind.INT32));
    stack.files.unit(
        "iso_upsert", 0, 0, 4, FileFormat.PARQUET, intV, o -> row("id", o, "v", (int) o));
    Map<String, String> config = stack.config("iso_upsert");
    config.put("table.public.iso_upsert.mode", "upsert");
    config.put("table.public.iso_upsert.upsert.key", "id");
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
      stack.files.unit(
          "iso_upsert",
          0,
          5,
          9,
          FileFormat.PARQUET,
          List.of(c("id", Kind.INT64), c("v", Kind.STRING)),
          o -> row("id", o, "v", "s" + o));
      stack.files.unit(
          "iso_upsert", 0, 10, 14, FileFormat.PARQUET, intV, o -> row("id", o, "v", (int) o));
      stack.files.unit(
          "iso_upsert", 1, 0, 4, FileFormat.PARQUET, intV, o -> row("id", 100 + o, "v", (int) o));
      CycleReport r = loader.runOnce();
      assertThat(r.batchesQuarantined()).isEqualTo(1);
      assertThat(r.unitsLoaded())
          .as("partition 1 loads; partition 0 waits behind its quarantined unit")
          .isEqualTo(1);
      assertThat(loader.runOnce().unitsLoaded()).as("still held in the next cycle").isZero();
    }
    List<Long> expected = new ArrayList<>(range(0, 4));
    expected.addAll(range(100, 104));
    assertThat(ids("iso_upsert")).containsExactlyElementsOf(expected);
  }

  @Test
  void aNewTableWithoutAnUpsertKeyWaitsAndTheOtherTablesLoad() throws Exception {
    // the start accepts upsert mode with only per-table keys; a topic that appears later maps to a
    // table with no key
    List<MarkerColumn> cols = List.of(c("id", Kind.INT64));
    stack.files.unit("iso_keyed", 0, 0, 4, FileFormat.PARQUET, cols, o -> row("id", o));
    stack.files.unit("iso_keyless", 0, 0, 4, FileFormat.PARQUET, cols, o -> row("id", o));
    Map<String, String> config = stack.config("iso_keyed,iso_keyless");
    config.put("load.mode", "upsert");
    config.put("table.public.iso_keyed.upsert.key", "id");
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.tablesStopped()).isEqualTo(1);
      ByteArrayOutputStream status = new ByteArrayOutputStream();
      loader.status().printText(new PrintStream(status, true, StandardCharsets.UTF_8));
      assertThat(status.toString(StandardCharsets.UTF_8))
          .contains("Tables whose units wait for their settings:")
          .contains(
              "public.iso_keyless: Cannot load table public.iso_keyless in upsert mode: it has no key"
                  + " (neither table.public.iso_keyless.upsert.key nor upsert.key is set)");
    }
    assertThat(ids("iso_keyed")).containsExactlyElementsOf(range(0, 4));

    config.put("table.public.iso_keyless.upsert.key", "id");
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().tablesStopped()).isZero();
    }
    assertThat(ids("iso_keyless")).containsExactlyElementsOf(range(0, 4));
  }

  @Test
  void aPoisonUnitIsIsolatedByBisectionAndEveryOtherUnitLoads() throws Exception {
    List<MarkerColumn> cols = List.of(c("id", Kind.INT64), c("n", Kind.INT64));
    for (long start = 0; start < 80; start += 10) {
      long poisonAt = 53; // in the sixth of eight units
      stack.files.unit(
          "iso_bisect",
          0,
          start,
          start + 9,
          FileFormat.JSONL,
          cols,
          o -> row("id", o, "n", o == poisonAt ? "x" : o));
    }
    Map<String, String> config = stack.config("iso_bisect");
    config.put("load.json.max-errors", "0");
    config.put("load.retry.max-attempts", "1");
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(7);
      assertThat(r.batchesQuarantined()).isEqualTo(1);
      assertThat(r.batchesFailed())
          .as("8 -> 4 -> 2 -> 1: one failed transaction per level")
          .isEqualTo(4);
    }
    List<Long> expected = new ArrayList<>(range(0, 49));
    expected.addAll(range(60, 79));
    assertThat(ids("iso_bisect")).containsExactlyElementsOf(expected);
    assertThat(
            stack.query(
                "SELECT start_offset, end_offset FROM public._redstage_quarantine WHERE target_table = 'public.iso_bisect'"))
        .containsExactly(List.of(50L, 59L));
    assertThat(
            stack.count(
                "SELECT COUNT(DISTINCT batch_id) FROM public._redstage_load_markers WHERE topic = 'iso_bisect'"))
        .as("the loadable halves loaded as batches of their own")
        .isGreaterThan(1);
  }

  @Test
  void onceQuarantinesAfterMaxAttemptsAcrossSeparateLoaderProcesses() throws Exception {
    stack.files.unit(
        "iso_once",
        0,
        0,
        4,
        FileFormat.JSONL,
        List.of(c("id", Kind.INT64)),
        o -> row("id", o == 2 ? "two" : o));
    Map<String, String> config = stack.config("iso_once");
    config.put("load.json.max-errors", "0");
    config.put("load.retry.max-attempts", "3");
    String attempts =
        "SELECT attempts FROM public._redstage_load_failures WHERE marker_key LIKE '%/iso_once/%'";
    config.put("load.retry.backoff", "1h");
    try (Loader first = stack.loader(config)) {
      assertThat(first.runOnce().batchesFailed()).isEqualTo(1);
    }
    assertThat(stack.query(attempts)).containsExactly(List.of(1));
    try (Loader second = stack.loader(config)) {
      assertThat(second.runOnce().batchesFailed())
          .as("a new process respects the backoff from the persisted attempt")
          .isZero();
    }
    assertThat(stack.query(attempts)).containsExactly(List.of(1));
    config.put("load.retry.backoff", "0ms");
    try (Loader third = stack.loader(config)) {
      CycleReport r = third.runOnce();
      assertThat(r.batchesFailed()).isEqualTo(1);
      assertThat(r.batchesQuarantined()).isZero();
    }
    assertThat(stack.query(attempts)).containsExactly(List.of(2));
    assertThat(
            stack.query(
                "SELECT last_error FROM public._redstage_load_failures WHERE marker_key LIKE '%/iso_once/%'"))
        .singleElement()
        .satisfies(row -> assertThat((String) row.get(0)).contains("Load into table"));
    try (Loader fourth = stack.loader(config)) {
      assertThat(fourth.runOnce().batchesQuarantined())
          .as("third attempt, in a third process")
          .isEqualTo(1);
    }
    assertThat(stack.query(attempts)).as("cleared once quarantined").isEmpty();
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM public._redstage_quarantine WHERE target_table = 'public.iso_once' AND released_at IS NULL"))
        .isEqualTo(1);
  }

  /**
   * A Parquet unit whose marker counts more rows than its file holds (the marker rewritten, or the
   * file replaced after the marker): the rows there load, and the shortfall does not pass silently.
   */
  @Test
  void rowsAMarkerCountsButItsParquetFileLacksAreReported() throws Exception {
    List<MarkerColumn> cols = List.of(c("id", Kind.INT64));
    io.redstage.loader.discovery.Unit u =
        stack.files.unit("iso_short", 0, 0, 9, FileFormat.PARQUET, cols, o -> row("id", o));
    io.redstage.contract.MarkerFile f = u.marker().files().get(0);
    // the unit's marker rewritten over a wider range (a unit holds at most one record per offset),
    // its file under the name of that range
    stack.s3.client().deleteObject(b -> b.bucket(LoaderStack.BUCKET).key(u.markerKey()));
    String wider = f.key().replace("+00000000000000000009.", "+00000000000000000011.");
    stack
        .s3
        .client()
        .copyObject(
            b ->
                b.sourceBucket(LoaderStack.BUCKET)
                    .sourceKey(f.key())
                    .destinationBucket(LoaderStack.BUCKET)
                    .destinationKey(wider));
    stack.files.marker(
        "iso_short",
        0,
        0,
        11,
        List.of(
            new io.redstage.contract.MarkerFile(
                wider,
                f.bytes(),
                12,
                f.format(),
                f.compression(),
                f.encodedPartition(),
                f.columns())));
    try (Loader loader = stack.loader(stack.config("iso_short"))) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      assertThat(loader.metrics().render())
          .contains("redstage_loader_missing_rows_total{table=\"public.iso_short\"} 2");
    }
    assertThat(ids("iso_short")).containsExactlyElementsOf(range(0, 9));
  }

  /**
   * load.json.max-errors is a unit's allowance: one COPY of a batch's three units, three bad rows
   * each, with 5 allowed per unit, loads at once (before, 9 rejects over the batch's MAXERROR 5
   * failed it, and its pieces loaded after a split).
   */
  @Test
  void theRejectsAllowanceIsPerUnitOfTheBatch() throws Exception {
    List<MarkerColumn> cols = List.of(c("id", Kind.INT64), c("n", Kind.INT64));
    for (long start = 0; start < 30; start += 10) {
      stack.files.unit(
          "iso_allowance",
          0,
          start,
          start + 9,
          FileFormat.JSONL,
          cols,
          o -> row("id", o, "n", o % 10 == 1 || o % 10 == 4 || o % 10 == 7 ? "bad" + o : o));
    }
    Map<String, String> config = stack.config("iso_allowance");
    config.put("load.json.max-errors", "5");
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(3);
      assertThat(r.batchesLoaded()).as("one batch, not split").isEqualTo(1);
      assertThat(r.batchesFailed()).isZero();
      assertThat(r.rowsRejected()).isEqualTo(9);
    }
    assertThat(ids("iso_allowance")).hasSize(21);
  }

  @Test
  void jsonRowsCopyRejectsGoToTheRejectsObjectAndTheRestOfTheUnitLoads() throws Exception {
    List<MarkerColumn> cols = List.of(c("id", Kind.INT64), c("n", Kind.INT64));
    stack.files.unit(
        "iso_rejects",
        2,
        0,
        9,
        FileFormat.JSONL,
        cols,
        o -> row("id", o, "n", o == 3 || o == 7 ? "bad" + o : o));
    Map<String, String> config = stack.config("iso_rejects");
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.rowsRejected()).isEqualTo(2);
      assertThat(r.toString()).contains("(8 rows, 2 rejected: see rejects.dir)");
      assertThat(loader.metrics().rejectedRows("public.iso_rejects")).isEqualTo(2);
      assertThat(loader.metrics().render())
          .contains("redstage_loader_rejected_rows_total{table=\"public.iso_rejects\"} 2");
    }
    assertThat(ids("iso_rejects")).containsExactly(0L, 1L, 2L, 4L, 5L, 6L, 8L, 9L);
    assertThat(
            stack.query(
                "SELECT record_count FROM public._redstage_load_markers WHERE topic = 'iso_rejects'"))
        .as("the unit is loaded: its rejected rows are accounted for in the rejects object")
        .containsExactly(List.of(10L));
    JsonNode report =
        stack.object(
            "_redstage/rejects/public.iso_rejects/" + stack.batchOf("iso_rejects") + ".json");
    assertThat(report.get("rejectedRows").asLong()).isEqualTo(2);
    assertThat(report.get("rows")).hasSize(2);
    List<Long> offsets = new ArrayList<>();
    for (JsonNode row : report.get("rows")) {
      offsets.add(row.get("offset").asLong());
      assertThat(row.get("topic").asText()).isEqualTo("iso_rejects");
      assertThat(row.get("partition").asInt()).isEqualTo(2);
      assertThat(row.get("column").asText()).isEqualTo("n");
      assertThat(row.get("reason").asText()).isNotBlank();
      assertThat(row.get("file").asText()).contains("topics/iso_rejects/partition=2/");
      assertThat(row.get("markerKey").asText()).contains("iso_rejects");
      assertThat(row.get("rawLine").asText()).contains("\"n\":\"bad");
    }
    assertThat(offsets).containsExactly(3L, 7L);
  }

  /**
   * A replay of a partly loaded unit: COPY reads its file whole and rejects again the bad row of
   * the part an earlier batch loaded (and reported). Its rejects object lists only the new one; the
   * repeated one is counted as left out. Before, offset 3 was in both objects.
   */
  @Test
  void aReplayOfAPartlyLoadedUnitReportsOnlyItsNewRejectedRows() throws Exception {
    List<MarkerColumn> cols = List.of(c("id", Kind.INT64), c("n", Kind.INT64));
    LongFunction<Map<String, Object>> value =
        o -> row("id", o, "n", o == 3 || o == 7 ? "bad" + o : o);
    stack.files.unit("iso_replay_rejects", 0, 0, 4, FileFormat.JSONL, cols, value);
    Map<String, String> config = stack.config("iso_replay_rejects");
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().rowsRejected()).isEqualTo(1);
    }
    String first = stack.batchOf("iso_replay_rejects");
    stack.files.unit("iso_replay_rejects", 0, 0, 9, FileFormat.JSONL, cols, value);
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.rowsRejected()).isEqualTo(1);
    }
    assertThat(ids("iso_replay_rejects")).containsExactly(0L, 1L, 2L, 4L, 5L, 6L, 8L, 9L);
    String second =
        (String)
            stack
                .query(
                    "SELECT batch_id FROM public._redstage_load_markers WHERE topic ="
                        + " 'iso_replay_rejects' AND end_offset = 9")
                .get(0)
                .get(0);
    assertThat(rejectedOffsets("iso_replay_rejects", first)).containsExactly(3L);
    JsonNode report =
        stack.object("_redstage/rejects/public.iso_replay_rejects/" + second.trim() + ".json");
    assertThat(rejectedOffsets("iso_replay_rejects", second.trim())).containsExactly(7L);
    assertThat(report.get("rejectedRows").asLong()).isEqualTo(1);
    assertThat(report.get("repeatedRowsLeftOut").asLong()).isEqualTo(1);
  }

  /**
   * A zombie unit and its replay in one batch carry the same bad record: the batch's rejects object
   * lists it once. Before, offset 3 was listed twice.
   */
  @Test
  void aBadRecordInTwoUnitsOfOneBatchIsListedOnce() throws Exception {
    List<MarkerColumn> cols = List.of(c("id", Kind.INT64), c("n", Kind.INT64));
    LongFunction<Map<String, Object>> value =
        o -> row("id", o, "n", o == 3 || o == 7 ? "bad" + o : o);
    stack.files.unit("iso_zombie_rejects", 0, 0, 4, FileFormat.JSONL, cols, value);
    stack.files.unit("iso_zombie_rejects", 0, 0, 9, FileFormat.JSONL, cols, value);
    try (Loader loader = stack.loader(stack.config("iso_zombie_rejects"))) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(2);
      assertThat(r.batchesLoaded()).isEqualTo(1);
      assertThat(r.rowsRejected()).isEqualTo(2);
    }
    assertThat(ids("iso_zombie_rejects")).containsExactly(0L, 1L, 2L, 4L, 5L, 6L, 8L, 9L);
    String batch = stack.batchOf("iso_zombie_rejects");
    assertThat(rejectedOffsets("iso_zombie_rejects", batch)).containsExactly(3L, 7L);
    JsonNode report =
        stack.object("_redstage/rejects/public.iso_zombie_rejects/" + batch + ".json");
    assertThat(report.get("rejectedRows").asLong()).isEqualTo(2);
    assertThat(report.get("repeatedRowsLeftOut").asLong()).isEqualTo(1);
  }

  /**
   * A CHAR column cannot widen: its JSON Lines strings that are too long, or hold a multibyte
   * character (CHAR holds single-byte characters only), are rejected by COPY, one row each, and the
   * rest of the unit loads. Before, they were staged as VARCHAR(65535), failed the INSERT (not a
   * VARCHAR's "value too long", so no widening either), and the unit was quarantined.
   */
  @Test
  void aStringTooLongForACharColumnRejectsItsRowOnly() throws Exception {
    try (var st = stack.jdbc().createStatement()) {
      st.execute(
          "CREATE TABLE public.iso_char (id BIGINT, code CHAR(4), kafka_topic VARCHAR(256),"
              + " kafka_partition INTEGER, kafka_offset BIGINT, kafka_timestamp TIMESTAMP)");
    }
    stack.files.unit(
        "iso_char",
        0,
        0,
        5,
        FileFormat.JSONL,
        List.of(c("id", Kind.INT64), c("code", Kind.STRING)),
        o -> row("id", o, "code", o == 2 ? "much too long" : o == 3 ? "é" : "c" + o));
    try (Loader loader = stack.loader(stack.config("iso_char"))) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.batchesFailed()).isZero();
      assertThat(r.rowsRejected()).isEqualTo(2);
    }
    assertThat(ids("iso_char")).containsExactly(0L, 1L, 4L, 5L);
    assertThat(stack.query("SELECT code FROM public.iso_char WHERE id = 4"))
        .containsExactly(List.of("c4  "));
    assertThat(rejectedOffsets("iso_char", stack.batchOf("iso_char"))).containsExactly(2L, 3L);
  }

  /**
   * A JSON Lines record whose value is null (or missing) for a NOT NULL column is rejected by COPY,
   * that row alone, and listed; the rest of the unit loads. Before, the staging column was
   * nullable, the INSERT failed on the null and the whole unit was quarantined.
   */
  @Test
  void aNullForANotNullColumnRejectsItsRowOnly() throws Exception {
    try (var st = stack.jdbc().createStatement()) {
      st.execute(
          "CREATE TABLE public.iso_not_null (id BIGINT, name VARCHAR(256) NOT NULL, kafka_topic"
              + " VARCHAR(256), kafka_partition INTEGER, kafka_offset BIGINT, kafka_timestamp"
              + " TIMESTAMP)");
    }
    stack.files.unit(
        "iso_not_null",
        0,
        0,
        9,
        FileFormat.JSONL,
        List.of(c("id", Kind.INT64), c("name", Kind.STRING)),
        o ->
            o == 4
                ? row("id", o, "name", null)
                : o == 6 ? row("id", o) : row("id", o, "name", "n" + o));
    try (Loader loader = stack.loader(stack.config("iso_not_null"))) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.batchesFailed()).isZero();
      assertThat(r.rowsRejected()).isEqualTo(2);
    }
    assertThat(ids("iso_not_null")).containsExactly(0L, 1L, 2L, 3L, 5L, 7L, 8L, 9L);
    assertThat(rejectedOffsets("iso_not_null", stack.batchOf("iso_not_null")))
        .containsExactly(4L, 6L);
  }

  /** The offsets a batch's rejects object lists, in its order. */
  private static List<Long> rejectedOffsets(String table, String batch) throws Exception {
    List<Long> offsets = new ArrayList<>();
    for (JsonNode row :
        stack.object("_redstage/rejects/public." + table + "/" + batch + ".json").get("rows")) {
      offsets.add(row.get("offset").asLong());
    }
    return offsets;
  }

  @Test
  void aRejectedRowLongerThanTheViewsRawLineStillGetsItsOffsetFromTheFile() throws Exception {
    List<MarkerColumn> cols =
        List.of(c("id", Kind.INT64), c("pad", Kind.STRING), c("n", Kind.INT64));
    // The load-error views keep 1 KB of the line: the offset column (last) is cut off.
    String pad = "x".repeat(2000);
    stack.files.unit(
        "iso_long_rejects",
        0,
        0,
        5,
        FileFormat.JSONL,
        cols,
        o -> row("id", o, "pad", pad, "n", o == 4 ? "bad" : o));
    try (Loader loader = stack.loader(stack.config("iso_long_rejects"))) {
      assertThat(loader.runOnce().rowsRejected()).isEqualTo(1);
    }
    JsonNode report =
        stack.object(
            "_redstage/rejects/public.iso_long_rejects/"
                + stack.batchOf("iso_long_rejects")
                + ".json");
    JsonNode row = report.get("rows").get(0);
    assertThat(row.get("rawLine").asText())
        .hasSizeLessThanOrEqualTo(1024)
        .doesNotContain("kafka_offset");
    assertThat(row.get("offset").asLong()).isEqualTo(4L);
    assertThat(ids("iso_long_rejects")).containsExactly(0L, 1L, 2L, 3L, 5L);
  }

  /** Rows of quarantined {@code batch} not released yet. */
  private static long unreleased(String batch) throws java.sql.SQLException {
    return stack.count(
        "SELECT COUNT(*) FROM public._redstage_quarantine WHERE batch_id = '"
            + batch
            + "' AND released_at IS NULL");
  }
}
