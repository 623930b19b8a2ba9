package io.redstage.connector.format;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Text forms of Connect dates and times in JSON Lines and in string key/header columns; always UTC.
 */
final class TimeText {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static final DateTimeFormatter TIMESTAMP_MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIMESTAMP_MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final long MILLIS_PER_DAY = 86_400_000L;

  private TimeText() {}

  /** "yyyy-MM-dd" of a day count since 1970-01-01. */
  static String date(int epochDays) {
    return LocalDate.ofEpochDay(epochDays).toString();
  }

  /**
   * "HH:mm:ss.SSS" of milliseconds since midnight, 0 to 86,400,000 ({@link
   * ValueChecks#millisOfDay}): the end of the day is "24:00:00.000", as Parquet and Avro keep it
   * and Redshift's TIME reads it, not the 00:00:00 LocalTime would wrap it to; anything else
   * throws.
   */
  static String time(int millisOfDay) {
    if (millisOfDay == MILLIS_PER_DAY) {
      return "24:00:00.000";
    }
    return TIME.format(LocalTime.ofNanoOfDay(millisOfDay * 1_000_000L));
  }

  /**
   * ISO-8601 UTC with milliseconds or microseconds and a trailing Z, e.g. 2024-05-01T12:00:00.123Z.
   *
   * <p>Written digit by digit for years 0000-9999 rather than through DateTimeFormatter: every JSON
   * Lines row has at least one timestamp, and the formatter (a print context per call, and on Java
   * 17 new zone rules per call) took about a third of the JSON encoder's time. Other years go
   * through the formatter, which signs them.
   */
  static String timestamp(long epochMillis, TimestampUnit unit) {
    Buffer b = new Buffer(unit);
    int length = b.fill(epochMillis);
    if (length < 0) {
      Instant instant = Instant.ofEpochMilli(epochMillis);
      return (unit == TimestampUnit.MICROS ? TIMESTAMP_MICROS : TIMESTAMP_MILLIS).format(instant);
    }
    return new String(b.chars, 0, length);
  }

  /**
   * Timestamp text in a reused char buffer, for a file writer that puts timestamps in every row (a
   * new String per timestamp was the JSON writer's largest allocation). It keeps the date text of
   * the last day it wrote, so LocalDate.ofEpochDay runs only when the day changes: a file's
   * timestamps mostly fall on a few days. One per file writer; not thread-safe.
   */
  static final class Buffer {
    private static final int DATE_CHARS = 11; // "yyyy-MM-ddT"

    private final TimestampUnit unit;
    private final char[] chars;

    /** The epoch day whose date text is in {@code chars[0, DATE_CHARS)}. */
    private long day = Long.MIN_VALUE;

    Buffer(TimestampUnit unit) {
      this.unit = unit;
      this.chars = new char[unit == TimestampUnit.MICROS ? 27 : 24];
    }

    /**
     * Puts the text of {@link TimeText#timestamp} into {@link #chars()} and returns its length, or
     * -1 for a year outside 0000-9999 (whose text only {@link TimeText#timestamp} writes).
     */
    int fill(long epochMillis) {
      long epochDay = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
      if (epochDay != day) {
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        int year = date.getYear();
        if (year < 0 || year > 9999) {
          return -1;
        }
        digits(chars, 0, year, 4);
        chars[4] = '-';
        digits(chars, 5, date.getMonthValue(), 2);
        chars[7] = '-';
        digits(chars, 8, date.getDayOfMonth(), 2);
        chars[10] = 'T';
        day = epochDay;
      }
      int millisOfDay = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
      digits(chars, DATE_CHARS, millisOfDay / 3_600_000, 2);
      chars[13] = ':';
      digits(chars, 14, millisOfDay / 60_000 % 60, 2);
      chars[16] = ':';
      digits(chars, 17, millisOfDay / 1000 % 60, 2);
      chars[19] = '.';
      digits(chars, 20, millisOfDay % 1000, 3);
      int end = 23;
      if (unit == TimestampUnit.MICROS) {
        digits(chars, 23, 0, 3); // Connect timestamps carry milliseconds
        end = 26;
      }
      chars[end] = 'Z';
      return end + 1;
    }

    /** The text of the last {@link #fill}, from index 0. */
    char[] chars() {
      return chars;
    }
  }

  private static void digits(char[] into, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      into[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
