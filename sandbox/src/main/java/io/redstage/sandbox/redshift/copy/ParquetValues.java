package io.redstage.sandbox.redshift.copy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.UUID;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Parquet physical + logical types to the values COPY loads: integers, DATE, DECIMAL (int32, int64,
 * binary and fixed backed), TIMESTAMP (MILLIS / MICROS / NANOS, adjusted to UTC or not), legacy
 * INT96 timestamps, TIME, strings (kept as raw UTF-8 until loaded) and binary; nested groups become
 * JSON.
 */
final class ParquetValues {
  /** What a Parquet column holds, for the compatibility check against the table column. */
  enum SourceKind {
    BOOLEAN,
    INT16,
    INT32,
    INT64,
    FLOAT,
    DOUBLE,
    DECIMAL,
    STRING,
    BINARY,
    DATE,
    TIMESTAMP,
    TIME,
    UNSUPPORTED
  }

  /**
   * One primitive value to decode: the current value of a column reader, or a field of a record
   * group.
   */
  interface Primitives {
    int getInteger();

    long getLong();

    boolean getBoolean();

    float getFloat();

    double getDouble();

    /** BINARY, FIXED_LEN_BYTE_ARRAY and INT96 values. */
    Binary getBinary();
  }

  /** Turns the current primitive value into a normalized COPY source value. */
  interface Decoder {
    Object decode(Primitives p);
  }

  /** A field (and repetition) of an assembled record group, for nested data. */
  static final class GroupField implements Primitives {
    private Group group;
    private int index;
    private int rep;
    private boolean int96;

    Group group() {
      return group;
    }

    int index() {
      return index;
    }

    GroupField at(Group g, int fieldIndex, int repetition) {
      this.group = g;
      this.index = fieldIndex;
      this.rep = repetition;
      Type t = g.getType().getType(fieldIndex);
      this.int96 =
          t.isPrimitive()
              && t.asPrimitiveType().getPrimitiveTypeName()
                  == PrimitiveType.PrimitiveTypeName.INT96;
      return this;
    }

    @Override
    public int getInteger() {
      return group.getInteger(index, rep);
    }

    @Override
    public long getLong() {
      return group.getLong(index, rep);
    }

    @Override
    public boolean getBoolean() {
      return group.getBoolean(index, rep);
    }

    @Override
    public float getFloat() {
      return group.getFloat(index, rep);
    }

    @Override
    public double getDouble() {
      return group.getDouble(index, rep);
    }

    @Override
    public Binary getBinary() {
      return int96 ? group.getInt96(index, rep) : group.getBinary(index, rep);
    }
  }

  private static final long JULIAN_EPOCH_DAY = 2440588;

  private ParquetValues() {}

  static SourceKind classify(PrimitiveType p) {
    LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
    switch (p.getPrimitiveTypeName()) {
      case BOOLEAN:
        return SourceKind.BOOLEAN;
      case INT32:
        if (a == null) {
          return SourceKind.INT32;
        }
        if (a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i) {
          if (i.isSigned()) {
            return i.getBitWidth() <= 16 ? SourceKind.INT16 : SourceKind.INT32;
          }
          return i.getBitWidth() <= 8
              ? SourceKind.INT16
              : i.getBitWidth() <= 16 ? SourceKind.INT32 : SourceKind.INT64;
        }
        if (a instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
          return SourceKind.DATE;
        }
        if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
          return SourceKind.DECIMAL;
        }
        if (a instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation) {
          return SourceKind.TIME;
        }
        return SourceKind.UNSUPPORTED;
      case INT64:
        if (a == null) {
          return SourceKind.INT64;
        }
        if (a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i) {
          // unsigned 64-bit values do not fit any Redshift integer type
          return i.isSigned() ? SourceKind.INT64 : SourceKind.UNSUPPORTED;
        }
        if (a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
          return SourceKind.TIMESTAMP;
        }
        if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
          return SourceKind.DECIMAL;
        }
        if (a instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation) {
          return SourceKind.TIME;
        }
        return SourceKind.UNSUPPORTED;
      case INT96:
        return SourceKind.TIMESTAMP;
      case FLOAT:
        return SourceKind.FLOAT;
      case DOUBLE:
        return SourceKind.DOUBLE;
      case BINARY:
      case FIXED_LEN_BYTE_ARRAY:
        if (a == null || a instanceof LogicalTypeAnnotation.BsonLogicalTypeAnnotation) {
          return SourceKind.BINARY;
        }
        if (a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
            || a instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
            || a instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation
            || a instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation) {
          return SourceKind.STRING;
        }
        if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
          return SourceKind.DECIMAL;
        }
        return SourceKind.UNSUPPORTED;
      default:
        return SourceKind.UNSUPPORTED;
    }
  }

  static Decoder decoder(PrimitiveType type, SourceKind kind) {
    LogicalTypeAnnotation a = type.getLogicalTypeAnnotation();
    PrimitiveType.PrimitiveTypeName physical = type.getPrimitiveTypeName();
    switch (kind) {
      case BOOLEAN:
        return Primitives::getBoolean;
      case INT16:
      case INT32:
      case INT64:
        if (physical == PrimitiveType.PrimitiveTypeName.INT32) {
          boolean unsigned =
              a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned();
          return unsigned
              ? p -> Integer.toUnsignedLong(p.getInteger())
              : p -> (long) p.getInteger();
        }
        return Primitives::getLong;
      case FLOAT:
        return Primitives::getFloat;
      case DOUBLE:
        return Primitives::getDouble;
      case DATE:
        return p -> LocalDate.ofEpochDay(p.getInteger());
      case DECIMAL:
        {
          int scale = ((LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) a).getScale();
          if (physical == PrimitiveType.PrimitiveTypeName.INT32) {
            return p -> BigDecimal.valueOf(p.getInteger(), scale);
          }
          if (physical == PrimitiveType.PrimitiveTypeName.INT64) {
            return p -> BigDecimal.valueOf(p.getLong(), scale);
          }
          return p -> new BigDecimal(new BigInteger(p.getBinary().getBytes()), scale);
        }
      case TIME:
        {
          LogicalTypeAnnotation.TimeUnit unit =
              ((LogicalTypeAnnotation.TimeLogicalTypeAnnotation) a).getUnit();
          if (physical == PrimitiveType.PrimitiveTypeName.INT32) {
            return p -> LocalTime.ofNanoOfDay(p.getInteger() * 1_000_000L);
          }
          long nanosPer = unit == LogicalTypeAnnotation.TimeUnit.MICROS ? 1_000L : 1L;
          return p -> LocalTime.ofNanoOfDay(p.getLong() * nanosPer);
        }
      case TIMESTAMP:
        if (physical == PrimitiveType.PrimitiveTypeName.INT96) {
          return p -> int96(p.getBinary());
        }
        LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts =
            (LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) a;
        boolean utc = ts.isAdjustedToUTC();
        LogicalTypeAnnotation.TimeUnit unit = ts.getUnit();
        return p -> {
          Instant instant = instant(p.getLong(), unit);
          return utc ? instant : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        };
      case STRING:
        if (a instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation) {
          return p -> uuid(p.getBinary());
        }
        return p -> new ColumnWriter.Utf8Text(p.getBinary().getBytes());
      case BINARY:
        return p -> p.getBinary().getBytes();
      default:
        throw new IllegalStateException("no decoder for " + kind);
    }
  }

  static Instant instant(long v, LogicalTypeAnnotation.TimeUnit unit) {
    return switch (unit) {
      case MILLIS -> Instant.ofEpochMilli(v);
      case MICROS ->
          Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1000);
      case NANOS ->
          Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000_000L), Math.floorMod(v, 1_000_000_000L));
    };
  }

  /** Legacy INT96 timestamps: nanoseconds of the day then the Julian day, little-endian. */
  static LocalDateTime int96(Binary b) {
    ByteBuffer buf = b.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    long nanosOfDay = buf.getLong();
    long julianDay = Integer.toUnsignedLong(buf.getInt());
    return LocalDate.ofEpochDay(julianDay - JULIAN_EPOCH_DAY).atStartOfDay().plusNanos(nanosOfDay);
  }

  private static String uuid(Binary b) {
    ByteBuffer buf = b.toByteBuffer();
    return new UUID(buf.getLong(), buf.getLong()).toString();
  }

  // ---- nested data (SERIALIZETOJSON)
  // ---------------------------------------------------------------

  /**
   * A nested (or repeated) field of a record as JSON: structs as objects, LIST as arrays, MAP as
   * objects.
   */
  static JsonNode nestedJson(Type field, Group parent, int index) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (field.isRepetition(Type.Repetition.REPEATED)) {
      ArrayNode arr = f.arrayNode();
      for (int r = 0; r < parent.getFieldRepetitionCount(index); r++) {
        arr.add(single(field, parent, index, r));
      }
      return arr;
    }
    return single(field, parent, index, 0);
  }

  private static JsonNode single(Type field, Group parent, int index, int rep) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (field.isPrimitive()) {
      return primitiveJson(field.asPrimitiveType(), parent, index, rep);
    }
    Group g = parent.getGroup(index, rep);
    GroupType type = field.asGroupType();
    LogicalTypeAnnotation a = type.getLogicalTypeAnnotation();
    if (a instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation && type.getFieldCount() == 1) {
      ArrayNode arr = f.arrayNode();
      Type repeated = type.getType(0);
      for (int r = 0; r < g.getFieldRepetitionCount(0); r++) {
        if (!repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1) {
          Group element = g.getGroup(0, r);
          Type elementType = repeated.asGroupType().getType(0);
          arr.add(
              element.getFieldRepetitionCount(0) == 0
                  ? f.nullNode()
                  : single(elementType, element, 0, 0));
        } else {
          arr.add(single(repeated, g, 0, r));
        }
      }
      return arr;
    }
    if ((a instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
            || a instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation)
        && type.getFieldCount() == 1) {
      ObjectNode obj = f.objectNode();
      GroupType kv = type.getType(0).asGroupType();
      for (int r = 0; r < g.getFieldRepetitionCount(0); r++) {
        Group entry = g.getGroup(0, r);
        JsonNode key = single(kv.getType(0), entry, 0, 0);
        JsonNode value =
            kv.getFieldCount() > 1 && entry.getFieldRepetitionCount(1) > 0
                ? single(kv.getType(1), entry, 1, 0)
                : f.nullNode();
        obj.set(key.isTextual() ? key.textValue() : key.toString(), value);
      }
      return obj;
    }
    ObjectNode obj = f.objectNode();
    for (int i = 0; i < type.getFieldCount(); i++) {
      Type child = type.getType(i);
      obj.set(
          child.getName(),
          g.getFieldRepetitionCount(i) == 0
              ? (child.isRepetition(Type.Repetition.REPEATED) ? f.arrayNode() : f.nullNode())
              : nestedJson(child, g, i));
    }
    return obj;
  }

  private static JsonNode primitiveJson(PrimitiveType p, Group g, int index, int rep) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    SourceKind kind = classify(p);
    GroupField field = new GroupField().at(g, index, rep);
    if (kind == SourceKind.UNSUPPORTED) {
      return f.textNode(HexFormat.of().formatHex(field.getBinary().getBytes()));
    }
    return ScalarJson.node(decoder(p, kind).decode(field));
  }
}
