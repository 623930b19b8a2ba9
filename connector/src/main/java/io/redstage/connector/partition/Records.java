package io.redstage.connector.partition;

import io.redstage.connector.format.KafkaCoordinates;
import org.apache.kafka.connect.sink.SinkRecord;

final class Records {
  private Records() {}

  /**
   * "topic/partition/offset", how error messages name a record: where it was consumed, as every
   * other message of the connector says, not where a transform renamed it to.
   */
  static String ref(SinkRecord record) {
    return KafkaCoordinates.describe(record);
  }
}
