package io.redstage.connector.format;

import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Column lists of JSON Lines files. With a value schema the columns follow it exactly (names as in the
 * schema). Without one they are a guess from the first record of the file: the top-level keys of a
 * Map value in its iteration order (or one "value" column for any other value), every column nullable,
 * typed by the Java class of the first value: String → string, Integer/Long/Short/Byte/BigInteger →
 * int64, Float/Double/BigDecimal → float64, Boolean → boolean, Map/Struct → struct, List → array,
 * byte[]/ByteBuffer → bytes, java.util.Date → timestamp, null → string. Later records may differ.
 */
final class JsonLinesLayouts {
  private final FormatOptions options;
  private final MetadataColumns metadata;

  JsonLinesLayouts(MetadataColumns metadata) {
    this.options = metadata.options();
    this.metadata = metadata;
  }

  RowLayout layout(SinkRecord first) {
    Schema value = first.valueSchema();
    Schema keyStruct = options.keyColumnEnabled() && MetadataColumns.isStructKey(first.keySchema())
        ? first.keySchema() : null;
    List<MarkerColumn> columns = new ArrayList<>();
    boolean flattened = value != null && value.type() == Schema.Type.STRUCT;
    try {
      if (flattened) {
        for (Field f : value.fields()) {
          columns.add(column(first, f.name(), ConnectTypes.columnType(f.schema(), options.timestampUnit()),
              f.schema().isOptional()));
        }
      } else if (value != null) {
        columns.add(column(first, "value", ConnectTypes.columnType(value, options.timestampUnit()),
            value.isOptional()));
      } else {
        guessColumns(first, columns);
      }
    } catch (ConversionException e) {
      throw RecordErrors.conversion(first, FileFormat.JSONL, "value schema", e);
    }
    columns.addAll(metadata.columns(keyStruct != null));
    return new RowLayout(value, flattened, keyStruct, null, -1, columns);
  }

  private void guessColumns(SinkRecord first, List<MarkerColumn> columns) {
    Object v = first.value();
    if (v == null) {
      // A tombstone opening a schemaless file: its row carries the key's fields.
      Object key = first.key();
      if (key instanceof Struct) {
        for (Field f : ((Struct) key).schema().fields()) {
          columns.add(column(first, f.name(), ConnectTypes.columnType(f.schema(), options.timestampUnit()), true));
        }
      } else if (key instanceof Map) {
        guessEntries(first, (Map<?, ?>) key, columns);
      }
    } else if (v instanceof Map) {
      guessEntries(first, (Map<?, ?>) v, columns);
    } else {
      columns.add(column(first, "value", guess(v, options.timestampUnit()), true));
    }
  }

  private void guessEntries(SinkRecord first, Map<?, ?> map, List<MarkerColumn> columns) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      columns.add(column(first, String.valueOf(e.getKey()), guess(e.getValue(), options.timestampUnit()), true));
    }
  }

  private MarkerColumn column(SinkRecord first, String name, ColumnType type, boolean nullable) {
    metadata.checkNoClash(name, first, FileFormat.JSONL);
    return new MarkerColumn(name, type, nullable);
  }

  static ColumnType guess(Object v, TimestampUnit unit) {
    if (v instanceof Boolean) {
      return ColumnType.of(Kind.BOOLEAN);
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger) {
      return ColumnType.of(Kind.INT64);
    }
    if (v instanceof Number) {
      return ColumnType.of(Kind.FLOAT64);
    }
    if (v instanceof Map || v instanceof Struct) {
      return ColumnType.of(Kind.STRUCT);
    }
    if (v instanceof Collection) {
      return ColumnType.of(Kind.ARRAY);
    }
    if (v instanceof byte[] || v instanceof ByteBuffer) {
      return ColumnType.of(Kind.BYTES);
    }
    if (v instanceof java.util.Date) {
      return unit.columnType();
    }
    return ColumnType.of(Kind.STRING);
  }
}
