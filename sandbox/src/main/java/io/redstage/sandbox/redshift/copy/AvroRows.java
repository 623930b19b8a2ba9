package io.redstage.sandbox.redshift.copy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redstage.sandbox.redshift.copy.TargetTable.Column;
import io.redstage.sandbox.redshift.exec.StatementFailedException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * Reads an Avro container file for COPY with {@code AVRO 'auto'} / {@code 'auto ignorecase'}:
 * first-level fields map to columns by name (exact lowercase match for 'auto', any case for 'auto
 * ignorecase'), fields without a column are ignored, columns without a field get DEFAULT or NULL.
 * Complex values (records, arrays, maps) load as JSON, enums as their symbol; logical types become
 * dates, times, timestamps and decimals. Codecs: null, deflate, snappy (what Redshift reads).
 */
final class AvroRows {
  private static final Set<String> CODECS = Set.of("null", "deflate", "snappy");

  private AvroRows() {}

  static void read(String url, byte[] data, List<Column> targets, CopyCommand cmd, RowSink sink) {
    try (DataFileStream<GenericRecord> stream =
        new DataFileStream<>(new ByteArrayInputStream(data), new GenericDatumReader<>())) {
      String codec = stream.getMetaString("avro.codec");
      if (codec != null && !CODECS.contains(codec)) {
        throw new StatementFailedException(
            "Invalid AVRO file found. Unsupported codec '"
                + codec
                + "' in "
                + url
                + " (Redshift reads null, deflate and snappy)");
      }
      Schema schema = stream.getSchema();
      if (schema.getType() != Schema.Type.RECORD) {
        throw new StatementFailedException(
            "Invalid AVRO file found: the schema of " + url + " is not a record");
      }
      int[] fieldOf = new int[targets.size()];
      Schema[] fieldSchema = new Schema[targets.size()];
      for (int j = 0; j < targets.size(); j++) {
        fieldOf[j] = -1;
        for (Schema.Field f : schema.getFields()) {
          boolean match =
              cmd.ignoreCase()
                  ? f.name().equalsIgnoreCase(targets.get(j).name())
                  : f.name().equals(targets.get(j).name());
          if (match) {
            fieldOf[j] = f.pos();
            fieldSchema[j] = f.schema();
          }
        }
      }
      long line = 0;
      GenericRecord record = null;
      while (stream.hasNext()) {
        record = stream.next(record);
        line++;
        Object[] values = new Object[targets.size()];
        for (int j = 0; j < values.length; j++) {
          values[j] =
              fieldOf[j] < 0
                  ? ColumnWriter.MISSING
                  : normalize(fieldSchema[j], record.get(fieldOf[j]));
        }
        GenericRecord current = record;
        sink.row(values, line, () -> ColumnWriter.abbreviate(String.valueOf(current)));
      }
    } catch (IOException | AvroRuntimeException e) {
      throw new StatementFailedException(
          "Invalid AVRO file found. File: " + url + ". " + e.getMessage());
    }
  }

  /** An Avro value as a normalized COPY source value. */
  static Object normalize(Schema s, Object v) {
    if (v == null) {
      return null;
    }
    LogicalType logical = s.getLogicalType();
    switch (s.getType()) {
      case UNION:
        return normalize(s.getTypes().get(GenericData.get().resolveUnion(s, v)), v);
      case STRING:
        if (v instanceof Utf8 u) {
          return new ColumnWriter.Utf8Text(Arrays.copyOf(u.getBytes(), u.getByteLength()));
        }
        return v.toString();
      case ENUM:
        return v.toString();
      case INT:
        if (logical instanceof LogicalTypes.Date) {
          return LocalDate.ofEpochDay((Integer) v);
        }
        if (logical instanceof LogicalTypes.TimeMillis) {
          return LocalTime.ofNanoOfDay((Integer) v * 1_000_000L);
        }
        return ((Integer) v).longValue();
      case LONG:
        long l = (Long) v;
        if (logical instanceof LogicalTypes.TimestampMillis) {
          return Instant.ofEpochMilli(l);
        }
        if (logical instanceof LogicalTypes.TimestampMicros) {
          return Instant.ofEpochSecond(
              Math.floorDiv(l, 1_000_000L), Math.floorMod(l, 1_000_000L) * 1000);
        }
        if (logical instanceof LogicalTypes.TimestampNanos) {
          return Instant.ofEpochSecond(
              Math.floorDiv(l, 1_000_000_000L), Math.floorMod(l, 1_000_000_000L));
        }
        if (logical instanceof LogicalTypes.LocalTimestampMillis) {
          return LocalDateTime.ofInstant(Instant.ofEpochMilli(l), ZoneOffset.UTC);
        }
        if (logical instanceof LogicalTypes.LocalTimestampMicros) {
          return LocalDateTime.ofInstant(
              Instant.ofEpochSecond(
                  Math.floorDiv(l, 1_000_000L), Math.floorMod(l, 1_000_000L) * 1000),
              ZoneOffset.UTC);
        }
        if (logical instanceof LogicalTypes.TimeMicros) {
          return LocalTime.ofNanoOfDay(l * 1000);
        }
        return l;
      case FLOAT:
      case DOUBLE:
      case BOOLEAN:
        return v;
      case BYTES:
        {
          ByteBuffer b = ((ByteBuffer) v).duplicate();
          byte[] bytes = new byte[b.remaining()];
          b.get(bytes);
          if (logical instanceof LogicalTypes.Decimal d) {
            return new BigDecimal(new BigInteger(bytes), d.getScale());
          }
          return bytes;
        }
      case FIXED:
        {
          byte[] bytes = ((GenericFixed) v).bytes();
          if (logical instanceof LogicalTypes.Decimal d) {
            return new BigDecimal(new BigInteger(bytes), d.getScale());
          }
          return bytes.clone();
        }
      case RECORD:
      case ARRAY:
      case MAP:
        return toJson(s, v);
      default:
        return null;
    }
  }

  /** Complex Avro values as JSON (Redshift loads them as JSON text, or into SUPER). */
  static JsonNode toJson(Schema s, Object v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v == null) {
      return f.nullNode();
    }
    switch (s.getType()) {
      case UNION:
        return toJson(s.getTypes().get(GenericData.get().resolveUnion(s, v)), v);
      case RECORD:
        {
          ObjectNode o = f.objectNode();
          GenericRecord r = (GenericRecord) v;
          for (Schema.Field field : s.getFields()) {
            o.set(field.name(), toJson(field.schema(), r.get(field.pos())));
          }
          return o;
        }
      case ARRAY:
        {
          ArrayNode a = f.arrayNode();
          for (Object item : (Collection<?>) v) {
            a.add(toJson(s.getElementType(), item));
          }
          return a;
        }
      case MAP:
        {
          ObjectNode o = f.objectNode();
          for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            o.set(e.getKey().toString(), toJson(s.getValueType(), e.getValue()));
          }
          return o;
        }
      default:
        {
          return ScalarJson.node(normalize(s, v));
        }
    }
  }
}
