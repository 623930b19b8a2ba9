package io.redstage.connector.partition;

import org.apache.kafka.connect.sink.SinkRecord;

/** {@code partition=<Kafka partition>}: one directory per Kafka partition, Confluent's DefaultPartitioner layout. */
final class DefaultPartitioner implements Partitioner {
  @Override
  public String encodePartition(SinkRecord record, long nowMs) {
    return "partition=" + record.kafkaPartition();
  }

  @Override
  public String toString() {
    return "DefaultPartitioner";
  }
}
