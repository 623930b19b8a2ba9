package io.redstage.loader.types;

import static org.awaitility.Awaitility.await;

import io.redstage.connector.RedstageS3SinkTask;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * Drives the real sink task the way a Connect worker does (start, open, put, preCommit until the
 * records are committed, stop), without a worker: the matrix needs Connect schemas built by hand,
 * which no converter on Maven Central produces.
 */
final class SinkTaskRun {
  private SinkTaskRun() {}

  /**
   * Writes {@code records} (one partition, offsets from 0) with the task configured by {@code
   * props} and waits until their unit is committed (marker written, offsets reported).
   */
  static void commit(Map<String, String> props, List<SinkRecord> records, Duration timeout) {
    SinkRecord first = records.get(0);
    TopicPartition tp = new TopicPartition(first.topic(), first.kafkaPartition());
    long end = records.get(records.size() - 1).kafkaOffset() + 1;
    RedstageS3SinkTask task = new RedstageS3SinkTask();
    task.initialize(new NoRewindContext());
    task.start(props);
    try {
      task.open(Set.of(tp));
      task.put(records);
      await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                OffsetAndMetadata o = task.preCommit(Map.of()).get(tp);
                return o != null && o.offset() == end;
              });
    } finally {
      task.stop();
    }
  }

  /**
   * A worker context without a dead letter queue; a rewind means a write failed: the test fails.
   */
  private static final class NoRewindContext implements SinkTaskContext {
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
