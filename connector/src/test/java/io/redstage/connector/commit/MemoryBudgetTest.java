package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import io.redstage.sandbox.s3.LocalS3;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The task-wide memory budget counts what open files really hold, not only their buffered data. */
class MemoryBudgetTest {
  static final String BUCKET = "memory-budget";
  static LocalS3 s3;

  @BeforeAll
  static void start() {
    s3 =
        LocalS3.start(
            LocalS3.Options.inMemory().buckets(BUCKET, BUCKET + "-held", BUCKET + "-batches"));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @Test
  void manyOpenParquetFilesHoldingFewRowsStayOpen() {
    // 300 partitions with one record each: every file holds its encoded row and no encoder until
    // its unit commits (about 3 KB per file), so 300 open files fit an 8 MiB budget. An encoder
    // per open file (7 columns x 26 KB) would need about 55 MiB.
    Map<String, String> props = parquetWithin8MiB(BUCKET);

    Map<TopicPartition, OffsetAndMetadata> committed = putOneRecordPerPartition(props, 300);

    assertThat(S3Objects.markers(s3.client(), BUCKET, "_redstage/markers/")).isEmpty();
    assertThat(committed).isEmpty();
  }

  @Test
  void heldRowsOverTheBudgetTriggerTheMemoryRule() {
    // 8 partitions x 50,000 rows of about 25 encoded bytes (plus chunk slack) hold over 10 MB,
    // over the 8 MiB budget: the rule commits the largest units until they are under 3/4 of it.
    Map<String, String> props = parquetWithin8MiB(BUCKET + "-held");
    List<SinkRecord> records = new ArrayList<>();
    Set<TopicPartition> tps = new HashSet<>();
    for (int p = 0; p < 8; p++) {
      for (int i = 0; i < 50_000; i++) {
        records.add(LocalS3Tasks.record(p, i));
      }
      tps.add(new TopicPartition("events", p));
    }

    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(props, new NoRewindSinkTaskContext(), tps, records);

    List<CommitMarker> markers =
        S3Objects.markers(s3.client(), BUCKET + "-held", "_redstage/markers/");
    assertThat(markers)
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m.rotationReason()).isEqualTo("memory.buffer.max.bytes"));
    assertThat(committed).hasSize(markers.size());
  }

  @Test
  void theBudgetCountsPartitionsTheLastBatchDidNotTouch() {
    // The same 8 x 50,000 rows, but each batch holds 10,000 rows of one partition, partition after
    // partition: one partition's unit (about 1.3 MB) never fills the 8 MiB budget, only all of them
    // together do. The task keeps a running total of its open units from the partitions each batch
    // touched; this fails if it forgets the others.
    Map<String, String> props = parquetWithin8MiB(BUCKET + "-batches");
    Set<TopicPartition> tps = new HashSet<>();
    for (int p = 0; p < 8; p++) {
      tps.add(new TopicPartition("events", p));
    }
    List<List<SinkRecord>> batches = new ArrayList<>();
    for (int p = 0; p < 8; p++) {
      for (int from = 0; from < 50_000; from += 10_000) {
        List<SinkRecord> batch = new ArrayList<>();
        for (int i = from; i < from + 10_000; i++) {
          batch.add(LocalS3Tasks.record(p, i));
        }
        batches.add(batch);
      }
    }
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommitBatches(props, new NoRewindSinkTaskContext(), tps, batches);

    List<CommitMarker> markers =
        S3Objects.markers(s3.client(), BUCKET + "-batches", "_redstage/markers/");
    assertThat(markers)
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m.rotationReason()).isEqualTo("memory.buffer.max.bytes"));
    assertThat(committed).hasSize(markers.size());
  }

  /** A Parquet task into {@code bucket} whose memory budget is 8 MiB. */
  private static Map<String, String> parquetWithin8MiB(String bucket) {
    Map<String, String> props = LocalS3Tasks.props(s3, bucket);
    props.put("format.class", "parquet");
    props.put("memory.buffer.max.bytes", Long.toString(8L << 20));
    return props;
  }

  private static Map<TopicPartition, OffsetAndMetadata> putOneRecordPerPartition(
      Map<String, String> props, int partitions) {
    List<SinkRecord> records = new ArrayList<>();
    Set<TopicPartition> tps = new HashSet<>();
    for (int p = 0; p < partitions; p++) {
      records.add(LocalS3Tasks.record(p, 0));
      tps.add(new TopicPartition("events", p));
    }
    return LocalS3Tasks.putAndCommit(props, new NoRewindSinkTaskContext(), tps, records);
  }
}
