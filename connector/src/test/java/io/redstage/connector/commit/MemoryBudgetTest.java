package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.sandbox.s3.LocalS3;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The task-wide memory budget counts what open files really hold, not only their buffered data. */
class MemoryBudgetTest {
  static final String BUCKET = "memory-budget";
  static LocalS3 s3;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @Test
  void manyOpenParquetFilesWithLittleDataTriggerTheMemoryRule() {
    // 60 partitions with one record each buffer a few KB of data, but every open Parquet file holds
    // its
    // per-column writers (7 columns x 26 KB) and a part buffer (8 KB): about 11 MiB, over the 8 MiB
    // budget.
    // Counting the buffered data and part buffers alone (under 4 MiB), the rule would never fire.
    int partitions = 60;
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("format.class", "parquet");
    props.put("parquet.row.group.size.bytes", Integer.toString(1 << 20));
    props.put("memory.buffer.max.bytes", Long.toString(8L << 20));
    List<SinkRecord> records = new ArrayList<>();
    Set<TopicPartition> tps = new HashSet<>();
    for (int p = 0; p < partitions; p++) {
      SinkRecord r = OpenFileHeapTest.record(0);
      // a new record, not newRecord(): that keeps the original topic-partition, which the task
      // commits under
      records.add(
          new SinkRecord(
              "events",
              p,
              null,
              null,
              r.valueSchema(),
              r.value(),
              0,
              r.timestamp(),
              r.timestampType()));
      tps.add(new TopicPartition("events", p));
    }
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(props, new NoDlqContext(), tps, records);

    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, "_redstage/markers/");
    // The rule closes units until the estimate is under 3/4 of the budget: at most 6 MiB / 190 KB =
    // 33 stay open.
    assertThat(markers)
        .hasSizeGreaterThanOrEqualTo(partitions - 33)
        .allSatisfy(
            m -> {
              assertThat(m.rotationReason()).isEqualTo("memory.buffer.max.bytes");
              assertThat(m.recordCount()).isEqualTo(1);
            });
    assertThat(committed)
        .hasSize(markers.size())
        .allSatisfy((tp, offset) -> assertThat(offset.offset()).isEqualTo(1));
  }

  /** A worker context without a dead letter queue; this test never rewinds or pauses. */
  static class NoDlqContext implements SinkTaskContext {
    @Override
    public Map<String, String> configs() {
      return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
      throw new AssertionError("unexpected rewind to " + offsets);
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
      throw new AssertionError("unexpected rewind of " + tp + " to " + offset);
    }

    @Override
    public void timeout(long timeoutMs) {}

    @Override
    public Set<TopicPartition> assignment() {
      return Set.of();
    }

    @Override
    public void pause(TopicPartition... partitions) {}

    @Override
    public void resume(TopicPartition... partitions) {}

    @Override
    public void requestCommit() {}

    @Override
    public ErrantRecordReporter errantRecordReporter() {
      return null;
    }
  }
}
