package io.redstage.connector.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * What a worker gives a sink task, reduced to recording: rewinds ({@code offset}) are kept so the
 * benchmark can check none happened; there is no dead letter queue (a bad record fails the task).
 */
final class FakeSinkTaskContext implements SinkTaskContext {
  private final Map<String, String> configs;
  private final Set<TopicPartition> assignment = new HashSet<>();
  final List<Map<TopicPartition, Long>> rewinds = new ArrayList<>();

  FakeSinkTaskContext(Map<String, String> configs) {
    this.configs = Collections.unmodifiableMap(new HashMap<>(configs));
  }

  void assign(Set<TopicPartition> partitions) {
    assignment.addAll(partitions);
  }

  @Override
  public Map<String, String> configs() {
    return configs;
  }

  @Override
  public void offset(Map<TopicPartition, Long> offsets) {
    rewinds.add(new HashMap<>(offsets));
  }

  @Override
  public void offset(TopicPartition tp, long offset) {
    rewinds.add(Map.of(tp, offset));
  }

  @Override
  public void timeout(long timeoutMs) {}

  @Override
  public Set<TopicPartition> assignment() {
    return Collections.unmodifiableSet(assignment);
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
