package io.redstage.connector.partition;

import org.apache.kafka.connect.sink.SinkRecord;

/** The Kafka record timestamp (CreateTime or LogAppendTime); null when the record has none. */
public final class RecordTimestampExtractor implements TimestampExtractor {
  @Override
  public Long extract(SinkRecord record, long nowMs) {
    return record.timestamp();
  }

  @Override
  public String toString() {
    return PartitionerSettings.EXTRACTOR_RECORD;
  }
}
