package io.redstage.connector.partition;

import io.redstage.connector.format.KafkaCoordinates;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Date;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A timestamp read from a field of the record value (nested paths with dots). Accepts epoch
 * milliseconds (a 64-bit integer or a string of digits), a Connect Timestamp ({@link Date}), a
 * Connect Date, or an ISO-8601 string: a date-time with offset or zone ({@code
 * 2024-01-02T13:45:00Z}, {@code 2024-01-02T14:45:00+01:00}), a local date-time or a date; dates and
 * local date-times are read in the partitioner's timezone. Anything else is a {@link DataException}
 * naming the record, the field and the accepted formats. Never returns null.
 */
public final class RecordFieldTimestampExtractor implements TimestampExtractor {
  private static final Logger LOG = LoggerFactory.getLogger(RecordFieldTimestampExtractor.class);

  private final FieldPath field;
  private final ZoneId zoneForLocalTimes;
  private final String accepted;

  /**
   * @param fieldPath e.g. "timestamp" or "meta.created_at"
   * @param zoneForLocalTimes zone of ISO strings without offset
   * @throws IllegalArgumentException for an empty path
   */
  public RecordFieldTimestampExtractor(String fieldPath, ZoneId zoneForLocalTimes) {
    this.field = FieldPath.parse(fieldPath);
    this.zoneForLocalTimes = zoneForLocalTimes;
    this.accepted =
        "The field must hold epoch milliseconds (a 64-bit integer or a string of digits), a Connect Timestamp or Date, "
            + "or an ISO-8601 string such as 2024-01-02T13:45:00Z, 2024-01-02T14:45:00+01:00 or 2024-01-02 (read in "
            + zoneForLocalTimes
            + " when it has no offset); set "
            + PartitionerSettings.TIMESTAMP_FIELD_CONFIG
            + " to such a field.";
  }

  @Override
  public Long extract(SinkRecord record, long nowMs) {
    FieldPath.Resolved resolved = field.resolve(record, FieldPath.BY_TIME, accepted);
    Object value = resolved.value;
    String logical = resolved.schema == null ? null : resolved.schema.name();
    if (value instanceof Long) {
      return warnIfSeconds(record, (Long) value);
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      // epoch milliseconds pass 2^31 on 1970-01-25: a field this narrow holds seconds (or not a
      // time), which read as milliseconds would land every record in January 1970
      throw new DataException(
          failure(record)
              + " holds a "
              + (value instanceof Integer ? 32 : value instanceof Short ? 16 : 8)
              + "-bit integer, too narrow for epoch milliseconds (likely epoch seconds). Convert it to milliseconds "
              + "(for example with the TimestampConverter transform) or name an int64 or Timestamp field.");
    }
    if (org.apache.kafka.connect.data.Time.LOGICAL_NAME.equals(logical)) {
      throw new DataException(
          failure(record) + " holds a Connect Time, a time of day without a date. " + accepted);
    }
    if (value instanceof Date && org.apache.kafka.connect.data.Date.LOGICAL_NAME.equals(logical)) {
      // a Connect Date is midnight UTC of its day; read it, like an ISO date, as the start of that
      // day in the partitioner's timezone, so the date decides the path whatever the zone
      LocalDate day = ((Date) value).toInstant().atZone(ZoneOffset.UTC).toLocalDate();
      try {
        return day.atStartOfDay(zoneForLocalTimes).toInstant().toEpochMilli();
      } catch (ArithmeticException e) {
        // a day within hours of the millisecond range's ends (a value an SMT made): its start in
        // the zone has no millisecond time, and no path could name it
        throw new DataException(
            failure(record)
                + " holds the date "
                + day
                + ", whose start in "
                + zoneForLocalTimes
                + " is outside the range of millisecond times. Fix the producer or the transform"
                + " that sets the field.");
      }
    }
    if (value instanceof Date) {
      return ((Date) value).getTime();
    }
    if (value instanceof String) {
      Long parsed = parse(((String) value).trim());
      if (parsed != null) {
        return warnIfSeconds(record, parsed);
      }
      throw new DataException(
          failure(record)
              + " holds a string of "
              + ((String) value).length()
              + " characters that is not a timestamp. "
              + accepted);
    }
    throw new DataException(
        failure(record) + " holds a " + value.getClass().getSimpleName() + ". " + accepted);
  }

  /**
   * Epoch seconds read as milliseconds fall in the first weeks of 1970 and pass every check, so
   * every record lands there: say so once (a time before 1973 may be right, so it is not refused).
   */
  private long warnIfSeconds(SinkRecord record, long epochMs) {
    if (!warnedOfSeconds && epochMs != 0 && Math.abs(epochMs) < LIKELY_SECONDS_BELOW) {
      warnedOfSeconds = true;
      LOG.warn(
          "Field '{}' ({}) of record {} holds {}, which as epoch milliseconds is {}: if the field holds "
              + "epoch seconds, every record lands in early 1970. Convert it to milliseconds (the "
              + "TimestampConverter transform) or name a field in milliseconds. Said once per task.",
          field.path(),
          PartitionerSettings.TIMESTAMP_FIELD_CONFIG,
          KafkaCoordinates.describe(record),
          epochMs,
          java.time.Instant.ofEpochMilli(epochMs));
    }
    return epochMs;
  }

  /** 1e11 ms is March 1973; epoch seconds stay below it until the year 5138. */
  private static final long LIKELY_SECONDS_BELOW = 100_000_000_000L;

  private boolean warnedOfSeconds;

  private String failure(SinkRecord record) {
    return FieldPath.failure(record, FieldPath.BY_TIME)
        + ": field '"
        + field.path()
        + "' ("
        + PartitionerSettings.TIMESTAMP_FIELD_CONFIG
        + ")";
  }

  /**
   * ISO-8601 date-times as Confluent's sink reads them (Joda's ISO parser): java.time's own form
   * (with a zone id in brackets), then one that also takes offsets without a colon (+0100, +01,
   * what SimpleDateFormat's Z, log4j and Python's %z write), times of hours or minutes only.
   */
  private static final DateTimeFormatter[] DATE_TIMES = {
    DateTimeFormatter.ISO_DATE_TIME,
    new DateTimeFormatterBuilder()
        .append(DateTimeFormatter.ISO_LOCAL_DATE)
        .appendLiteral('T')
        .appendValue(ChronoField.HOUR_OF_DAY, 2)
        .optionalStart()
        .appendLiteral(':')
        .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
        .optionalStart()
        .appendLiteral(':')
        .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
        .optionalStart()
        .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
        .optionalEnd()
        .optionalEnd()
        .optionalEnd()
        // lenient: +01, +0100 and +01:00 alike
        .optionalStart()
        .parseLenient()
        .appendOffset("+HH", "Z")
        .parseStrict()
        .optionalEnd()
        .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
        .parseDefaulting(ChronoField.SECOND_OF_MINUTE, 0)
        .toFormatter()
  };

  private Long parse(String text) {
    if (!text.isEmpty()
        && text.chars().skip(text.charAt(0) == '-' ? 1 : 0).allMatch(Character::isDigit)
        && text.length() <= 19) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    for (DateTimeFormatter format : DATE_TIMES) {
      try {
        // a decimal comma is ISO-8601's too ("13:45:00,123"); no other comma is valid here
        TemporalAccessor t =
            format.parseBest(text.replace(',', '.'), ZonedDateTime::from, LocalDateTime::from);
        ZonedDateTime time =
            t instanceof ZonedDateTime
                ? (ZonedDateTime) t
                : ((LocalDateTime) t).atZone(zoneForLocalTimes);
        return time.toInstant().toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e) {
        // not a date-time of this form: maybe of the next, or a date
      }
    }
    try {
      return LocalDate.parse(text).atStartOfDay(zoneForLocalTimes).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return PartitionerSettings.EXTRACTOR_RECORD_FIELD + "(" + field.path() + ")";
  }

  @Override
  public boolean readsValue() {
    return true;
  }
}
