package io.redstage.loader.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Numbers for docs/benchmarks.md ("Loader: backlog transactions and fresh-unit wait"). Run: {@code
 * mvn -pl copy-loader -am -Dtest=None -Dit.test=CadenceBenchmarkIT -Dredstage.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false verify}; results go to stdout and
 * copy-loader/target/benchmark-cadence.md.
 */
@EnabledIfSystemProperty(named = "redstage.bench", matches = "true")
class CadenceBenchmarkIT {
  static LoaderStack stack;
  static final StringBuilder out = new StringBuilder();

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() throws Exception {
    System.out.println(out);
    Files.writeString(Path.of("target", "benchmark-cadence.md"), out.toString());
    stack.close();
  }

  static void unit(String topic, long start, int rows) {
    stack.files.idNameUnit(topic, 0, start, start + rows - 1);
  }

  /** 100,000 records as 2 tables x 100 units x 500 records, pending before the loader starts. */
  @Test
  void backlogTransactionsPer100kRecords() throws Exception {
    for (String t : List.of("bk_a", "bk_b")) {
      for (int i = 0; i < 100; i++) {
        unit(t, i * 500L, 500);
      }
    }
    try (Loader loader = stack.loader(stack.config("bk_a,bk_b"))) {
      long t0 = System.nanoTime();
      int transactions = 0;
      int cycles = 0;
      CycleReport r;
      do {
        r = loader.runOnce();
        transactions += r.batchesLoaded();
        cycles++;
      } while (r.batchesLoaded() > 0);
      double s = (System.nanoTime() - t0) / 1e9;
      assertThat(stack.count("SELECT COUNT(*) FROM public.bk_a")).isEqualTo(50_000);
      out.append(
          String.format(
              Locale.ROOT,
              "backlog: 100,000 records in 200 units over 2 tables, default batch bounds: %d load"
                  + " transactions, %d cycles (the last finds nothing), %.2f s%n",
              transactions,
              cycles,
              s));
    }
  }

  /**
   * Under {@code run}: a unit committed to a table while another table's batch takes 5 s (its
   * target INSERT delayed): time until its rows are queryable, 5 samples.
   */
  @Test
  void freshUnitWaitWhileAnotherTableIsSlow() throws Exception {
    stack
        .redshift
        .faults()
        .slowStatementsMatching("^INSERT INTO \"public\"\\.\"fw_slow", Duration.ofSeconds(5));
    Map<String, String> config = stack.config("fw_fast,fw_slow");
    config.put("loop.interval", "500ms");
    unit("fw_fast", 0, 100);
    try (Loader loader = stack.loader(config)) {
      CompletableFuture<Void> loop =
          CompletableFuture.runAsync(
              () -> {
                try {
                  loader.runLoop();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> stack.count("SELECT COUNT(*) FROM public.fw_fast") == 100);
      StringBuilder samples = new StringBuilder();
      double sum = 0;
      for (int i = 1; i <= 5; i++) {
        // the slow table gets a unit each round, so a cycle always has a slow batch
        unit("fw_slow", (i - 1) * 100L, 100);
        unit("fw_fast", i * 100L, 100);
        long t0 = System.nanoTime();
        long want = (i + 1) * 100L;
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> stack.count("SELECT COUNT(*) FROM public.fw_fast") == want);
        double s = (System.nanoTime() - t0) / 1e9;
        sum += s;
        samples.append(String.format(Locale.ROOT, " %.2f", s));
      }
      loader.stop();
      assertThat(loader.awaitStopped(Duration.ofSeconds(60))).isTrue();
      loop.get();
      out.append(
          String.format(
              Locale.ROOT,
              "fresh unit while another table's batch takes 5 s (loop.interval 500ms): wait s%s,"
                  + " mean %.2f s%n",
              samples,
              sum / 5));
    } finally {
      stack.redshift.faults().clear();
    }
  }
}
