package io.redstage.sandbox.redshift.copy;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.sandbox.redshift.copy.TargetTable.Column;
import io.redstage.sandbox.redshift.copy.TargetTable.Kind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Set;

/**
 * The numeric and boolean side of {@link ColumnWriter}: integer ranges (load error 1204), digits
 * (1207), DECIMAL scale (truncated, or rounded with ROUNDEC) and precision overflow, FLOAT4/FLOAT8
 * text and specials, BOOLEAN literals (1210).
 */
final class NumericWriter {
  private static final Set<String> TRUE_WORDS = Set.of("t", "true", "y", "yes", "1", "on");
  private static final Set<String> FALSE_WORDS = Set.of("f", "false", "n", "no", "0", "off");

  private final ColumnWriter values;
  private final Column column;

  /**
   * How a value with more decimals than the column's scale is cut: COPY truncates by default
   * (20.259 into DECIMAL(8,2) is 20.25) and rounds only with ROUNDEC (20.26), as documented (DG
   * copy-parameters-data-conversion). Rounding always would let a loader that forgets ROUNDEC pass
   * here and store other values on a cluster.
   */
  private final RoundingMode scaleRounding;

  NumericWriter(ColumnWriter values, Column column, boolean roundDecimals) {
    this.values = values;
    this.column = column;
    this.scaleRounding = roundDecimals ? RoundingMode.HALF_UP : RoundingMode.DOWN;
  }

  void integral(Object v, RowBuffer out, long min, long max, String type) throws LoadError {
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
    String s = values.textOrNull(v);
    if (s == null) {
      s = values.text(v);
    }
    String t = s.trim();
    if (t.isEmpty()) {
      values.writeNull(out, s);
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

  private static void checkRange(long l, long min, long max, String type, String raw)
      throws LoadError {
    if (l < min || l > max) {
      throw overflow(raw, min, max, type);
    }
  }

  private static LoadError overflow(String raw, long min, long max, String type) {
    return new LoadError(
        1204, "Overflow, " + raw + " (" + type + " valid range " + min + " to " + max + ")", raw);
  }

  private static LoadError invalidDigit(String t, int pos, String type, int code) {
    return new LoadError(
        code,
        "Invalid digit, Value '"
            + t.charAt(Math.max(0, pos))
            + "', Pos "
            + Math.max(0, pos)
            + ", Type: "
            + type,
        t);
  }

  void decimal(Object v, RowBuffer out) throws LoadError {
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
      String s = values.textOrNull(v);
      if (s == null) {
        throw new LoadError(
            1209,
            "Invalid digit, Value '" + ColumnWriter.abbreviate(values.text(v)) + "', Type: Decimal",
            values.text(v));
      }
      String t = s.trim();
      if (t.isEmpty()) {
        values.writeNull(out, s);
        return;
      }
      try {
        d = new BigDecimal(t);
      } catch (NumberFormatException e) {
        int bad = firstNonNumeric(t);
        throw invalidDigit(t, bad, "Decimal", 1207);
      }
    }
    BigDecimal scaled = d.setScale(column.scale(), scaleRounding);
    if (scaled.precision() > column.precision()) {
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

  void floating(Object v, RowBuffer out) throws LoadError {
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
      String s = values.textOrNull(v);
      if (s == null) {
        throw new LoadError(
            1208,
            "Invalid digit, Value '" + ColumnWriter.abbreviate(values.text(v)) + "', Type: " + type,
            values.text(v));
      }
      String t = s.trim();
      if (t.isEmpty()) {
        values.writeNull(out, s);
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
    out.plain(
        Double.isNaN(d)
            ? "NaN"
            : Double.isInfinite(d)
                ? (d > 0 ? "Infinity" : "-Infinity")
                : column.kind() == Kind.REAL ? Float.toString((float) d) : Double.toString(d));
  }

  void bool(Object v, RowBuffer out) throws LoadError {
    Boolean b = null;
    if (v instanceof Boolean x) {
      b = x;
    } else if (v instanceof JsonNode n && n.isBoolean()) {
      b = n.booleanValue();
    } else if (v instanceof Long l && (l == 0 || l == 1)) {
      b = l == 1;
    } else if (v instanceof JsonNode n
        && n.isIntegralNumber()
        && (n.asLong() == 0 || n.asLong() == 1)) {
      b = n.asLong() == 1;
    } else {
      String s = values.textOrNull(v);
      if (s != null) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
          values.writeNull(out, s);
          return;
        }
        b = TRUE_WORDS.contains(t) ? Boolean.TRUE : FALSE_WORDS.contains(t) ? Boolean.FALSE : null;
      }
    }
    if (b == null) {
      throw new LoadError(
          1210,
          "Invalid value for boolean: '" + ColumnWriter.abbreviate(values.text(v)) + "'",
          values.text(v));
    }
    out.plain(b ? "t" : "f");
  }
}
