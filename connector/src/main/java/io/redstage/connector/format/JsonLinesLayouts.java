package io.redstage.connector.format;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Column lists of JSON Lines files. With a value schema the columns follow it exactly, named by
 * {@link ColumnNames}. Without one the layout holds only the metadata columns: the value columns
 * grow with the records written ({@link SchemalessColumns}).
 */
final class JsonLinesLayouts {
  private static final FileFormat FORMAT = FileFormat.JSONL;

  private final FormatOptions options;
  private final MetadataColumns metadata;
  private final ColumnNames names;

  JsonLinesLayouts(MetadataColumns metadata, ColumnNames names) {
    this.options = metadata.options();
    this.metadata = metadata;
    this.names = names;
  }

  RowLayout layout(SinkRecord first) {
    Schema value = first.valueSchema();
    Schema keyStruct =
        options.keyColumnEnabled() && MetadataColumns.isStructKey(first.keySchema())
            ? first.keySchema()
            : null;
    List<MarkerColumn> columns = new ArrayList<>();
    boolean flattened = value != null && value.type() == Schema.Type.STRUCT;
    try {
      if (flattened) {
        Map<String, String> seen = new HashMap<>();
        for (Field f : value.fields()) {
          String name = names.column(f.name(), first, FORMAT);
          String other = seen.putIfAbsent(ColumnNames.fold(name), f.name());
          if (other != null) {
            throw ColumnNames.sameColumn(first, FORMAT, f.name(), other, name);
          }
          ColumnType type;
          try {
            type = ConnectTypes.columnType(f.schema(), options.timestampUnit());
          } catch (ConversionException e) {
            throw e.inField(f.name());
          }
          columns.add(column(first, name, type, f.schema().isOptional()));
        }
      } else if (value != null) {
        columns.add(
            column(
                first,
                names.column("value", first, FORMAT),
                ConnectTypes.columnType(value, options.timestampUnit()),
                value.isOptional()));
      }
    } catch (ConversionException e) {
      throw RecordErrors.conversion(first, FORMAT, "value schema", e);
    }
    columns.addAll(metadata.columns(keyStruct != null));
    WarehouseLimits.columnCount(first, FORMAT, columns.size());
    return new RowLayout(value, flattened, keyStruct, null, -1, columns, null);
  }

  /** A new {@link SchemalessColumns} for a schemaless file. */
  SchemalessColumns schemalessColumns() {
    return new SchemalessColumns(names, metadata, options.timestampUnit());
  }

  private MarkerColumn column(SinkRecord first, String name, ColumnType type, boolean nullable) {
    metadata.checkNoClash(name, first, FORMAT);
    return new MarkerColumn(name, type, nullable);
  }
}
