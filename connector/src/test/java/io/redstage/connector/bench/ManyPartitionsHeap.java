package io.redstage.connector.bench;

import io.redstage.connector.RedstageS3SinkTask;
import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.sandbox.s3.LocalS3;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The memory-bound check: one task, {@code --partitions} (1,000) partitions of one topic, records
 * spread round-robin, Parquet, every size and time rotation off, so units stay open until the
 * task's memory budget ({@code memory.buffer.max.bytes}) forces them closed. Meant for a JVM
 * started with {@code -Xmx1g}.
 *
 * <p>Records are generated batch by batch (the data set would not fit the heap), and committed
 * files go to S3Proxy's filesystem store under {@code --dir}, so neither inflates the heap being
 * measured. Reports peak heap (see {@link HeapMonitor}), units committed by the memory rule
 * (rotation reason in the markers), and whether the run ended without OutOfMemoryError. Exit code 0
 * only when it did and the memory rule fired.
 *
 * <pre>
 *   java -Xmx1g -cp connector/target/test-classes:connector/target/classes:$(cat connector/target/bench.classpath) \
 *     io.redstage.connector.bench.ManyPartitionsHeap --partitions 1000 --records 1000000 --dictionary false
 * </pre>
 */
public final class ManyPartitionsHeap {
  static final String USAGE =
      "ManyPartitionsHeap [--partitions 1000] [--records 100000] [--batch 500] "
          + "[--budget 268435456] [--dictionary true|false] "
          + "[--dictionary-probe-rows <the connector's default>] [--sample-every 1000] [--dir <S3Proxy filesystem store>]";
  private static final String BUCKET = "heap";
  private static final double MIB = 1024.0 * 1024.0;

  private ManyPartitionsHeap() {}

  public static void main(String[] args) throws Exception {
    SinkBenchmark.quietLogs();
    BenchArgs a =
        new BenchArgs(
            args,
            USAGE,
            "partitions",
            "records",
            "batch",
            "budget",
            "dictionary",
            "dictionary-probe-rows",
            "sample-every",
            "dir");
    int partitions = (int) a.number("partitions", 1000);
    long records = a.number("records", 100_000);
    int batch = (int) a.number("batch", 500);
    long budget = a.number("budget", 256L << 20);
    long sampleEvery = a.number("sample-every", 1000);
    boolean dictionary = Boolean.parseBoolean(a.string("dictionary", "true"));
    int probeRows = (int) a.number("dictionary-probe-rows", -1);
    Path dir =
        Paths.get(a.string("dir", System.getProperty("java.io.tmpdir") + "/redstage-heap-s3"));
    Files.createDirectories(dir);
    Runtime rt = Runtime.getRuntime();
    System.out.printf(
        Locale.ROOT,
        "JDK %s, %d cores, max heap %d MiB, GC %s, load average %.2f%n",
        System.getProperty("java.version"),
        rt.availableProcessors(),
        rt.maxMemory() >> 20,
        ManagementFactory.getGarbageCollectorMXBeans().get(0).getName(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf(
        Locale.ROOT,
        "%,d records round-robin over %d partitions, Parquet (dictionary %s), "
            + "memory.buffer.max.bytes %d MiB, puts of %d%n",
        records,
        partitions,
        dictionary ? "on" : "off",
        budget >> 20,
        batch);

    try (LocalS3 s3 = LocalS3.start(LocalS3.Options.filesystem(dir).buckets(BUCKET));
        HeapMonitor heap = new HeapMonitor()) {
      String prefix = "heap-" + System.currentTimeMillis();
      Map<String, String> config = new HashMap<>();
      config.put("s3.bucket.name", BUCKET);
      config.put("s3.region", s3.region());
      config.put("store.url", s3.endpoint().toString());
      config.put("aws.access.key.id", s3.accessKey());
      config.put("aws.secret.access.key", s3.secretKey());
      config.put("format.class", "parquet");
      config.put("topics.dir", prefix + "/topics");
      config.put("markers.dir", prefix + "/markers");
      config.put("tmp.dir", prefix + "/tmp");
      // No rotation but the memory budget: units grow until the budget closes them.
      config.put("flush.size", Integer.toString(Integer.MAX_VALUE));
      config.put("flush.size.bytes", Long.toString(5L << 30));
      config.put("rotate.schedule.interval.ms", "-1");
      config.put("rotate.idle.ms", "-1");
      config.put("memory.buffer.max.bytes", Long.toString(budget));
      config.put("parquet.dictionary.enabled", Boolean.toString(dictionary));
      if (probeRows >= 0) {
        config.put("parquet.dictionary.probe.rows", Integer.toString(probeRows));
      }
      Set<TopicPartition> tps =
          new TreeSet<>((x, y) -> Integer.compare(x.partition(), y.partition()));
      for (int p = 0; p < partitions; p++) {
        tps.add(new TopicPartition(BenchRecords.TOPIC, p));
      }
      FakeSinkTaskContext context = new FakeSinkTaskContext(config);
      context.assign(tps);
      BenchRecords generator = new BenchRecords(partitions, 7);

      RedstageS3SinkTask task = new RedstageS3SinkTask();
      task.initialize(context);
      task.start(config);
      task.open(tps);
      long baseline = heap.sampleLive();
      heap.reset();
      System.out.printf(
          Locale.ROOT,
          "live heap after start (S3Proxy, SDK client, task): %.1f MiB%n",
          baseline / MIB);

      boolean oom = false;
      String failure = null;
      long written = 0;
      long puts = 0;
      long start = System.nanoTime();
      Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
      try {
        while (written < records) {
          int n = (int) Math.min(batch, records - written);
          task.put(generator.next(n));
          written += n;
          if (++puts % sampleEvery == 0) {
            long live = heap.sampleLive();
            System.out.printf(
                Locale.ROOT,
                "  %,11d records, %5.1f s: live heap %6.1f MiB, max after any GC %6.1f MiB%n",
                written,
                (System.nanoTime() - start) / 1e9,
                live / MIB,
                heap.maxAfterAnyGc() / MIB);
          }
        }
        heap.sampleLive(); // at least one sample, also for runs shorter than --sample-every puts
        committed = SettledOffsets.of(task);
      } catch (OutOfMemoryError e) {
        oom = true;
        failure = e.toString();
      } catch (RuntimeException e) {
        failure = e.toString();
        e.printStackTrace();
      } finally {
        task.stop();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long poolPeaks = heap.sumOfPoolPeaks();
      long afterAnyGc = heap.maxAfterAnyGc();
      long maxLive = heap.maxLive();

      List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
      Map<String, Integer> byReason = new TreeMap<>();
      long memoryRecords = 0;
      long memoryBytes = 0;
      int memoryUnits = 0;
      for (CommitMarker m : markers) {
        byReason.merge(m.rotationReason(), 1, Integer::sum);
        if ("memory.buffer.max.bytes".equals(m.rotationReason())) {
          memoryUnits++;
          memoryRecords += m.recordCount();
          memoryBytes += m.totalBytes();
        }
      }
      long committedRecords =
          committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
      S3Objects.deleteAll(s3.client(), BUCKET, prefix + "/");

      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "records put: %,d in %.1f s (%,.0f records/s, incl. %d full-GC samples)%n",
          written,
          seconds,
          written / seconds,
          puts / sampleEvery);
      System.out.printf(
          Locale.ROOT,
          "units committed: %d %s; by the memory rule: %d (avg %,.1f records, %.3f MiB each)%n",
          markers.size(),
          byReason,
          memoryUnits,
          memoryUnits == 0 ? 0 : (double) memoryRecords / memoryUnits,
          memoryUnits == 0 ? 0 : memoryBytes / MIB / memoryUnits);
      System.out.printf(
          Locale.ROOT,
          "records committed: %,d; left in open units at the end (aborted by stop): %,d%n",
          committedRecords,
          written - committedRecords);
      System.out.printf(
          Locale.ROOT,
          "peak live heap (full-GC samples): %.1f MiB (%.1f MiB above the baseline of %.1f MiB)%n",
          maxLive / MIB,
          (maxLive - baseline) / MIB,
          baseline / MIB);
      System.out.printf(
          Locale.ROOT,
          "peak heap after any GC: %.1f MiB; sum of heap pool peaks: %.1f MiB; max heap %d MiB%n",
          afterAnyGc / MIB,
          poolPeaks / MIB,
          rt.maxMemory() >> 20);
      System.out.printf(
          Locale.ROOT,
          "OutOfMemoryError: %s%s%n",
          oom ? "YES" : "no",
          failure == null ? "" : " (" + failure + ")");
      if (oom || failure != null || memoryUnits == 0) {
        System.exit(1);
      }
    }
  }
}
