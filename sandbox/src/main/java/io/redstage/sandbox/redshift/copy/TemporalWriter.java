package io.redstage.sandbox.redshift.copy;

import io.redstage.sandbox.redshift.copy.TargetTable.Column;
import io.redstage.sandbox.redshift.copy.TargetTable.Kind;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;

/**
 * The date and time side of {@link ColumnWriter}: DATE, TIMESTAMP, TIMESTAMPTZ, TIME from typed
 * values (Parquet/Avro logical types) or text (DATEFORMAT / TIMEFORMAT), written in the input form
 * PostgreSQL reads (microseconds, years beyond 9999, BC dates).
 */
final class TemporalWriter {
  private final ColumnWriter values;
  private final Column column;
  private final CopyCommand command;
  private final DateTimeFormats.TimestampParser timestamps;

  TemporalWriter(ColumnWriter values, Column column, CopyCommand command) {
    this.values = values;
    this.column = column;
    this.command = command;
    this.timestamps =
        DateTimeFormats.timestampParser(command.timeFormat, column.kind() == Kind.TIMESTAMPTZ);
  }

  void date(Object v, RowBuffer out) throws LoadError {
    LocalDate d;
    if (v instanceof LocalDate x) {
      d = x;
    } else if (v instanceof LocalDateTime t) {
      d = t.toLocalDate();
    } else if (v instanceof Instant i) {
      d = LocalDateTime.ofInstant(i, ZoneOffset.UTC).toLocalDate();
    } else {
      String s = values.textOrNull(v);
      String fmt = command.dateFormat == null ? DateTimeFormats.DEFAULT_DATE : command.dateFormat;
      if (s == null) {
        throw new LoadError(
            1205, "Invalid Date Format - value is not a date string [" + fmt + "]", values.text(v));
      }
      if (s.isBlank()) {
        values.writeNull(out, s);
        return;
      }
      d = DateTimeFormats.parseDate(command.dateFormat, s);
      if (d == null) {
        throw new LoadError(1205, "Invalid date format or value [" + fmt + "]", s);
      }
    }
    out.plain(formatDate(d));
  }

  void timestamp(Object v, RowBuffer out) throws LoadError {
    boolean tz = column.kind() == Kind.TIMESTAMPTZ;
    Object t;
    if (v instanceof LocalDateTime || v instanceof Instant) {
      t = v;
    } else if (v instanceof LocalDate d) {
      t = d.atStartOfDay();
    } else {
      String s = values.textOrNull(v);
      if (s != null && s.isBlank()) {
        values.writeNull(out, s);
        return;
      }
      t = s == null ? null : timestamps.parse(s);
      if (t == null) {
        String fmt =
            command.timeFormat != null
                ? command.timeFormat
                : tz ? DateTimeFormats.DEFAULT_TIMESTAMPTZ : DateTimeFormats.DEFAULT_TIMESTAMP;
        throw new LoadError(
            1206,
            "Invalid timestamp format or value [" + fmt + "]",
            s == null ? values.text(v) : s);
      }
    }
    LocalDateTime utc =
        t instanceof Instant i ? LocalDateTime.ofInstant(i, ZoneOffset.UTC) : (LocalDateTime) t;
    out.plain(tz ? formatTimestamp(utc) + "+00" : formatTimestamp(utc));
  }

  void time(Object v, RowBuffer out) throws LoadError {
    LocalTime t;
    if (v instanceof LocalTime x) {
      t = x;
    } else if (v instanceof LocalDateTime dt) {
      t = dt.toLocalTime();
    } else {
      String s = values.textOrNull(v);
      if (s != null && s.isBlank()) {
        values.writeNull(out, s);
        return;
      }
      t = s == null ? null : DateTimeFormats.parseTime(s);
      if (t == null) {
        throw new LoadError(
            1206, "Invalid time format or value [HH24:MI:SS]", s == null ? values.text(v) : s);
      }
    }
    out.plain(t.toString() + (column.kind() == Kind.TIMETZ ? "+00" : ""));
  }

  /** PostgreSQL date input: 4+ digit years without a sign, BC for years before 1. */
  static String formatDate(LocalDate d) {
    StringBuilder sb = new StringBuilder(13);
    appendDate(sb, d);
    if (d.getYear() <= 0) {
      sb.append(" BC");
    }
    return sb.toString();
  }

  /**
   * PostgreSQL timestamp input, microsecond precision (the bulk-load path: no intermediate
   * strings).
   */
  static String formatTimestamp(LocalDateTime t) {
    StringBuilder sb = new StringBuilder(29);
    appendDate(sb, t.toLocalDate());
    sb.append(' ');
    pad(sb, t.getHour(), 2).append(':');
    pad(sb, t.getMinute(), 2).append(':');
    pad(sb, t.getSecond(), 2);
    int micros = t.getNano() / 1000;
    if (micros != 0) {
      pad(sb.append('.'), micros, 6);
    }
    if (t.getYear() <= 0) {
      sb.append(" BC");
    }
    return sb.toString();
  }

  private static void appendDate(StringBuilder sb, LocalDate d) {
    int year = d.getYear();
    pad(sb, year > 0 ? year : 1 - year, 4).append('-');
    pad(sb, d.getMonthValue(), 2).append('-');
    pad(sb, d.getDayOfMonth(), 2);
  }

  private static StringBuilder pad(StringBuilder sb, int v, int width) {
    int digits =
        v < 10
            ? 1
            : v < 100
                ? 2
                : v < 1000
                    ? 3
                    : v < 10000
                        ? 4
                        : v < 100000 ? 5 : v < 1000000 ? 6 : Integer.toString(v).length();
    for (int i = digits; i < width; i++) {
      sb.append('0');
    }
    return sb.append(v);
  }
}
