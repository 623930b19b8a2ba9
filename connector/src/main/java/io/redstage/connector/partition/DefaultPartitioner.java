package io.redstage.connector.partition;

import org.apache.kafka.connect.sink.SinkRecord;

/**
 * {@code partition=<Kafka partition>}: one directory per Kafka partition, Confluent's
 * DefaultPartitioner layout.
 */
final class DefaultPartitioner implements Partitioner {
  // One task's records mostly come in runs of one partition: reuse the last string rather than
  // building and
  // hashing a new one per record. Partitioners belong to one task and are called from its thread
  // only.
  private int lastPartition = -1;
  private String lastEncoded;

  @Override
  public String encodePartition(SinkRecord record, long nowMs) {
    int partition = record.kafkaPartition();
    if (partition != lastPartition || lastEncoded == null) {
      lastEncoded = "partition=" + partition;
      lastPartition = partition;
    }
    return lastEncoded;
  }

  @Override
  public String toString() {
    return "DefaultPartitioner";
  }
}
