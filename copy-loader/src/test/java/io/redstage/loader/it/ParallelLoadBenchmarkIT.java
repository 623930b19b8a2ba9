package io.redstage.loader.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Numbers for docs/benchmarks.md ("Loader: parallel tables, history, several loaders"). Run: {@code
 * mvn -pl copy-loader -am -Dtest=None -Dit.test=ParallelLoadBenchmarkIT -Dredstage.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false verify}; results go to stdout and
 * copy-loader/target/benchmark-parallel-*.md. The stand-in's COPY is made to take {@code
 * redstage.bench.copy-ms} (default 1000) longer, as a COPY on a cluster takes seconds that are not
 * this machine's CPU; the sandbox's PostgreSQL does the rest for real.
 */
@EnabledIfSystemProperty(named = "redstage.bench", matches = "true")
class ParallelLoadBenchmarkIT {
  static final int TABLES = 20;
  static LoaderStack stack;

  /**
   * Statements the Redshift stand-in runs at once. Its default (4) is a small WLM queue; a cluster
   * with automatic WLM or Serverless admits more, and the cycle benchmark models one that admits 20
   * ({@code redstage.bench.slots}) so that what it measures is the loader, not the queue.
   */
  static final int SLOTS = Integer.getInteger("redstage.bench.slots", 20);

  @BeforeAll
  static void start() {
    stack = LoaderStack.start(o -> o.workerThreads(SLOTS));
    stack
        .redshift
        .faults()
        .slowStatementsMatching(
            "^COPY", Duration.ofMillis(Integer.getInteger("redstage.bench.copy-ms", 1000)));
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static void write(String name, String text) throws Exception {
    System.out.println(text);
    Files.writeString(Path.of("target", "benchmark-parallel-" + name + ".md"), text);
  }

  static void unit(String topic, long start, int rows) {
    stack.files.idNameUnit(topic, 0, start, start + rows - 1);
  }

  static List<String> topics(String prefix) {
    return IntStream.range(0, TABLES).mapToObj(i -> String.format("%s%02d", prefix, i)).toList();
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  @Test
  void cycleOverTwentyTablesVersusTheSlowestSingleTable() throws Exception {
    StringBuilder md =
        new StringBuilder(
            "| stand-in statement slots | redshift.max-statements-in-flight | one table alone: cycle s "
                + "| 20 tables: cycle s | ratio | batches |\n"
                + "|---|---|---|---|---|---|\n");
    for (int inFlight : new int[] {4, 16, 20}) {
      String p = "pt" + inFlight + "_";
      Map<String, String> config = stack.config(p + "solo," + String.join(",", topics(p)));
      config.put("redshift.max-statements-in-flight", Integer.toString(inFlight));
      try (Loader loader = stack.loader(config)) {
        // warm-up: first load of a table creates it and its control state
        unit(p + "solo", 0, 1000);
        topics(p).forEach(t -> unit(t, 0, 1000));
        loader.runOnce();
        unit(p + "solo", 1000, 1000);
        long t0 = System.nanoTime();
        CycleReport solo = loader.runOnce();
        long soloNs = System.nanoTime() - t0;
        assertThat(solo.unitsLoaded()).isEqualTo(1);
        topics(p).forEach(t -> unit(t, 1000, 1000));
        t0 = System.nanoTime();
        CycleReport all = loader.runOnce();
        long allNs = System.nanoTime() - t0;
        assertThat(all.unitsLoaded()).isEqualTo(TABLES);
        md.append(
            String.format(
                Locale.ROOT,
                "| %d | %d | %.2f | %.2f | %.2f | %d |%n",
                SLOTS,
                inFlight,
                seconds(soloNs),
                seconds(allNs),
                (double) allNs / soloNs,
                all.batchesLoaded()));
      }
    }
    write("cycle", md.toString());
  }

  @Test
  void perBatchCostWithHistory() throws Exception {
    // the SQL's own cost is measured here: no added COPY time
    stack.redshift.faults().clear();
    StringBuilder md =
        new StringBuilder(
            "| units already loaded | cycle with 1 batch of 10 units: s (median of 5) "
                + "| statements submitted per cycle | Data API calls per cycle (with status polls) |\n"
                + "|---|---|---|---|\n");
    // the first level also warms the JVM and the stand-in up: run it twice, report the second
    for (int history : new int[] {0, 0, 10_000, 1_000_000}) {
      String topic = "hist_" + history + "_" + md.length();
      Map<String, String> config = stack.config(topic);
      try (Loader loader = stack.loader(config)) {
        loader.ensureControlTables();
        // history as an older loader (or this one, before compaction) leaves it: one marker row
        // per unit of 10 offsets over 4 partitions
        try (Connection c = stack.jdbc();
            Statement s = c.createStatement()) {
          s.executeUpdate(
              "INSERT INTO public._redstage_load_markers SELECT 'public."
                  + topic
                  + "', '"
                  + topic
                  + "', g % 4, (g / 4) * 10, (g / 4) * 10 + 9, 'history/' || g, 'history', 10, now() "
                  + "FROM generate_series(0, "
                  + (history - 1)
                  + ") g");
          s.execute("ANALYZE public._redstage_load_markers");
        }
        long next = (long) (history / 4 + 1) * 10;
        List<Double> times = new ArrayList<>();
        long calls = 0;
        long submitted = 0;
        for (int round = 0; round < 6; round++) {
          for (int i = 0; i < 10; i++) {
            // units with a file: the batch COPYs and checks its offsets against the history
            stack.files.idNameUnit(topic, i % 4, next, next + 9);
            next += 10;
          }
          long submittedBefore = submissions(loader);
          long t0 = System.nanoTime();
          CycleReport r = loader.runOnce();
          long ns = System.nanoTime() - t0;
          assertThat(r.unitsLoaded()).isEqualTo(10);
          submitted = submissions(loader) - submittedBefore;
          if (round > 0) { // round 0 prepares the table's loaded intervals (once per process)
            times.add(seconds(ns));
            calls = r.dataApiCalls();
          }
        }
        times.sort(Double::compare);
        md.append(
            String.format(
                Locale.ROOT,
                "| %,d | %.3f | %d | %d |%n",
                history,
                times.get(times.size() / 2),
                submitted,
                calls));
      }
    }
    write("history", md.toString());
    stack
        .redshift
        .faults()
        .slowStatementsMatching(
            "^COPY", Duration.ofMillis(Integer.getInteger("redstage.bench.copy-ms", 1000)));
  }

  /** Statements the loader submitted (queries, statements, batches), status polls excluded. */
  static long submissions(Loader loader) {
    return loader.clients().counter().calls("RedshiftData.ExecuteStatement")
        + loader.clients().counter().calls("RedshiftData.BatchExecuteStatement");
  }

  @Test
  void oneTwoAndThreeLoadersOnTwentyTables() throws Exception {
    StringBuilder md =
        new StringBuilder(
            "| load.claim-lease | loaders | units | seconds to load all | units/s | vs one loader | units loaded twice |\n"
                + "|---|---|---|---|---|---|---|\n");
    double oneRate = 0;
    int unitsPerTable = 3;
    for (String lease : new String[] {"2m", "0s"}) {
      for (int n = lease.equals("0s") ? 2 : 1; n <= 3; n++) {
        List<String> topics = topics("ml" + n + lease.charAt(0) + "_");
        Map<String, String> config = stack.config(String.join(",", topics));
        config.put("load.claim-lease", lease);
        config.put("loop.interval", "200ms");
        config.put("batch.max-units", "1");
        List<Loader> loaders = new ArrayList<>();
        List<Thread> loops = new ArrayList<>();
        try {
          for (int i = 0; i < n; i++) {
            Loader l = stack.loader(config);
            loaders.add(l);
            loops.add(LoaderStack.runLoopAsync(l));
          }
          int live = lease.equals("0s") ? 0 : n;
          // work arrives while every loader runs (they have announced themselves)
          await()
              .atMost(Duration.ofSeconds(60))
              .ignoreExceptions() // the first loader creates the claims table
              .until(
                  () ->
                      stack.count(
                              "SELECT COUNT(DISTINCT owner) FROM public._redstage_load_markers_claims "
                                  + "WHERE expires_at > now() AT TIME ZONE 'UTC'")
                          >= live);
          long t0 = System.nanoTime();
          // all units arrive within moments (in parallel), as after a connector catches up
          IntStream.range(0, unitsPerTable * TABLES)
              .parallel()
              .forEach(i -> unit(topics.get(i % TABLES), (i / TABLES) * 200L, 200));
          long total = (long) unitsPerTable * TABLES;
          await()
              .atMost(Duration.ofMinutes(10))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () ->
                      loaders.stream()
                              .mapToLong(
                                  l ->
                                      topics.stream()
                                          .mapToLong(t -> l.metrics().unitsLoaded("public." + t))
                                          .sum())
                              .sum()
                          >= total);
          double secs = seconds(System.nanoTime() - t0);
          for (Loader l : loaders) {
            l.stop();
          }
          for (Loader l : loaders) {
            l.awaitStopped(Duration.ofSeconds(60));
          }
          long loaded =
              loaders.stream()
                  .mapToLong(
                      l ->
                          topics.stream()
                              .mapToLong(t -> l.metrics().unitsLoaded("public." + t))
                              .sum())
                  .sum();
          double rate = total / secs;
          if (n == 1) {
            oneRate = rate;
          }
          md.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %d | %d | %.1f | %.1f | %.2f× | %d |%n",
                  lease,
                  n,
                  total,
                  secs,
                  rate,
                  rate / oneRate,
                  loaded - total));
        } finally {
          for (Loader l : loaders) {
            l.close();
          }
          for (Thread t : loops) {
            t.join(10_000);
          }
        }
      }
    }
    write("loaders", md.toString());
  }
}
