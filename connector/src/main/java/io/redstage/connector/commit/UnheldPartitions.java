package io.redstage.connector.commit;

import io.redstage.connector.format.KafkaCoordinates;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Records of a partition the task holds no writer for. On a worker that gives the sink the consumed
 * coordinates (Kafka Connect 3.6 on) the task takes them, opening a writer. On an older one either
 * a transform renamed the record's topic or partition, or the worker kept delivering a partition it
 * closed (KAFKA-12487, before 3.0.1): the task stops, saying which. Owned by the task thread.
 */
final class UnheldPartitions {
  /**
   * Whether records carry their consumed coordinates and which Kafka the worker runs: the worker's,
   * but a test of an older worker's checks sets them ({@link #assumeWorker}).
   */
  private boolean consumedCoordinatesKnown = KafkaCoordinates.consumedCoordinatesKnown();

  private String workerVersion = KafkaCoordinates.workerVersion();

  /**
   * Partitions closed and not opened again since, kept only on a worker that may deliver them, and
   * only while its consumer still holds them: a task on topics.regex that sees topics come and go
   * would otherwise keep every partition it ever gave up.
   */
  private final Set<TopicPartition> closedNotReopened = new HashSet<>();

  /** Takes the checks of a worker of {@code kafkaVersion} (a test of an older worker's). */
  void assumeWorker(String kafkaVersion, boolean consumedCoordinatesKnown) {
    this.workerVersion = kafkaVersion;
    this.consumedCoordinatesKnown = consumedCoordinatesKnown;
  }

  /** The task closed {@code tp}. */
  void closed(TopicPartition tp) {
    if (!consumedCoordinatesKnown && KafkaCoordinates.mayDeliverClosedPartitions(workerVersion)) {
      closedNotReopened.add(tp);
    }
  }

  /**
   * The task opened {@code partitions}; {@code assignment} is the consumer's now. open() comes with
   * every assignment that adds partitions, and the consumer delivers none it no longer holds.
   */
  void opened(Collection<TopicPartition> partitions, Supplier<Set<TopicPartition>> assignment) {
    closedNotReopened.removeAll(partitions);
    if (!closedNotReopened.isEmpty()) {
      closedNotReopened.retainAll(assignment.get());
    }
  }

  /**
   * Admits {@code r}, of partition {@code tp} without a writer, when the worker gives the consumed
   * coordinates; otherwise throws the error that stops the task ({@code held}: the partitions with
   * a writer, which it names).
   */
  void admit(SinkRecord r, TopicPartition tp, Collection<TopicPartition> held) {
    if (consumedCoordinatesKnown) {
      return;
    }
    // a partition closed and not reopened is the worker's doing on one before 3.0.1 (closed()
    // keeps none on a later one, where only a transform can have sent the record here)
    if (closedNotReopened.contains(tp)) {
      throw KafkaCoordinates.closedButDelivered(r, workerVersion);
    }
    throw KafkaCoordinates.notAssigned(r, held);
  }

  /** How many partitions it keeps as closed and not opened again (for tests). */
  int closedNotReopened() {
    return closedNotReopened.size();
  }

  void clear() {
    closedNotReopened.clear();
  }
}
