package io.redstage.connector.format;

import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

/**
 * Facts about Connect schemas shared by the Avro/Parquet and JSON writers: logical types, column
 * types.
 */
final class ConnectTypes {
  /**
   * Schema parameter set by Avro and Debezium converters; Connect's Decimal itself has no
   * precision.
   */
  static final String PRECISION_PARAMETER = "connect.decimal.precision";

  static final int DEFAULT_PRECISION = 38;

  private ConnectTypes() {}

  static boolean isDecimal(Schema s) {
    return s.type() == Schema.Type.BYTES && Decimal.LOGICAL_NAME.equals(s.name());
  }

  static boolean isDate(Schema s) {
    return s.type() == Schema.Type.INT32 && Date.LOGICAL_NAME.equals(s.name());
  }

  static boolean isTime(Schema s) {
    return s.type() == Schema.Type.INT32 && Time.LOGICAL_NAME.equals(s.name());
  }

  static boolean isTimestamp(Schema s) {
    return s.type() == Schema.Type.INT64 && Timestamp.LOGICAL_NAME.equals(s.name());
  }

  /**
   * Maps with string keys become maps; any other key type becomes an array of key/value records.
   */
  static boolean hasStringKeys(Schema mapSchema) {
    Schema k = mapSchema.keySchema();
    return k.type() == Schema.Type.STRING && k.name() == null;
  }

  /** Scale and precision of one Decimal schema (by identity), shared by every thread; immutable. */
  private static final class DecimalSpec {
    final Schema schema;
    final int scale;
    final int precision;

    DecimalSpec(Schema schema, int scale, int precision) {
      this.schema = schema;
      this.scale = scale;
      this.precision = precision;
    }
  }

  private static volatile DecimalSpec lastDecimal;

  static int decimalScale(Schema s) {
    Map<String, String> p = s.parameters();
    String scale = p == null ? null : p.get(Decimal.SCALE_FIELD);
    if (scale == null) {
      throw new ConversionException(
          "is a Decimal without the '" + Decimal.SCALE_FIELD + "' schema parameter");
    }
    return parse(scale, Decimal.SCALE_FIELD);
  }

  static int decimalPrecision(Schema s) {
    Map<String, String> p = s.parameters();
    String precision = p == null ? null : p.get(PRECISION_PARAMETER);
    int result = precision == null ? DEFAULT_PRECISION : parse(precision, PRECISION_PARAMETER);
    int scale = decimalScale(s);
    if (result < 1 || scale < 0 || scale > result) {
      throw new ConversionException(
          "is decimal("
              + result
              + ","
              + scale
              + "), which is not a valid decimal: "
              + "precision must be >= 1 and 0 <= scale <= precision (set the "
              + PRECISION_PARAMETER
              + " schema parameter)");
    }
    WarehouseLimits.decimalPrecision(result, scale);
    return result;
  }

  private static int parse(String text, String parameter) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new ConversionException(
          "has a Decimal schema parameter " + parameter + "='" + text + "' that is not an integer");
    }
  }

  /** The marker column type of a Connect schema. */
  static ColumnType columnType(Schema s, TimestampUnit unit) {
    switch (s.type()) {
      case INT8:
        return ColumnType.of(Kind.INT8);
      case INT16:
        return ColumnType.of(Kind.INT16);
      case INT32:
        if (isDate(s)) {
          return ColumnType.of(Kind.DATE);
        }
        return ColumnType.of(isTime(s) ? Kind.TIME_MILLIS : Kind.INT32);
      case INT64:
        return isTimestamp(s) ? unit.columnType() : ColumnType.of(Kind.INT64);
      case FLOAT32:
        return ColumnType.of(Kind.FLOAT32);
      case FLOAT64:
        return ColumnType.of(Kind.FLOAT64);
      case BOOLEAN:
        return ColumnType.of(Kind.BOOLEAN);
      case STRING:
        return ColumnType.of(Kind.STRING);
      case BYTES:
        return isDecimal(s)
            ? ColumnType.decimal(decimalPrecision(s), decimalScale(s))
            : ColumnType.of(Kind.BYTES);
      case ARRAY:
        return ColumnType.of(Kind.ARRAY);
      case MAP:
        return ColumnType.of(hasStringKeys(s) ? Kind.MAP : Kind.ARRAY);
      case STRUCT:
        return ColumnType.of(Kind.STRUCT);
      default:
        throw new ConversionException("has the unsupported Connect type " + s.type());
    }
  }

  /**
   * Checks a Decimal value against its schema and returns it at the schema's scale. A value with
   * fewer decimal places is rescaled exactly; one that would need rounding, or has more digits than
   * the precision, is rejected (a reader would otherwise fail on, or silently misread, the file).
   */
  static BigDecimal decimalValue(Schema s, Object value) {
    DecimalSpec spec = lastDecimal;
    if (spec == null || spec.schema != s) {
      // Reading the scale and precision parameters (map lookups, integer parsing) cost more than
      // the check itself:
      // remember them for the schema seen last, which is the same one for every row of a file.
      spec = new DecimalSpec(s, decimalScale(s), decimalPrecision(s));
      lastDecimal = spec;
    }
    int scale = spec.scale;
    int precision = spec.precision;
    if (!(value instanceof BigDecimal)) {
      throw ConversionException.mismatch(
          "a BigDecimal for decimal(" + precision + "," + scale + ")", value);
    }
    BigDecimal d = (BigDecimal) value;
    // Digits before the point, counted before setScale: rescaling 1e2147483647 would build a number
    // of two billion digits.
    if ((long) d.precision() - d.scale() > (long) precision - scale && d.signum() != 0) {
      throw valueHas(
          precision,
          scale,
          ((long) d.precision() - d.scale()) + " digits before the decimal point");
    }
    // All its digits beyond the file's scale: no exact rescale exists, and setScale would first
    // compute 10^(the difference), hundreds of megabytes for 1E-400000000.
    boolean rounds = d.signum() != 0 && (long) d.scale() - scale >= d.precision();
    if (!rounds && d.scale() != scale) {
      try {
        d = d.setScale(scale, RoundingMode.UNNECESSARY);
      } catch (ArithmeticException e) {
        rounds = true;
      }
    }
    if (rounds) {
      throw valueHas(
          precision, scale, d.scale() + " decimal places and cannot be stored without rounding");
    }
    if (d.precision() > precision) {
      throw valueHas(precision, scale, d.precision() + " digits");
    }
    return d;
  }

  /** A value that does not fit its decimal column (built only when thrown: this runs per value). */
  private static ConversionException valueHas(int precision, int scale, String what) {
    return new ConversionException(
        "is decimal(" + precision + "," + scale + ") but the value has " + what);
  }
}
