package io.redstage.connector.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Writes Connect values as JSON with Jackson's streaming generator. With a schema: Decimal as an
 * exact JSON number, Date as "yyyy-MM-dd", Time as "HH:mm:ss.SSS", Timestamp as ISO-8601 UTC with
 * Z, bytes as hex in a column (VARBYTE) and base64 inside nested values (SUPER), maps with
 * non-string keys as arrays of {"key":…,"value":…}. Without a schema the Java types decide (as
 * JsonConverter with schemas.enable=false produces them). Mismatches and values over Redshift's
 * limits ({@link WarehouseLimits}) raise {@link ConversionException} before the value is written.
 *
 * <p>The package-level methods write the top of a row, whose values become columns; what they
 * contain is written as nested ({@code nested = true}), since it lands in SUPER.
 */
final class ConnectJson {
  /** Decimals are written in plain notation: 1E+3 would be read back as a float by some loaders. */
  static final JsonFactory FACTORY =
      new JsonFactoryBuilder()
          .rootValueSeparator((String) null)
          .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
          .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
          .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
          .build();

  private final TimestampUnit unit;
  private final WarehouseLimits limits;

  /** Reused timestamp text of an instance for one file ({@link #forFile}); null otherwise. */
  private final TimeText.Buffer timestamps;

  ConnectJson(TimestampUnit unit, WarehouseLimits limits) {
    this(unit, limits, null);
  }

  private ConnectJson(TimestampUnit unit, WarehouseLimits limits, TimeText.Buffer timestamps) {
    this.unit = unit;
    this.limits = limits;
    this.timestamps = timestamps;
  }

  /** {@code s} when it may be written as text (see {@link WarehouseLimits#text}). */
  String checkedText(String s) {
    return limits.text(s);
  }

  /**
   * An instance for one file writer, with the same unit and limits, that writes timestamps from a
   * reused buffer. Like the writer, it must not be shared between threads.
   */
  ConnectJson forFile() {
    return new ConnectJson(unit, limits, new TimeText.Buffer(unit));
  }

  /** Writes a timestamp (milliseconds since 1970, already checked against Redshift's years). */
  void writeTimestamp(JsonGenerator g, long epochMillis) throws IOException {
    int length = timestamps == null ? -1 : timestamps.fill(epochMillis);
    if (length < 0) {
      g.writeString(TimeText.timestamp(epochMillis, unit));
    } else {
      g.writeString(timestamps.chars(), 0, length);
    }
  }

  /** Writes a value of schema {@code s} that is a column of the row. */
  void writeTyped(JsonGenerator g, Schema s, Object v) throws IOException {
    writeTyped(g, s, v, false);
  }

  private void writeTyped(JsonGenerator g, Schema s, Object v, boolean nested) throws IOException {
    if (v == null) {
      if (!s.isOptional()) {
        throw new ConversionException("is required but the value is null");
      }
      g.writeNull();
      return;
    }
    switch (s.type()) {
      case INT8:
        g.writeNumber(ValueChecks.int8(v));
        break;
      case INT16:
        g.writeNumber(ValueChecks.int16(v));
        break;
      case INT32:
        if (ConnectTypes.isDate(s)) {
          g.writeString(TimeText.date(ValueChecks.epochDays(s, v)));
        } else if (ConnectTypes.isTime(s)) {
          g.writeString(TimeText.time(ValueChecks.millisOfDay(s, v)));
        } else {
          g.writeNumber(ValueChecks.int32(v));
        }
        break;
      case INT64:
        if (ConnectTypes.isTimestamp(s)) {
          writeTimestamp(g, ValueChecks.epochMillis(s, v));
        } else {
          g.writeNumber(ValueChecks.int64(v));
        }
        break;
      case FLOAT32:
        g.writeNumber(ValueChecks.float32(v));
        break;
      case FLOAT64:
        g.writeNumber(ValueChecks.float64(v));
        break;
      case BOOLEAN:
        g.writeBoolean(ValueChecks.bool(v));
        break;
      case STRING:
        g.writeString(limits.string(ValueChecks.string(v), nested));
        break;
      case BYTES:
        if (ConnectTypes.isDecimal(s)) {
          writeDecimal(g, ConnectTypes.decimalValue(s, v), nested);
        } else {
          writeBytes(g, ValueChecks.bytes(v), nested);
        }
        break;
      case ARRAY:
        writeTypedArray(g, s, v);
        break;
      case MAP:
        writeTypedMap(g, s, v);
        break;
      case STRUCT:
        writeStruct(g, ValueChecks.struct(s, v));
        break;
      default:
        throw new ConversionException("has the unsupported Connect type " + s.type());
    }
  }

  /**
   * A decimal column's value as a JSON string of its plain digits; a decimal inside SUPER as a JSON
   * number. Redshift documents that COPY may read JSON numbers into numeric columns inexactly, and
   * advises quoting them (COPY from JSON, "Loss of numeric precision"): a quoted number is read
   * from its text into the DECIMAL column, every digit kept. In SUPER a string would stay a string.
   */
  private static void writeDecimal(JsonGenerator g, BigDecimal d, boolean nested)
      throws IOException {
    if (nested) {
      g.writeNumber(d);
    } else {
      g.writeString(d.toPlainString());
    }
  }

  /**
   * Writes the fields of a struct as an object, a column of SUPER type: its fields are nested
   * values.
   */
  void writeStruct(JsonGenerator g, Struct struct) throws IOException {
    g.writeStartObject();
    writeFields(g, struct, true);
    g.writeEndObject();
  }

  /**
   * Writes the fields of a struct into the object being written: the row, so the fields are
   * columns.
   */
  void writeFields(JsonGenerator g, Struct struct) throws IOException {
    writeFields(g, struct, false);
  }

  private void writeFields(JsonGenerator g, Struct struct, boolean nested) throws IOException {
    for (Field f : struct.schema().fields()) {
      try {
        // top-level names are column names (ColumnNames checks them); a nested struct's field
        // names are names inside SUPER, which cannot hold NUL or a broken surrogate (Avro and
        // Parquet sanitise them as record names; JSON keeps them as they are)
        g.writeFieldName(nested ? limits.text(f.name()) : f.name());
        writeTyped(g, f.schema(), FieldValues.of(struct, f), nested);
      } catch (ConversionException e) {
        throw e.inField(f.name());
      }
    }
  }

  private void writeTypedArray(JsonGenerator g, Schema s, Object v) throws IOException {
    if (!(v instanceof Collection)) {
      throw ConversionException.mismatch("a java.util.List", v);
    }
    g.writeStartArray();
    int i = 0;
    for (Object element : (Collection<?>) v) {
      try {
        writeTyped(g, s.valueSchema(), element, true);
      } catch (ConversionException e) {
        throw e.inElement(Integer.toString(i));
      }
      i++;
    }
    g.writeEndArray();
  }

  private void writeTypedMap(JsonGenerator g, Schema s, Object v) throws IOException {
    if (!(v instanceof Map)) {
      throw ConversionException.mismatch("a java.util.Map", v);
    }
    Map<?, ?> map = (Map<?, ?>) v;
    boolean stringKeys = ConnectTypes.hasStringKeys(s);
    if (stringKeys) {
      g.writeStartObject();
    } else {
      g.writeStartArray();
    }
    int index = 0;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      try {
        if (stringKeys) {
          if (e.getKey() == null) {
            throw new ConversionException("has a null map key");
          }
          g.writeFieldName(limits.text(ValueChecks.string(e.getKey())));
          writeTyped(g, s.valueSchema(), e.getValue(), true);
        } else {
          g.writeStartObject();
          g.writeFieldName("key");
          writeTyped(g, s.keySchema(), e.getKey(), true);
          g.writeFieldName("value");
          writeTyped(g, s.valueSchema(), e.getValue(), true);
          g.writeEndObject();
        }
      } catch (ConversionException ex) {
        // A key that is not a string is a value (a struct key would print all its fields): the
        // path names the entry by its position instead.
        throw ex.inEntry(stringKeys ? e.getKey() : null, index, false);
      }
      index++;
    }
    if (stringKeys) {
      g.writeEndObject();
    } else {
      g.writeEndArray();
    }
  }

  /** Writes a value that has no schema, by its Java type, as a column of the row. */
  void writeUntyped(JsonGenerator g, Object v) throws IOException {
    writeUntyped(g, v, false);
  }

  private void writeUntyped(JsonGenerator g, Object v, boolean nested) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String) {
      g.writeString(limits.string((String) v, nested));
    } else if (v instanceof Integer
        || v instanceof Long
        || v instanceof Short
        || v instanceof Byte) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Double) {
      g.writeNumber((Double) v);
    } else if (v instanceof Float) {
      g.writeNumber((Float) v);
    } else if (v instanceof BigDecimal) {
      writeDecimal(g, WarehouseLimits.decimal((BigDecimal) v), nested);
    } else if (v instanceof BigInteger) {
      g.writeNumber(WarehouseLimits.bigint((BigInteger) v));
    } else if (v instanceof Boolean) {
      g.writeBoolean((Boolean) v);
    } else if (v instanceof Map) {
      g.writeStartObject();
      writeUntypedEntries(g, (Map<?, ?>) v, true);
      g.writeEndObject();
    } else if (v instanceof List || v instanceof Collection) {
      g.writeStartArray();
      int i = 0;
      for (Object element : (Collection<?>) v) {
        try {
          writeUntyped(g, element, true);
        } catch (ConversionException e) {
          throw e.inElement(Integer.toString(i));
        }
        i++;
      }
      g.writeEndArray();
    } else if (v instanceof byte[] || v instanceof ByteBuffer) {
      writeBytes(g, ValueChecks.bytes(v), nested);
    } else if (v instanceof Date) {
      writeTimestamp(g, WarehouseLimits.epochMillis(((Date) v).getTime()));
    } else if (v instanceof Struct) {
      writeStruct(g, (Struct) v);
    } else if (v instanceof CharSequence) {
      g.writeString(limits.string(v.toString(), nested));
    } else {
      throw new ConversionException("has the unsupported Java type " + v.getClass().getName());
    }
  }

  /**
   * Writes the entries of a schemaless map into the object being written (the row); keys become
   * text.
   */
  void writeUntypedEntries(JsonGenerator g, Map<?, ?> map) throws IOException {
    writeUntypedEntries(g, map, false);
  }

  private void writeUntypedEntries(JsonGenerator g, Map<?, ?> map, boolean nested)
      throws IOException {
    // Keys that are not strings are written as their text, so two keys can read the same (1 and
    // "1"); SUPER would keep one of the two values. Maps with string keys only cannot collide.
    Set<String> names = null;
    int position = 0;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object key = e.getKey();
      String name;
      try {
        name = ValueChecks.mapKeyName(key);
      } catch (ConversionException ex) {
        throw ex.inElement("entry " + position);
      }
      if (!(key instanceof String) && names == null) {
        names = namesBefore(map, position);
      }
      if (names != null && !names.add(name)) {
        ConversionException ex =
            new ConversionException(
                "has a key written as the same name as an earlier key of its map (1 and \"1\""
                    + " both read 1), so one of the two values would be lost",
                "Give the map keys distinct text, or route such records elsewhere with a "
                    + "predicate.");
        throw nested ? ex.inEntry(name, position, true) : ex.inField(name);
      }
      try {
        // top-level names are column names (ColumnNames checks them); nested ones are names inside
        // SUPER
        g.writeFieldName(nested ? limits.text(name) : name);
        writeUntyped(g, e.getValue(), nested);
      } catch (ConversionException ex) {
        throw nested ? ex.inEntry(name, position, true) : ex.inField(name);
      }
      position++;
    }
  }

  /** The names of the first {@code count} entries of a map, every key of them a string. */
  private static Set<String> namesBefore(Map<?, ?> map, int count) {
    Set<String> names = new HashSet<>(Math.max(16, map.size() * 2));
    int i = 0;
    for (Object key : map.keySet()) {
      if (i++ == count) {
        break;
      }
      names.add((String) key);
    }
    return names;
  }

  /**
   * A column of bytes (top level) is written as hex text: COPY from JSON does not load VARBYTE
   * (Redshift documents CSV, Parquet and ORC), so the loader stages the column as text and turns it
   * into the VARBYTE column it creates with FROM_HEX, which reads hex; bytes inside a struct, array
   * or map stay base64 text, since they land in SUPER as a string.
   */
  private static void writeBytes(JsonGenerator g, byte[] bytes, boolean nested) throws IOException {
    if (nested) {
      WarehouseLimits.bytes(bytes.length, true);
      g.writeBinary(bytes);
    } else {
      WarehouseLimits.hexColumnBytes(bytes.length);
      char[] hex = hex(bytes);
      g.writeString(hex, 0, hex.length);
    }
  }

  private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

  /**
   * Lower-case hex. Hand-written: java.util.HexFormat needs Java 17 and the connector targets Java
   * 11.
   */
  private static char[] hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX_DIGITS[(bytes[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX_DIGITS[bytes[i] & 0xF];
    }
    return out;
  }

  /**
   * The text of a value in a string column (keys, header values): strings as they are, numbers and
   * booleans in their usual form, decimals in plain notation, dates/times as in JSON Lines, bytes
   * as base64, and structs, arrays and maps (or schemaless values of those kinds) as JSON text. The
   * text is checked like a string value but never truncated ({@link WarehouseLimits#text}).
   */
  String text(Schema s, Object v) {
    String text = rawText(s, v);
    return text == null ? null : limits.text(text);
  }

  private String rawText(Schema s, Object v) {
    if (v == null) {
      return null;
    }
    if (s == null) {
      return untypedText(v);
    }
    switch (s.type()) {
      case STRING:
        return ValueChecks.string(v);
      case INT32:
        if (ConnectTypes.isDate(s)) {
          return TimeText.date(ValueChecks.epochDays(s, v));
        }
        if (ConnectTypes.isTime(s)) {
          return TimeText.time(ValueChecks.millisOfDay(s, v));
        }
        return String.valueOf(ValueChecks.int32(v));
      case INT64:
        if (ConnectTypes.isTimestamp(s)) {
          return TimeText.timestamp(ValueChecks.epochMillis(s, v), unit);
        }
        return String.valueOf(ValueChecks.int64(v));
      case BYTES:
        if (ConnectTypes.isDecimal(s)) {
          // Text, not a DECIMAL column: Redshift's 38 digits do not apply, and Connect's default
          // header converter makes a Decimal of any long number in a header.
          return WarehouseLimits.plainText(atSchemaScale(s, ValueChecks.decimal(v)));
        }
        return Base64.getEncoder().encodeToString(ValueChecks.bytes(v));
      case ARRAY:
      case MAP:
      case STRUCT:
        return jsonText(s, v);
      default:
        return untypedText(v);
    }
  }

  private String untypedText(Object v) {
    if (v instanceof String) {
      return (String) v;
    }
    if (v instanceof BigDecimal) {
      return WarehouseLimits.plainText((BigDecimal) v);
    }
    if (v instanceof Number || v instanceof Boolean || v instanceof CharSequence) {
      return v.toString();
    }
    if (v instanceof byte[] || v instanceof ByteBuffer) {
      return Base64.getEncoder().encodeToString(ValueChecks.bytes(v));
    }
    if (v instanceof Date) {
      return TimeText.timestamp(((Date) v).getTime(), unit);
    }
    return jsonText(null, v);
  }

  private String jsonText(Schema s, Object v) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      if (s == null) {
        writeUntyped(g, v);
      } else {
        writeTyped(g, s, v);
      }
    } catch (StreamConstraintsException e) {
      // Jackson refuses to write JSON nested deeper than its limit (1,000 levels): a header or key
      // built that deep (a header converter parses any text) is this record's fault, not the
      // task's, so it must reach the record's error handling, not stop the task on every restart
      throw tooDeep("at most " + FACTORY.streamWriteConstraints().getMaxNestingDepth() + " levels");
    } catch (StackOverflowError e) {
      // the same value may exhaust the task thread's stack first (a worker's default stack holds
      // fewer levels of this recursion when it is not compiled yet): it has unwound by now, and
      // the record, not the task, is at fault
      throw tooDeep("more levels than the task thread's stack holds");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot render JSON text into memory", e);
    }
    return w.toString();
  }

  private static ConversionException tooDeep(String limit) {
    return new ConversionException(
        "is nested deeper than JSON text may be (" + limit + ")",
        "Flatten the value at the source, or drop it with an SMT.");
  }

  /**
   * {@code d} at its schema's scale when that is exact (1.5 of a decimal(p,2) key is "1.50"), as
   * key text was written before, so an upsert key keeps its text whatever scale a producer or SMT
   * built the value with; as it is otherwise, and when the rescale would add more digits than key
   * text may hold.
   */
  private static java.math.BigDecimal atSchemaScale(Schema s, java.math.BigDecimal d) {
    int scale;
    try {
      scale = ConnectTypes.decimalScale(s);
    } catch (RuntimeException e) {
      return d; // a Decimal schema without its scale parameter: the value's own digits
    }
    // as ConnectTypes.decimalValue: no exact rescale drops all of a value's digits, and setScale
    // would first compute 10^(the difference); nor adds more digits than key text may hold
    if (d.scale() == scale
        || (d.signum() != 0 && (long) d.scale() - scale >= d.precision())
        || (long) scale - d.scale() > WarehouseLimits.VARCHAR_MAX_BYTES) {
      return d;
    }
    try {
      return d.setScale(scale, java.math.RoundingMode.UNNECESSARY);
    } catch (ArithmeticException e) {
      return d; // no exact rescale: its own digits
    }
  }
}
