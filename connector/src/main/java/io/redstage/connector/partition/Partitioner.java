package io.redstage.connector.partition;

import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Maps a record to the encoded partition: the directory part of its file's key, e.g. {@code
 * partition=3}, {@code country=DE/city=Berlin} or {@code year=2024/month=01/day=02/hour=13}.
 * Implementations throw {@link org.apache.kafka.connect.errors.DataException} naming the record
 * when it cannot be placed. Each task builds its own ({@link Partitioners#create}) and calls it
 * from its own thread, so an implementation may cache.
 */
public interface Partitioner {
  /**
   * @param nowMs the current wall-clock time, used only by the Wallclock timestamp extractor
   *     (passed in so callers and tests control it)
   */
  String encodePartition(SinkRecord record, long nowMs);

  /**
   * Whether the path comes from value fields, which a delete row written for a tombstone does not
   * have.
   */
  default boolean readsValue() {
    return false;
  }
}
