package io.redstage.loader.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.loader.discovery.Unit;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import io.redstage.loader.sql.ControlTables;
import io.redstage.loader.sql.SeedWatermarkTable;
import io.redstage.loader.sql.TableRef;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A target's seed (once per loader process, before its first load: the load-marker rows of loaders
 * that did not know the loaded-intervals table merged into it) reads only the rows written since
 * the target's last seed, less a margin, and never stops loads. The load-marker table keeps a row
 * per unit ever loaded, and every process (each 'once' run from cron) read all of a target's rows
 * under the LOCK that holds up its loads.
 */
class SeedWatermarksIT {
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  /**
   * Rows older than the window were committed before the last seed read them (the margin covers a
   * batch's longest run and clocks that disagree), so the loaded intervals cover them: one they do
   * not cover, inserted here behind the seed's back, shows what a seed reads. The seed before
   * watermarks read it.
   */
  @Test
  void aSeedReadsOnlyTheMarkerRowsWrittenSinceTheLastSeedLessTheMargin() throws Exception {
    String topic = "seed_window";
    stack.files.idNameUnit(topic, 0, 0, 9);
    Map<String, String> config = stack.config(topic);
    // the watermark is the cluster's time (here PostgreSQL's, on this machine's clock), to the
    // second, as Redshift's GETDATE gives it
    Instant before = Instant.now();
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    Instant after = Instant.now();
    // the first seed's watermark is between before (less under a second) and after: the first row
    // is before the window, the second inside it
    Duration margin = SeedWatermarkTable.MARGIN;
    olderLoadersMarker(topic, 100, 109, before.minus(margin).minusSeconds(5));
    olderLoadersMarker(topic, 200, 209, after.minus(margin));
    stack.files.idNameUnit(topic, 0, 10, 19);
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    assertThat(intervals(topic))
        .as("the row inside the window counts, the one before it was not read")
        .containsExactly(List.of(0L, 19L), List.of(200L, 209L));
    assertThat(stack.query(WATERMARK + "'public." + topic + "'"))
        .as("the second seed's watermark, in the first one's place")
        .singleElement()
        .satisfies(
            r ->
                assertThat(instant(r.get(0)))
                    .isAfterOrEqualTo(after.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
  }

  /**
   * A watermark ahead of the cluster's clock (a loader host whose clock ran ahead) is ignored: the
   * seed reads every row, so an older loader's unit written since still counts.
   */
  @Test
  void aWatermarkAheadOfTheClustersClockIsIgnored() throws Exception {
    String topic = "seed_future";
    stack.files.idNameUnit(topic, 0, 0, 9);
    Map<String, String> config = stack.config(topic);
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    try (Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      s.execute(
          "UPDATE public._redstage_load_markers_seeds SET seeded_at = "
              + ControlTables.timestamp(Instant.now().plus(Duration.ofDays(5)))
              + " WHERE target_table = 'public."
              + topic
              + "'");
    }
    olderLoadersMarker(topic, 100, 109, Instant.now().minus(Duration.ofDays(1)));
    stack.files.idNameUnit(topic, 0, 10, 19);
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    assertThat(intervals(topic)).containsExactly(List.of(0L, 19L), List.of(100L, 109L));
    assertThat(stack.query(WATERMARK + "'public." + topic + "'"))
        .as("replaced by the cluster's time")
        .singleElement()
        .satisfies(r -> assertThat(instant(r.get(0))).isBefore(Instant.now().plusSeconds(1)));
  }

  /**
   * The watermark says what a loaded-intervals table held: one dropped while no loader runs (which
   * the operations guide allows) is rebuilt from every marker row of its target.
   */
  @Test
  void aDroppedLoadedIntervalsTableIsRebuiltFromEveryMarkerRow() throws Exception {
    String topic = "seed_dropped";
    stack.files.idNameUnit(topic, 0, 0, 9);
    Map<String, String> config = stack.config(topic);
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    // a unit loaded years ago, which only the marker table knows once its intervals are dropped
    olderLoadersMarker(topic, 100, 109, Instant.parse("2001-01-01T00:00:00Z"));
    try (Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE " + intervalsTable(topic));
    }
    stack.files.idNameUnit(topic, 0, 10, 19);
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).as("0-9 counts, not loaded again").isEqualTo(1);
    }
    assertThat(intervals(topic)).containsExactly(List.of(0L, 19L), List.of(100L, 109L));
    assertThat(stack.count("SELECT COUNT(*) FROM public." + topic)).isEqualTo(20);
  }

  /**
   * A seed-watermark table this loader cannot use (here one created with other columns, as an admin
   * might; a refused privilege fails the same statements) does not stop loads: each seed reads
   * every marker row of its target, as before the table, and the process says so once.
   */
  @Test
  void anUnusableWatermarkTableFallsBackToReadingEveryMarkerRowWithOneWarning() throws Exception {
    Map<String, String> config = stack.config("fallback_a,fallback_b");
    config.put("control.markers-table", "fallback_markers");
    Unit older = stack.files.idNameUnit("fallback_a", 0, 0, 9);
    stack.files.idNameUnit("fallback_a", 0, 10, 19);
    stack.files.idNameUnit("fallback_b", 0, 0, 9);
    try (Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE public.fallback_markers_seeds (target_table VARCHAR(300) NOT NULL)");
    }
    String log;
    try (Loader loader = stack.loader(config)) {
      loader.ensureControlTables();
      // an older loader loaded fallback_a's first unit, years ago: only its marker row says so
      try (Connection c = stack.jdbc();
          Statement s = c.createStatement()) {
        s.execute(
            "INSERT INTO public.fallback_markers VALUES ('public.fallback_a', 'fallback_a', 0, 0,"
                + " 9, '"
                + older.markerKey()
                + "', 'older', 10, '2001-01-01 00:00:00')");
      }
      log =
          stdErrOf(
              () -> {
                CycleReport r = loader.runOnce();
                assertThat(r.unitsLoaded()).isEqualTo(2);
                assertThat(r.tablesStopped()).isZero();
                assertThat(loader.runOnce().unitsPending()).isZero();
              });
    }
    assertThat(stack.count("SELECT MIN(kafka_offset) FROM public.fallback_a"))
        .as("the older loader's unit counted: not loaded again")
        .isEqualTo(10);
    assertThat(stack.count("SELECT COUNT(*) FROM public.fallback_b")).isEqualTo(10);
    assertThat(
            Pattern.compile(
                    "WARN .*Cannot use the seed-watermark table public\\.fallback_markers_seeds: .*"
                        + "seeded_at.*grant the loader's database user CREATE on schema 'public'")
                .matcher(log)
                .results()
                .count())
        .as("one warning for the process, which prepared two tables")
        .isEqualTo(1);
  }

  /** A seed-watermark table that cannot be created is one the loader cannot use. */
  @Test
  void aWatermarkTableThatCannotBeCreatedDoesNotStopLoads() throws Exception {
    Map<String, String> config = stack.config("uncreated");
    config.put("control.markers-table", "uncreated_markers");
    stack.files.idNameUnit("uncreated", 0, 0, 9);
    stack
        .redshift
        .faults()
        .failStatementsMatching(
            "^CREATE TABLE IF NOT EXISTS \\S*uncreated_markers_seeds",
            -1,
            "permission denied for schema public");
    String log;
    try (Loader loader = stack.loader(config)) {
      log = stdErrOf(() -> assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1));
    } finally {
      stack.redshift.faults().clear();
    }
    assertThat(log)
        .contains(
            "Cannot use the seed-watermark table public.uncreated_markers_seeds:"
                + " ERROR: permission denied for schema public. Loads go on");
    assertThat(
            stack.count("SELECT COUNT(*) FROM pg_class WHERE relname = 'uncreated_markers_seeds'"))
        .isZero();
  }

  /** The seed watermark of a target, given as a literal. */
  static final String WATERMARK =
      "SELECT seeded_at FROM public._redstage_load_markers_seeds WHERE target_table = ";

  interface Run {
    void run() throws Exception;
  }

  /** What the loader logged (slf4j-simple writes to System.err as it is when a line is logged). */
  static String stdErrOf(Run run) throws Exception {
    PrintStream before = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      run.run();
    } finally {
      System.setErr(before);
    }
    String log = out.toString(StandardCharsets.UTF_8);
    before.print(log);
    return log;
  }

  /**
   * Adds a load-marker row of public.&lt;topic&gt;'s partition 0 as a loader that did not know the
   * loaded-intervals table would: no interval.
   */
  static void olderLoadersMarker(String topic, long start, long end, Instant loadedAt)
      throws Exception {
    try (Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO public._redstage_load_markers (target_table, topic, kafka_partition,"
              + " start_offset, end_offset, marker_key, batch_id, record_count, loaded_at) VALUES"
              + " ('public."
              + topic
              + "', '"
              + topic
              + "', 0, "
              + start
              + ", "
              + end
              + ", 'older-"
              + start
              + "', 'older', 10, "
              + ControlTables.timestamp(loadedAt)
              + ")");
    }
  }

  /** A TIMESTAMP the loader wrote (UTC) as JDBC reads it. */
  static Instant instant(Object timestamp) {
    return ((Timestamp) timestamp).toLocalDateTime().toInstant(ZoneOffset.UTC);
  }

  static String intervalsTable(String topic) {
    return new ControlTables(
            TableRef.of("public", "_redstage_load_markers"),
            TableRef.of("public", "q"),
            TableRef.of("public", "f"))
        .loadedIntervals(TableRef.of("public", topic))
        .table()
        .sql();
  }

  /** The start and end offsets of public.&lt;topic&gt;'s loaded intervals, in order. */
  static List<List<Object>> intervals(String topic) throws Exception {
    return stack.query(
        "SELECT start_offset, end_offset FROM " + intervalsTable(topic) + " ORDER BY start_offset");
  }
}
