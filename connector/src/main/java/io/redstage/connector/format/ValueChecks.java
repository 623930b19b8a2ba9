package io.redstage.connector.format;

import java.nio.ByteBuffer;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * Checks that a Connect value has the Java type its schema promises and returns it unboxed.
 * Connect's own contract (e.g. INT8 is a Byte) is applied strictly: a record built around the
 * converter can carry anything, and a silent widening could hide a producer bug.
 */
final class ValueChecks {
  private ValueChecks() {}

  static int int8(Object v) {
    if (v instanceof Byte) {
      return (Byte) v;
    }
    throw ConversionException.mismatch("a Byte (INT8)", v);
  }

  static int int16(Object v) {
    if (v instanceof Short) {
      return (Short) v;
    }
    throw ConversionException.mismatch("a Short (INT16)", v);
  }

  static int int32(Object v) {
    if (v instanceof Integer) {
      return (Integer) v;
    }
    throw ConversionException.mismatch("an Integer (INT32)", v);
  }

  static long int64(Object v) {
    if (v instanceof Long) {
      return (Long) v;
    }
    throw ConversionException.mismatch("a Long (INT64)", v);
  }

  static float float32(Object v) {
    if (v instanceof Float) {
      return (Float) v;
    }
    throw ConversionException.mismatch("a Float (FLOAT32)", v);
  }

  static double float64(Object v) {
    if (v instanceof Double) {
      return (Double) v;
    }
    throw ConversionException.mismatch("a Double (FLOAT64)", v);
  }

  static boolean bool(Object v) {
    if (v instanceof Boolean) {
      return (Boolean) v;
    }
    throw ConversionException.mismatch("a Boolean (BOOLEAN)", v);
  }

  static String string(Object v) {
    if (v instanceof String) {
      return (String) v;
    }
    if (v instanceof CharSequence) {
      return v.toString();
    }
    throw ConversionException.mismatch("a String (STRING)", v);
  }

  /**
   * The JSON name of a schemaless map's key: a string as it is, a number or boolean as its text.
   * Connect's JsonConverter hands out string keys only, but other converters and transforms can
   * hand out any Java object, whose text may not read back as it (an array's identity hash) or may
   * be null. Such a key would name the value after something it is not, so the record is bad.
   */
  static String mapKeyName(Object key) {
    if (key instanceof String) {
      return (String) key;
    }
    if (key instanceof java.math.BigDecimal) {
      return ((java.math.BigDecimal) key).toPlainString();
    }
    if (key instanceof Number || key instanceof Boolean || key instanceof CharSequence) {
      return key.toString();
    }
    throw new ConversionException(
        key == null
            ? "has a null map key"
            : "has a map key of the Java type " + key.getClass().getName(),
        "Give the map keys that are strings, numbers or booleans (the converter or a Single "
            + "Message Transform sets them), or route such records elsewhere with a predicate.");
  }

  /**
   * The bytes of a BYTES value; a ByteBuffer's remaining bytes are copied, its position is kept.
   */
  static byte[] bytes(Object v) {
    if (v instanceof byte[]) {
      return (byte[]) v;
    }
    if (v instanceof ByteBuffer) {
      ByteBuffer b = ((ByteBuffer) v).duplicate();
      byte[] copy = new byte[b.remaining()];
      b.get(copy);
      return copy;
    }
    throw ConversionException.mismatch("a byte[] or ByteBuffer (BYTES)", v);
  }

  /**
   * The value of a Decimal whose digits are not held to a DECIMAL column's (key or header text).
   */
  static java.math.BigDecimal decimal(Object v) {
    if (v instanceof java.math.BigDecimal) {
      return (java.math.BigDecimal) v;
    }
    throw ConversionException.mismatch("a BigDecimal (Decimal)", v);
  }

  static java.util.Date date(Object v, String expected) {
    if (v instanceof java.util.Date) {
      return (java.util.Date) v;
    }
    throw ConversionException.mismatch(expected, v);
  }

  /**
   * Days since 1970-01-01 of a Connect Date; Connect itself rejects a Date with a time part, and
   * days outside the years Redshift reads are rejected here.
   */
  static int epochDays(Schema s, Object v) {
    java.util.Date date = date(v, "a java.util.Date for a Date");
    // Checked before Date.fromLogical, which casts the day count to int: a date 2^32 days out
    // would wrap into one inside the range.
    WarehouseLimits.epochDayOfMillis(date.getTime());
    try {
      return Date.fromLogical(s, date);
    } catch (DataException e) {
      throw new ConversionException("has an invalid Date: " + e.getMessage());
    }
  }

  /**
   * Milliseconds since midnight of a Connect Time; Connect rejects a Time with a date part, and
   * takes 24:00:00 (86,400,000 ms), which Redshift's TIME holds too.
   */
  static int millisOfDay(Schema s, Object v) {
    try {
      return Time.fromLogical(s, date(v, "a java.util.Date for a Time"));
    } catch (DataException e) {
      throw new ConversionException("has an invalid Time: " + e.getMessage());
    }
  }

  /** Milliseconds since 1970 of a Connect Timestamp, within the years Redshift reads. */
  static long epochMillis(Schema s, Object v) {
    long millis;
    try {
      millis = Timestamp.fromLogical(s, date(v, "a java.util.Date for a Timestamp"));
    } catch (DataException e) {
      throw new ConversionException("has an invalid Timestamp: " + e.getMessage());
    }
    return WarehouseLimits.epochMillis(millis);
  }

  /** The value as a Struct of exactly schema {@code s} (same instance, or equal). */
  static Struct struct(Schema s, Object v) {
    if (!(v instanceof Struct)) {
      throw ConversionException.mismatch("a Struct", v);
    }
    Struct struct = (Struct) v;
    Schema actual = struct.schema();
    if (actual != s && !sameStructSchema(actual, s)) {
      throw new ConversionException(
          "expects a Struct of schema "
              + describe(s)
              + " but the Struct has schema "
              + describe(actual));
    }
    return struct;
  }

  /**
   * ConnectSchema.equals compares optionality too; a Struct built from the required variant of an
   * optional field's schema is still a valid value for it, so optionality is ignored here.
   */
  private static boolean sameStructSchema(Schema a, Schema b) {
    return a.equals(b)
        || (a.type() == b.type()
            && java.util.Objects.equals(a.name(), b.name())
            && java.util.Objects.equals(a.version(), b.version())
            && a.fields().equals(b.fields()));
  }

  /**
   * The schema's name, version and field names, within {@link NamesInMessages}' limits: a schema of
   * thousands of fields, or names of any length, must not make the message (and the dead letter
   * queue's headers, which carry it) grow with it.
   */
  private static String describe(Schema s) {
    return (s.name() == null ? "(unnamed)" : NamesInMessages.plain(s.name()))
        + (s.version() == null ? "" : " v" + s.version())
        + " with fields "
        + NamesInMessages.list(s.fields().stream().map(f -> f.name()).collect(Collectors.toList()));
  }
}
