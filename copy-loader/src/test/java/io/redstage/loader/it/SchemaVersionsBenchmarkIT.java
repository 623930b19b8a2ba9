package io.redstage.loader.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.connector.RedstageS3SinkTask;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

/**
 * Numbers for docs/benchmarks.md (schema.compatibility): 10,000 records of one partition
 * alternating between two versions of an Avro-shaped value schema (a rolling deploy of the
 * producer), written by the real sink task into S3Proxy under NONE and BACKWARD, then loaded by the
 * loader into the Redshift stand-in. Counts units (markers), data files, loader batches and COPY
 * statements. Run: {@code mvn -pl copy-loader -am -Dtest=None -Dit.test=SchemaVersionsBenchmarkIT
 * -Dredstage.bench=true -Dsurefire.failIfNoSpecifiedTests=false verify}; results go to stdout and
 * copy-loader/target/benchmark-schema-versions.md.
 */
@EnabledIfSystemProperty(named = "redstage.bench", matches = "true")
class SchemaVersionsBenchmarkIT {
  static final int RECORDS = Integer.getInteger("redstage.bench.records", 10_000);
  static final Schema V1 =
      SchemaBuilder.struct()
          .name("com.example.Customer")
          .version(1)
          .field("id", Schema.INT64_SCHEMA)
          .field("name", Schema.STRING_SCHEMA)
          .build();
  static final Schema V2 =
      SchemaBuilder.struct()
          .name("com.example.Customer")
          .version(2)
          .field("id", Schema.INT64_SCHEMA)
          .field("name", Schema.STRING_SCHEMA)
          .field("tier", SchemaBuilder.string().defaultValue("basic").build())
          .field("email", Schema.OPTIONAL_STRING_SCHEMA)
          .build();
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void unitsFilesAndCopiesOfAlternatingVersions() throws Exception {
    StringBuilder out =
        new StringBuilder(
            "| schema.compatibility | records | units (markers) | data files | loader batches | COPY statements "
                + "| rows loaded | connector s | loader s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String mode : List.of("NONE", "BACKWARD")) {
      out.append(run(mode)).append('\n');
    }
    System.out.println(out);
    Files.writeString(Path.of("target", "benchmark-schema-versions.md"), out.toString());
  }

  private static String run(String mode) throws Exception {
    String topic = "flips_" + mode.toLowerCase(Locale.ROOT);
    TopicPartition tp = new TopicPartition(topic, 0);
    List<SinkRecord> records = new ArrayList<>(RECORDS);
    for (int i = 0; i < RECORDS; i++) {
      Struct v =
          i % 2 == 0
              ? new Struct(V1).put("id", (long) i).put("name", "n" + i)
              : new Struct(V2)
                  .put("id", (long) i)
                  .put("name", "n" + i)
                  .put("tier", "gold")
                  .put("email", i + "@example.com");
      records.add(new SinkRecord(topic, 0, null, null, v.schema(), v, i));
    }
    long t0 = System.nanoTime();
    RedstageS3SinkTask task = new RedstageS3SinkTask();
    task.initialize(new NoRewindSinkTaskContext());
    task.start(taskProps(mode));
    try {
      task.open(Set.of(tp));
      for (int i = 0; i < RECORDS; i += 500) {
        task.put(records.subList(i, Math.min(RECORDS, i + 500)));
      }
      // rotate.idle.ms closes the last unit; preCommit waits for the background commits
      await()
          .atMost(Duration.ofMinutes(10))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                OffsetAndMetadata o = task.preCommit(Map.of()).get(tp);
                return o != null && o.offset() == RECORDS;
              });
    } finally {
      task.stop();
    }
    double connectorSeconds = (System.nanoTime() - t0) / 1e9;
    int markers = keys(LoaderStack.MARKERS + "/" + topic + "/");
    int files = keys("topics/" + topic + "/");

    long copiesBefore = stack.count("SELECT COUNT(*) FROM redstage_sys.load_history");
    Map<String, String> config = stack.config();
    config.put("topics", topic);
    long t1 = System.nanoTime();
    int batches = 0;
    long rows = 0;
    try (Loader loader = stack.loader(config)) {
      CycleReport r;
      do {
        r = loader.runOnce();
        batches += r.batchesLoaded();
        rows += r.rowsLoaded();
      } while (r.unitsPending() > 0);
    }
    double loaderSeconds = (System.nanoTime() - t1) / 1e9;
    long copies = stack.count("SELECT COUNT(*) FROM redstage_sys.load_history") - copiesBefore;
    assertThat(stack.count("SELECT COUNT(*) FROM public." + topic)).isEqualTo(RECORDS);
    assertThat(rows).isEqualTo(RECORDS);
    return String.format(
        Locale.ROOT,
        "| %s | %,d | %,d | %,d | %,d | %,d | %,d | %.1f | %.1f |",
        mode,
        RECORDS,
        markers,
        files,
        batches,
        copies,
        rows,
        connectorSeconds,
        loaderSeconds);
  }

  private static int keys(String prefix) {
    return stack
        .s3
        .client()
        .listObjectsV2Paginator(
            ListObjectsV2Request.builder().bucket(LoaderStack.BUCKET).prefix(prefix).build())
        .contents()
        .stream()
        .mapToInt(o -> 1)
        .sum();
  }

  private static Map<String, String> taskProps(String mode) {
    Map<String, String> p = new HashMap<>();
    p.put("s3.bucket.name", LoaderStack.BUCKET);
    p.put("s3.region", stack.s3.region());
    p.put("store.url", stack.s3.endpoint().toString());
    p.put("aws.access.key.id", stack.s3.accessKey());
    p.put("aws.secret.access.key", stack.s3.secretKey());
    p.put("format.class", "parquet");
    p.put("flush.size", Integer.toString(RECORDS * 2));
    p.put("rotate.schedule.interval.ms", "-1");
    p.put("rotate.idle.ms", "1000");
    p.put("schema.compatibility", mode);
    return p;
  }
}
