package io.redstage.loader.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.contract.FileFormat;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Every (topic, partition, offset) lands once: replays, overlaps, a killed loader, two loaders at
 * once.
 */
class ExactlyOnceIT {
  private static final String BUCKET = LoaderStack.BUCKET;
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static void unit(String topic, int partition, long start, long end) {
    stack.files.idNameUnit(topic, partition, start, end);
  }

  static void assertExactlyOnce(String table, long expectedRows) throws Exception {
    assertThat(stack.count("SELECT COUNT(*) FROM public." + table)).isEqualTo(expectedRows);
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM (SELECT DISTINCT kafka_topic, kafka_partition, kafka_offset FROM public."
                    + table
                    + ") d"))
        .isEqualTo(expectedRows);
  }

  @Test
  void sameUnitTwiceAndIdenticalRewriteLoadOnce() throws Exception {
    unit("eo_same", 0, 0, 99);
    try (Loader loader = stack.loader(stack.config())) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.rowsLoaded()).isEqualTo(100);
      unit(
          "eo_same", 0, 0,
          99); // the task replays the unit with the same boundaries: same keys rewritten
      assertThat(loader.runOnce().unitsLoaded()).isZero();
    }
    try (Loader fresh = stack.loader(stack.config())) {
      assertThat(fresh.runOnce().unitsLoaded())
          .as("a restarted loader sees the unit as loaded")
          .isZero();
    }
    assertExactlyOnce("eo_same", 100);
    assertThat(stack.query("SELECT name FROM public.eo_same WHERE id = 42"))
        .containsExactly(List.of("n42"));
  }

  /**
   * A replay rewrote a unit's file under its key with the offset column renamed after the loader
   * read its marker (a metadata rename on a running connector): COPY matches JSON Lines columns by
   * name and stages every offset as NULL. Deduplicated by (topic, partition, offset), the batch
   * used to keep one row of the ten and mark the unit loaded; now it fails and loads nothing, and
   * once the file matches its marker again the unit loads whole.
   */
  @Test
  void aFileRewrittenWithItsOffsetColumnRenamedFailsInsteadOfLosingRows() throws Exception {
    renamedOffsetColumnFailsTheBatchUntilTheFileMatches("eo_renamed");
  }

  /**
   * The same into a table whose offset column was created NOT NULL: a JSON Lines value column that
   * is NOT NULL stages as NOT NULL, so that COPY rejects a row lacking it; a Kafka coordinate must
   * not, or COPY would reject all ten rows and the unit would count as loaded with none.
   */
  @Test
  void aFileRewrittenWithItsOffsetColumnRenamedFailsAlsoWhenTheOffsetColumnIsNotNull()
      throws Exception {
    try (var st = stack.jdbc().createStatement()) {
      st.execute(
          "CREATE TABLE public.eo_renamed_nn (id BIGINT, name VARCHAR(256), kafka_topic"
              + " VARCHAR(256), kafka_partition INTEGER, kafka_offset BIGINT NOT NULL,"
              + " kafka_timestamp TIMESTAMP)");
    }
    renamedOffsetColumnFailsTheBatchUntilTheFileMatches("eo_renamed_nn");
  }

  private static void renamedOffsetColumnFailsTheBatchUntilTheFileMatches(String topic)
      throws Exception {
    Unit unit =
        stack.files.unit(
            topic,
            0,
            0,
            9,
            FileFormat.JSONL,
            TestFiles.ID_NAME,
            o -> TestFiles.row("id", o, "name", "n" + o));
    String fileKey = unit.marker().files().get(0).key();
    List<Map<String, Object>> renamed = new ArrayList<>();
    for (long o = 0; o <= 9; o++) {
      renamed.add(
          TestFiles.row(
              "id",
              o,
              "name",
              "n" + o,
              "kafka_topic",
              topic,
              "kafka_partition",
              0,
              "offset",
              o,
              "kafka_timestamp",
              1_700_000_000_000L + o));
    }
    byte[] original =
        stack.s3.client().getObjectAsBytes(b -> b.bucket(BUCKET).key(fileKey)).asByteArray();
    stack
        .s3
        .client()
        .putObject(
            b -> b.bucket(BUCKET).key(fileKey),
            RequestBody.fromBytes(TestFiles.write(FileFormat.JSONL, List.of(), renamed)));
    try (Loader loader = stack.loader(stack.config(topic))) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded())
          .as("a batch whose rows lack their offsets loads nothing")
          .isZero();
      assertThat(r.batchesFailed()).isEqualTo(1);
      assertThat(
              stack.query(
                  "SELECT last_error FROM public._redstage_load_failures WHERE marker_key = '"
                      + unit.markerKey()
                      + "'"))
          .singleElement()
          .asString()
          .contains("has no Kafka topic, partition or offset in the columns its markers name")
          .contains("kafka_offset")
          .contains("renamed metadata columns");
      stack
          .s3
          .client()
          .putObject(b -> b.bucket(BUCKET).key(fileKey), RequestBody.fromBytes(original));
      await().atMost(Duration.ofSeconds(120)).until(() -> loader.runOnce().unitsLoaded() == 1);
    }
    assertExactlyOnce(topic, 10);
  }

  /**
   * A conflict at the coordinates check's statement is a conflict, not missing coordinates: the
   * batch is deferred and then loads.
   */
  @Test
  void aConflictAtTheCoordinatesCheckIsDeferredNotReportedAsMissingCoordinates() throws Exception {
    stack.files.unit(
        "eo_check_conflict",
        0,
        0,
        9,
        FileFormat.JSONL,
        TestFiles.ID_NAME,
        o -> TestFiles.row("id", o, "name", "n" + o));
    Map<String, String> config = stack.config();
    config.put("load.retry.backoff", "0s");
    stack
        .redshift
        .faults()
        .failStatementsMatching(
            "^SELECT \"g\", SUM\\(CAST",
            1,
            "1023 DETAIL: Serializable isolation violation on table - 100, transactions forming the cycle are: 1, 2");
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.batchesFailed()).isEqualTo(1);
      assertThat(
              stack.query(
                  "SELECT last_error FROM public._redstage_load_failures WHERE marker_key LIKE"
                      + " '%/eo_check_conflict/%'"))
          .as("deferred, no attempt counted (missing coordinates would count one, with its text)")
          .isEmpty();
      await().atMost(Duration.ofSeconds(60)).until(() -> loader.runOnce().unitsLoaded() == 1);
    } finally {
      stack.redshift.faults().clear();
    }
    assertExactlyOnce("eo_check_conflict", 10);
  }

  @Test
  void overlappingUnitsOfAZombieAndItsReplay() throws Exception {
    unit("eo_zombie", 0, 0, 99); // zombie task
    unit("eo_zombie", 0, 0, 49); // replay with other boundaries
    unit("eo_zombie", 0, 50, 120);
    try (Loader loader = stack.loader(stack.config())) {
      loader.runOnce();
      assertExactlyOnce("eo_zombie", 121);
      unit("eo_zombie", 0, 100, 150); // a late zombie unit, partly loaded already
      unit("eo_zombie", 0, 121, 130);
      loader.runOnce();
    }
    assertExactlyOnce("eo_zombie", 151);
  }

  @Test
  void loaderKilledAfterSubmittingABatchIsRestarted() throws Exception {
    for (int i = 0; i < 4; i++) {
      unit("eo_killed", 0, i * 50L, i * 50L + 49);
    }
    stack.redshift.faults().slowStatementsMatching("^LOCK", Duration.ofSeconds(1));
    try {
      Loader a = stack.loader(stack.config());
      AtomicReference<Throwable> died = new AtomicReference<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  a.runOnce();
                } catch (Throwable e) {
                  died.set(e);
                }
              });
      t.start();
      await()
          .atMost(Duration.ofSeconds(60))
          // batches: the table's loaded intervals seeded, its seed watermark written, the table
          // claimed, the load
          .until(() -> a.clients().counter().calls("RedshiftData.BatchExecuteStatement") >= 4);
      t.interrupt(); // the loader dies while its batch runs in the warehouse
      t.join(30_000);
      assertThat(died.get()).isInstanceOf(InterruptedException.class);
      a.close();
      try (Loader b = stack.loader(stack.config())) {
        b.runOnce();
        b.runOnce();
      }
    } finally {
      stack.redshift.faults().clear();
    }
    assertExactlyOnce("eo_killed", 200);
  }

  @Test
  void twoLoadersAtOnce() throws Exception {
    for (int p = 0; p < 2; p++) {
      for (int i = 0; i < 6; i++) {
        unit("eo_two", p, i * 10L, i * 10L + 9);
      }
    }
    Map<String, String> config = stack.config();
    config.put("batch.max-files", "3");
    try (Loader l1 = stack.loader(config);
        Loader l2 = stack.loader(config)) {
      List<CompletableFuture<CycleReport>> runs = new ArrayList<>();
      for (Loader l : List.of(l1, l2)) {
        runs.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return l.runOnce();
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                }));
      }
      int loaded = 0;
      for (CompletableFuture<CycleReport> f : runs) {
        loaded += f.get().unitsLoaded();
      }
      assertThat(loaded).as("both loaders committed batches").isGreaterThanOrEqualTo(12);
      l1.runOnce();
    }
    assertExactlyOnce("eo_two", 120);
  }
}
