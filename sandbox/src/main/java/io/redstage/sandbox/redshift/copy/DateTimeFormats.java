package io.redstage.sandbox.redshift.copy;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import java.util.Locale;

/**
 * Redshift's DATEFORMAT / TIMEFORMAT rules for text values (JSON strings): the default formats
 * ({@code YYYY-MM-DD}, {@code YYYY-MM-DD HH:MI:SS} with optional fractional seconds, and an offset
 * for TIMESTAMPTZ) and {@code 'auto'} (several common layouts, ISO 8601 included), which the loader
 * uses. Explicit patterns and the epoch keywords are outside the sandbox's scope (refused by {@link
 * CopyCommandParser}).
 */
final class DateTimeFormats {
  static final String DEFAULT_DATE = "YYYY-MM-DD";
  static final String DEFAULT_TIMESTAMP = "YYYY-MM-DD HH24:MI:SS";
  static final String DEFAULT_TIMESTAMPTZ = "YYYY-MM-DD HH24:MI:SSOF";

  private static final DateTimeFormatter FRACTION =
      new DateTimeFormatterBuilder()
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
          .optionalEnd()
          .toFormatter();

  private static final DateTimeFormatter DEFAULT_TS =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd HH:mm:ss")
          .append(FRACTION)
          .toFormatter()
          .withResolverStyle(ResolverStyle.STRICT);
  private static final DateTimeFormatter DEFAULT_TSTZ =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd HH:mm:ss")
          .append(FRACTION)
          .optionalStart()
          .appendOffset("+HH:mm", "+00")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH", "+00")
          .optionalEnd()
          .toFormatter()
          .withResolverStyle(ResolverStyle.STRICT);
  private static final DateTimeFormatter DEFAULT_DATE_FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

  /** Layouts 'auto' recognizes (a practical subset of Redshift's automatic recognition). */
  private static final List<DateTimeFormatter> AUTO_TIMESTAMPS =
      List.of(
          new DateTimeFormatterBuilder()
              .appendPattern("uuuu-MM-dd['T'][' ']HH:mm[:ss]")
              .append(FRACTION)
              .optionalStart()
              .appendOffsetId()
              .optionalEnd()
              .optionalStart()
              .appendOffset("+HHmm", "Z")
              .optionalEnd()
              .toFormatter(),
          new DateTimeFormatterBuilder()
              .appendPattern("uuuu/MM/dd[' ']['T']HH:mm[:ss]")
              .append(FRACTION)
              .toFormatter(),
          new DateTimeFormatterBuilder()
              .appendPattern("MM/dd/uuuu[' ']HH:mm[:ss]")
              .append(FRACTION)
              .toFormatter(),
          new DateTimeFormatterBuilder()
              .parseCaseInsensitive()
              .appendPattern("dd-MMM-uuuu[' ']HH:mm[:ss]")
              .append(FRACTION)
              .toFormatter(Locale.ENGLISH),
          DateTimeFormatter.RFC_1123_DATE_TIME);

  private static final List<DateTimeFormatter> AUTO_DATES =
      List.of(
          DateTimeFormatter.ofPattern("uuuu-MM-dd"),
          DateTimeFormatter.ofPattern("uuuu/MM/dd"),
          DateTimeFormatter.ofPattern("MM/dd/uuuu"),
          DateTimeFormatter.ofPattern("uuuuMMdd"),
          new DateTimeFormatterBuilder()
              .parseCaseInsensitive()
              .appendPattern("dd-MMM-uuuu")
              .toFormatter(Locale.ENGLISH),
          new DateTimeFormatterBuilder()
              .parseCaseInsensitive()
              .appendPattern("MMMM d, uuuu")
              .toFormatter(Locale.ENGLISH));

  private DateTimeFormats() {}

  /** A parser for one column's text values. */
  interface TimestampParser {
    /**
     * @return a LocalDateTime (no zone) or an Instant; null when the text does not match
     */
    Object parse(String text);
  }

  static TimestampParser timestampParser(String timeFormat, boolean withZone) {
    if (timeFormat == null) {
      DateTimeFormatter f = withZone ? DEFAULT_TSTZ : DEFAULT_TS;
      return text -> parseWith(f, text, withZone);
    }
    if (timeFormat.equals("auto")) {
      return text -> {
        for (DateTimeFormatter f : AUTO_TIMESTAMPS) {
          Object v = parseWith(f, text, withZone);
          if (v != null) {
            return v;
          }
        }
        LocalDate d = parseDate(AUTO_DATES, text);
        return d == null ? null : d.atStartOfDay();
      };
    }
    throw new IllegalArgumentException("TIMEFORMAT '" + timeFormat + "' passed the parser");
  }

  static LocalDate parseDate(String dateFormat, String text) {
    if (dateFormat == null) {
      return parseDate(List.of(DEFAULT_DATE_FORMAT), text);
    }
    if (dateFormat.equals("auto")) {
      return parseDate(AUTO_DATES, text);
    }
    throw new IllegalArgumentException("DATEFORMAT '" + dateFormat + "' passed the parser");
  }

  static LocalTime parseTime(String text) {
    try {
      return LocalTime.parse(text.trim());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static LocalDate parseDate(List<DateTimeFormatter> formats, String text) {
    String t = text.trim();
    for (DateTimeFormatter f : formats) {
      try {
        return LocalDate.from(f.parse(t));
      } catch (DateTimeParseException e) {
        // try the next layout
      } catch (RuntimeException e) {
        // pattern without a full date
      }
    }
    return null;
  }

  private static Object parseWith(DateTimeFormatter f, String text, boolean withZone) {
    try {
      TemporalAccessor a = f.parse(text.trim());
      LocalDateTime local =
          LocalDateTime.of(
              LocalDate.from(a),
              a.isSupported(ChronoField.HOUR_OF_DAY) ? LocalTime.from(a) : LocalTime.MIDNIGHT);
      if (a.isSupported(ChronoField.OFFSET_SECONDS)) {
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(a.get(ChronoField.OFFSET_SECONDS));
        return OffsetDateTime.of(local, offset).toInstant();
      }
      return withZone ? local.toInstant(ZoneOffset.UTC) : local;
    } catch (DateTimeParseException e) {
      return null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
