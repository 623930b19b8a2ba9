package io.redstage.connector.partition;

import org.apache.kafka.connect.sink.SinkRecord;

/** Reads the time a record is partitioned by, in epoch milliseconds. */
public interface TimestampExtractor {
  /**
   * @return the timestamp, or null when the record has none (the partitioner then reports the
   *     record)
   * @throws org.apache.kafka.connect.errors.DataException when the record holds a timestamp that
   *     cannot be read
   */
  Long extract(SinkRecord record, long nowMs);

  /**
   * Whether the time comes from a value field, which a delete row written for a tombstone does not
   * have.
   */
  default boolean readsValue() {
    return false;
  }
}
