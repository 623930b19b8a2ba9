package io.redstage.connector.bench;

import io.redstage.connector.RedstageS3SinkTask;
import io.redstage.connector.format.FormatOptions;
import io.redstage.connector.format.RecordFileWriter;
import io.redstage.connector.format.RecordFormat;
import io.redstage.connector.format.RecordFormats;
import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerCodec;
import io.redstage.sandbox.s3.LocalS3;
import io.redstage.sandbox.s3.SelfSignedTls;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Throughput of one sink task per format, against the raw encoder writing the same records.
 *
 * <ul>
 *   <li><b>raw</b>: {@link RecordFormat#open} writers (one per partition, finished every {@code
 *       --flush-size} records, like the task's units) writing into a {@link
 *       DiscardingOutputStream}: encoding cost only.
 *   <li><b>sink</b>: a real {@link RedstageS3SinkTask} (started from a config map, {@code put} in
 *       batches of {@code --batch}, {@code preCommit} at the end): conversion, encoding, part
 *       buffers, background commits, uploads, final-key copies and commit markers.
 * </ul>
 *
 * Where the sink writes: {@code --target memory} hands every S3 request to an {@link
 * InMemoryS3Client} (no HTTP, no S3 server: the connector's own cost); {@code --target s3proxy}
 * goes through the AWS SDK over HTTP into the S3 stand-in (S3Proxy in this JVM, in-memory store,
 * sharing the CPU with the task); {@code --target s3proxy-https} is the same over HTTPS (a
 * self-signed certificate this JVM trusts), where the SDK sends payloads unsigned, as it does to
 * real S3; {@code --target s3proxy-fs} uses S3Proxy's filesystem store (objects written to disk
 * under {@code --dir}). Records are generated before any timing; each format is warmed up, then raw
 * and sink runs alternate (so drift from other load on the machine hits both) and the median is
 * reported. A run where the task does not commit every offset, or asks for a rewind, fails the
 * benchmark.
 *
 * <p>Run (from the repository root; see docs/benchmarks.md):
 *
 * <pre>
 *   mvn -B -q -pl connector -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
 *   java -Xmx3g -cp connector/target/test-classes:connector/target/classes:$(cat connector/target/bench.classpath) \
 *     io.redstage.connector.bench.SinkBenchmark --records 1000000 --formats parquet,avro,jsonl --target memory
 * </pre>
 */
public final class SinkBenchmark {
  static final String USAGE =
      "SinkBenchmark [--records 1000000] [--partitions 1] [--formats parquet,avro,jsonl] "
          + "[--target memory|s3proxy|s3proxy-https|s3proxy-fs] [--dir <dir for --target s3proxy-fs>] [--flush-size 50000] [--batch 500] [--runs 3] "
          + "[--warmups 1] [--latency-ms 0 (added to every S3Proxy request)] [--upload-threads <the connector's default>] "
          + "[--dictionary-probe-rows <the connector's default>] [--set 'key=value;key=value' (more connector config; not the keys the benchmark sets)]";
  static final String BUCKET = "bench";
  private static final double MB = 1_000_000.0;

  /** S3Proxy for the s3proxy targets; null for --target memory. */
  private final LocalS3 s3;

  /** The in-process store for --target memory; null otherwise. */
  private final InMemoryS3Client memory;

  private final List<List<SinkRecord>> batches;
  private final Set<TopicPartition> partitions;
  private final long records;
  private final long recordsPerPartition;
  private final int flushSize;
  private int sinkRuns;

  /** Connector config from --set, --upload-threads and --dictionary-probe-rows, applied last. */
  private final Map<String, String> extraConfig;

  private SinkBenchmark(
      LocalS3 s3,
      InMemoryS3Client memory,
      List<List<SinkRecord>> batches,
      int partitions,
      long records,
      int flushSize,
      Map<String, String> extraConfig) {
    this.extraConfig = extraConfig;
    this.s3 = s3;
    this.memory = memory;
    this.batches = batches;
    this.records = records;
    this.recordsPerPartition = records / partitions;
    this.flushSize = flushSize;
    Set<TopicPartition> tps =
        new TreeSet<>((a, b) -> Integer.compare(a.partition(), b.partition()));
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(BenchRecords.TOPIC, p));
    }
    this.partitions = Collections.unmodifiableSet(tps);
  }

  public static void main(String[] args) throws Exception {
    quietLogs();
    BenchArgs a =
        new BenchArgs(
            args,
            USAGE,
            "records",
            "partitions",
            "formats",
            "target",
            "dir",
            "flush-size",
            "batch",
            "runs",
            "warmups",
            "latency-ms",
            "upload-threads",
            "dictionary-probe-rows",
            "set");
    int partitions = (int) a.number("partitions", 1);
    int flushSize = (int) a.number("flush-size", 50_000);
    long requested = a.number("records", 1_000_000);
    int batch = (int) a.number("batch", 500);
    int runs = (int) a.number("runs", 3);
    int warmups = (int) a.number("warmups", 1);
    String target = a.string("target", "memory");
    // Every unit must close on flush.size, so the sink commits all records and both paths write the
    // same files.
    long perPartition = requested / partitions;
    flushSize = (int) Math.min(flushSize, perPartition);
    long records = perPartition / flushSize * flushSize * partitions;
    if (records <= 0) {
      throw new IllegalArgumentException(
          "Cannot run with --records "
              + requested
              + " over "
              + partitions
              + " partitions: every partition needs at least one record.");
    }

    printEnvironment(target, records, partitions, flushSize, batch, runs, warmups);
    long genStart = System.nanoTime();
    BenchRecords generator = new BenchRecords(partitions, 42);
    List<List<SinkRecord>> batches = new ArrayList<>();
    for (long done = 0; done < records; done += batch) {
      batches.add(generator.next((int) Math.min(batch, records - done)));
    }
    System.out.printf(
        Locale.ROOT,
        "generated %,d records in %.1f s%n",
        records,
        (System.nanoTime() - genStart) / 1e9);

    LocalS3 s3 = null;
    InMemoryS3Client memory = null;
    if ("memory".equals(target)) {
      memory = new InMemoryS3Client();
    } else if ("s3proxy".equals(target)) {
      s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
    } else if ("s3proxy-https".equals(target)) {
      SelfSignedTls tls = SelfSignedTls.create();
      tls.trustInThisJvm(); // the task builds its own S3 client
      s3 =
          LocalS3.start(
              LocalS3.Options.inMemory().tls(tls.keyStore(), tls.password()).buckets(BUCKET));
    } else if ("s3proxy-fs".equals(target)) {
      Path dir =
          Paths.get(a.string("dir", System.getProperty("java.io.tmpdir") + "/redstage-bench-s3"));
      Files.createDirectories(dir);
      s3 = LocalS3.start(LocalS3.Options.filesystem(dir).buckets(BUCKET));
    } else {
      throw new IllegalArgumentException(
          "Cannot use --target "
              + target
              + ": expected memory, s3proxy, s3proxy-https or s3proxy-fs.");
    }
    long latencyMs = a.number("latency-ms", 0);
    if (latencyMs > 0) {
      if (s3 == null) {
        throw new IllegalArgumentException(
            "Cannot add --latency-ms to --target memory: use an s3proxy target.");
      }
      // Every request waits this long in the stand-in, as a distant S3 would make it wait.
      s3.faults()
          .delayAlways(
              java.time.Duration.ofMillis(latencyMs), io.redstage.sandbox.s3.RequestMatcher.any());
    }
    Map<String, String> extraConfig = new LinkedHashMap<>();
    // ';' between entries, since values such as column lists hold commas.
    for (String entry : a.string("set", "").split(";")) {
      if (!entry.isBlank()) {
        int eq = entry.indexOf('=');
        if (eq < 1) {
          throw new IllegalArgumentException("Cannot read --set " + entry + ": expected key=value");
        }
        String key = entry.substring(0, eq).trim();
        if (key.equals("flush.size") || key.endsWith(".dir") || key.startsWith("rotate.")) {
          throw new IllegalArgumentException(
              "Cannot use --set "
                  + key
                  + ": the benchmark sets it to check what it committed. Use --flush-size for"
                  + " flush.size.");
        }
        extraConfig.put(key, entry.substring(eq + 1).trim());
      }
    }
    // Shorthands for --set; without them, the connector's defaults.
    if (a.number("upload-threads", 0) > 0) {
      extraConfig.put("s3.upload.threads", Long.toString(a.number("upload-threads", 0)));
    }
    if (a.number("dictionary-probe-rows", -1) >= 0) {
      extraConfig.put(
          "parquet.dictionary.probe.rows", Long.toString(a.number("dictionary-probe-rows", -1)));
    }
    System.out.printf(
        Locale.ROOT,
        "S3 latency added per request: %d ms; connector config beyond the benchmark's: %s%n",
        latencyMs,
        extraConfig.isEmpty() ? "none" : extraConfig);
    try {
      SinkBenchmark bench =
          new SinkBenchmark(s3, memory, batches, partitions, records, flushSize, extraConfig);
      long jsonBytes = bench.raw(FileFormat.JSONL).bytes;
      System.out.printf(
          Locale.ROOT,
          "JSON-equivalent size (JSON Lines with metadata columns): %.1f MB%n",
          jsonBytes / MB);
      List<String> rows = new ArrayList<>();
      for (String name : a.list("formats", "parquet,avro,jsonl")) {
        FileFormat format = FileFormat.fromId(name.trim());
        rows.add(bench.compare(format, warmups, runs, jsonBytes));
      }
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "Results (median of %d runs; MB = 10^6 bytes; JSON-eq MB/s = %.1f MB / time)%n",
          runs,
          jsonBytes / MB);
      System.out.println(
          "| format | path | records/s | output MB/s | JSON-eq MB/s | output MB | time s (min-max) "
              + "| task-thread CPU s | commit-thread CPU s | process CPU s | GC s | sink/raw |");
      System.out.println("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
      rows.forEach(System.out::print);
      System.out.printf(
          Locale.ROOT,
          "load average at end: %.2f%n",
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
  }

  /** Warm-up, then alternating raw and sink runs; returns the two markdown table rows. */
  private String compare(FileFormat format, int warmups, int runs, long jsonBytes)
      throws IOException {
    for (int i = 0; i < warmups; i++) {
      raw(format);
      sink(format);
    }
    List<Run> raw = new ArrayList<>();
    List<Run> sink = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      raw.add(raw(format));
      sink.add(sink(format));
      System.out.printf(
          Locale.ROOT,
          "%s run %d: raw %s | sink %s%n",
          format.id(),
          i + 1,
          raw.get(i),
          sink.get(i));
    }
    Run r = median(raw);
    Run s = median(sink);
    if (Math.abs(r.bytes - s.bytes) > r.bytes / 100) {
      System.out.printf(
          Locale.ROOT,
          "WARNING: %s raw wrote %d bytes, sink %d: the two paths do not encode alike%n",
          format.id(),
          r.bytes,
          s.bytes);
    }
    double ratio = (double) r.nanos / s.nanos;
    return row(format, "raw encoder", r, raw, jsonBytes, "")
        + row(
            format, "sink task", s, sink, jsonBytes, String.format(Locale.ROOT, "**%.2f**", ratio));
  }

  private String row(
      FileFormat format, String path, Run median, List<Run> all, long jsonBytes, String ratio) {
    double seconds = median.nanos / 1e9;
    double min = all.stream().mapToLong(x -> x.nanos).min().getAsLong() / 1e9;
    double max = all.stream().mapToLong(x -> x.nanos).max().getAsLong() / 1e9;
    return String.format(
        Locale.ROOT,
        "| %s | %s | %,.0f | %.1f | %.1f | %.1f | %.2f (%.2f-%.2f) | %.2f | %.2f | %.2f | %.2f | %s |%n",
        format.id(),
        path,
        records / seconds,
        median.bytes / MB / seconds,
        jsonBytes / MB / seconds,
        median.bytes / MB,
        seconds,
        min,
        max,
        median.times.threadCpuNanos / 1e9,
        median.times.commitThreadCpuNanos / 1e9,
        median.times.processCpuNanos / 1e9,
        median.times.gcMillis / 1e3,
        ratio);
  }

  /**
   * The encoders alone: one writer per partition, finished every flush.size records, output
   * discarded.
   */
  Run raw(FileFormat fileFormat) {
    RecordFormat format = RecordFormats.create(FormatOptions.builder().format(fileFormat).build());
    Map<Integer, RecordFileWriter> open = new HashMap<>();
    Map<Integer, DiscardingOutputStream> outs = new HashMap<>();
    long bytes = 0;
    int files = 0;
    System.gc();
    RunClock clock = new RunClock();
    try {
      for (List<SinkRecord> batch : batches) {
        for (SinkRecord r : batch) {
          int p = r.kafkaPartition();
          RecordFileWriter w = open.get(p);
          if (w == null) {
            DiscardingOutputStream out = new DiscardingOutputStream();
            w = format.open(out, r, r.topic() + "+" + p + "+" + r.kafkaOffset());
            open.put(p, w);
            outs.put(p, out);
          }
          w.write(r);
          if (w.recordCount() == flushSize) {
            w.finish();
            bytes += outs.remove(p).position();
            open.remove(p);
            files++;
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot finish a file into a discarding stream: " + e.getMessage(), e);
    }
    RunClock.Times times = clock.stop();
    if (!open.isEmpty()) {
      throw new IllegalStateException(
          "Cannot compare: " + open.size() + " raw files were left unfinished.");
    }
    return new Run(times, bytes, files);
  }

  /** A real task into the target; each run writes under its own prefix, deleted afterwards. */
  Run sink(FileFormat format) {
    String prefix = "run-" + (++sinkRuns) + "-" + format.id();
    Map<String, String> config = new HashMap<>();
    config.put("s3.bucket.name", BUCKET);
    if (s3 != null) {
      config.put("s3.region", s3.region());
      config.put("store.url", s3.endpoint().toString());
      config.put("aws.access.key.id", s3.accessKey());
      config.put("aws.secret.access.key", s3.secretKey());
    } else {
      config.put("s3.region", "us-east-1");
    }
    config.put("format.class", format.id());
    config.put("topics.dir", prefix + "/topics");
    config.put("markers.dir", prefix + "/markers");
    config.put("tmp.dir", prefix + "/tmp");
    config.put("flush.size", Integer.toString(flushSize));
    // Units close on flush.size only: no wall-clock rotation in the middle of a timed run.
    config.put("rotate.schedule.interval.ms", "-1");
    config.put("rotate.idle.ms", "-1");
    config.putAll(extraConfig);
    FakeSinkTaskContext context = new FakeSinkTaskContext(config);
    context.assign(partitions);
    RedstageS3SinkTask task =
        memory != null ? new RedstageS3SinkTask(settings -> memory) : new RedstageS3SinkTask();
    task.initialize(context);
    task.start(config);
    task.open(partitions);
    Map<TopicPartition, OffsetAndMetadata> committed;
    System.gc();
    RunClock clock = new RunClock();
    RunClock.Times times;
    try {
      for (List<SinkRecord> batch : batches) {
        task.put(batch);
      }
      committed = SettledOffsets.of(task);
      times = clock.stop();
    } finally {
      task.stop();
    }
    check(format, committed, context);
    List<CommitMarker> markers = new ArrayList<>();
    if (s3 != null) {
      markers.addAll(S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/"));
      S3Objects.deleteAll(s3.client(), BUCKET, prefix + "/");
    } else {
      memory
          .objects(prefix + "/markers/")
          .forEach((key, json) -> markers.add(MarkerCodec.fromJson(json, key)));
      memory.deleteAll(prefix + "/");
    }
    long bytes = markers.stream().mapToLong(CommitMarker::totalBytes).sum();
    int files = markers.stream().mapToInt(m -> m.files().size()).sum();
    return new Run(times, bytes, files);
  }

  private void check(
      FileFormat format,
      Map<TopicPartition, OffsetAndMetadata> committed,
      FakeSinkTaskContext context) {
    if (!context.rewinds.isEmpty()) {
      throw new IllegalStateException(
          "Cannot trust the "
              + format.id()
              + " sink run: the task rewound "
              + context.rewinds
              + " after an S3 failure.");
    }
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata o = committed.get(tp);
      if (o == null || o.offset() != recordsPerPartition) {
        throw new IllegalStateException(
            "Cannot trust the "
                + format.id()
                + " sink run: "
                + tp
                + " committed "
                + o
                + ", expected offset "
                + recordsPerPartition
                + ".");
      }
    }
  }

  private static Run median(List<Run> runs) {
    List<Run> sorted = new ArrayList<>(runs);
    sorted.sort((x, y) -> Long.compare(x.nanos, y.nanos));
    return sorted.get(sorted.size() / 2);
  }

  /**
   * Connector and S3Proxy log every upload at INFO; the benchmark prints its own summary instead.
   */
  static void quietLogs() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
  }

  private static void printEnvironment(
      String target,
      long records,
      int partitions,
      int flushSize,
      int batch,
      int runs,
      int warmups) {
    Runtime rt = Runtime.getRuntime();
    System.out.printf(
        Locale.ROOT,
        "JDK %s (%s), %d cores available, max heap %d MiB, load average %.2f%n",
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        rt.availableProcessors(),
        rt.maxMemory() >> 20,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf(
        Locale.ROOT,
        "target %s, %,d records over %d partition(s), flush.size %,d, put batches of %d, "
            + "%d warm-up + %d measured runs per path%n",
        target,
        records,
        partitions,
        flushSize,
        batch,
        warmups,
        runs);
  }

  /** One timed run: wall time and where it went, data-file bytes, data files. */
  static final class Run {
    final RunClock.Times times;
    final long nanos;
    final long bytes;
    final int files;

    Run(RunClock.Times times, long bytes, int files) {
      this.times = times;
      this.nanos = times.wallNanos;
      this.bytes = bytes;
      this.files = files;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%.2f s (thread CPU %.2f s, commit thread CPU %.2f s, process CPU %.2f s, GC %.2f s, %d files)",
          nanos / 1e9,
          times.threadCpuNanos / 1e9,
          times.commitThreadCpuNanos / 1e9,
          times.processCpuNanos / 1e9,
          times.gcMillis / 1e3,
          files);
    }
  }
}
