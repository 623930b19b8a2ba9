package io.redstage.sandbox.redshift.copy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.redstage.sandbox.redshift.copy.TargetTable.Column;
import io.redstage.sandbox.redshift.copy.TargetTable.Kind;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * Converts one source value into the COPY text of one target column, applying Redshift's load
 * rules: range and format checks with Redshift's load error codes, byte-length limits, NOT NULL,
 * DEFAULT for missing fields, and DATEFORMAT / TIMEFORMAT.
 *
 * <p>Source values are normalized by the format readers: null, {@link #MISSING}, Boolean, Long,
 * Float, Double, BigDecimal, String, {@link Utf8Text}, byte[], LocalDate, LocalTime, LocalDateTime,
 * Instant and Jackson JsonNode (JSON values and nested data).
 */
final class ColumnWriter {
  /**
   * The field is absent from the record (JSON/Avro 'auto'): the column gets its DEFAULT or NULL.
   */
  static final Object MISSING = new Object();

  /** String data as raw bytes, decoded (and UTF-8-checked) only when loaded. */
  record Utf8Text(byte[] bytes) {}

  private static final long SUPER_MAX_BYTES = 16L * 1024 * 1024;

  private final Column column;
  private final CopyCommand command;
  private final TemporalWriter temporal;
  private final NumericWriter numbers;

  ColumnWriter(Column column, CopyCommand command) {
    this.column = column;
    this.command = command;
    this.temporal = new TemporalWriter(this, column, command);
    this.numbers = new NumericWriter(this, column, command.roundDecimals);
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
      case SMALLINT -> numbers.integral(v, out, Short.MIN_VALUE, Short.MAX_VALUE, "Short");
      case INTEGER -> numbers.integral(v, out, Integer.MIN_VALUE, Integer.MAX_VALUE, "Integer");
      case BIGINT -> numbers.integral(v, out, Long.MIN_VALUE, Long.MAX_VALUE, "Long");
      case DECIMAL -> numbers.decimal(v, out);
      case REAL, DOUBLE -> numbers.floating(v, out);
      case BOOLEAN -> numbers.bool(v, out);
      case CHAR, VARCHAR -> string(v, out);
      case DATE -> temporal.date(v, out);
      case TIMESTAMP, TIMESTAMPTZ -> temporal.timestamp(v, out);
      case TIME, TIMETZ -> temporal.time(v, out);
      case SUPER -> superValue(v, out);
      case VARBYTE -> varbyte(v, out);
      case UNSUPPORTED ->
          throw new LoadError(
              1223, "Invalid data type: COPY cannot load " + column.pgType(), text(v));
      default -> throw new IllegalStateException("unhandled kind " + column.kind());
    }
  }

  void writeNull(RowBuffer out, String raw) throws LoadError {
    if (column.notNull()) {
      throw new LoadError(1213, "Missing data for not-null field", raw);
    }
    out.nullField();
  }

  // ---- text
  // ----------------------------------------------------------------------------------------

  private void string(Object v, RowBuffer out) throws LoadError {
    if (v instanceof Utf8Text u && writeUtf8Directly(u.bytes(), out)) {
      return;
    }
    String s = text(v);
    if (s.indexOf('\0') >= 0) {
      throw new LoadError(
          1220, "String contains NUL (0x00), which the sandbox's PostgreSQL cannot store", s);
    }
    if (column.kind() == Kind.CHAR) {
      for (int i = 0; i < s.length(); i++) {
        if (s.charAt(i) > 0x7f) {
          throw new LoadError(
              1220, "Multibyte character not supported for CHAR (Hint: try using VARCHAR)", s);
        }
      }
    }
    int bytes = utf8Length(s);
    if (bytes > column.length()) {
      throw new LoadError(1204, "String length exceeds DDL length", abbreviate(s));
    }
    out.text(s);
  }

  /**
   * Bulk-load fast path for string bytes from Parquet/Avro: valid UTF-8 that fits and needs no NULL
   * rule is written without decoding. Returns false when the general path must handle the value.
   */
  private boolean writeUtf8Directly(byte[] b, RowBuffer out) {
    int n = b.length;
    if (n == 0 || n > column.length()) {
      return false;
    }
    boolean ascii = true;
    for (byte x : b) {
      if (x == 0) {
        return false;
      }
      if (x < 0) {
        ascii = false;
      }
    }
    if (!ascii && (column.kind() == Kind.CHAR || Utf8.firstInvalid(b, 0, n) >= 0)) {
      return false;
    }
    out.utf8(b, n);
    return true;
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
  String textOrNull(Object v) throws LoadError {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Utf8Text u) {
      return Utf8.decode(u.bytes(), 0, u.bytes().length);
    }
    if (v instanceof JsonNode n && n.isTextual()) {
      return n.textValue();
    }
    return null;
  }

  /** The text form of any value, as loading it into a VARCHAR column would store it. */
  String text(Object v) throws LoadError {
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
      return Utf8.decode(b, 0, b.length);
    }
    if (v instanceof LocalDate d) {
      return TemporalWriter.formatDate(d);
    }
    if (v instanceof LocalDateTime t) {
      return TemporalWriter.formatTimestamp(t);
    }
    if (v instanceof Instant i) {
      return TemporalWriter.formatTimestamp(LocalDateTime.ofInstant(i, ZoneOffset.UTC)) + "+00";
    }
    return v.toString();
  }

  // ---- SUPER and VARBYTE
  // ---------------------------------------------------------------------------

  private void superValue(Object v, RowBuffer out) throws LoadError {
    String json;
    if (v instanceof JsonNode n) {
      json = Json.compact(n);
    } else if (v instanceof Boolean
        || v instanceof Long
        || v instanceof Integer
        || v instanceof Double
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
      throw new LoadError(
          1204,
          "Binary value length exceeds DDL length",
          HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 64)));
    }
    out.hex(bytes);
  }

  static String abbreviate(String s) {
    return s.length() <= 1024 ? s : s.substring(0, 1024);
  }
}
