package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import io.redstage.sandbox.s3.LocalS3;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Offsets a partition never delivers (transaction markers, records compaction removed) between two
 * units: the later unit starts right after the earlier one, so that the loader keeps one interval
 * per partition instead of one per unit. Only the first unit after the task starts begins at its
 * first record.
 */
class OffsetGapsTest {
  static final String BUCKET = "offset-gaps";
  static final TopicPartition TP = new TopicPartition("events", 0);
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
  void aUnitAfterUndeliveredOffsetsStartsRightAfterThePreviousUnit() {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("flush.size", "3");
    // 5 is where the task resumed; 8 and 12-13 are never delivered (commit markers of transactions)
    List<Long> offsets = List.of(5L, 6L, 7L, 9L, 10L, 11L, 14L, 15L, 16L);
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(
            props,
            new NoRewindSinkTaskContext(),
            Set.of(TP),
            offsets.stream().map(o -> LocalS3Tasks.record(0, o)).toList());

    assertThat(committed).containsEntry(TP, new OffsetAndMetadata(17));
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, "_redstage/markers/");
    assertThat(markers)
        .extracting(CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::recordCount)
        .containsExactly(tuple(5L, 7L, 3L), tuple(8L, 11L, 3L), tuple(12L, 16L, 3L));
  }
}
