package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import io.redstage.sandbox.s3.FaultRule;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The rejected rows of a committed JSON Lines batch are accounted for even when the loader stops
 * between the commit and the rejects object: an intent written before the batch lets a later cycle
 * (of any loader process) write the object from the load-error views; intents of batches that never
 * commit are removed without an object.
 */
class RejectsRecoveryIT {
  static final String REJECTS = "_redstage/rejects/";
  static final String PENDING = REJECTS + "_pending/";
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @AfterEach
  void clearFaults() {
    stack.s3.faults().clear();
    stack.redshift.faults().clear();
  }

  /**
   * A loader whose clock runs {@code ahead} of the real one: a later process, after the recovery's
   * grace period.
   */
  static Loader loaderAhead(Map<String, String> config, Duration ahead) {
    return stack.loader(config, Clock.offset(Clock.systemUTC(), ahead));
  }

  static void jsonUnitWithBadRowsAt3And7(String topic) {
    jsonUnit(topic, 1, o -> row("id", o, "n", o == 3 || o == 7 ? "bad" + o : o));
  }

  /** A JSON Lines unit of offsets 0 to 9 with columns id and n. */
  static void jsonUnit(String topic, int partition, LongFunction<Map<String, Object>> value) {
    List<MarkerColumn> cols =
        List.of(
            new MarkerColumn("id", ColumnType.of(Kind.INT64), true),
            new MarkerColumn("n", ColumnType.of(Kind.INT64), true));
    stack.files.unit(topic, partition, 0, 9, FileFormat.JSONL, cols, value);
  }

  static List<String> keys(String prefix) {
    return stack
        .s3
        .client()
        .listObjectsV2Paginator(b -> b.bucket(LoaderStack.BUCKET).prefix(prefix))
        .contents()
        .stream()
        .map(S3Object::key)
        .toList();
  }

  @Test
  void aBatchThatCommittedWithoutItsRejectsObjectGetsItFromTheNextLoader() throws Exception {
    jsonUnitWithBadRowsAt3And7("rr_crash");
    Instant before = Instant.now().minusSeconds(1);
    // the rejects object cannot be written: as if the process died between the commit and the PUT
    FaultRule lost =
        stack
            .s3
            .faults()
            .failAlways(
                S3Fault.ACCESS_DENIED,
                RequestMatcher.operations(ObjectOperation.PUT_OBJECT)
                    .keyPrefix(REJECTS + "public.rr_crash/"));
    try (Loader loader = stack.loader(stack.config("rr_crash"))) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.rowsRejected()).isEqualTo(2);
    }
    assertThat(lost.fired()).isPositive();
    stack.s3.faults().remove(lost);
    String batch = stack.batchOf("rr_crash");
    String objectKey = REJECTS + "public.rr_crash/" + batch + ".json";
    assertThat(keys(REJECTS + "public.rr_crash/")).isEmpty();
    assertThat(keys(PENDING))
        .as("the committed batch's intent is the trace of its rejected rows")
        .contains(PENDING + batch + ".json");
    // read as bytes: put back as they were further down
    byte[] intentBytes =
        stack
            .s3
            .client()
            .getObjectAsBytes(b -> b.bucket(LoaderStack.BUCKET).key(PENDING + batch + ".json"))
            .asByteArray();
    JsonNode intent = new ObjectMapper().readTree(intentBytes);
    assertThat(intent.get("table").asText()).isEqualTo("public.rr_crash");
    assertThat(intent.get("jsonFiles").get(0).get("records").asLong()).isEqualTo(10);

    try (Loader sameMoment = stack.loader(stack.config("rr_crash"))) {
      sameMoment.runOnce();
    }
    assertThat(keys(PENDING))
        .as("within the grace period the batch's own process may still write the object")
        .contains(PENDING + batch + ".json");

    long askedBefore = stack.redshift.faults().slowedStatementCount();
    // a probe, not a delay: counts the recovery's queries that name the batch's sort-key columns
    stack
        .redshift
        .faults()
        .slowStatementsMatching(
            "MIN\\(loaded_at\\) FROM \"public\"\\.\"_redstage_load_markers\" WHERE .*\\(target_table ="
                + " 'public\\.rr_crash' AND \\(\\(topic = 'rr_crash' AND kafka_partition = 1 AND"
                + " start_offset BETWEEN 0 AND 0\\)\\)\\).* AND batch_id IN \\(.*'"
                + batch
                + "'",
            Duration.ofMillis(1));
    try (Loader later = loaderAhead(stack.config("rr_crash"), Duration.ofMinutes(3))) {
      CycleReport r = later.runOnce();
      assertThat(r.unitsLoaded()).as("nothing is loaded twice").isZero();
      assertThat(later.metrics().rejectedRows("public.rr_crash")).isEqualTo(2);
    }
    assertThat(stack.redshift.faults().slowedStatementCount() - askedBefore)
        .as("the batch was asked by its table, topic, partition and start offset too")
        .isEqualTo(1);
    stack.redshift.faults().clear();
    assertThat(keys(PENDING)).doesNotContain(PENDING + batch + ".json");
    JsonNode report = stack.object(objectKey);
    assertThat(report.get("recovered").asBoolean()).isTrue();
    assertThat(report.get("countCertain").asBoolean()).isTrue();
    assertThat(report.get("batchId").asText()).isEqualTo(batch);
    assertThat(Instant.parse(report.get("committedAt").asText()))
        .as("the load time from the marker table")
        .isBetween(before, Instant.now())
        .isEqualTo(firstLoadedAt(batch));
    assertThat(report.get("rejectedRows").asLong()).isEqualTo(2);
    List<Long> offsets = new ArrayList<>();
    for (JsonNode row : report.get("rows")) {
      offsets.add(row.get("offset").asLong());
      assertThat(row.get("topic").asText()).isEqualTo("rr_crash");
      assertThat(row.get("partition").asInt()).isEqualTo(1);
      assertThat(row.get("column").asText()).isEqualTo("n");
      assertThat(row.get("markerKey").asText()).contains("rr_crash");
    }
    assertThat(offsets).containsExactly(3L, 7L);
    assertThat(stack.query("SELECT id FROM public.rr_crash ORDER BY id"))
        .extracting(r -> ((Number) r.get(0)).longValue())
        .containsExactly(0L, 1L, 2L, 4L, 5L, 6L, 8L, 9L);

    // stopped after the object but before deleting the intent: the next cycle only deletes the
    // intent
    stack
        .s3
        .client()
        .putObject(
            b -> b.bucket(LoaderStack.BUCKET).key(PENDING + batch + ".json"),
            RequestBody.fromBytes(intentBytes));
    FaultRule rewrites =
        stack
            .s3
            .faults()
            .delayAlways(
                Duration.ofMillis(1),
                RequestMatcher.operations(ObjectOperation.PUT_OBJECT)
                    .keyPrefix(REJECTS + "public.rr_crash/"));
    try (Loader later = loaderAhead(stack.config("rr_crash"), Duration.ofMinutes(3))) {
      later.runOnce();
      assertThat(later.metrics().rejectedRows("public.rr_crash"))
          .as("counted once, by the recovery that wrote the object")
          .isZero();
    }
    assertThat(keys(PENDING)).doesNotContain(PENDING + batch + ".json");
    assertThat(rewrites.fired()).isZero();
  }

  @Test
  void aRolledBackBatchLeavesNoIntentAndNoObject() throws Exception {
    jsonUnitWithBadRowsAt3And7("rr_failed");
    FaultRule intents =
        stack
            .s3
            .faults()
            .delayNext(
                1,
                Duration.ofMillis(1),
                RequestMatcher.operations(ObjectOperation.PUT_OBJECT).keyPrefix(PENDING));
    try (Loader loader = stack.loader(stack.config("rr_failed"))) {
      loader.ensureControlTables();
      stack
          .redshift
          .faults()
          .failStatementsMatching(
              "INSERT INTO \"public\".\"rr_failed\"",
              1,
              "1023 DETAIL: Serializable isolation violation on table - 100, transactions forming the cycle are: 1, 2");
      assertThat(loader.runOnce().batchesFailed()).isEqualTo(1);
      assertThat(intents.fired()).as("an intent was written before the batch").isEqualTo(1);
      assertThat(pendingOf("public.rr_failed"))
          .as("the rolled-back batch's intent is deleted")
          .isEmpty();
      assertThat(keys(REJECTS + "public.rr_failed/")).isEmpty();

      CycleReport retry = loader.runOnce();
      assertThat(retry.unitsLoaded()).isEqualTo(1);
      assertThat(retry.rowsRejected()).isEqualTo(2);
    }
    assertThat(pendingOf("public.rr_failed")).isEmpty();
    assertThat(keys(REJECTS + "public.rr_failed/"))
        .containsExactly(REJECTS + "public.rr_failed/" + stack.batchOf("rr_failed") + ".json");
  }

  /**
   * A batch whose submission the Data API refused at every attempt (throttled here) was never
   * created, so it can never commit: its intent and manifests are removed at once, where they were
   * kept for the 25-hour abandon and piled up, one per batch and cycle, under long throttling. The
   * unit loads once when the refusals stop.
   */
  @Test
  void aBatchWhoseSubmissionWasRefusedLeavesNoIntentAndNoManifests() throws Exception {
    try (Loader loader = afterAFirstLoad("rr_refused")) {
      jsonUnitWithBadRowsAt3And7("rr_refused");
      FaultRule intents = intentProbe();
      long throttledBefore = stack.redshift.faults().throttledCount();
      // two cycles' submissions, each refused at all its SDK attempts
      stack.redshift.faults().throttleNext(2 * SDK_ATTEMPTS, "BatchExecuteStatement");
      for (int cycle = 1; cycle <= 2; cycle++) {
        CycleReport r = loader.runOnce();
        assertThat(r.batchesFailed()).isEqualTo(1);
        assertThat(intents.fired()).as("an intent was written before each batch").isEqualTo(cycle);
        assertThat(stack.redshift.faults().throttledCount() - throttledBefore)
            .as("the load's submission took the throttling")
            .isEqualTo(cycle * SDK_ATTEMPTS);
        assertThat(pendingOf("public.rr_refused")).as("the refused batch's intent").isEmpty();
        assertThat(keys(manifestsOf("rr_refused"))).as("its manifests").isEmpty();
      }

      CycleReport loads = loader.runOnce();
      assertThat(loads.unitsLoaded()).isEqualTo(1);
      assertThat(loads.rowsRejected()).isEqualTo(2);
    }
    assertThat(rowsById("rr_refused"))
        .as("each row once")
        .containsExactlyEntriesOf(
            loadedOnce(0, 1, 2, 4, 5, 6, 8, 9, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109));
    assertThat(pendingOf("public.rr_refused")).isEmpty();
    assertThat(keys(manifestsOf("rr_refused"))).isEmpty();
  }

  /**
   * An attempt that got a 5xx may have created the statement, which may still commit however the
   * later attempts were answered: the batch's intent and manifests stay, as for any unknown
   * outcome.
   */
  @Test
  void aBatchWhoseSubmissionGotA5xxBeforeItsRefusalsKeepsItsIntentAndManifests() throws Exception {
    String intent;
    try (Loader loader = afterAFirstLoad("rr_broken")) {
      jsonUnitWithBadRowsAt3And7("rr_broken");
      stack
          .redshift
          .faults()
          .failNext(1, "BatchExecuteStatement", 500)
          .throttleNext(SDK_ATTEMPTS - 1, "BatchExecuteStatement");
      assertThat(loader.runOnce().batchesFailed()).isEqualTo(1);
      assertThat(pendingOf("public.rr_broken")).hasSize(1);
      intent = pendingOf("public.rr_broken").get(0);
      assertThat(keys(manifestsOf("rr_broken"))).hasSize(1);

      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    assertThat(rowsById("rr_broken"))
        .containsExactlyEntriesOf(
            loadedOnce(0, 1, 2, 4, 5, 6, 8, 9, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109));
    assertThat(pendingOf("public.rr_broken"))
        .as("left to the recovery, which asks the load-marker table")
        .containsExactly(intent);
    stack.s3.client().deleteObject(b -> b.bucket(LoaderStack.BUCKET).key(intent));
  }

  /** redshift.retry.max-attempts of {@link #afterAFirstLoad}. */
  static final int SDK_ATTEMPTS = 3;

  /**
   * A loader that has loaded a first unit of {@code topic} (partition 0, ids 100 to 109): the
   * target's loaded-intervals table is seeded, and without claims (load.claim-lease 0) the load
   * transaction is the only BatchExecuteStatement of its later cycles.
   */
  private static Loader afterAFirstLoad(String topic) throws InterruptedException {
    jsonUnit(topic, 0, o -> row("id", 100 + o, "n", o));
    Map<String, String> config = stack.config(topic);
    config.put("load.claim-lease", "0");
    config.put("redshift.retry.max-attempts", String.valueOf(SDK_ATTEMPTS));
    Loader loader = stack.loader(config);
    boolean loaded = false;
    try {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      loaded = true;
      return loader;
    } finally {
      if (!loaded) {
        loader.close();
      }
    }
  }

  /** Counts the rejects intents written (a probe, not a delay). */
  private static FaultRule intentProbe() {
    return stack
        .s3
        .faults()
        .delayAlways(
            Duration.ofMillis(1),
            RequestMatcher.operations(ObjectOperation.PUT_OBJECT).keyPrefix(PENDING));
  }

  private static String manifestsOf(String topic) {
    return "_redstage/manifests/public." + topic + "/";
  }

  /** How many rows of each id the table holds. */
  private static Map<Long, Long> rowsById(String table) throws Exception {
    Map<Long, Long> out = new java.util.TreeMap<>();
    for (List<Object> r :
        stack.query("SELECT id, COUNT(*) FROM public." + table + " GROUP BY id ORDER BY id")) {
      out.put(((Number) r.get(0)).longValue(), ((Number) r.get(1)).longValue());
    }
    return out;
  }

  private static Map<Long, Long> loadedOnce(long... ids) {
    Map<Long, Long> out = new java.util.TreeMap<>();
    for (long id : ids) {
      out.put(id, 1L);
    }
    return out;
  }

  @Test
  void aBatchWhoseIntentCannotBeWrittenWaitsForTheNextCycle() throws Exception {
    jsonUnitWithBadRowsAt3And7("rr_nointent");
    FaultRule denied =
        stack
            .s3
            .faults()
            .failNext(
                1,
                S3Fault.ACCESS_DENIED,
                RequestMatcher.operations(ObjectOperation.PUT_OBJECT).keyPrefix(PENDING));
    try (Loader loader = stack.loader(stack.config("rr_nointent"))) {
      CycleReport first = loader.runOnce();
      assertThat(denied.fired()).isEqualTo(1);
      assertThat(first.batchesFailed()).isEqualTo(1);
      assertThat(first.unitsLoaded()).isZero();
      assertThat(
              stack.count(
                  "SELECT COUNT(*) FROM public._redstage_load_markers WHERE topic = 'rr_nointent'"))
          .isZero();

      CycleReport second = loader.runOnce();
      assertThat(second.unitsLoaded()).isEqualTo(1);
      assertThat(second.rowsRejected()).isEqualTo(2);
    }
    assertThat(keys(REJECTS + "public.rr_nointent/"))
        .containsExactly(REJECTS + "public.rr_nointent/" + stack.batchOf("rr_nointent") + ".json");
    assertThat(pendingOf("public.rr_nointent")).isEmpty();
  }

  @Test
  void anIntentOfABatchThatNeverCommittedIsRemovedOnlyOnceTheBatchCannotCommitAnyMore()
      throws Exception {
    String stale = UUID.randomUUID().toString();
    String recent = UUID.randomUUID().toString();
    putIntent(stale, Instant.now().minus(Duration.ofHours(26)));
    putIntent(recent, Instant.now().minus(Duration.ofMinutes(10)));
    try (Loader loader = stack.loader(stack.config("rr_none"))) {
      loader.runOnce();
    }
    assertThat(keys(PENDING))
        .doesNotContain(PENDING + stale + ".json")
        .as("a batch submitted 10 minutes ago may still commit")
        .contains(PENDING + recent + ".json");
    assertThat(keys(REJECTS + "public.rr_none/")).isEmpty();
    stack
        .s3
        .client()
        .deleteObject(b -> b.bucket(LoaderStack.BUCKET).key(PENDING + recent + ".json"));
  }

  /**
   * An intent whose batch had not committed when asked is asked again only after a backoff (by the
   * loader's clock), not every cycle: the load-marker table is the loader's whole history. Once the
   * backoff passed, a batch that committed meanwhile is settled as if asked every cycle.
   */
  @Test
  void aBatchNotCommittedWhenAskedIsAskedAgainOnlyAfterABackoff() throws Exception {
    String batch = UUID.randomUUID().toString();
    putIntent(
        batch,
        "public.rr_wait",
        Instant.now().minus(Duration.ofMinutes(10)),
        "[{\"markerKey\":\"_redstage/markers/rr_wait/0000000002/x.json\",\"topic\":\"rr_wait\","
            + "\"partition\":2,\"startOffset\":40,\"endOffset\":49,\"files\":[]}]");
    long before = stack.redshift.faults().slowedStatementCount();
    // a probe, not a delay: counts the recovery's queries about this batch
    stack
        .redshift
        .faults()
        .slowStatementsMatching("MIN\\(loaded_at\\).*'" + batch + "'", Duration.ofMillis(1));
    MutableClock clock = new MutableClock();
    try (Loader loader = stack.loader(stack.config("rr_wait"), clock)) {
      loader.runOnce();
      assertThat(stack.redshift.faults().slowedStatementCount() - before).isEqualTo(1);
      loader.runOnce();
      assertThat(stack.redshift.faults().slowedStatementCount() - before)
          .as("not asked again within the backoff")
          .isEqualTo(1);

      // the batch commits now (a statement that outlived its loader's wait)
      try (var c = stack.jdbc();
          var st = c.createStatement()) {
        st.executeUpdate(
            "INSERT INTO public._redstage_load_markers VALUES ('public.rr_wait', 'rr_wait', 2, 40,"
                + " 49, '_redstage/markers/rr_wait/0000000002/x.json', '"
                + batch
                + "', 10, CURRENT_TIMESTAMP)");
      }
      clock.advance(RECHECK.minusSeconds(1));
      loader.runOnce();
      assertThat(stack.redshift.faults().slowedStatementCount() - before).isEqualTo(1);
      assertThat(keys(PENDING)).contains(PENDING + batch + ".json");

      clock.advance(Duration.ofSeconds(1));
      loader.runOnce();
      assertThat(stack.redshift.faults().slowedStatementCount() - before)
          .as("asked again once the backoff passed")
          .isEqualTo(2);
    }
    assertThat(keys(PENDING))
        .as("committed, and its files rejected nothing: settled without an object")
        .doesNotContain(PENDING + batch + ".json");
    assertThat(keys(REJECTS + "public.rr_wait/")).isEmpty();
  }

  /** The recovery's backoff for batches not committed when asked (RejectsRecovery). */
  static final Duration RECHECK = Duration.ofMinutes(5);

  /** The first load time of a batch's markers, read straight from the load-marker table. */
  private static Instant firstLoadedAt(String batch) throws Exception {
    return Instant.parse(
        (String)
            stack
                .query(
                    "SELECT TO_CHAR(MIN(loaded_at), 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM"
                        + " public._redstage_load_markers WHERE batch_id = '"
                        + batch
                        + "'")
                .get(0)
                .get(0));
  }

  private static List<String> pendingOf(String table) throws Exception {
    List<String> out = new ArrayList<>();
    for (String key : keys(PENDING)) {
      if (stack.object(key).get("table").asText().equals(table)) {
        out.add(key);
      }
    }
    return out;
  }

  private static void putIntent(String batchId, Instant createdAt) {
    putIntent(batchId, "public.rr_none", createdAt, "[]");
  }

  private static void putIntent(String batchId, String table, Instant createdAt, String units) {
    String json =
        "{\"batchId\":\""
            + batchId
            + "\",\"table\":\""
            + table
            + "\",\"createdAt\":\""
            + createdAt
            + "\",\"offsetColumn\":"
            + "\"kafka_offset\",\"units\":"
            + units
            + ",\"jsonFiles\":[{\"url\":\"s3://staging/topics/"
            + table
            + "/x.jsonl\",\"records\":3}]}";
    stack
        .s3
        .client()
        .putObject(
            b -> b.bucket(LoaderStack.BUCKET).key(PENDING + batchId + ".json"),
            RequestBody.fromString(json));
  }
}
