package io.redstage.connector.format;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Text forms of Connect dates and times in JSON Lines and in string key/header columns; always UTC. */
final class TimeText {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static final DateTimeFormatter TIMESTAMP_MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIMESTAMP_MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  private static final long MILLIS_PER_DAY = 86_400_000L;

  private TimeText() {
  }

  /** "yyyy-MM-dd" of a day count since 1970-01-01. */
  static String date(int epochDays) {
    return LocalDate.ofEpochDay(epochDays).toString();
  }

  /** "HH:mm:ss.SSS" of milliseconds since midnight. */
  static String time(int millisOfDay) {
    return TIME.format(LocalTime.ofNanoOfDay(Math.floorMod(millisOfDay, MILLIS_PER_DAY) * 1_000_000L));
  }

  /** ISO-8601 UTC with milliseconds or microseconds and a trailing Z, e.g. 2024-05-01T12:00:00.123Z. */
  static String timestamp(long epochMillis, TimestampUnit unit) {
    Instant instant = Instant.ofEpochMilli(epochMillis);
    return (unit == TimestampUnit.MICROS ? TIMESTAMP_MICROS : TIMESTAMP_MILLIS).format(instant);
  }
}
