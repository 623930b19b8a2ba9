package io.redstage.sandbox.redshift.copy;

import io.redstage.sandbox.redshift.exec.StatementFailedException;
import java.time.Instant;
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
 * for TIMESTAMPTZ), {@code 'auto'} (several common layouts, ISO 8601 included), the epoch keywords
 * (TIMEFORMAT only, case-sensitive) and explicit patterns made of Redshift's datetime parts.
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
    if (timeFormat.equals("epochsecs") || timeFormat.equals("epochmillisecs")) {
      long unit = timeFormat.equals("epochsecs") ? 1000 : 1;
      return text -> {
        try {
          return Instant.ofEpochMilli(Math.multiplyExact(Long.parseLong(text.trim()), unit));
        } catch (RuntimeException e) {
          return null;
        }
      };
    }
    DateTimeFormatter f = redshiftPattern(timeFormat);
    return text -> parseWith(f, text, withZone);
  }

  /** Epoch keyword unit in milliseconds, or 0 when TIMEFORMAT is not an epoch keyword. */
  static long epochUnitMillis(String timeFormat) {
    if ("epochsecs".equals(timeFormat)) {
      return 1000;
    }
    return "epochmillisecs".equals(timeFormat) ? 1 : 0;
  }

  static LocalDate parseDate(String dateFormat, String text) {
    if (dateFormat == null) {
      return parseDate(List.of(DEFAULT_DATE_FORMAT), text);
    }
    if (dateFormat.equals("auto")) {
      return parseDate(AUTO_DATES, text);
    }
    return parseDate(List.of(redshiftPattern(dateFormat)), text);
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

  /**
   * Translates a Redshift datetime format (YYYY, MM, DD, HH24, MI, SS, US, MS, OF, MON ...) to
   * java.time.
   */
  static DateTimeFormatter redshiftPattern(String format) {
    DateTimeFormatterBuilder b = new DateTimeFormatterBuilder().parseCaseInsensitive();
    String f = format;
    int i = 0;
    while (i < f.length()) {
      String rest = f.substring(i).toUpperCase(Locale.ROOT);
      if (rest.startsWith("YYYY")) {
        b.appendPattern("uuuu");
        i += 4;
      } else if (rest.startsWith("YY")) {
        b.appendPattern("uu");
        i += 2;
      } else if (rest.startsWith("MONTH")) {
        b.appendPattern("MMMM");
        i += 5;
      } else if (rest.startsWith("MON")) {
        b.appendPattern("MMM");
        i += 3;
      } else if (rest.startsWith("MM")) {
        b.appendPattern("MM");
        i += 2;
      } else if (rest.startsWith("DD")) {
        b.appendPattern("dd");
        i += 2;
      } else if (rest.startsWith("HH24")) {
        b.appendPattern("HH");
        i += 4;
      } else if (rest.startsWith("HH12")) {
        b.appendPattern("hh");
        i += 4;
      } else if (rest.startsWith("HH")) {
        b.appendPattern("HH");
        i += 2;
      } else if (rest.startsWith("MI")) {
        b.appendPattern("mm");
        i += 2;
      } else if (rest.startsWith("SS")) {
        b.appendPattern("ss");
        b.append(FRACTION);
        i += 2;
      } else if (rest.startsWith("US") || rest.startsWith("MS") || rest.startsWith("FF")) {
        i += 2;
        while (i < f.length() && Character.isDigit(f.charAt(i))) {
          i++;
        }
      } else if (rest.startsWith("OF")) {
        b.optionalStart().appendOffset("+HH:mm", "+00").optionalEnd();
        b.optionalStart().appendOffset("+HH", "+00").optionalEnd();
        i += 2;
      } else if (rest.startsWith("AM") || rest.startsWith("PM")) {
        b.appendPattern("a");
        i += 2;
      } else if (Character.isLetter(f.charAt(i))) {
        throw new StatementFailedException(
            "Invalid date or time format '"
                + format
                + "': unknown part at '"
                + f.substring(i)
                + "'");
      } else {
        b.appendLiteral(f.charAt(i));
        i++;
      }
    }
    return b.toFormatter(Locale.ENGLISH);
  }
}
