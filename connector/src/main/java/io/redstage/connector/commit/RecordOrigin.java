package io.redstage.connector.commit;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The topic-partition a record was consumed from. Transforms may rename a record's topic; offsets must
 * be tracked and committed under the original one. {@code originalTopic()} exists from Kafka 3.6 on; on
 * older workers (e.g. MSK Connect 2.7.1) the record's own topic is the original.
 */
final class RecordOrigin {
  private static final boolean HAS_ORIGINAL = hasOriginal();

  private RecordOrigin() {}

  static TopicPartition topicPartition(SinkRecord r) {
    if (HAS_ORIGINAL) {
      return new TopicPartition(r.originalTopic(), r.originalKafkaPartition());
    }
    return new TopicPartition(r.topic(), r.kafkaPartition());
  }

  private static boolean hasOriginal() {
    try {
      SinkRecord.class.getMethod("originalTopic");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
