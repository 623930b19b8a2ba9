package io.redstage.connector.partition;

import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;

final class TestRecords {
  private TestRecords() {}

  static SinkRecord record(Schema schema, Object value) {
    return record(schema, value, 1_700_000_000_000L);
  }

  static SinkRecord record(Schema schema, Object value, Long timestamp) {
    return new SinkRecord(
        "orders",
        3,
        Schema.STRING_SCHEMA,
        "key",
        schema,
        value,
        42L,
        timestamp,
        timestamp == null ? TimestampType.NO_TIMESTAMP_TYPE : TimestampType.CREATE_TIME);
  }
}
