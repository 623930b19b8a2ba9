package io.redstage.connector.partition;

import org.apache.kafka.connect.sink.SinkRecord;

final class Records {
  private Records() {}

  /** "topic/partition/offset", how error messages name a record. */
  static String ref(SinkRecord record) {
    return record.topic() + "/" + record.kafkaPartition() + "/" + record.kafkaOffset();
  }
}
