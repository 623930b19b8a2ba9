package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Whether the Data API fills ResultRows for a COPY sub-statement is not documented, and it was seen
 * to read 0 (aws/aws-sdk #333). On a stand-in that reports 0 for every COPY, the loader must not
 * take that as rows missing or rejected, and {@code check} must not fail a working setup.
 */
class UnreportedCopyRowsIT {
  static LoaderStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = LoaderStack.start();
    // as in CheckIT: the loader's db user is a real, unprivileged role
    try (Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE loader");
      s.execute("GRANT USAGE, CREATE ON SCHEMA public TO loader");
    }
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @BeforeEach
  void reportNoCopyRows() {
    stack.redshift.faults().clear().copyResultRows(0L);
  }

  static MarkerColumn c(String name, Kind kind) {
    return new MarkerColumn(name, ColumnType.of(kind), true);
  }

  @Test
  void aParquetBatchWhoseCopyReportsNoRowsIsNotCountedAsMissingRows() throws Exception {
    stack.files.unit(
        "ur_parquet", 0, 0, 9, FileFormat.PARQUET, List.of(c("id", Kind.INT64)), o -> row("id", o));
    try (Loader loader = stack.loader(stack.config("ur_parquet"))) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      // the counter and the "file changed after its marker" ERROR are one branch: no count, no
      // ERROR
      assertThat(loader.metrics().render()).doesNotContain("redstage_loader_missing_rows_total{");
      assertThat(loader.metrics().render())
          .as("how old the table's newest loaded data is")
          .contains(
              "redstage_loader_newest_loaded_commit_timestamp_seconds{table=\"public.ur_parquet\"}");
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.ur_parquet")).isEqualTo(10);
  }

  @Test
  void aJsonLinesBatchWithOneBadLineRecordsExactlyOneReject() throws Exception {
    JsonNode report = loadTenRowsWithABadFourth("ur_json");
    assertThat(stack.count("SELECT COUNT(*) FROM public.ur_json")).isEqualTo(9);
    assertThat(report.get("rejectedRows").asLong()).isEqualTo(1);
    assertThat(report.get("rows")).singleElement().satisfies(row -> assertRejectAt4(row));
  }

  /**
   * Nor may the rejects depend on the COPY's RedshiftQueryId, which a real batch once reported as
   * -1 for its sub-statements: the rejected rows are then read by file name.
   */
  @Test
  void withoutQueryIdsTheRejectIsStillRecordedByItsFile() throws Exception {
    stack.redshift.faults().subStatementQueryIds(false);
    JsonNode report = loadTenRowsWithABadFourth("ur_noid");
    assertThat(report.get("rows")).singleElement().satisfies(row -> assertRejectAt4(row));
  }

  /**
   * The rows are looked up by the time their COPY started, in the views' clock, which is the
   * cluster's, in UTC: a loader whose clock runs minutes ahead of it must still find them, also
   * when its database user has a time zone of its own, in which GETDATE answers.
   */
  @Test
  void withoutQueryIdsTheRejectIsFoundByALoaderWhoseClockRunsAheadOfTheClusters() throws Exception {
    stack.redshift.faults().subStatementQueryIds(false).sessionTimeZone("Europe/Berlin");
    JsonNode report =
        loadTenRowsWithABadFourth(
            "ur_ahead", Clock.offset(Clock.systemUTC(), Duration.ofMinutes(5)));
    assertThat(report.get("rows")).singleElement().satisfies(row -> assertRejectAt4(row));
  }

  /**
   * Without a row count from the Data API, the rejected rows were counted from the load-error views
   * alone, and a view that answered nothing (a Serverless view that has not caught up) read as
   * nothing rejected: no rejects object, the row unaccounted for. The rows each COPY staged are now
   * counted by the load transaction itself, so the row counts as rejected; its intent keeps the
   * count, and a later cycle writes the object once the views list the row.
   */
  @Test
  void aRejectTheViewsListOnlyLaterIsCountedAndWrittenOnceTheyDo() throws Exception {
    viewsLag();
    tenRowsWithABadFourth("ur_lagging");
    MutableClock clock = new MutableClock();
    String batch;
    try (Loader loader = stack.loader(stack.config("ur_lagging"), clock)) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.rowsRejected()).isEqualTo(1);
      assertThat(loader.metrics().rejectedRows("public.ur_lagging"))
          .as("counted where the object is written, once")
          .isZero();
      batch = stack.batchOf("ur_lagging");
      assertThat(
              stack
                  .object("_redstage/rejects/_pending/" + batch + ".json")
                  .get("rejectedRows")
                  .asLong())
          .isEqualTo(1);
      assertThatThrownBy(
              () -> stack.object("_redstage/rejects/public.ur_lagging/" + batch + ".json"))
          .as("no object while the views list fewer rows than COPY rejected")
          .isInstanceOf(NoSuchKeyException.class);

      viewsCatchUp();
      clock.advance(Duration.ofMinutes(3));
      loader.runOnce();
      assertThat(loader.metrics().rejectedRows("public.ur_lagging")).isEqualTo(1);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.ur_lagging")).isEqualTo(9);
    JsonNode report = stack.object("_redstage/rejects/public.ur_lagging/" + batch + ".json");
    assertThat(report.get("rejectedRows").asLong()).isEqualTo(1);
    assertThat(report.get("countCertain").asBoolean()).isTrue();
    assertThat(report.get("rows")).singleElement().satisfies(row -> assertRejectAt4(row));
  }

  /**
   * A loader that died between the commit and writing the count into the intent left the intent as
   * it was before the batch ran. If the views had not caught up when a later process settled it,
   * their empty answer read as nothing rejected: the intent was deleted and the row listed nowhere.
   * The recovery now reads the count from the batch's statement (the rows its coordinates check
   * counted), keeps it in the intent and writes the object once the views list the row.
   */
  @Test
  void aRejectTheViewsListOnlyLaterIsCountedFromItsStatementWhenItsLoaderStoppedBeforeTheCount()
      throws Exception {
    viewsLag();
    tenRowsWithABadFourth("ur_stopped");
    MutableClock clock = new MutableClock();
    try (Loader loader = stack.loader(stack.config("ur_stopped"), clock)) {
      assertThat(loader.runOnce().rowsRejected()).isEqualTo(1);
    }
    String batch = stack.batchOf("ur_stopped");
    String intentKey = "_redstage/rejects/_pending/" + batch + ".json";
    // as the process that died before the count left it
    ObjectNode intent = (ObjectNode) stack.object(intentKey);
    assertThat(intent.get("coordinatesCheck").asInt()).isPositive();
    intent.remove(List.of("rejectedRows", "countedAt"));
    stack
        .s3
        .client()
        .putObject(
            b -> b.bucket(LoaderStack.BUCKET).key(intentKey),
            RequestBody.fromString(intent.toString()));

    clock.advance(Duration.ofMinutes(3));
    try (Loader next = stack.loader(stack.config("ur_stopped"), clock)) {
      next.runOnce();
      assertThat(next.metrics().rejectedRows("public.ur_stopped")).isZero();
    }
    assertThat(stack.object(intentKey).get("rejectedRows").asLong())
        .as("the count read from the statement, kept with the intent while the views lag")
        .isEqualTo(1);
    assertThatThrownBy(() -> stack.object("_redstage/rejects/public.ur_stopped/" + batch + ".json"))
        .isInstanceOf(NoSuchKeyException.class);

    viewsCatchUp();
    clock.advance(Duration.ofMinutes(3));
    try (Loader later = stack.loader(stack.config("ur_stopped"), clock)) {
      later.runOnce();
      assertThat(later.metrics().rejectedRows("public.ur_stopped")).isEqualTo(1);
    }
    JsonNode report = stack.object("_redstage/rejects/public.ur_stopped/" + batch + ".json");
    assertThat(report.get("rejectedRows").asLong()).isEqualTo(1);
    assertThat(report.get("countCertain").asBoolean()).isTrue();
    assertThat(report.get("countNote").asText())
        .contains("Recovered after the loader stopped between the commit and this object")
        .contains("counted from the statement's result");
    assertThat(report.get("rows")).singleElement().satisfies(row -> assertRejectAt4(row));
    assertThat(stack.count("SELECT COUNT(*) FROM public.ur_stopped")).isEqualTo(9);
  }

  /** The load-error views have not caught up: the stand-in's COPY records rejected rows aside. */
  private static void viewsLag() throws Exception {
    try (Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE redstage_sys.load_errors_later (LIKE redstage_sys.load_errors)");
      s.execute(
          "CREATE RULE late_load_errors AS ON INSERT TO redstage_sys.load_errors DO INSTEAD"
              + " INSERT INTO redstage_sys.load_errors_later VALUES (NEW.*)");
    }
  }

  /** The views list what {@link #viewsLag} kept aside, and what comes later. */
  private static void viewsCatchUp() throws Exception {
    try (Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      s.execute("DROP RULE late_load_errors ON redstage_sys.load_errors");
      s.execute(
          "INSERT INTO redstage_sys.load_errors SELECT * FROM redstage_sys.load_errors_later");
      s.execute("DROP TABLE redstage_sys.load_errors_later");
    }
  }

  /** One JSON Lines unit of ten rows for {@code topic}, whose fourth cannot load. */
  private static void tenRowsWithABadFourth(String topic) {
    stack.files.unit(
        topic,
        0,
        0,
        9,
        FileFormat.JSONL,
        List.of(c("id", Kind.INT64), c("n", Kind.INT64)),
        o -> row("id", o, "n", o == 4 ? "bad" : o));
  }

  private static JsonNode loadTenRowsWithABadFourth(String topic) throws Exception {
    return loadTenRowsWithABadFourth(topic, Clock.systemUTC());
  }

  /**
   * Loads a JSON Lines unit of ten rows whose fourth cannot load into {@code topic}'s table, one
   * row rejected, with a loader reading time from {@code clock}; returns the batch's rejects
   * object.
   */
  private static JsonNode loadTenRowsWithABadFourth(String topic, Clock clock) throws Exception {
    tenRowsWithABadFourth(topic);
    try (Loader loader = stack.loader(stack.config(topic), clock)) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.rowsRejected()).isEqualTo(1);
      assertThat(loader.metrics().rejectedRows("public." + topic)).isEqualTo(1);
    }
    return stack.object("_redstage/rejects/public." + topic + "/" + stack.batchOf(topic) + ".json");
  }

  private static void assertRejectAt4(JsonNode row) {
    assertThat(row.get("offset").asLong()).isEqualTo(4);
    assertThat(row.get("column").asText()).isEqualTo("n");
  }

  @Test
  void checkPassesWhenCopyReportsNoRows() {
    CheckIT.Run r = CheckIT.check(stack, Map.of());
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("OK    copy role", "COPY read a probe file from s3://staging/")
        .contains("OK    avro types", "OK    avro bytes");
  }
}
