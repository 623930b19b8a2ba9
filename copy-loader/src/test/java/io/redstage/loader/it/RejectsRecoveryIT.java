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
    List<MarkerColumn> cols =
        List.of(
            new MarkerColumn("id", ColumnType.of(Kind.INT64), true),
            new MarkerColumn("n", ColumnType.of(Kind.INT64), true));
    stack.files.unit(
        topic,
        1,
        0,
        9,
        FileFormat.JSONL,
        cols,
        o -> row("id", o, "n", o == 3 || o == 7 ? "bad" + o : o));
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
