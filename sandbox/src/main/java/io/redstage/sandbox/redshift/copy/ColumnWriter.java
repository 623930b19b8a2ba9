package io.redstage.sandbox.redshift.copy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.redstage.sandbox.redshift.copy.TargetTable.Column;
import io.redstage.sandbox.redshift.copy.TargetTable.Kind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Converts one source value into the COPY text of one target column, applying Redshift's load rules:
 * range and format checks with Redshift's load error codes, byte-length limits (TRUNCATECOLUMNS),
 * EMPTYASNULL / BLANKSASNULL, NOT NULL, DEFAULT for missing fields, and DATEFORMAT / TIMEFORMAT.
 *
 * <p>Source values are normalized by the format readers: null, {@link #MISSING}, Boolean, Long, Float,
 * Double, BigDecimal, String, {@link Utf8Text}, byte[], LocalDate, LocalTime, LocalDateTime, Instant
 * and Jackson JsonNode (JSON values and nested data).
 */
final class ColumnWriter {
  /** The field is absent from the record (JSON/Avro 'auto'): the column gets its DEFAULT or NULL. */
  static final Object MISSING = new Object();

  /** String data as raw bytes, decoded (and UTF-8-checked) only when loaded. */
  record Utf8Text(byte[] bytes) {}

  private static final long SUPER_MAX_BYTES = 16L * 1024 * 1024;
  private static final Set<String> TRUE_WORDS = Set.of("t", "true", "y", "yes", "1", "on");
  private static final Set<String> FALSE_WORDS = Set.of("f", "false", "n", "no", "0", "off");

  private final Column column;
  private final CopyCommand command;
  private final DateTimeFormats.TimestampParser timestamps;
  private final long epochUnitMillis;

  ColumnWriter(Column column, CopyCommand command) {
    this.column = column;
    this.command = command;
    boolean tz = column.kind() == Kind.TIMESTAMPTZ;
    this.timestamps = DateTimeFormats.timestampParser(command.timeFormat, tz);
    this.epochUnitMillis = DateTimeFormats.epochUnitMillis(command.timeFormat);
  }

  Column column() {
    return column;
  }

  void write(Object v, RowBuffer out) throws LoadError {
    if (v == MISSING) {
      if (column.hasDefault()) {
        out.defaultField();
        return;
      }
      v = null;
    }
    if (v == null || (v instanceof JsonNode n && (n.isNull() || n.isMissingNode()))) {
      writeNull(out, "");
      return;
    }
    switch (column.kind()) {
      case SMALLINT -> integral(v, out, Short.MIN_VALUE, Short.MAX_VALUE, "Short");
      case INTEGER -> integral(v, out, Integer.MIN_VALUE, Integer.MAX_VALUE, "Integer");
      case BIGINT -> integral(v, out, Long.MIN_VALUE, Long.MAX_VALUE, "Long");
      case DECIMAL -> decimal(v, out);
      case REAL, DOUBLE -> floating(v, out);
      case BOOLEAN -> bool(v, out);
      case CHAR, VARCHAR -> string(v, out);
      case DATE -> date(v, out);
      case TIMESTAMP, TIMESTAMPTZ -> timestamp(v, out);
      case TIME, TIMETZ -> time(v, out);
      case SUPER -> superValue(v, out);
      case VARBYTE -> varbyte(v, out);
      case UNSUPPORTED -> throw new LoadError(1223, "Invalid data type: COPY cannot load " + column.pgType(), text(v));
      default -> throw new IllegalStateException("unhandled kind " + column.kind());
    }
  }

  private void writeNull(RowBuffer out, String raw) throws LoadError {
    if (column.notNull()) {
      throw new LoadError(1213, "Missing data for not-null field", raw);
    }
    out.nullField();
  }

  // ---- numbers -------------------------------------------------------------------------------------

  private void integral(Object v, RowBuffer out, long min, long max, String type) throws LoadError {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      long l = ((Number) v).longValue();
      checkRange(l, min, max, type, Long.toString(l));
      out.longValue(l);
      return;
    }
    if (v instanceof JsonNode n && n.isIntegralNumber()) {
      if (!n.canConvertToLong()) {
        throw overflow(n.asText(), min, max, type);
      }
      integral(n.longValue(), out, min, max, type);
      return;
    }
    String s = textOrNull(v);
    if (s == null) {
      s = text(v);
    }
    String t = s.trim();
    if (t.isEmpty()) {
      writeNull(out, s);
      return;
    }
    int start = t.charAt(0) == '-' || t.charAt(0) == '+' ? 1 : 0;
    for (int i = start; i < t.length(); i++) {
      if (!Character.isDigit(t.charAt(i))) {
        throw invalidDigit(t, i, type, 1207);
      }
    }
    if (start == t.length()) {
      throw invalidDigit(t, start - 1, type, 1207);
    }
    long l;
    try {
      l = Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw overflow(t, min, max, type);
    }
    checkRange(l, min, max, type, t);
    out.longValue(l);
  }

  private static void checkRange(long l, long min, long max, String type, String raw) throws LoadError {
    if (l < min || l > max) {
      throw overflow(raw, min, max, type);
    }
  }

  private static LoadError overflow(String raw, long min, long max, String type) {
    return new LoadError(1204, "Overflow, " + raw + " (" + type + " valid range " + min + " to " + max + ")", raw);
  }

  private static LoadError invalidDigit(String t, int pos, String type, int code) {
    return new LoadError(code, "Invalid digit, Value '" + t.charAt(Math.max(0, pos)) + "', Pos " + Math.max(0, pos)
        + ", Type: " + type, t);
  }

  private void decimal(Object v, RowBuffer out) throws LoadError {
    BigDecimal d;
    if (v instanceof BigDecimal b) {
      d = b;
    } else if (v instanceof Long || v instanceof Integer) {
      d = BigDecimal.valueOf(((Number) v).longValue());
    } else if (v instanceof Double || v instanceof Float) {
      d = new BigDecimal(v.toString());
    } else if (v instanceof JsonNode n && n.isNumber()) {
      d = n.decimalValue();
    } else {
      String s = textOrNull(v);
      if (s == null) {
        throw new LoadError(1209, "Invalid digit, Value '" + abbreviate(text(v)) + "', Type: Decimal", text(v));
      }
      String t = s.trim();
      if (t.isEmpty()) {
        writeNull(out, s);
        return;
      }
      try {
        d = new BigDecimal(t);
      } catch (NumberFormatException e) {
        int bad = firstNonNumeric(t);
        throw invalidDigit(t, bad, "Decimal", 1207);
      }
    }
    BigDecimal scaled = d.setScale(column.scale(), RoundingMode.HALF_UP);
    if (scaled.unscaledValue().abs().toString().length() > column.precision()) {
      throw new LoadError(1204, "Numeric data overflow (result precision)", d.toPlainString());
    }
    out.plain(scaled.toPlainString());
  }

  private static int firstNonNumeric(String t) {
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (!(Character.isDigit(c) || c == '.' || ((c == '-' || c == '+') && i == 0))) {
        return i;
      }
    }
    return 0;
  }

  private void floating(Object v, RowBuffer out) throws LoadError {
    String type = column.kind() == Kind.REAL ? "Float" : "Double";
    double d;
    if (v instanceof Float f) {
      out.plain(column.kind() == Kind.REAL ? Float.toString(f) : Double.toString(f.doubleValue()));
      return;
    } else if (v instanceof Number num && !(v instanceof BigDecimal)) {
      d = num.doubleValue();
    } else if (v instanceof BigDecimal b) {
      d = b.doubleValue();
    } else if (v instanceof JsonNode n && n.isNumber()) {
      d = n.doubleValue();
    } else {
      String s = textOrNull(v);
      if (s == null) {
        throw new LoadError(1208, "Invalid digit, Value '" + abbreviate(text(v)) + "', Type: " + type, text(v));
      }
      String t = s.trim();
      if (t.isEmpty()) {
        writeNull(out, s);
        return;
      }
      switch (t.toLowerCase(Locale.ROOT)) {
        case "nan" -> d = Double.NaN;
        case "inf", "infinity", "+inf", "+infinity" -> d = Double.POSITIVE_INFINITY;
        case "-inf", "-infinity" -> d = Double.NEGATIVE_INFINITY;
        default -> {
          try {
            d = Double.parseDouble(t);
          } catch (NumberFormatException e) {
            throw invalidDigit(t, firstNonNumeric(t), type, 1208);
          }
        }
      }
    }
    if (column.kind() == Kind.REAL && Double.isFinite(d) && Float.isInfinite((float) d)) {
      throw new LoadError(1204, "Overflow for float4 value " + d, Double.toString(d));
    }
    out.plain(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity")
        : column.kind() == Kind.REAL ? Float.toString((float) d) : Double.toString(d));
  }

  private void bool(Object v, RowBuffer out) throws LoadError {
    Boolean b = null;
    if (v instanceof Boolean x) {
      b = x;
    } else if (v instanceof JsonNode n && n.isBoolean()) {
      b = n.booleanValue();
    } else if (v instanceof Long l && (l == 0 || l == 1)) {
      b = l == 1;
    } else if (v instanceof JsonNode n && n.isIntegralNumber() && (n.asLong() == 0 || n.asLong() == 1)) {
      b = n.asLong() == 1;
    } else {
      String s = textOrNull(v);
      if (s != null) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
          writeNull(out, s);
          return;
        }
        b = TRUE_WORDS.contains(t) ? Boolean.TRUE : FALSE_WORDS.contains(t) ? Boolean.FALSE : null;
      }
    }
    if (b == null) {
      throw new LoadError(1210, "Invalid value for boolean: '" + abbreviate(text(v)) + "'", text(v));
    }
    out.plain(b ? "t" : "f");
  }

  // ---- text ----------------------------------------------------------------------------------------

  private void string(Object v, RowBuffer out) throws LoadError {
    String s = text(v);
    if (command.emptyAsNull && s.isEmpty() || command.blanksAsNull && s.isBlank()) {
      writeNull(out, s);
      return;
    }
    if (s.indexOf('\0') >= 0) {
      throw new LoadError(1220, "String contains NUL (0x00), which the sandbox's PostgreSQL cannot store", s);
    }
    if (column.kind() == Kind.CHAR) {
      for (int i = 0; i < s.length(); i++) {
        if (s.charAt(i) > 0x7f) {
          throw new LoadError(1220, "Multibyte character not supported for CHAR (Hint: try using VARCHAR)", s);
        }
      }
    }
    int bytes = utf8Length(s);
    if (bytes > column.length()) {
      if (!command.truncateColumns) {
        throw new LoadError(1204, "String length exceeds DDL length", abbreviate(s));
      }
      s = io.redstage.sandbox.redshift.sql.Identifiers.truncateUtf8(s, column.length());
    }
    out.text(s);
  }

  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Text of a value that is a string (String, Utf8Text, JSON string), else null. */
  private String textOrNull(Object v) throws LoadError {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Utf8Text u) {
      return Utf8.decode(u.bytes(), 0, u.bytes().length, command.acceptInvChars);
    }
    if (v instanceof JsonNode n && n.isTextual()) {
      return n.textValue();
    }
    return null;
  }

  /** The text form of any value, as loading it into a VARCHAR column would store it. */
  private String text(Object v) throws LoadError {
    String s = textOrNull(v);
    if (s != null) {
      return s;
    }
    if (v instanceof JsonNode n) {
      if (n.isIntegralNumber()) {
        return n.bigIntegerValue().toString();
      }
      if (n.isNumber()) {
        return n.decimalValue().toPlainString();
      }
      if (n.isBoolean()) {
        return Boolean.toString(n.booleanValue());
      }
      return Json.compact(n);
    }
    if (v instanceof BigDecimal b) {
      return b.toPlainString();
    }
    if (v instanceof byte[] b) {
      return Utf8.decode(b, 0, b.length, command.acceptInvChars);
    }
    if (v instanceof LocalDate d) {
      return formatDate(d);
    }
    if (v instanceof LocalDateTime t) {
      return formatTimestamp(t);
    }
    if (v instanceof Instant i) {
      return formatTimestamp(LocalDateTime.ofInstant(i, ZoneOffset.UTC)) + "+00";
    }
    return v.toString();
  }

  // ---- dates and times -----------------------------------------------------------------------------

  private void date(Object v, RowBuffer out) throws LoadError {
    LocalDate d;
    if (v instanceof LocalDate x) {
      d = x;
    } else if (v instanceof LocalDateTime t) {
      d = t.toLocalDate();
    } else if (v instanceof Instant i) {
      d = LocalDateTime.ofInstant(i, ZoneOffset.UTC).toLocalDate();
    } else {
      String s = textOrNull(v);
      String fmt = command.dateFormat == null ? DateTimeFormats.DEFAULT_DATE : command.dateFormat;
      if (s == null) {
        throw new LoadError(1205, "Invalid Date Format - value is not a date string [" + fmt + "]", text(v));
      }
      if (s.isBlank()) {
        writeNull(out, s);
        return;
      }
      d = DateTimeFormats.parseDate(command.dateFormat, s);
      if (d == null) {
        throw new LoadError(1205, "Invalid date format or value [" + fmt + "]", s);
      }
    }
    out.plain(formatDate(d));
  }

  private void timestamp(Object v, RowBuffer out) throws LoadError {
    boolean tz = column.kind() == Kind.TIMESTAMPTZ;
    Object t;
    if (v instanceof LocalDateTime || v instanceof Instant) {
      t = v;
    } else if (v instanceof LocalDate d) {
      t = d.atStartOfDay();
    } else if (epochUnitMillis > 0 && (v instanceof Long || v instanceof JsonNode n && n.isIntegralNumber())) {
      long n = v instanceof Long l ? l : ((JsonNode) v).longValue();
      t = Instant.ofEpochMilli(n * epochUnitMillis);
    } else {
      String s = textOrNull(v);
      if (s != null && s.isBlank()) {
        writeNull(out, s);
        return;
      }
      t = s == null ? null : timestamps.parse(s);
      if (t == null) {
        String fmt = command.timeFormat != null ? command.timeFormat
            : tz ? DateTimeFormats.DEFAULT_TIMESTAMPTZ : DateTimeFormats.DEFAULT_TIMESTAMP;
        throw new LoadError(1206, "Invalid timestamp format or value [" + fmt + "]", s == null ? text(v) : s);
      }
    }
    LocalDateTime utc = t instanceof Instant i ? LocalDateTime.ofInstant(i, ZoneOffset.UTC) : (LocalDateTime) t;
    out.plain(tz ? formatTimestamp(utc) + "+00" : formatTimestamp(utc));
  }

  private void time(Object v, RowBuffer out) throws LoadError {
    LocalTime t;
    if (v instanceof LocalTime x) {
      t = x;
    } else if (v instanceof LocalDateTime dt) {
      t = dt.toLocalTime();
    } else {
      String s = textOrNull(v);
      if (s != null && s.isBlank()) {
        writeNull(out, s);
        return;
      }
      t = s == null ? null : DateTimeFormats.parseTime(s);
      if (t == null) {
        throw new LoadError(1206, "Invalid time format or value [HH24:MI:SS]", s == null ? text(v) : s);
      }
    }
    out.plain(t.toString() + (column.kind() == Kind.TIMETZ ? "+00" : ""));
  }

  /** PostgreSQL date input: 4+ digit years without a sign, BC for years before 1. */
  static String formatDate(LocalDate d) {
    int year = d.getYear();
    String y = year > 0 ? pad(year, 4) : pad(1 - year, 4);
    return y + "-" + pad(d.getMonthValue(), 2) + "-" + pad(d.getDayOfMonth(), 2) + (year > 0 ? "" : " BC");
  }

  static String formatTimestamp(LocalDateTime t) {
    String date = formatDate(t.toLocalDate());
    String bc = date.endsWith(" BC") ? " BC" : "";
    StringBuilder sb = new StringBuilder(date.replace(" BC", "")).append(' ')
        .append(pad(t.getHour(), 2)).append(':').append(pad(t.getMinute(), 2)).append(':').append(pad(t.getSecond(), 2));
    int micros = t.getNano() / 1000;
    if (micros != 0) {
      sb.append('.').append(pad(micros, 6));
    }
    return sb.append(bc).toString();
  }

  private static String pad(int v, int width) {
    String s = Integer.toString(v);
    return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
  }

  // ---- SUPER and VARBYTE ---------------------------------------------------------------------------

  private void superValue(Object v, RowBuffer out) throws LoadError {
    String json;
    if (v instanceof JsonNode n) {
      json = Json.compact(n);
    } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof Double
        || v instanceof Float) {
      json = v.toString();
    } else if (v instanceof BigDecimal b) {
      json = b.toPlainString();
    } else if (v instanceof byte[] b) {
      json = quote(HexFormat.of().formatHex(b));
    } else {
      json = quote(text(v));
    }
    if (json.length() > SUPER_MAX_BYTES / 4 && utf8Length(json) > SUPER_MAX_BYTES) {
      throw new LoadError(1224, "SUPER value exceeds the maximum size of 16 MB", abbreviate(json));
    }
    out.text(json);
  }

  private static String quote(String s) {
    try {
      return Json.MAPPER.writeValueAsString(TextNode.valueOf(s));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void varbyte(Object v, RowBuffer out) throws LoadError {
    byte[] bytes;
    if (v instanceof byte[] b) {
      bytes = b;
    } else if (v instanceof Utf8Text u) {
      bytes = u.bytes();
    } else {
      String s = textOrNull(v);
      if (s == null) {
        throw new LoadError(1223, "Invalid data type for VARBYTE: " + abbreviate(text(v)), text(v));
      }
      try {
        bytes = HexFormat.of().parseHex(s.trim());
      } catch (IllegalArgumentException e) {
        throw new LoadError(1207, "Invalid hexadecimal value for VARBYTE", s);
      }
    }
    if (bytes.length > column.length()) {
      if (!command.truncateColumns) {
        throw new LoadError(1204, "Binary value length exceeds DDL length", HexFormat.of().formatHex(bytes, 0,
            Math.min(bytes.length, 64)));
      }
      bytes = java.util.Arrays.copyOf(bytes, column.length());
    }
    out.hex(bytes);
  }

  static String abbreviate(String s) {
    return s.length() <= 1024 ? s : s.substring(0, 1024);
  }
}
