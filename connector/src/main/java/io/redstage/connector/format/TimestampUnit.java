package io.redstage.connector.format;

import io.redstage.contract.ColumnType;

/**
 * How Connect {@code Timestamp} values and the Kafka record timestamp are written. Never
 * nanoseconds: Redshift and most readers of Parquet/Avro handle milliseconds and microseconds only.
 */
public enum TimestampUnit {
  MILLIS,
  MICROS;

  /** Converts epoch milliseconds to this unit. */
  long fromMillis(long epochMillis) {
    return this == MICROS ? Math.multiplyExact(epochMillis, 1000L) : epochMillis;
  }

  ColumnType columnType() {
    return ColumnType.of(
        this == MICROS ? ColumnType.Kind.TIMESTAMP_MICROS : ColumnType.Kind.TIMESTAMP_MILLIS);
  }
}
