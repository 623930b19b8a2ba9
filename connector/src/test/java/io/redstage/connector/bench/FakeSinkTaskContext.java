package io.redstage.connector.bench;

import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * What a worker gives a sink task, reduced to recording: the task's configs and assignment, and
 * rewinds ({@code offset}), kept rather than failing so that the benchmark can check none happened;
 * there is no dead letter queue (a bad record fails the task).
 */
final class FakeSinkTaskContext extends NoRewindSinkTaskContext {
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
  public Set<TopicPartition> assignment() {
    return Collections.unmodifiableSet(assignment);
  }
}
