package io.redstage.connector.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerCodec;
import io.redstage.sandbox.kafka.LocalKafkaConnect;
import io.redstage.sandbox.s3.LocalS3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3 stand-in and one Kafka broker + Connect worker per test class. The worker loads the
 * connector from the unpacked plugin ZIP (system property redstage.plugin.dir, set by the build).
 */
final class PipelineFixture implements AutoCloseable {
  static final String CONNECTOR_CLASS = "io.redstage.connector.RedstageS3SinkConnector";
  static final ObjectMapper JSON = new ObjectMapper();
  final LocalS3 s3;
  final LocalKafkaConnect connect;
  final KafkaProducer<byte[], byte[]> producer;

  PipelineFixture(String... buckets) {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(buckets));
    Path plugins = Paths.get(System.getProperty("redstage.plugin.dir", "target/plugins"));
    connect = LocalKafkaConnect.start(plugins, 1, Map.of());
    producer = connect.producer();
  }

  /** Connector config with the S3 stand-in's endpoint and keys; callers add their own settings. */
  Map<String, String> baseConfig(String topics, String bucket) {
    Map<String, String> c = new HashMap<>();
    c.put("connector.class", CONNECTOR_CLASS);
    c.put("tasks.max", "1");
    c.put("topics", topics);
    c.put("s3.bucket.name", bucket);
    c.put("s3.region", s3.region());
    c.put("store.url", s3.endpoint().toString());
    c.put("aws.access.key.id", s3.accessKey());
    c.put("aws.secret.access.key", s3.secretKey());
    c.put("s3.part.retries", "1");
    c.put("s3.retry.backoff.ms", "10");
    c.put("rotate.schedule.interval.ms", "-1");
    c.put("rotate.idle.ms", "-1");
    c.put("consumer.override.max.poll.records", "200");
    return c;
  }

  void send(String topic, int partition, String key, String value) {
    producer.send(
        new ProducerRecord<>(
            topic,
            partition,
            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
            value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Sets {@code c} to send bad records to {@code dlqTopic}, with the worker's error context in
   * their headers.
   */
  static void deadLetterQueue(Map<String, String> c, String dlqTopic) {
    c.put("errors.tolerance", "all");
    c.put("errors.deadletterqueue.topic.name", dlqTopic);
    c.put("errors.deadletterqueue.topic.replication.factor", "1");
    c.put("errors.deadletterqueue.context.headers.enable", "true");
  }

  /**
   * Waits for {@code count} records on a dead letter queue; returns the reason the worker gave, by
   * source offset.
   */
  Map<Long, String> deadLetterReasons(String dlqTopic, int count, Duration timeout) {
    Map<Long, String> reasons = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r :
        connect.cluster().kafka().consume(count, timeout.toMillis(), dlqTopic)) {
      reasons.put(
          Long.parseLong(header(r.headers(), "__connect.errors.offset")),
          header(r.headers(), "__connect.errors.exception.message"));
    }
    return reasons;
  }

  private static String header(Headers headers, String name) {
    return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  S3Client client() {
    return s3.client();
  }

  List<String> keys(String bucket, String prefix) {
    return S3Objects.keys(s3.client(), bucket, prefix);
  }

  byte[] get(String bucket, String key) {
    try {
      return S3Objects.get(s3.client(), bucket, key);
    } catch (RuntimeException e) {
      throw new AssertionError(
          "Cannot read s3://"
              + bucket
              + "/"
              + key
              + ": "
              + e.getMessage()
              + "; objects: "
              + keys(bucket, ""),
          e);
    }
  }

  void put(String bucket, String key, byte[] bytes) {
    s3.client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
  }

  /** All commit markers of a topic, keyed by marker key (sorted). */
  TreeMap<String, CommitMarker> markers(String bucket, String topic) {
    TreeMap<String, CommitMarker> out = new TreeMap<>();
    for (String k : keys(bucket, "_redstage/markers/" + topic + "/")) {
      out.put(k, MarkerCodec.fromJson(get(bucket, k), k));
    }
    return out;
  }

  /**
   * Waits until the markers of {@code topic} cover offsets 0..endExclusive-1 of every partition.
   */
  TreeMap<String, CommitMarker> awaitCovered(
      String bucket, String topic, Map<Integer, Long> endExclusive, Duration timeout) {
    // S3Proxy's in-memory store can list an object whose PUT is still in flight (a GET then answers
    // 404),
    // so a failed read while polling means "not yet", not a failure.
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(
            () -> {
              Map<Integer, Long> covered = new HashMap<>();
              for (CommitMarker m : markers(bucket, topic).values()) {
                covered.merge(m.partition(), m.endOffset() + 1, Math::max);
              }
              for (Map.Entry<Integer, Long> e : endExclusive.entrySet()) {
                if (covered.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                  return false;
                }
              }
              return true;
            });
    return markers(bucket, topic);
  }

  @Override
  public void close() {
    try {
      producer.close();
    } finally {
      try {
        connect.close();
      } finally {
        s3.close();
      }
    }
  }
}
