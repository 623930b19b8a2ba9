package io.redstage.connector.format;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

/**
 * Converts Connect values into Avro generic data following the schemas of {@link
 * ConnectAvroSchemas}. Every value is checked against its Connect schema and against Redshift's
 * limits ({@link WarehouseLimits}); a mismatch raises {@link ConversionException} before anything
 * is handed to an encoder, which keeps a half-written record out of the file. {@code nested} is
 * false for a value that is a column of the row, true inside one.
 */
final class ConnectAvroValues {
  /** {"key":,"value":} around a map entry that is not keyed by a string. */
  private static final int ENTRY_NAMES_CHARS = "{\"key\":,\"value\":}".length();

  private final TimestampUnit unit;
  private final WarehouseLimits limits;

  /**
   * Avro files: COPY loads a nested column as JSON text, which the loader stages in a VARCHAR
   * before JSON_PARSE, so that text must fit {@link WarehouseLimits#VARCHAR_MAX_BYTES}.
   */
  private final boolean nestedAsText;

  /**
   * A lower bound of the bytes of the JSON text of the nested column being converted: every value
   * takes a byte, and a comma or closing bracket follows it; strings, map keys and field names
   * their UTF-8 bytes, quotes and one more byte for each character JSON escapes; integers, dates,
   * times and timestamps their decimal digits; booleans their word; binary values a byte per byte;
   * decimals their significant digits; floating-point numbers a byte, and, when that could decide
   * the column ({@link #floatSlack}), their significant digits, at most the 15 (6 for 32-bit
   * floats) that Redshift's Postgres lineage prints, and a point or exponent when they are not
   * whole. Redshift's own text for a value (its escapes, how it writes bytes or a number) can only
   * be longer, so a value refused here would also fail in the warehouse. Avro files hold it against
   * a VARCHAR, Parquet files against a SUPER value's 16 MB.
   */
  private long jsonChars;

  /**
   * How many more bytes than {@link #jsonChars} counts the floating-point numbers of the column
   * being converted may take at most: they are counted exactly (about 0.3 us each) only for a
   * column whose size they decide, so that nested arrays of thousands of doubles (embeddings) far
   * from the limit cost nothing more per record.
   */
  private long floatSlack;

  ConnectAvroValues(TimestampUnit unit, WarehouseLimits limits, boolean nestedAsText) {
    this.unit = unit;
    this.limits = limits;
    this.nestedAsText = nestedAsText;
  }

  /**
   * Converts {@code v} of Connect schema {@code s} to a datum of Avro schema {@code a} (maybe a
   * union).
   */
  Object convert(Schema s, org.apache.avro.Schema a, Object v, boolean nested) {
    if (nested) {
      // the value's first byte, and the comma or bracket after it (an array of 40,000 zeros is
      // 80,001 bytes of text, not 40,000)
      jsonChars += 2;
    }
    Object datum = datum(s, a, v, nested);
    if (nested && datum != null) {
      jsonChars += extraTextBytes(s, datum);
    }
    return datum;
  }

  private Object datum(Schema s, org.apache.avro.Schema a, Object v, boolean nested) {
    if (v == null) {
      if (s.isOptional()) {
        return null;
      }
      throw new ConversionException("is required but the value is null");
    }
    org.apache.avro.Schema avro =
        a.getType() == org.apache.avro.Schema.Type.UNION ? a.getTypes().get(1) : a;
    switch (s.type()) {
      case INT8:
        return ValueChecks.int8(v);
      case INT16:
        return ValueChecks.int16(v);
      case INT32:
        if (ConnectTypes.isDate(s)) {
          return ValueChecks.epochDays(s, v);
        }
        if (ConnectTypes.isTime(s)) {
          return ValueChecks.millisOfDay(s, v);
        }
        return ValueChecks.int32(v);
      case INT64:
        if (ConnectTypes.isTimestamp(s)) {
          return unit.fromMillis(ValueChecks.epochMillis(s, v));
        }
        return ValueChecks.int64(v);
      case FLOAT32:
        return ValueChecks.float32(v);
      case FLOAT64:
        return ValueChecks.float64(v);
      case BOOLEAN:
        return ValueChecks.bool(v);
      case STRING:
        return limits.string(ValueChecks.string(v), nested);
      case BYTES:
        if (ConnectTypes.isDecimal(s)) {
          return ByteBuffer.wrap(ConnectTypes.decimalValue(s, v).unscaledValue().toByteArray());
        }
        // The encoders read position..limit without moving it; duplicate() keeps the caller's
        // buffer intact.
        ByteBuffer bytes =
            v instanceof ByteBuffer
                ? ((ByteBuffer) v).duplicate()
                : ByteBuffer.wrap(ValueChecks.bytes(v));
        WarehouseLimits.bytes(bytes.remaining(), nested, true);
        return bytes;
      case ARRAY:
      case MAP:
      case STRUCT:
        if (nested) {
          return container(s, avro, v);
        }
        jsonChars = 0;
        floatSlack = 0;
        Object column = container(s, avro, v);
        long limit =
            nestedAsText ? WarehouseLimits.VARCHAR_MAX_BYTES : WarehouseLimits.SUPER_MAX_BYTES;
        if (jsonChars <= limit && jsonChars + floatSlack > limit) {
          jsonChars += floatTextExtra(column);
        }
        if (nestedAsText) {
          WarehouseLimits.nestedText(jsonChars);
        } else {
          WarehouseLimits.superText(jsonChars);
        }
        return column;
      default:
        throw new ConversionException("has the unsupported Connect type " + s.type());
    }
  }

  /**
   * The bytes beyond the one {@link #convert} counts for every nested value that the JSON text of
   * {@code datum} takes at least (see {@link #jsonChars}).
   */
  private long extraTextBytes(Schema s, Object datum) {
    switch (s.type()) {
      case INT32:
      case INT64:
        // COPY renders nested times as text, not as the numbers the file holds:
        // "2024-02-29 13:45:30.123000+00", "2024-02-29", "13:45:30" (docs/loader-types.md)
        if (Timestamp.LOGICAL_NAME.equals(s.name())) {
          return TIMESTAMP_TEXT_CHARS - 1;
        }
        if (Date.LOGICAL_NAME.equals(s.name())) {
          return DATE_TEXT_CHARS - 1;
        }
        if (Time.LOGICAL_NAME.equals(s.name())) {
          return TIME_TEXT_CHARS - 1;
        }
        return decimalChars(((Number) datum).longValue()) - 1;
      case INT8:
      case INT16:
        return decimalChars(((Number) datum).longValue()) - 1;
      case BOOLEAN:
        return ((Boolean) datum) ? 3 : 4;
      case STRING:
        return jsonStringBytes((String) datum) - 1;
      case BYTES:
        if (ConnectTypes.isDecimal(s)) {
          return decimalTextBytes((ByteBuffer) datum) - 1;
        }
        // hex text in quotes, two chars per byte
        return 2L * ((ByteBuffer) datum).remaining() + 1;
      case FLOAT32:
        floatSlack += FLOAT_TEXT_MOST - 1;
        return 0; // counted exactly only when it decides (see floatSlack)
      case FLOAT64:
        floatSlack += DOUBLE_TEXT_MOST - 1;
        return 0;
      default:
        return 0; // containers: their values are counted one by one
    }
  }

  /** Significant digits Postgres, Redshift's ancestor, prints of a REAL and a DOUBLE PRECISION. */
  private static final int FLOAT_DIGITS = 6;

  private static final int DOUBLE_DIGITS = 15;

  /**
   * The longest text of a double ("-2.2250738585072014E-308") and of a float ("-1.17549435E-38").
   */
  private static final int DOUBLE_TEXT_MOST = 24;

  private static final int FLOAT_TEXT_MOST = 15;

  /**
   * The bytes beyond the one already counted that the floating-point numbers of the converted
   * {@code datum} take as text ({@link #floatTextBytes}). Avro datums hold a double as a Double and
   * a float as a Float, and nothing else as either.
   */
  private static long floatTextExtra(Object datum) {
    if (datum instanceof Double) {
      return floatTextBytes((Double) datum, DOUBLE_DIGITS) - 1;
    }
    if (datum instanceof Float) {
      return floatTextBytes((Float) datum, FLOAT_DIGITS) - 1;
    }
    long extra = 0;
    if (datum instanceof GenericData.Record) {
      GenericData.Record r = (GenericData.Record) datum;
      for (int i = 0; i < r.getSchema().getFields().size(); i++) {
        extra += floatTextExtra(r.get(i));
      }
    } else if (datum instanceof Collection) {
      for (Object v : (Collection<?>) datum) {
        extra += floatTextExtra(v);
      }
    } else if (datum instanceof Map) {
      for (Object v : ((Map<?, ?>) datum).values()) {
        extra += floatTextExtra(v);
      }
    }
    return extra;
  }

  /**
   * The least text of a floating-point number: a minus sign, its significant digits once rounded to
   * {@code maxDigits} (what a printer of that precision shows, trailing zeros dropped: 0.1 + 0.2
   * prints as 0.3; a printer of the shortest round-trip text shows at least as many), and a point
   * or an exponent when the rounded value is not whole. Zero, NaN and infinities: a byte.
   */
  static int floatTextBytes(double d, int maxDigits) {
    if (d == 0 || Double.isNaN(d) || Double.isInfinite(d)) {
      return 1;
    }
    BigDecimal printed =
        new BigDecimal(d)
            .round(new MathContext(maxDigits, RoundingMode.HALF_EVEN))
            .stripTrailingZeros();
    return (d < 0 ? 1 : 0) + printed.precision() + (printed.scale() > 0 ? 1 : 0);
  }

  /**
   * The least text of a decimal from its unscaled two's-complement bytes: a minus sign and its
   * significant digits (trailing zeros may print as exponent or be dropped).
   */
  static int decimalTextBytes(ByteBuffer unscaled) {
    byte[] bytes = new byte[unscaled.remaining()];
    unscaled.duplicate().get(bytes);
    if (bytes.length == 0) {
      return 1;
    }
    BigInteger value = new BigInteger(bytes);
    if (value.signum() == 0) {
      return 1;
    }
    String digits = value.abs().toString();
    int end = digits.length();
    while (end > 1 && digits.charAt(end - 1) == '0') {
      end--;
    }
    return (value.signum() < 0 ? 1 : 0) + end;
  }

  /**
   * The UTF-8 bytes of {@code text} as a JSON string: its quotes, and at least one more byte for
   * each character JSON escapes ('"', '\\', controls). Unpaired surrogates were refused before.
   */
  static long jsonStringBytes(String text) {
    long bytes = 2;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += c == '"' || c == '\\' || c < 0x20 ? 2 : 1;
      } else if (c < 0x800 || Character.isSurrogate(c)) {
        bytes += 2; // a surrogate pair is four bytes
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /**
   * {@code "2024-02-29 13:45:30+00"} with its quotes: the shortest text of a timestamp (a fraction
   * adds up to 7), so the count stays a lower bound.
   */
  private static final int TIMESTAMP_TEXT_CHARS = 24;

  /** {@code "2024-02-29"} with its quotes. */
  private static final int DATE_TEXT_CHARS = 12;

  /** {@code "13:45:30"} with its quotes, the shortest text of a time. */
  private static final int TIME_TEXT_CHARS = 10;

  private static final long[] POWERS_OF_TEN = new long[19];

  static {
    POWERS_OF_TEN[0] = 1;
    for (int i = 1; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
    }
  }

  /**
   * The length of {@code Long.toString(v)}, without making the string or dividing: every element of
   * a nested number array passes here.
   */
  static int decimalChars(long v) {
    if (v == Long.MIN_VALUE) {
      return 20;
    }
    long abs = Math.abs(v);
    // 1233 / 4096 is just under log10(2): the guess is the digit count or one less.
    int guess = ((64 - Long.numberOfLeadingZeros(abs)) * 1233) >>> 12;
    int digits = abs >= POWERS_OF_TEN[guess] ? guess + 1 : Math.max(guess, 1);
    return v < 0 ? digits + 1 : digits;
  }

  /**
   * Checks that a map of strings (the headers column) fits, as JSON text, the VARCHAR in which
   * Avro's COPY delivers nested columns; does nothing in other files.
   */
  void checkStringMapText(Map<String, String> map) {
    if (!nestedAsText || map.isEmpty()) {
      return;
    }
    long bytes = 1 + map.size(); // braces, and commas between entries
    for (Map.Entry<String, String> e : map.entrySet()) {
      bytes += jsonStringBytes(e.getKey()) + 1;
      bytes += e.getValue() == null ? 4 : jsonStringBytes(e.getValue());
    }
    WarehouseLimits.nestedText(bytes);
  }

  /** The elements, entries or fields of a value that lands in SUPER, converted as nested values. */
  private Object container(Schema s, org.apache.avro.Schema avro, Object v) {
    switch (s.type()) {
      case ARRAY:
        return array(s, avro, v);
      case MAP:
        return ConnectTypes.hasStringKeys(s) ? map(s, avro, v) : entries(s, avro, v);
      default:
        GenericData.Record record = new GenericData.Record(avro);
        fillFields(ValueChecks.struct(s, v), record, true);
        return record;
    }
  }

  /** Puts the converted fields of {@code struct} at positions 0..n-1 of {@code record}. */
  void fillFields(Struct struct, GenericData.Record record, boolean nested) {
    List<Field> fields = struct.schema().fields();
    List<org.apache.avro.Schema.Field> avroFields = record.getSchema().getFields();
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      if (nested) {
        jsonChars += f.name().length() + 3;
      }
      try {
        record.put(
            i, convert(f.schema(), avroFields.get(i).schema(), FieldValues.of(struct, f), nested));
      } catch (ConversionException e) {
        throw e.inField(f.name());
      }
    }
  }

  private List<Object> array(Schema s, org.apache.avro.Schema avro, Object v) {
    if (!(v instanceof Collection)) {
      throw ConversionException.mismatch("a java.util.List", v);
    }
    Collection<?> values = (Collection<?>) v;
    List<Object> out = new ArrayList<>(values.size());
    org.apache.avro.Schema items = avro.getElementType();
    for (Object element : values) {
      try {
        out.add(convert(s.valueSchema(), items, element, true));
      } catch (ConversionException e) {
        throw e.inElement(Integer.toString(out.size()));
      }
    }
    return out;
  }

  private Map<String, Object> map(Schema s, org.apache.avro.Schema avro, Object v) {
    Map<?, ?> values = asMap(v);
    Map<String, Object> out = new LinkedHashMap<>(Math.max(4, values.size() * 4 / 3 + 1));
    org.apache.avro.Schema valueAvro = avro.getValueType();
    for (Map.Entry<?, ?> e : values.entrySet()) {
      if (e.getKey() == null) {
        throw new ConversionException("has a null map key");
      }
      String key = ValueChecks.string(e.getKey());
      jsonChars += nestedAsText ? jsonStringBytes(key) + 1 : key.length() + 3;
      try {
        // A map key is a name inside SUPER: NUL or a broken surrogate fails COPY as a value would.
        limits.text(key);
        out.put(key, convert(s.valueSchema(), valueAvro, e.getValue(), true));
      } catch (ConversionException ex) {
        throw ex.inEntry(key, out.size(), false);
      }
    }
    return out;
  }

  private List<Object> entries(Schema s, org.apache.avro.Schema avro, Object v) {
    Map<?, ?> values = asMap(v);
    List<Object> out = new ArrayList<>(values.size());
    org.apache.avro.Schema entry = avro.getElementType();
    org.apache.avro.Schema keyAvro = entry.getFields().get(0).schema();
    org.apache.avro.Schema valueAvro = entry.getFields().get(1).schema();
    for (Map.Entry<?, ?> e : values.entrySet()) {
      GenericData.Record r = new GenericData.Record(entry);
      // the comma and brace in it are the key's and the value's separators, counted with them; the
      // comma or bracket after the entry is one more
      jsonChars += ENTRY_NAMES_CHARS - 1;
      try {
        r.put(0, convert(s.keySchema(), keyAvro, e.getKey(), true));
        r.put(1, convert(s.valueSchema(), valueAvro, e.getValue(), true));
      } catch (ConversionException ex) {
        // A key that is not a string is a value: the path names the entry by its position.
        throw ex.inEntry(null, out.size(), false);
      }
      out.add(r);
    }
    return out;
  }

  private static Map<?, ?> asMap(Object v) {
    if (!(v instanceof Map)) {
      throw ConversionException.mismatch("a java.util.Map", v);
    }
    return (Map<?, ?>) v;
  }
}
