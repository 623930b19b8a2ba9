package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.connector.config.SinkConfig;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import io.redstage.sandbox.s3.LocalS3;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Records of a partition the task does not hold, on workers that do not give the sink the consumed
 * coordinates (before Kafka Connect 3.6, e.g. MSK Connect on 2.7.1). A worker before 3.0.1 with a
 * cooperative assignor closes all of the task's partitions at a rebalance, reopens only the added
 * ones and keeps delivering the others (KAFKA-12487): the error must say that, not blame a
 * transform, which stays the explanation for a partition the task never held.
 */
class ClosedPartitionRecordsTest {
  static final String BUCKET = "closed-partitions";
  static final TopicPartition P0 = new TopicPartition("events", 0);
  static final TopicPartition P1 = new TopicPartition("events", 1);
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
  void aRecordOfAPartitionClosedAndNotReopenedNamesTheCooperativeAssignorBug() {
    StagingCommitter committer = committer("2.7.1");
    try {
      committer.open(List.of(P0, P1));
      committer.put(List.of(LocalS3Tasks.record(0, 4)));
      // what a 2.7.1 worker does when a cooperative rebalance revokes another task's partition
      committer.close(List.of(P0, P1));
      committer.open(List.of());

      assertThatThrownBy(() -> committer.put(List.of(LocalS3Tasks.record(0, 5))))
          .isInstanceOf(ConnectException.class)
          .hasMessageStartingWith(
              "Cannot write record events/0/5: this task closed topic-partition events-0 at a "
                  + "rebalance and was not given it again, yet the worker still delivers its records. "
                  + "Kafka Connect workers before 3.0.1 (this one runs Kafka 2.7.1) do this with a "
                  + "cooperative consumer assignor")
          .hasMessageContaining("(KAFKA-12487)")
          .hasMessageContaining("remove consumer.override.partition.assignment.strategy")
          .hasMessageEndingWith("upgrade the worker to Kafka Connect 3.0.1 or later.")
          .hasMessageNotContaining("transform");
    } finally {
      committer.stop();
    }
  }

  @Test
  void aRecordOfAPartitionNeverAssignedStillNamesATransform() {
    StagingCommitter committer = committer("2.7.1");
    try {
      committer.open(List.of(P0, P1));
      committer.close(List.of(P0, P1));
      committer.open(List.of());

      assertThatThrownBy(() -> committer.put(List.of(LocalS3Tasks.record(2, 7))))
          .isInstanceOf(ConnectException.class)
          .hasMessageStartingWith(
              "Cannot write record events/2/7: this task was not assigned its topic-partition")
          .hasMessageContaining("A transform (SMT) changed the record's topic or partition");
    } finally {
      committer.stop();
    }
  }

  @Test
  void onAWorkerThatReopensWhatItClosesOnlyATransformCanSendSuchARecord() {
    // 3.0.1 to 3.5: KAFKA-12487 fixed, consumed coordinates not yet given to the sink
    StagingCommitter committer = committer("3.2.0");
    try {
      committer.open(List.of(P0, P1));
      committer.close(List.of(P0, P1));
      committer.open(List.of(P1));

      assertThatThrownBy(() -> committer.put(List.of(LocalS3Tasks.record(0, 5))))
          .hasMessageStartingWith(
              "Cannot write record events/0/5: this task was not assigned its topic-partition "
                  + "(it has ['events-1'])")
          .hasMessageContaining("A transform (SMT)");
    } finally {
      committer.stop();
    }
  }

  /**
   * A task on topics.regex sees topics come and go: it keeps no trace of the partitions it gave up
   * for good, on a worker that may deliver closed partitions (it kept every one) and on later ones
   * (which never deliver them).
   */
  @Test
  void partitionsRevokedForGoodAreNotKept() {
    for (String worker : List.of("2.7.1", "3.2.0", "3.6.0")) {
      Set<TopicPartition> assigned = new HashSet<>();
      StagingCommitter committer =
          StagingCommitter.create(
              new SinkConfig(LocalS3Tasks.props(s3, BUCKET)), consumerHolding(assigned));
      committer.assumeWorker(worker, worker.equals("3.6.0"));
      try {
        TopicPartition held = null;
        for (int i = 0; i < 1000; i++) {
          // an eager rebalance: all revoked, then the new assignment
          if (held != null) {
            committer.close(List.of(held));
          }
          held = new TopicPartition("orders-" + i, 0);
          assigned.clear();
          assigned.add(held);
          committer.open(List.of(held));
          assertThat(committer.closedNotReopenedCount()).as(worker).isZero();
        }
        committer.close(List.of(held));
        assertThat(committer.closedNotReopenedCount())
            .as(worker)
            .isEqualTo(worker.equals("2.7.1") ? 1 : 0);
      } finally {
        committer.stop();
      }
    }
  }

  @Test
  void aPartitionOpenedAgainTakesItsRecords() {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("topics.dir", "reopened/topics");
    props.put("markers.dir", "reopened/markers");
    props.put("flush.size", "1");
    StagingCommitter committer = committer(props, "2.7.1");
    try {
      committer.open(List.of(P0, P1));
      committer.close(List.of(P0, P1));
      committer.open(List.of(P0, P1)); // an eager rebalance gives the task both back

      committer.put(List.of(LocalS3Tasks.record(0, 5), LocalS3Tasks.record(1, 9)));
      assertThat(SettledCommits.offsets(committer))
          .containsOnly(
              Map.entry(P0, new OffsetAndMetadata(6)), Map.entry(P1, new OffsetAndMetadata(10)));
    } finally {
      committer.stop();
    }
  }

  private static StagingCommitter committer(String workerVersion) {
    return committer(LocalS3Tasks.props(s3, BUCKET), workerVersion);
  }

  /**
   * A task whose worker's consumer holds P0 and P1 all along, as a worker before 3.0.1 does when a
   * cooperative rebalance closes them and keeps them assigned.
   */
  private static StagingCommitter committer(Map<String, String> props, String workerVersion) {
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props), consumerHolding(Set.of(P0, P1)));
    committer.assumeWorker(workerVersion, false);
    return committer;
  }

  /** A worker's context whose consumer holds {@code assigned}. */
  private static SinkTaskContext consumerHolding(Set<TopicPartition> assigned) {
    return new NoRewindSinkTaskContext() {
      @Override
      public Set<TopicPartition> assignment() {
        return assigned;
      }
    };
  }
}
