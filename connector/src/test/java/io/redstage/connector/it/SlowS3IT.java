package io.redstage.connector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.contract.CommitMarker;
import io.redstage.sandbox.s3.FaultRule;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real worker against an S3 that takes longer to store markers than the consumer's poll interval:
 * the task pauses its partitions instead of holding put() until the commits fit, so its consumer
 * keeps polling and stays in the group (no rebalance), and every record still lands once.
 */
class SlowS3IT {
  private static final String BUCKET = "slow-s3";
  private static final String TOPIC = "clicks";
  private static final String NAME = "clicks-sink";
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static PipelineFixture fx;

  @BeforeAll
  static void start() {
    fx = new PipelineFixture(BUCKET);
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void theTaskPausesForASlowS3AndItsConsumerKeepsItsPlaceInTheGroup() throws Exception {
    fx.connect.createTopic(TOPIC, 2);
    Map<String, String> c = jsonLines(TOPIC, 10);
    c.put("memory.buffer.max.bytes", Integer.toString(8 * 1024 * 1024));
    // a consumer that does not poll for 10 s leaves the group; put() may wait a third of it
    c.put("consumer.override.max.poll.interval.ms", "10000");
    // the first marker of each partition takes 25 s: the units behind it, 18 MB, wait that long
    FaultRule slowMarkers =
        fx.s3
            .faults()
            .delayNext(
                2,
                Duration.ofSeconds(25),
                RequestMatcher.operations(ObjectOperation.PUT_OBJECT)
                    .keyPrefix("_redstage/markers/" + TOPIC + "/"));
    assertThat(fx.connect.createConnector(NAME, c)).isEqualTo(201);
    fx.connect.awaitRunning(NAME, 1, WAIT);

    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fx.connect.bootstrapServers()))) {
      String group = "connect-" + NAME;
      String pad = "x".repeat(60_000);
      for (int i = 0; i < 150; i++) {
        for (int p = 0; p < 2; p++) {
          fx.send(TOPIC, p, null, "{\"n\":" + i + ",\"pad\":\"" + pad + "\"}");
        }
      }
      fx.producer.flush();
      Set<String> first =
          await().atMost(WAIT).until(() -> members(admin, group), members -> members.size() == 1);

      TreeMap<String, CommitMarker> markers =
          fx.awaitCovered(BUCKET, TOPIC, Map.of(0, 150L, 1, 150L), WAIT);
      assertThat(slowMarkers.fired()).isEqualTo(2);
      assertThat(members(admin, group))
          .as("the consumer polled in time all along: the same member, no rebalance")
          .isEqualTo(first);
      assertThat(markers.values().stream().mapToLong(CommitMarker::recordCount).sum())
          .as("every record once")
          .isEqualTo(300);
    }
  }

  /**
   * Files larger than a part stream their full parts while they are written: a part S3 is slow to
   * take no longer holds put() (the next part used to wait for it on the task thread, past the poll
   * interval); the parts queue behind it, put() waits for them no longer than a third of the
   * interval, and the task pauses its partitions until they go out.
   */
  @Test
  void slowPartsOfStreamedFilesDoNotHoldPutAndTheConsumerKeepsItsPlaceInTheGroup()
      throws Exception {
    String topic = "views";
    String name = "views-sink";
    fx.connect.createTopic(topic, 2);
    Map<String, String> c = jsonLines(topic, 200);
    c.put("s3.part.size", Integer.toString(5 * 1024 * 1024));
    // room for the parts queued behind the slow ones: no file closes early for memory
    c.put("memory.buffer.max.bytes", Integer.toString(32 * 1024 * 1024));
    c.put("consumer.override.max.poll.interval.ms", "10000");
    // the first part of each partition's file takes 25 s; the file fills more behind it
    FaultRule slowParts =
        fx.s3
            .faults()
            .delayNext(
                2, Duration.ofSeconds(25), RequestMatcher.operations(ObjectOperation.UPLOAD_PART));
    assertThat(fx.connect.createConnector(name, c)).isEqualTo(201);
    fx.connect.awaitRunning(name, 1, WAIT);

    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fx.connect.bootstrapServers()))) {
      String group = "connect-" + name;
      String pad = "x".repeat(60_000);
      // 200 records of 60 KB per partition: one file of about 12 MB each
      for (int i = 0; i < 200; i++) {
        for (int p = 0; p < 2; p++) {
          fx.send(topic, p, null, "{\"n\":" + i + ",\"pad\":\"" + pad + "\"}");
        }
      }
      fx.producer.flush();
      Set<String> first =
          await().atMost(WAIT).until(() -> members(admin, group), members -> members.size() == 1);

      TreeMap<String, CommitMarker> markers =
          fx.awaitCovered(BUCKET, topic, Map.of(0, 200L, 1, 200L), WAIT);
      assertThat(slowParts.fired()).isEqualTo(2);
      assertThat(members(admin, group))
          .as("the consumer polled in time all along: the same member, no rebalance")
          .isEqualTo(first);
      assertThat(markers.values().stream().mapToLong(CommitMarker::recordCount).sum())
          .as("every record once")
          .isEqualTo(400);
    }
  }

  /**
   * A commit that fails while another partition's commit is held up by S3: the failed partition is
   * rewound at once and the other paused until its commit ends, then rewound after it. The put that
   * found the failure used to wait for the held commit on the task thread, past the poll interval,
   * and the consumer left the group.
   */
  @Test
  void aRewindDoesNotWaitForAnotherPartitionsSlowCommit() throws Exception {
    String topic = "taps";
    String name = "taps-sink";
    fx.connect.createTopic(topic, 2);
    Map<String, String> c = jsonLines(topic, 10);
    c.put("s3.retry.backoff.ms", "1");
    c.put("consumer.override.max.poll.interval.ms", "10000");
    String markers = "_redstage/markers/" + topic + "/";
    // partition 1's first marker takes 25 s; partition 0's first fails, retries included (4 calls)
    FaultRule slowMarker =
        fx.s3
            .faults()
            .delayNext(
                1,
                Duration.ofSeconds(25),
                RequestMatcher.operations(ObjectOperation.PUT_OBJECT)
                    .keyPrefix(markers + "0000000001/"));
    FaultRule failedMarker =
        fx.s3
            .faults()
            .failNext(
                4,
                S3Fault.INTERNAL_ERROR,
                RequestMatcher.operations(ObjectOperation.PUT_OBJECT)
                    .keyPrefix(markers + "0000000000/"));
    assertThat(fx.connect.createConnector(name, c)).isEqualTo(201);
    fx.connect.awaitRunning(name, 1, WAIT);

    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, fx.connect.bootstrapServers()))) {
      String group = "connect-" + name;
      for (int i = 0; i < 100; i++) {
        for (int p = 0; p < 2; p++) {
          fx.send(topic, p, null, "{\"n\":" + i + "}");
        }
      }
      fx.producer.flush();
      Set<String> first =
          await().atMost(WAIT).until(() -> members(admin, group), members -> members.size() == 1);

      TreeMap<String, CommitMarker> written =
          fx.awaitCovered(BUCKET, topic, Map.of(0, 100L, 1, 100L), WAIT);
      assertThat(failedMarker.fired()).isEqualTo(4);
      assertThat(slowMarker.fired()).isEqualTo(1);
      assertThat(members(admin, group))
          .as("the consumer polled in time all along: the same member, no rebalance")
          .isEqualTo(first);
      assertThat(written.values().stream().mapToLong(CommitMarker::recordCount).sum())
          .as("every record once")
          .isEqualTo(200);
    }
  }

  /** The connector's config for schemaless JSON records of {@code topic} in JSON Lines units. */
  private static Map<String, String> jsonLines(String topic, int flushSize) {
    Map<String, String> c = fx.baseConfig(topic, BUCKET);
    c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    c.put("value.converter.schemas.enable", "false");
    c.put("format.class", "jsonl");
    c.put("flush.size", Integer.toString(flushSize));
    return c;
  }

  private static Set<String> members(Admin admin, String group) throws Exception {
    ConsumerGroupDescription d =
        admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    return d.members().stream().map(MemberDescription::consumerId).collect(Collectors.toSet());
  }
}
