package io.redstage.loader.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cadence: a backlog loads in as few transactions as the batch bounds allow, in one cycle; a table
 * done with its batches loads its newly committed units while another table's slow batch runs; a
 * table new to 'run' does not wait for another table's backlog of many batches.
 */
class CadenceIT {
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static void unit(String topic, long start, long end) {
    stack.files.idNameUnit(topic, 0, start, end);
  }

  /** {@code count} units of ten offsets each, from offset 0, in partition 0 of {@code topic}. */
  static void units(String topic, int count) {
    for (int i = 0; i < count; i++) {
      unit(topic, i * 10L, i * 10L + 9);
    }
  }

  @Test
  void aBacklogLoadsInOneCycleWithAsFewTransactionsAsTheBoundsAllow() throws Exception {
    units("cad_backlog", 30);
    Map<String, String> config = stack.config("cad_backlog");
    config.put("batch.max-units", "8");
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();

      assertThat(r.unitsLoaded()).isEqualTo(30);
      assertThat(r.batchesLoaded()).as("ceil(30 units / 8 per batch) transactions").isEqualTo(4);
      assertThat(loader.runOnce().batchesLoaded()).isZero();
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.cad_backlog")).isEqualTo(300);
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM (SELECT DISTINCT kafka_offset FROM public.cad_backlog) d"))
        .isEqualTo(300);
  }

  @Test
  void aTablesNewUnitLoadsWhileAnotherTablesSlowBatchRuns() throws Exception {
    unit("cad_fast", 0, 49);
    unit("cad_slow", 0, 49);
    stack
        .redshift
        .faults()
        .slowStatementsMatching("^INSERT INTO \"public\"\\.\"cad_slow", Duration.ofSeconds(8));
    Map<String, String> config = stack.config("cad_fast,cad_slow");
    config.put("loop.interval", "100ms");
    try (Loader loader = stack.loader(config)) {
      CompletableFuture<CycleReport> run = LoaderStack.runOnceAsync(loader);
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions() // until the loader created the table
          .until(() -> stack.count("SELECT COUNT(*) FROM public.cad_fast") == 50);
      unit("cad_fast", 50, 99); // committed while cad_slow's batch still runs

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> stack.count("SELECT COUNT(*) FROM public.cad_fast") == 100 || run.isDone());
      assertThat(run)
          .as("the fast table's new unit loaded before the slow table's batch committed")
          .isNotDone();
      assertThat(stack.count("SELECT COUNT(*) FROM public.cad_fast")).isEqualTo(100);

      CycleReport r = run.get();
      assertThat(r.unitsLoaded()).isEqualTo(3);
      assertThat(r.batchesLoaded()).isEqualTo(3);
    } finally {
      stack.redshift.faults().clear();
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.cad_slow")).isEqualTo(50);
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM (SELECT DISTINCT kafka_offset FROM public.cad_fast) d"))
        .isEqualTo(100);
  }

  /**
   * A table with nothing to load when a cycle starts is not in that cycle: without a turn it waited
   * until another table had loaded its whole backlog, which can take hours.
   */
  @Test
  void aNewTablesUnitDoesNotWaitForAnotherTablesBacklogInRun() throws Exception {
    units("cad_long", 6);
    stack
        .redshift
        .faults()
        .slowStatementsMatching("^INSERT INTO \"public\"\\.\"cad_long", Duration.ofSeconds(1));
    // six batches of at least a second each
    Map<String, String> config = turnsOfASecond("cad_long,cad_late");
    try (Loader loader = stack.loader(config)) {
      Thread loop = LoaderStack.runLoopAsync(loader);
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions() // until the loader created the table
          .until(() -> stack.count("SELECT COUNT(*) FROM public.cad_long") >= 10);
      unit("cad_late", 0, 49);

      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> stack.count("SELECT COUNT(*) FROM public.cad_late") == 50);
      assertThat(stack.count("SELECT COUNT(*) FROM public.cad_long"))
          .as("the new table loaded while the backlog still loaded")
          .isLessThan(60);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> stack.count("SELECT COUNT(*) FROM public.cad_long") == 60);
      stop(loader, loop);
    } finally {
      stack.redshift.faults().clear();
    }
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM (SELECT DISTINCT kafka_offset FROM public.cad_long) d"))
        .isEqualTo(60);
  }

  /**
   * A table past its turn goes on loading while another table's batch begun before the turn still
   * runs: the cycle cannot end before that batch does, and stopping at the turn only idled it.
   */
  @Test
  void aTablePastItsTurnLoadsOnWhileAnotherTablesLongBatchRuns() throws Exception {
    units("cad_quick", 12);
    units("cad_heavy", 2);
    stack
        .redshift
        .faults()
        .slowStatementsMatching("^INSERT INTO \"public\"\\.\"cad_heavy", Duration.ofSeconds(8));
    Map<String, String> config = turnsOfASecond("cad_quick,cad_heavy");
    try (Loader loader = stack.loader(config)) {
      Thread loop = LoaderStack.runLoopAsync(loader);
      // cad_heavy's second batch cannot commit before 16 s: by then a table that stopped at each
      // turn had loaded a second's worth of batches per 8-second cycle
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions() // cad_heavy is created in its first batch's transaction
          .until(
              () ->
                  stack.count("SELECT COUNT(*) FROM public.cad_quick") == 120
                      || stack.count("SELECT COUNT(*) FROM public.cad_heavy") == 20);
      assertThat(stack.count("SELECT COUNT(*) FROM public.cad_quick"))
          .as("cad_quick loaded all its batches while cad_heavy's first two ran")
          .isEqualTo(120);
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions() // the table is created in its first batch's transaction
          .until(() -> stack.count("SELECT COUNT(*) FROM public.cad_heavy") == 20);
      stop(loader, loop);
    } finally {
      stack.redshift.faults().clear();
    }
  }

  /** 'run' of these topics with one unit per batch and turns of a second. */
  private static Map<String, String> turnsOfASecond(String topics) {
    Map<String, String> config = stack.config(topics);
    config.put("batch.max-units", "1");
    config.put("load.table-turn", "1s");
    config.put("loop.interval", "100ms");
    return config;
  }

  private static void stop(Loader loader, Thread loop) throws InterruptedException {
    loader.stop();
    assertThat(loader.awaitStopped(Duration.ofSeconds(30))).isTrue();
    loop.join(10_000);
  }
}
