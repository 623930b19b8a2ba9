package io.redstage.sandbox.redshift.copy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
 * binary and fixed backed), TIMESTAMP (MILLIS / MICROS / NANOS, adjusted to UTC or not), legacy INT96
 * timestamps, TIME, strings (kept as raw UTF-8 until loaded) and binary; nested groups become JSON.
 */
final class ParquetValues {
  /** What a Parquet column holds, for the compatibility check against the table column. */
  enum SourceKind { BOOLEAN, INT16, INT32, INT64, FLOAT, DOUBLE, DECIMAL, STRING, BINARY, DATE, TIMESTAMP, TIME,
    UNSUPPORTED }

  /** Reads field {@code i} of a record (first repetition). */
  interface Decoder {
    Object decode(Group g, int i);
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
          return i.getBitWidth() <= 8 ? SourceKind.INT16 : i.getBitWidth() <= 16 ? SourceKind.INT32 : SourceKind.INT64;
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

  static Decoder decoder(PrimitiveType p, SourceKind kind) {
    LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
    PrimitiveType.PrimitiveTypeName physical = p.getPrimitiveTypeName();
    switch (kind) {
      case BOOLEAN:
        return (g, i) -> g.getBoolean(i, 0);
      case INT16:
      case INT32:
      case INT64:
        if (physical == PrimitiveType.PrimitiveTypeName.INT32) {
          boolean unsigned = a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned();
          return unsigned ? (g, i) -> Integer.toUnsignedLong(g.getInteger(i, 0)) : (g, i) -> (long) g.getInteger(i, 0);
        }
        return (g, i) -> g.getLong(i, 0);
      case FLOAT:
        return (g, i) -> g.getFloat(i, 0);
      case DOUBLE:
        return (g, i) -> g.getDouble(i, 0);
      case DATE:
        return (g, i) -> LocalDate.ofEpochDay(g.getInteger(i, 0));
      case DECIMAL: {
        int scale = ((LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) a).getScale();
        if (physical == PrimitiveType.PrimitiveTypeName.INT32) {
          return (g, i) -> BigDecimal.valueOf(g.getInteger(i, 0), scale);
        }
        if (physical == PrimitiveType.PrimitiveTypeName.INT64) {
          return (g, i) -> BigDecimal.valueOf(g.getLong(i, 0), scale);
        }
        return (g, i) -> new BigDecimal(new BigInteger(g.getBinary(i, 0).getBytes()), scale);
      }
      case TIME: {
        LogicalTypeAnnotation.TimeUnit unit = ((LogicalTypeAnnotation.TimeLogicalTypeAnnotation) a).getUnit();
        if (physical == PrimitiveType.PrimitiveTypeName.INT32) {
          return (g, i) -> LocalTime.ofNanoOfDay(g.getInteger(i, 0) * 1_000_000L);
        }
        long nanosPer = unit == LogicalTypeAnnotation.TimeUnit.MICROS ? 1_000L : 1L;
        return (g, i) -> LocalTime.ofNanoOfDay(g.getLong(i, 0) * nanosPer);
      }
      case TIMESTAMP:
        if (physical == PrimitiveType.PrimitiveTypeName.INT96) {
          return (g, i) -> int96(g.getInt96(i, 0));
        }
        LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts = (LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) a;
        boolean utc = ts.isAdjustedToUTC();
        LogicalTypeAnnotation.TimeUnit unit = ts.getUnit();
        return (g, i) -> {
          Instant instant = instant(g.getLong(i, 0), unit);
          return utc ? instant : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        };
      case STRING:
        if (a instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation) {
          return (g, i) -> uuid(g.getBinary(i, 0));
        }
        return (g, i) -> new ColumnWriter.Utf8Text(g.getBinary(i, 0).getBytes());
      case BINARY:
        return (g, i) -> g.getBinary(i, 0).getBytes();
      default:
        throw new IllegalStateException("no decoder for " + kind);
    }
  }

  static Instant instant(long v, LogicalTypeAnnotation.TimeUnit unit) {
    return switch (unit) {
      case MILLIS -> Instant.ofEpochMilli(v);
      case MICROS -> Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1000);
      case NANOS -> Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000_000L), Math.floorMod(v, 1_000_000_000L));
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

  // ---- nested data (SERIALIZETOJSON) ---------------------------------------------------------------

  /** A nested (or repeated) field of a record as JSON: structs as objects, LIST as arrays, MAP as objects. */
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
          arr.add(element.getFieldRepetitionCount(0) == 0 ? f.nullNode() : single(elementType, element, 0, 0));
        } else {
          arr.add(single(repeated, g, 0, r));
        }
      }
      return arr;
    }
    if ((a instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
        || a instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation) && type.getFieldCount() == 1) {
      ObjectNode obj = f.objectNode();
      GroupType kv = type.getType(0).asGroupType();
      for (int r = 0; r < g.getFieldRepetitionCount(0); r++) {
        Group entry = g.getGroup(0, r);
        JsonNode key = single(kv.getType(0), entry, 0, 0);
        JsonNode value = kv.getFieldCount() > 1 && entry.getFieldRepetitionCount(1) > 0
            ? single(kv.getType(1), entry, 1, 0) : f.nullNode();
        obj.set(key.isTextual() ? key.textValue() : key.toString(), value);
      }
      return obj;
    }
    ObjectNode obj = f.objectNode();
    for (int i = 0; i < type.getFieldCount(); i++) {
      Type child = type.getType(i);
      obj.set(child.getName(), g.getFieldRepetitionCount(i) == 0
          ? (child.isRepetition(Type.Repetition.REPEATED) ? f.arrayNode() : f.nullNode())
          : nestedJson(child, g, i));
    }
    return obj;
  }

  private static JsonNode primitiveJson(PrimitiveType p, Group g, int index, int rep) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    SourceKind kind = classify(p);
    if (kind == SourceKind.UNSUPPORTED) {
      return f.textNode(HexFormat.of().formatHex(g.getBinary(index, rep).getBytes()));
    }
    Object v = decodeAt(p, kind, g, index, rep);
    if (v instanceof Boolean b) {
      return f.booleanNode(b);
    }
    if (v instanceof Long l) {
      return f.numberNode(l);
    }
    if (v instanceof Float x) {
      return f.numberNode(x);
    }
    if (v instanceof Double d) {
      return f.numberNode(d);
    }
    if (v instanceof BigDecimal d) {
      return f.numberNode(d);
    }
    if (v instanceof ColumnWriter.Utf8Text u) {
      return f.textNode(new String(u.bytes(), StandardCharsets.UTF_8));
    }
    if (v instanceof byte[] b) {
      return f.textNode(HexFormat.of().formatHex(b));
    }
    if (v instanceof LocalDate d) {
      return f.textNode(ColumnWriter.formatDate(d));
    }
    if (v instanceof LocalDateTime t) {
      return f.textNode(ColumnWriter.formatTimestamp(t));
    }
    if (v instanceof Instant i) {
      return f.textNode(ColumnWriter.formatTimestamp(LocalDateTime.ofInstant(i, ZoneOffset.UTC)) + "+00");
    }
    return f.textNode(String.valueOf(v));
  }

  /** Decodes repetition {@code rep} (the decoders read the first one). */
  private static Object decodeAt(PrimitiveType p, SourceKind kind, Group g, int index, int rep) {
    if (rep == 0) {
      return decoder(p, kind).decode(g, index);
    }
    Group view = new RepetitionView(g, rep);
    return decoder(p, kind).decode(view, index);
  }

  /** A Group whose first repetition of every field is repetition {@code rep} of the underlying group. */
  private static final class RepetitionView extends org.apache.parquet.example.data.simple.SimpleGroup {
    private final Group g;
    private final int rep;

    RepetitionView(Group g, int rep) {
      super(g.getType());
      this.g = g;
      this.rep = rep;
    }

    @Override
    public int getInteger(int field, int index) {
      return g.getInteger(field, rep);
    }

    @Override
    public long getLong(int field, int index) {
      return g.getLong(field, rep);
    }

    @Override
    public boolean getBoolean(int field, int index) {
      return g.getBoolean(field, rep);
    }

    @Override
    public float getFloat(int field, int index) {
      return g.getFloat(field, rep);
    }

    @Override
    public double getDouble(int field, int index) {
      return g.getDouble(field, rep);
    }

    @Override
    public Binary getBinary(int field, int index) {
      return g.getBinary(field, rep);
    }

    @Override
    public Binary getInt96(int field, int index) {
      return g.getInt96(field, rep);
    }
  }
}
