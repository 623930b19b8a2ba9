package io.redstage.loader.redshift;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Optional;

/** Rows of a SELECT, values as String, Long, Double, Boolean, byte[] or null. */
public record QueryResult(List<String> columns, List<List<Object>> rows) {
  // the Data API returns TIMESTAMP values as text such as "2026-12-04 19:30:00.123" (fraction
  // optional)
  private static final DateTimeFormatter TIMESTAMP =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd[ ]['T']HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .toFormatter();

  public int index(String column) {
    int i = columns.indexOf(column);
    if (i < 0) {
      throw new IllegalArgumentException("no column " + column + " in " + columns);
    }
    return i;
  }

  public static String string(Object v) {
    return v == null ? null : v.toString();
  }

  public static long number(Object v) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    return Long.parseLong(v.toString().trim());
  }

  /**
   * A TIMESTAMP value (UTC, as the loader writes and reads them), or empty when null or of another
   * shape.
   */
  public static Optional<Instant> timestamp(Object v) {
    if (v == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          LocalDateTime.parse(v.toString().trim(), TIMESTAMP).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  public static Integer integerOrNull(Object v) {
    return v == null ? null : (int) number(v);
  }
}
