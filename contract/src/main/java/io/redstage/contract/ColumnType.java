package io.redstage.contract;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The logical type of a data-file column, as written in a commit marker. It is the vocabulary the
 * loader maps to Redshift types; it says what the file holds, not how a warehouse stores it.
 *
 * <p>Textual forms: {@code string, boolean, int8, int16, int32, int64, float32, float64, bytes,
 * date, time-millis, timestamp-millis, timestamp-micros, decimal(P,S), struct, array, map}.
 */
public final class ColumnType {
  /** The kinds a column can have. Nested kinds (struct, array, map) load into SUPER. */
  public enum Kind {
    STRING,
    BOOLEAN,
    INT8,
    INT16,
    INT32,
    INT64,
    FLOAT32,
    FLOAT64,
    BYTES,
    DATE,
    TIME_MILLIS,
    TIMESTAMP_MILLIS,
    TIMESTAMP_MICROS,
    DECIMAL,
    STRUCT,
    ARRAY,
    MAP;

    String text() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d+),(\\d+)\\)");

  private final Kind kind;
  private final int precision;
  private final int scale;

  private ColumnType(Kind kind, int precision, int scale) {
    this.kind = kind;
    this.precision = precision;
    this.scale = scale;
  }

  public static ColumnType of(Kind kind) {
    if (kind == Kind.DECIMAL) {
      throw new IllegalArgumentException(
          "Cannot create a decimal type without precision and scale: use decimal(p, s)");
    }
    return new ColumnType(kind, 0, 0);
  }

  public static ColumnType decimal(int precision, int scale) {
    if (precision < 1 || scale < 0 || scale > precision) {
      throw new IllegalArgumentException(
          "Cannot create decimal("
              + precision
              + ","
              + scale
              + "): precision must be >= 1 and 0 <= scale <= precision");
    }
    return new ColumnType(Kind.DECIMAL, precision, scale);
  }

  /** Parses the textual form written by {@link #toString()}. */
  public static ColumnType parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = DECIMAL.matcher(t.replace(" ", ""));
    if (m.matches()) {
      return decimal(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }
    for (Kind k : Kind.values()) {
      if (k != Kind.DECIMAL && k.text().equals(t)) {
        return of(k);
      }
    }
    throw new IllegalArgumentException(
        "Cannot parse column type '" + text + "': unknown type name");
  }

  public Kind kind() {
    return kind;
  }

  public int precision() {
    return precision;
  }

  public int scale() {
    return scale;
  }

  public boolean isNested() {
    return kind == Kind.STRUCT || kind == Kind.ARRAY || kind == Kind.MAP;
  }

  @Override
  public String toString() {
    return kind == Kind.DECIMAL ? "decimal(" + precision + "," + scale + ")" : kind.text();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ColumnType)) {
      return false;
    }
    ColumnType other = (ColumnType) o;
    return kind == other.kind && precision == other.precision && scale == other.scale;
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 * 31 + precision * 31 + scale;
  }
}
