package io.redstage.connector.partition;

import io.redstage.connector.format.KafkaCoordinates;
import io.redstage.connector.format.WarehouseLimits;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Paths from a record timestamp: the timestamp is rounded down to a multiple of the partition
 * duration in local time of the configured zone (so daily buckets start at local midnight, as in
 * Confluent's sink), and that bucket start is formatted with the path format. In a DST overlap both
 * occurrences of a local hour share one path; in a gap the bucket start moves to the first valid
 * local time.
 */
final class TimeBasedPartitioner implements Partitioner {
  private final DateTimeFormatter formatter;
  private final long durationMs;
  private final ZoneId zone;
  private final TimestampExtractor extractor;
  private final String pattern;

  /** The last bucket and its path: consecutive records mostly fall into the same bucket. */
  private volatile CachedPath last;

  TimeBasedPartitioner(
      DateTimeFormatter formatter,
      String pattern,
      long durationMs,
      ZoneId zone,
      TimestampExtractor extractor) {
    this.formatter = formatter;
    this.pattern = pattern;
    this.durationMs = durationMs;
    this.zone = zone;
    this.extractor = extractor;
  }

  @Override
  public String encodePartition(SinkRecord record, long nowMs) {
    Long timestamp = extractor.extract(record, nowMs);
    if (timestamp == null) {
      throw new DataException(
          "Cannot partition record "
              + KafkaCoordinates.describe(record)
              + " by time: it has no Kafka timestamp ("
              + PartitionerSettings.TIMESTAMP_EXTRACTOR_CONFIG
              + "="
              + extractor
              + "). Set "
              + PartitionerSettings.TIMESTAMP_EXTRACTOR_CONFIG
              + "=RecordField with "
              + PartitionerSettings.TIMESTAMP_FIELD_CONFIG
              + " naming a field with the event time, or use Wallclock.");
    }
    String path = pathOf(timestamp);
    if (path == null) {
      // Formatted, it would make a path of year 55873 or, past the zone's offset, wrap to a year
      // BC: a unit in the wrong place at best, for every record of a field in the wrong unit.
      throw new DataException(
          "Cannot partition record "
              + KafkaCoordinates.describe(record)
              + " by time: its time ("
              + PartitionerSettings.TIMESTAMP_EXTRACTOR_CONFIG
              + "="
              + extractor
              + ") lies outside years 1 to 9999. If the field holds microseconds or nanoseconds, not "
              + "milliseconds, convert it with a TimestampConverter SMT; otherwise fix the producer.");
    }
    return path;
  }

  /**
   * The path of the time's bucket, or null when the time, in the zone's local time that the path
   * shows, lies outside years 1 to 9999.
   */
  String pathOf(long timestampMs) {
    ZoneOffset offset = zone.getRules().getOffset(Instant.ofEpochMilli(timestampMs));
    long localMs;
    try {
      localMs = Math.addExact(timestampMs, offset.getTotalSeconds() * 1000L);
    } catch (ArithmeticException e) {
      return null; // past Long's range: out of range anyway
    }
    if (!WarehouseLimits.inYears1To9999(localMs)) {
      return null;
    }
    long bucketLocalMs = Math.floorDiv(localMs, durationMs) * durationMs;
    CachedPath cached = last;
    if (cached != null && cached.bucketLocalMs == bucketLocalMs && cached.offset.equals(offset)) {
      return cached.path;
    }
    LocalDateTime bucketStart =
        LocalDateTime.ofEpochSecond(
            Math.floorDiv(bucketLocalMs, 1000L),
            (int) Math.floorMod(bucketLocalMs, 1000L) * 1_000_000,
            ZoneOffset.UTC);
    String path = formatter.format(ZonedDateTime.ofLocal(bucketStart, zone, offset));
    last = new CachedPath(bucketLocalMs, offset, path);
    return path;
  }

  @Override
  public String toString() {
    return "TimeBasedPartitioner{pathFormat="
        + pattern
        + ", durationMs="
        + durationMs
        + ", zone="
        + zone
        + ", extractor="
        + extractor
        + "}";
  }

  private static final class CachedPath {
    final long bucketLocalMs;
    final ZoneOffset offset;
    final String path;

    CachedPath(long bucketLocalMs, ZoneOffset offset, String path) {
      this.bucketLocalMs = bucketLocalMs;
      this.offset = offset;
      this.path = path;
    }
  }

  @Override
  public boolean readsValue() {
    return extractor.readsValue();
  }
}
