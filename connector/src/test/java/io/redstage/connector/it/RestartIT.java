package io.redstage.connector.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerFile;
import io.redstage.sandbox.s3.FaultRule;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stops and restarts the task and the worker mid-stream, and fails the commit-marker write once
 * after the unit's files are complete. Afterwards every offset lies in exactly one committed unit
 * (boundaries are deterministic with flush.size, so replays reproduce the same units), committed
 * files never changed bytes, and every marker matches its files.
 */
class RestartIT {
  private static final String BUCKET = "restarts";
  private static final String TOPIC = "orders";
  private static final String NAME = "orders-sink";
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int PARTITIONS = 2;
  private static PipelineFixture fx;
  private final Map<Integer, Long> produced = new HashMap<>();

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

  private void produce(int perPartition) {
    for (int p = 0; p < PARTITIONS; p++) {
      long next = produced.getOrDefault(p, 0L);
      for (int i = 0; i < perPartition; i++) {
        fx.send(TOPIC, p, "k", Records.adEvent(next * PARTITIONS + p, false));
        next++;
      }
      produced.put(p, next);
    }
    fx.producer.flush();
  }

  private Map<String, byte[]> snapshotFiles(TreeMap<String, CommitMarker> markers) {
    Map<String, byte[]> out = new HashMap<>();
    for (CommitMarker m : markers.values()) {
      for (MarkerFile f : m.files()) {
        out.put(f.key(), fx.get(BUCKET, f.key()));
      }
    }
    return out;
  }

  @Test
  void restartsAndAFailedMarkerWriteLeaveExactlyOneUnitPerOffset() throws Exception {
    fx.connect.createTopic(TOPIC, PARTITIONS);
    Map<String, String> c = fx.baseConfig(TOPIC, BUCKET);
    c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    c.put("value.converter.schemas.enable", "true");
    c.put("flush.size", "40");
    assertThat(fx.connect.createConnector(NAME, c)).isEqualTo(201);

    produce(200);
    Map<String, byte[]> early =
        snapshotFiles(fx.awaitCovered(BUCKET, TOPIC, Map.of(0, 200L, 1, 200L), WAIT));

    // 1. restart the task through the REST API while records keep arriving
    produce(100);
    assertThat(fx.connect.restartTask(NAME, 0)).isIn(200, 202, 204);
    produce(100);
    fx.connect.awaitRunning(NAME, 1, WAIT);
    fx.awaitCovered(BUCKET, TOPIC, Map.of(0, 400L, 1, 400L), WAIT);

    // 2. replace the worker mid-stream
    produce(120);
    fx.connect.restartWorker();
    fx.connect.awaitRunning(NAME, 1, WAIT);
    produce(80);
    fx.awaitCovered(BUCKET, TOPIC, Map.of(0, 600L, 1, 600L), WAIT);

    // 3. the next marker write fails after its files are complete (1 attempt + 1 SDK retry = 2
    // failures)
    FaultRule markerFault =
        fx.s3
            .faults()
            .failNext(
                2,
                S3Fault.INTERNAL_ERROR,
                RequestMatcher.operations(ObjectOperation.PUT_OBJECT)
                    .keyPrefix("_redstage/markers/" + TOPIC + "/"));
    produce(200);
    TreeMap<String, CommitMarker> markers =
        fx.awaitCovered(BUCKET, TOPIC, Map.of(0, 800L, 1, 800L), WAIT);
    assertThat(markerFault.fired()).isEqualTo(2);

    for (int p = 0; p < PARTITIONS; p++) {
      List<CommitMarker> units = new ArrayList<>();
      for (CommitMarker m : markers.values()) {
        if (m.partition() == p) {
          units.add(m);
        }
      }
      long expectedStart = 0;
      for (CommitMarker m : units) { // sorted by start offset through the marker keys
        assertThat(m.startOffset())
            .as("partition %d: no gap and no overlap", p)
            .isEqualTo(expectedStart);
        assertThat(m.endOffset() - m.startOffset() + 1).isEqualTo(40);
        expectedStart = m.endOffset() + 1;
        MarkerFile f = m.files().get(0);
        byte[] bytes = fx.get(BUCKET, f.key());
        assertThat((long) bytes.length).isEqualTo(f.bytes());
        List<GenericRecord> rows = FileReaders.parquet(bytes);
        assertThat(rows)
            .extracting(r -> (Long) r.get("kafka_offset"))
            .containsExactlyElementsOf(range(m.startOffset(), m.endOffset()));
      }
      assertThat(expectedStart).isEqualTo(produced.get(p));
    }
    for (Map.Entry<String, byte[]> e : early.entrySet()) {
      assertThat(fx.get(BUCKET, e.getKey()))
          .as("bytes of " + e.getKey() + " never change")
          .isEqualTo(e.getValue());
    }
    assertThat(fx.keys(BUCKET, "topics/" + TOPIC + "/"))
        .as("no orphan data files")
        .hasSize(markers.size());
    fx.connect.deleteConnector(NAME);
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }
}
