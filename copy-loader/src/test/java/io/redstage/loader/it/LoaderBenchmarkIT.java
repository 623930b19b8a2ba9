package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Numbers for docs/benchmarks.md. Run: {@code mvn -pl copy-loader -am -Dtest=None
 * -Dit.test=LoaderBenchmarkIT -Dredstage.bench=true -Dsurefire.failIfNoSpecifiedTests=false
 * verify}; results go to stdout and copy-loader/target/benchmark-*.md.
 */
@EnabledIfSystemProperty(named = "redstage.bench", matches = "true")
class LoaderBenchmarkIT {
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static void write(String name, String text) throws Exception {
    System.out.println(text);
    Files.writeString(Path.of("target", "benchmark-" + name + ".md"), text);
  }

  /**
   * Loads {@code n} marker-only units of a topic with the loader itself, then lets retention move
   * their markers.
   */
  static void history(Loader loader, String topic, int from, int n) throws Exception {
    IntStream.range(from, from + n)
        .parallel()
        .forEach(i -> stack.files.marker(topic, i % 4, i * 10L, i * 10L + 9, List.of()));
    CycleReport r;
    do {
      r = loader.runOnce();
    } while (r.unitsPending() > 0 || r.markersRetired() > 0);
  }

  @Test
  void discoveryCostStaysFlatWithHistory() throws Exception {
    Map<String, String> config = stack.config();
    config.put("markers.retention", "0s");
    config.put("topics", "hist");
    StringBuilder md =
        new StringBuilder(
            "| units already loaded | idle cycle: S3 calls | idle cycle: Data API calls "
                + "| cycle with 10 new units: S3 calls | Data API calls |\n|---|---|---|---|---|\n");
    List<long[]> rows = new ArrayList<>();
    try (Loader loader = stack.loader(config)) {
      int loaded = 0;
      int next = 0;
      for (int target : new int[] {0, 1_000, 10_000}) {
        history(loader, "hist", next, target - loaded);
        next += target - loaded;
        loaded = target;
        CycleReport idle = loader.runOnce();
        IntStream.range(next, next + 10)
            .forEach(i -> stack.files.marker("hist", i % 4, i * 10L, i * 10L + 9, List.of()));
        next += 10;
        loaded += 10;
        CycleReport work = loader.runOnce();
        assertThat(work.unitsLoaded()).isEqualTo(10);
        rows.add(
            new long[] {
              target, idle.s3Calls(), idle.dataApiCalls(), work.s3Calls(), work.dataApiCalls()
            });
        md.append(
            String.format(
                Locale.ROOT,
                "| %,d | %d | %d | %d | %d |%n",
                target,
                idle.s3Calls(),
                idle.dataApiCalls(),
                work.s3Calls(),
                work.dataApiCalls()));
      }
    }
    // contrast: the same history kept under the markers prefix (markers.loaded.action=keep)
    Map<String, String> keep = stack.config();
    keep.put("markers.loaded.action", "keep");
    keep.put("topics", "kept");
    try (Loader loader = stack.loader(keep)) {
      history(loader, "kept", 0, 10_000);
      CycleReport idle = loader.runOnce();
      md.append(
          String.format(
              Locale.ROOT,
              "| %,d, markers kept (`markers.loaded.action=keep`) | %d | %d | - | - |%n",
              10_000,
              idle.s3Calls(),
              idle.dataApiCalls()));
    }
    write("discovery", md.toString());
    assertThat(rows).extracting(r -> r[1]).as("idle S3 calls flat").containsOnly(rows.get(0)[1]);
    assertThat(rows)
        .extracting(r -> r[3])
        .as("S3 calls with 10 new units flat")
        .containsOnly(rows.get(0)[3]);
  }

  @Test
  void throughputIntoTheStandIn() throws Exception {
    StringBuilder md =
        new StringBuilder(
            "| polling (initial..max) | batch.max-files | units | rows | batches | seconds | rows/s | batches/s "
                + "| Data API calls per cycle (by operation) | calls per batch |\n|---|---|---|---|---|---|---|---|---|---|\n");
    int units = Integer.getInteger("redstage.bench.units", 40);
    int rows = Integer.getInteger("redstage.bench.rows", 25_000);
    throughput("bench_fast", "5ms", "50ms", 8, units, rows, md);
    throughput("bench_default", "200ms", "5s", 8, units, rows, md);
    throughput("bench_small", "200ms", "5s", 1, 100, 100, md);
    write("throughput", md.toString());
  }

  private void throughput(
      String topic,
      String pollInitial,
      String pollMax,
      int maxFiles,
      int units,
      int rowsPerUnit,
      StringBuilder md)
      throws Exception {
    List<MarkerColumn> cols =
        List.of(
            new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), false),
            new MarkerColumn("customer", ColumnType.of(ColumnType.Kind.STRING), true),
            new MarkerColumn("amount", ColumnType.of(ColumnType.Kind.FLOAT64), true),
            new MarkerColumn("ok", ColumnType.of(ColumnType.Kind.BOOLEAN), true));
    IntStream.range(0, units)
        .parallel()
        .forEach(
            u ->
                stack.files.unit(
                    topic,
                    u % 4,
                    (long) (u / 4) * rowsPerUnit,
                    (long) (u / 4) * rowsPerUnit + rowsPerUnit - 1,
                    FileFormat.PARQUET,
                    cols,
                    o ->
                        row(
                            "id",
                            o,
                            "customer",
                            "customer-" + (o % 1000),
                            "amount",
                            o * 0.01,
                            "ok",
                            o % 3 == 0)));
    Map<String, String> config = stack.config();
    config.put("topics", topic);
    config.put("batch.max-files", String.valueOf(maxFiles));
    config.put("redshift.poll.initial", pollInitial);
    config.put("redshift.poll.max", pollMax);
    try (Loader loader = stack.loader(config)) {
      loader.ensureControlTables();
      Map<String, Long> before = loader.clients().counter().snapshot();
      long started = System.nanoTime();
      CycleReport r = loader.runOnce();
      double seconds = (System.nanoTime() - started) / 1e9;
      Map<String, Long> after = loader.clients().counter().snapshot();
      StringBuilder ops = new StringBuilder();
      after.forEach(
          (op, n) -> {
            long d = n - before.getOrDefault(op, 0L);
            if (op.startsWith("RedshiftData.") && d > 0) {
              ops.append(ops.length() == 0 ? "" : ", ")
                  .append(op.substring("RedshiftData.".length()))
                  .append(' ')
                  .append(d);
            }
          });
      assertThat(stack.count("SELECT COUNT(*) FROM public." + topic))
          .isEqualTo((long) units * rowsPerUnit);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s..%s | %d | %d | %,d | %d | %.1f | %,.0f | %.2f | %s | %.1f |%n",
              pollInitial,
              pollMax,
              maxFiles,
              units,
              r.rowsLoaded(),
              r.batchesLoaded(),
              seconds,
              r.rowsLoaded() / seconds,
              r.batchesLoaded() / seconds,
              ops,
              (double) r.dataApiCalls() / Math.max(1, r.batchesLoaded())));
    }
  }
}
