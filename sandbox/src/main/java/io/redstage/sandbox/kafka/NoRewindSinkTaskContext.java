package io.redstage.sandbox.kafka;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * A worker's context for tests that drive a sink task or its committer themselves: no dead letter
 * queue, no assignment, and a rewind (which a sink task asks for when a write failed) fails the
 * test. Subclasses add a reporter or record calls.
 */
public class NoRewindSinkTaskContext implements SinkTaskContext {
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
