package io.redstage.connector.partition;

import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The time the connector processes the record; paths then depend on when records arrive, not on
 * their content.
 */
public final class WallclockTimestampExtractor implements TimestampExtractor {
  @Override
  public Long extract(SinkRecord record, long nowMs) {
    return nowMs;
  }

  @Override
  public String toString() {
    return PartitionerSettings.EXTRACTOR_WALLCLOCK;
  }
}
