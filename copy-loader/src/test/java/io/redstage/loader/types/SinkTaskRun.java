package io.redstage.loader.types;

import static org.awaitility.Awaitility.await;

import io.redstage.connector.RedstageS3SinkTask;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Drives the real sink task the way a Connect worker does (start, open, put, preCommit until the
 * records are committed, stop), without a worker: the matrix needs Connect schemas built by hand,
 * which no converter on Maven Central produces.
 */
public final class SinkTaskRun {
  private SinkTaskRun() {}

  /**
   * Writes {@code records} (in offset order per partition) with a task configured by {@code props}
   * and waits until every partition's records are committed (markers written, offsets reported):
   * the rotation settings in {@code props} must close the last unit (e.g. flush.size dividing the
   * record count).
   */
  public static void commit(Map<String, String> props, List<SinkRecord> records, Duration timeout) {
    Map<TopicPartition, Long> ends = new HashMap<>();
    for (SinkRecord r : records) {
      ends.put(new TopicPartition(r.topic(), r.kafkaPartition()), r.kafkaOffset() + 1);
    }
    RedstageS3SinkTask task = new RedstageS3SinkTask();
    task.initialize(new NoRewindSinkTaskContext());
    task.start(props);
    try {
      task.open(ends.keySet());
      task.put(records);
      await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                Map<TopicPartition, OffsetAndMetadata> committed = task.preCommit(Map.of());
                return ends.entrySet().stream()
                    .allMatch(
                        e ->
                            committed.get(e.getKey()) != null
                                && committed.get(e.getKey()).offset() == e.getValue());
              });
    } finally {
      task.stop();
    }
  }
}
