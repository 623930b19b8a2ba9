package io.redstage.connector.commit;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * preCommit does not wait for commits still running; tests that check what every closed unit
 * committed call it until none is pending, as the worker's periodic offset commits would.
 */
final class SettledCommits {
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private SettledCommits() {}

  /**
   * Calls {@link StagingCommitter#committedOffsets()} until every closed unit's commit has ended;
   * returns its last answer. What it throws (a failed commit) is thrown from here.
   */
  static Map<TopicPartition, OffsetAndMetadata> offsets(StagingCommitter committer) {
    AtomicReference<Map<TopicPartition, OffsetAndMetadata>> last = new AtomicReference<>();
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              last.set(committer.committedOffsets());
              return committer.pendingCommits() == 0;
            });
    return last.get();
  }
}
