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

  /** "HH:mm:ss.SSS" of milliseconds since midnight. */
  static String time(int millisOfDay) {
    return TIME.format(
        LocalTime.ofNanoOfDay(Math.floorMod(millisOfDay, MILLIS_PER_DAY) * 1_000_000L));
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
    long epochDay = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
    LocalDate date = LocalDate.ofEpochDay(epochDay);
    int year = date.getYear();
    if (year < 0 || year > 9999) {
      Instant instant = Instant.ofEpochMilli(epochMillis);
      return (unit == TimestampUnit.MICROS ? TIMESTAMP_MICROS : TIMESTAMP_MILLIS).format(instant);
    }
    int millisOfDay = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
    char[] c = new char[unit == TimestampUnit.MICROS ? 27 : 24];
    digits(c, 0, year, 4);
    c[4] = '-';
    digits(c, 5, date.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, date.getDayOfMonth(), 2);
    c[10] = 'T';
    digits(c, 11, millisOfDay / 3_600_000, 2);
    c[13] = ':';
    digits(c, 14, millisOfDay / 60_000 % 60, 2);
    c[16] = ':';
    digits(c, 17, millisOfDay / 1000 % 60, 2);
    c[19] = '.';
    digits(c, 20, millisOfDay % 1000, 3);
    int end = 23;
    if (unit == TimestampUnit.MICROS) {
      digits(c, 23, 0, 3); // Connect timestamps carry milliseconds
      end = 26;
    }
    c[end] = 'Z';
    return new String(c);
  }

  private static void digits(char[] into, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      into[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
