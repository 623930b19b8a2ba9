package io.redstage.connector.format;

import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Topic, partition and offset of a record as Kafka knows them. Commit units and markers are per
 * consumed topic-partition, so when an SMT renamed the topic or changed the partition, the metadata
 * columns still carry the consumed coordinates ({@code originalTopic()} etc., Kafka 3.6+). On older
 * workers (MSK Connect 2.7.1) those methods do not exist and the record's own coordinates are used.
 */
public final class KafkaCoordinates {
  private static final boolean HAS_ORIGINAL = hasOriginalCoordinates();

  private KafkaCoordinates() {}

  public static String topic(SinkRecord r) {
    return HAS_ORIGINAL ? r.originalTopic() : r.topic();
  }

  public static int partition(SinkRecord r) {
    Integer p = HAS_ORIGINAL ? r.originalKafkaPartition() : r.kafkaPartition();
    return p == null ? -1 : p;
  }

  public static long offset(SinkRecord r) {
    return HAS_ORIGINAL ? r.originalKafkaOffset() : r.kafkaOffset();
  }

  /** "topic/partition/offset", the way records are named in error messages. */
  public static String describe(SinkRecord r) {
    return topic(r) + "/" + partition(r) + "/" + offset(r);
  }

  private static boolean hasOriginalCoordinates() {
    try {
      SinkRecord.class.getMethod("originalTopic");
      SinkRecord.class.getMethod("originalKafkaPartition");
      SinkRecord.class.getMethod("originalKafkaOffset");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
