package io.redstage.connector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerFile;
import io.redstage.sandbox.s3.LocalS3;
import io.redstage.sandbox.s3.ObjectOperation;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the sink task from the unpacked plugin ZIP behind {@link IsolatedPlugin}: a class loader
 * over exactly the ZIP's lib/ whose fallback is only what a Connect worker shares (the JDK, Kafka's
 * APIs, SLF4J). The other ITs run the plugin in a real worker, whose plugin loader falls back to
 * the test classpath (all of parquet and hadoop, for reading files back), so a class missing from
 * the minimized ZIP passes there and fails in production with NoClassDefFoundError. Here it fails
 * the test: every format, codec, partitioner, and the multipart + copy path.
 */
class PluginIsolationIT {
  private static final String BUCKET = "isolation";
  private static final String TASK_CLASS = "io.redstage.connector.RedstageS3SinkTask";
  private static final int PART_SIZE = 5 * 1024 * 1024;

  /**
   * The largest payload a record may carry: Redshift's VARBYTE without a length holds 64,000 bytes.
   */
  private static final int BIG_PAYLOAD = 64_000;

  /**
   * JSON Lines writes bytes as hex, which the loader stages in a VARCHAR of 65,535: half as many.
   */
  private static final int BIG_JSONL_PAYLOAD = 32_767;

  private static LocalS3 s3;
  private static IsolatedPlugin plugin;

  /** Uncaught throwables of threads the plugin started (they inherit its context class loader). */
  private static final List<Throwable> pluginThreadFailures =
      Collections.synchronizedList(new ArrayList<>());

  private static Thread.UncaughtExceptionHandler previousHandler;

  @BeforeAll
  static void start() throws Exception {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
    Path plugins = Paths.get(System.getProperty("redstage.plugin.dir", "target/plugins"));
    plugin = IsolatedPlugin.open(plugins, PluginIsolationIT.class.getClassLoader());
    previousHandler = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(
        (t, e) -> {
          if (t.getContextClassLoader() == plugin.loader) {
            pluginThreadFailures.add(e);
          } else if (previousHandler != null) {
            previousHandler.uncaughtException(t, e);
          }
        });
  }

  @AfterAll
  static void stop() throws Exception {
    Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    if (plugin != null) {
      plugin.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void theLoaderSeesThePluginJarsAndOnlyWhatAWorkerShares() throws Exception {
    Class<?> parquetWriter =
        Class.forName("org.apache.parquet.hadoop.ParquetWriter", false, plugin.loader);
    assertThat(parquetWriter.getClassLoader()).isSameAs(plugin.loader);
    assertThat(Paths.get(parquetWriter.getProtectionDomain().getCodeSource().getLocation().toURI()))
        .startsWith(plugin.lib);
    assertThat(Class.forName(TASK_CLASS, false, plugin.loader).getClassLoader())
        .isSameAs(plugin.loader);
    // Shared with the worker: the task is a SinkTask of the test's connect-api, and the JDK is the
    // JDK.
    assertThat(Class.forName(SinkTask.class.getName(), false, plugin.loader))
        .isSameAs(SinkTask.class);
    assertThat(Class.forName("org.w3c.dom.Document", false, plugin.loader).getClassLoader())
        .isNull();
    // Only on the test classpath: not visible to the plugin.
    for (String testOnly :
        List.of(
            "org.apache.hadoop.mapred.JobConf",
            "org.junit.jupiter.api.Test",
            "org.apache.parquet.avro.AvroParquetReader",
            "org.gaul.s3proxy.S3Proxy")) {
      assertThatThrownBy(() -> Class.forName(testOnly, false, plugin.loader))
          .as(testOnly)
          .isInstanceOf(ClassNotFoundException.class);
    }
    assertThat(plugin.loader.getResource("mapred-default.xml"))
        .as("a resource only the test classpath has")
        .isNull();
    assertThat(jarOf(plugin.loader.getResource("core-default.xml"))).startsWith(plugin.lib);
    List<URL> services =
        Collections.list(
            plugin.loader.getResources("META-INF/services/org.apache.hadoop.fs.FileSystem"));
    assertThat(services)
        .isNotEmpty()
        .allSatisfy(u -> assertThat(jarOf(u)).as("service file " + u).startsWith(plugin.lib));
  }

  /** The jar of a {@code jar:file:/…/x.jar!/name} resource. */
  private static Path jarOf(URL resource) {
    String s = resource.toString();
    assertThat(s).startsWith("jar:file:").contains("!/");
    return Paths.get(URI.create(s.substring("jar:".length(), s.indexOf("!/"))));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
            new Case(
                "parquet-snappy", Map.of("format.class", "parquet", "parquet.codec", "snappy")),
            new Case("parquet-zstd", Map.of("format.class", "parquet", "parquet.codec", "zstd")),
            new Case("parquet-gzip", Map.of("format.class", "parquet", "parquet.codec", "gzip")),
            new Case("parquet-none", Map.of("format.class", "parquet", "parquet.codec", "none")),
            new Case("avro-null", Map.of("format.class", "avro", "avro.codec", "null")),
            new Case("avro-deflate", Map.of("format.class", "avro", "avro.codec", "deflate")),
            new Case("avro-snappy", Map.of("format.class", "avro", "avro.codec", "snappy")),
            new Case("avro-zstd", Map.of("format.class", "avro", "avro.codec", "zstd")),
            new Case("jsonl-gzip", Map.of("format.class", "jsonl", "s3.compression.type", "gzip")),
            new Case("jsonl-none", Map.of("format.class", "jsonl", "s3.compression.type", "none")),
            new Case(
                "parquet-zstd-hourly",
                Map.of(
                    "format.class",
                    "parquet",
                    "parquet.codec",
                    "zstd",
                    "partitioner.class",
                    "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
                    "path.format",
                    "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH",
                    "partition.duration.ms",
                    "3600000",
                    "locale",
                    "en-US",
                    "timezone",
                    "UTC",
                    "timestamp.extractor",
                    "Record")),
            // a null field cannot name a path, so this case has no tombstones
            new Case(
                "avro-snappy-by-campaign",
                Map.of(
                    "format.class",
                    "avro",
                    "avro.codec",
                    "snappy",
                    "partitioner.class",
                    "field",
                    "partition.field.name",
                    "campaign"),
                IsolatedRecords.COUNT,
                false,
                16),
            // each file (about 6 MB of hex) is larger than s3.part.size: multipart upload to the
            // temporary key,
            // then server-side copy
            MULTIPART_JSONL)
        .map(c -> Arguments.of(c.name, c));
  }

  private static final Case MULTIPART_JSONL =
      new Case(
          "jsonl-none-multipart",
          Map.of(
              "format.class",
              "jsonl",
              "s3.compression.type",
              "none",
              "s3.part.size",
              String.valueOf(PART_SIZE)),
          192,
          true,
          BIG_JSONL_PAYLOAD);

  /**
   * Parquet buffers a row group until the file is finished, which happens on the commit thread; a
   * part that this final flush fills must be sent on that thread (queued behind the running commit,
   * which waits for it, it would never run). This case found that deadlock; the timeout keeps it
   * from hanging the build if it comes back.
   */
  @Test
  @Timeout(60)
  void parquetFileLargerThanAPartGoesThroughMultipartAndCopy() throws Exception {
    writesEveryFileThroughTheIsolatedPlugin(
        "parquet-snappy-multipart",
        new Case(
            "parquet-snappy-multipart",
            Map.of(
                "format.class",
                "parquet",
                "parquet.codec",
                "snappy",
                "s3.part.size",
                String.valueOf(PART_SIZE)),
            192,
            true,
            BIG_PAYLOAD));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Timeout(60) // a commit that never ends (a deadlock) fails the case instead of hanging the build
  void writesEveryFileThroughTheIsolatedPlugin(String name, Case c) throws Exception {
    String topic = c.name;
    TopicPartition tp = new TopicPartition(topic, 0);
    List<SinkRecord> records =
        IsolatedRecords.build(topic, c.records, c.tombstones, c.payloadBytes);
    s3.resetRequestCounts();

    SinkTask task =
        inPlugin(
            c,
            "create the task",
            () -> (SinkTask) plugin.loader.loadClass(TASK_CLASS).getConstructor().newInstance());
    RewindFailingContext context = new RewindFailingContext(Set.of(tp));
    inPlugin(
        c,
        "initialize",
        () -> {
          task.initialize(context);
          return null;
        });
    try {
      inPlugin(
          c,
          "start",
          () -> {
            task.start(config(c));
            return null;
          });
      inPlugin(
          c,
          "open",
          () -> {
            task.open(Set.of(tp));
            return null;
          });
      for (int from = 0; from < records.size(); from += 16) { // polls of 16 records
        List<SinkRecord> batch = records.subList(from, Math.min(records.size(), from + 16));
        inPlugin(
            c,
            "put offsets " + from + "+",
            () -> {
              task.put(batch);
              return null;
            });
      }
      // preCommit reports units as their commits end, without waiting: call it as the worker does.
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(
                          inPlugin(
                              c,
                              "preCommit",
                              () ->
                                  task.preCommit(
                                      Map.of(tp, new OffsetAndMetadata(records.size())))))
                      .as("offsets committed by preCommit")
                      .isEqualTo(Map.of(tp, new OffsetAndMetadata(records.size()))));
      inPlugin(
          c,
          "close",
          () -> {
            task.close(Set.of(tp));
            return null;
          });
    } finally {
      inPlugin(
          c,
          "stop",
          () -> {
            task.stop();
            return null;
          });
    }
    assertThat(context.rewinds)
        .as("offset rewinds (each follows a failed S3 write, logged above)")
        .isEmpty();
    assertThat(pluginThreadFailures).as("uncaught throwables of the plugin's threads").isEmpty();

    List<CommitMarker> markers = markers(topic);
    assertThat(markers).as("units").hasSize(c.records / c.flushSize());
    long next = 0;
    Set<String> fileKeys = new HashSet<>();
    Set<Long> offsets = new HashSet<>();
    for (CommitMarker m : markers) {
      assertThat(m.startOffset()).isEqualTo(next);
      assertThat(m.bucket()).isEqualTo(BUCKET);
      next = m.endOffset() + 1;
      long rows = 0;
      for (MarkerFile f : m.files()) {
        assertThat(f.key()).startsWith("topics/" + topic + "/" + f.encodedPartition() + "/");
        assertThat(f.encodedPartition()).matches(c.partitionPattern());
        byte[] bytes = get(f.key());
        assertThat((long) bytes.length).as("size of " + f.key()).isEqualTo(f.bytes());
        List<Long> fileOffsets = readRows(c, f.key(), bytes);
        assertThat(fileOffsets).as("rows of " + f.key()).hasSize((int) f.records());
        rows += f.records();
        offsets.addAll(fileOffsets);
        fileKeys.add(f.key());
      }
      assertThat(rows)
          .as("rows of unit " + m.unitId())
          .isEqualTo(m.recordCount())
          .isEqualTo(m.endOffset() - m.startOffset() + 1);
    }
    assertThat(next).as("offsets covered by markers").isEqualTo(records.size());
    assertThat(offsets).as("distinct offsets read back").hasSize(records.size());
    assertThat(keys("topics/" + topic + "/"))
        .as("data objects = files named by markers")
        .containsExactlyInAnyOrderElementsOf(fileKeys);
    assertThat(keys("_redstage/tmp/")).as("temporary objects left").isEmpty();
    if (c.settings.containsKey("s3.part.size")) {
      assertThat(markers)
          .allSatisfy(
              m ->
                  assertThat(m.files())
                      .allSatisfy(f -> assertThat(f.bytes()).isGreaterThan(PART_SIZE)));
      assertThat(s3.requestCount(ObjectOperation.COMPLETE_MULTIPART_UPLOAD))
          .as("multipart uploads")
          .isEqualTo(markers.size());
      assertThat(s3.requestCount(ObjectOperation.COPY_OBJECT))
          .as("server-side copies")
          .isEqualTo(markers.size());
    }
  }

  private Map<String, String> config(Case c) {
    Map<String, String> m = new HashMap<>();
    m.put("name", c.name);
    m.put("connector.class", "io.redstage.connector.RedstageS3SinkConnector");
    m.put("task.class", TASK_CLASS);
    m.put("topics", c.name);
    m.put("s3.bucket.name", BUCKET);
    m.put("s3.region", s3.region());
    m.put("store.url", s3.endpoint().toString());
    m.put("aws.access.key.id", s3.accessKey());
    m.put("aws.secret.access.key", s3.secretKey());
    m.put("s3.part.retries", "1");
    m.put("s3.retry.backoff.ms", "10");
    m.put("rotate.schedule.interval.ms", "-1");
    m.put("rotate.idle.ms", "-1");
    m.put("flush.size", String.valueOf(c.flushSize()));
    m.put("store.kafka.keys", "true");
    m.put("store.kafka.headers", "true");
    m.put("behavior.on.null.values", "write");
    m.putAll(c.settings);
    return m;
  }

  /**
   * Reads a file with the test classpath's readers, checks its codec and rows; returns the rows'
   * offsets.
   */
  private static List<Long> readRows(Case c, String key, byte[] bytes) throws Exception {
    String format = c.settings.get("format.class");
    List<Long> offsets = new ArrayList<>();
    if (format.equals("parquet")) {
      String codec = c.settings.get("parquet.codec");
      CompressionCodecName expected =
          codec.equals("none")
              ? CompressionCodecName.UNCOMPRESSED
              : CompressionCodecName.valueOf(codec.toUpperCase(Locale.ROOT));
      assertThat(FileReaders.parquetCodecs(bytes)).as("codecs of " + key).containsExactly(expected);
      for (GenericRecord r : FileReaders.parquet(bytes)) {
        offsets.add(IsolatedRecords.checkRow(r, c.tombstones, c.payloadBytes));
      }
    } else if (format.equals("avro")) {
      String codec = c.settings.get("avro.codec");
      assertThat(FileReaders.avroCodec(bytes))
          .as("codec of " + key)
          .isEqualTo(codec.equals("zstd") ? "zstandard" : codec);
      for (GenericRecord r : FileReaders.avro(bytes)) {
        offsets.add(IsolatedRecords.checkRow(r, c.tombstones, c.payloadBytes));
      }
    } else {
      boolean gzip = "gzip".equals(c.settings.get("s3.compression.type"));
      assertThat(key).endsWith(gzip ? ".jsonl.gz" : ".jsonl");
      if (gzip) {
        assertThat(bytes[0] & 0xff).isEqualTo(GZIPInputStream.GZIP_MAGIC & 0xff);
      }
      for (JsonNode row : FileReaders.jsonLines(bytes, gzip)) {
        offsets.add(IsolatedRecords.checkRow(row, c.tombstones));
      }
    }
    return offsets;
  }

  private static List<CommitMarker> markers(String topic) {
    List<CommitMarker> out =
        new ArrayList<>(S3Objects.markers(s3.client(), BUCKET, "_redstage/markers/" + topic + "/"));
    out.sort(Comparator.comparingLong(CommitMarker::startOffset));
    return out;
  }

  private static List<String> keys(String prefix) {
    return S3Objects.keys(s3.client(), BUCKET, prefix);
  }

  private static byte[] get(String key) {
    return S3Objects.get(s3.client(), BUCKET, key);
  }

  /**
   * Calls the task as a worker does, with the plugin's loader as context class loader. Any
   * throwable (a NoClassDefFoundError, ClassNotFoundException, UnsatisfiedLinkError or
   * ServiceConfigurationError from a class, service file or native library missing from the ZIP)
   * fails the test with the step and case.
   */
  private static <T> T inPlugin(Case c, String step, PluginCall<T> call) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(plugin.loader);
    try {
      return call.call();
    } catch (Throwable t) {
      throw new AssertionError(
          "Cannot "
              + step
              + " ("
              + c.name
              + ") with the plugin isolated from the test classpath: "
              + t
              + ". A class, service file or native library the task needs is probably missing from the plugin ZIP.",
          t);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  @FunctionalInterface
  private interface PluginCall<T> {
    T call() throws Exception;
  }

  /** One task run: its name is also the topic. */
  record Case(
      String name,
      Map<String, String> settings,
      int records,
      boolean tombstones,
      int payloadBytes) {
    Case(String name, Map<String, String> settings) {
      this(name, settings, IsolatedRecords.COUNT, true, 16);
    }

    /** Two units per case. */
    int flushSize() {
      return records / 2;
    }

    String partitionPattern() {
      String partitioner = settings.getOrDefault("partitioner.class", "default");
      if (partitioner.endsWith("TimeBasedPartitioner")) {
        return "year=\\d{4}/month=\\d{2}/day=\\d{2}/hour=\\d{2}";
      }
      return partitioner.equals("field") ? "campaign=c-[0-2]" : "partition=0";
    }
  }

  /**
   * Records a rewind (which the task requests after a failed S3 write) and fails the call that
   * requested it.
   */
  private static final class RewindFailingContext implements SinkTaskContext {
    final List<Map<TopicPartition, Long>> rewinds = Collections.synchronizedList(new ArrayList<>());
    private final Set<TopicPartition> assignment;

    RewindFailingContext(Set<TopicPartition> assignment) {
      this.assignment = assignment;
    }

    @Override
    public Map<String, String> configs() {
      return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
      rewinds.add(offsets);
      throw new AssertionError(
          "The task asked to rewind to " + offsets + " after a failed write (see the log above)");
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
      offset(Map.of(tp, offset));
    }

    @Override
    public void timeout(long timeoutMs) {
      // a worker would shorten its next poll; the test calls put again itself
    }

    @Override
    public Set<TopicPartition> assignment() {
      return assignment;
    }

    @Override
    public void pause(TopicPartition... partitions) {
      throw new AssertionError(
          "The task paused " + List.of(partitions) + ": it never does while healthy");
    }

    @Override
    public void resume(TopicPartition... partitions) {
      throw new AssertionError(
          "The task resumed " + List.of(partitions) + ": it never pauses while healthy");
    }

    @Override
    public void requestCommit() {
      // offsets are taken in preCommit, which the test calls once all records are in
    }
  }
}
