package io.redstage.loader.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.loader.discovery.Unit;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each target's batches lock only that target's loaded intervals: tables load at the same time,
 * markers written by older versions (the shared table only) still count, intervals stay compact.
 */
class ParallelTablesIT {
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static Unit unit(String topic, long start, long end) {
    return stack.files.idNameUnit(topic, 0, start, end);
  }

  static void assertExactlyOnce(String table, long rows) throws Exception {
    assertThat(stack.count("SELECT COUNT(*) FROM public." + table)).isEqualTo(rows);
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM (SELECT DISTINCT kafka_topic, kafka_partition, kafka_offset FROM public."
                    + table
                    + ") d"))
        .isEqualTo(rows);
  }

  /** Sessions that hold the LOCK of some loaded-intervals table whose name starts so. */
  static long lockHolders(String tablePrefix) throws Exception {
    return stack.count(
        "SELECT COUNT(DISTINCT l.pid) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            + "WHERE l.granted AND l.mode = 'AccessExclusiveLock' AND c.relname LIKE '"
            + tablePrefix.replace("_", "\\_")
            + "%'");
  }

  /**
   * A table whose loads are done while another table's batch still runs shows no pending units and
   * no lag: its figures were those of the cycle's plan until the cycle ended, and the lag, taken
   * when scraped, grew for a table that was fully loaded.
   */
  @Test
  void aTableDoneWhileAnotherStillLoadsShowsNoBacklog() throws Exception {
    unit("lagdone_a", 0, 49);
    unit("lagdone_b", 0, 49);
    stack
        .redshift
        .faults()
        .slowStatementsMatching("^INSERT INTO \"public\"\\.\"lagdone_b\"", Duration.ofSeconds(4));
    try (Loader loader = stack.loader(stack.config("lagdone_a,lagdone_b"))) {
      CompletableFuture<CycleReport> run = LoaderStack.runOnceAsync(loader);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  loader
                      .metrics()
                      .render()
                      .contains("pending_units{table=\"public.lagdone_a\"} 0.0"));
      assertThat(run).isNotDone();
      assertThat(loader.metrics().render())
          .contains("redstage_loader_lag_seconds{table=\"public.lagdone_a\"} 0.0")
          .contains("redstage_loader_pending_units{table=\"public.lagdone_b\"} 1.0");
      assertThat(run.get().unitsLoaded()).isEqualTo(2);
    } finally {
      stack.redshift.faults().clear();
    }
  }

  @Test
  void batchesOfDifferentTablesHoldTheirLocksAtTheSameTime() throws Exception {
    List<String> topics = List.of("par_a", "par_b", "par_c", "par_d");
    for (String t : topics) {
      unit(t, 0, 49);
    }
    // each batch stays inside its transaction (LOCK held) while its target INSERT waits
    stack
        .redshift
        .faults()
        .slowStatementsMatching("^INSERT INTO \"public\"\\.\"par_", Duration.ofSeconds(2));
    AtomicInteger most = new AtomicInteger();
    try (Loader loader = stack.loader(stack.config(String.join(",", topics)))) {
      CompletableFuture<CycleReport> run = LoaderStack.runOnceAsync(loader);
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                most.accumulateAndGet((int) lockHolders("_redstage_load_markers__par_"), Math::max);
                return most.get() >= 2 || run.isDone();
              });
      assertThat(run.get().unitsLoaded()).isEqualTo(4);
    } finally {
      stack.redshift.faults().clear();
    }
    assertThat(most.get()).as("load transactions of different tables overlapped").isGreaterThan(1);
    for (String t : topics) {
      assertExactlyOnce(t, 50);
    }
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM public._redstage_load_markers WHERE topic LIKE 'par\\_%'"))
        .as("the shared load-marker table still gets one row per unit")
        .isEqualTo(4);
  }

  @Test
  void markersOfAnOlderVersionCountAndIntervalsStayCompact() throws Exception {
    Unit a = unit("par_old", 0, 49);
    Unit b = unit("par_old", 50, 99);
    unit("par_old", 100, 149);
    try (Loader loader = stack.loader(stack.config("par_old"))) {
      loader.ensureControlTables();
      // what an older version left: markers in the shared table only, no loaded-intervals table
      try (Connection c = stack.jdbc();
          Statement s = c.createStatement()) {
        for (Unit u : List.of(a, b)) {
          s.executeUpdate(
              "INSERT INTO public._redstage_load_markers VALUES ('public.par_old', 'par_old', 0, "
                  + u.start()
                  + ", "
                  + u.end()
                  + ", '"
                  + u.markerKey()
                  + "', 'old-batch', 50, '"
                  + new Timestamp(0)
                  + "')");
        }
      }
      CycleReport first = loader.runOnce();
      assertThat(first.unitsLoaded()).isEqualTo(1);
      assertThat(stack.query("SELECT MIN(kafka_offset), MAX(kafka_offset) FROM public.par_old"))
          .containsExactly(List.of(100L, 149L));
      assertThat(intervals("par_old")).containsExactly(List.of("par_old", 0, 0L, 149L));

      unit("par_old", 200, 249);
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      assertThat(intervals("par_old"))
          .containsExactly(List.of("par_old", 0, 0L, 149L), List.of("par_old", 0, 200L, 249L));
      unit("par_old", 150, 199);
      unit("par_old", 120, 219); // a zombie's overlapping unit: nothing of it is new
      loader.runOnce();
      assertThat(intervals("par_old")).containsExactly(List.of("par_old", 0, 0L, 249L));
    }
    assertExactlyOnce("par_old", 150);
  }

  /** The rows of the loaded-intervals table of public.&lt;topic&gt;, in offset order. */
  static List<List<Object>> intervals(String topic) throws Exception {
    List<List<Object>> names =
        stack.query(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE '\\_redstage\\_load\\_markers\\_\\_"
                + topic.replace("_", "\\_")
                + "\\_%'");
    assertThat(names).hasSize(1);
    return stack.query(
        "SELECT topic, kafka_partition, start_offset, end_offset FROM public.\""
            + names.get(0).get(0)
            + "\" ORDER BY start_offset");
  }
}
