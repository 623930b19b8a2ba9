package io.redstage.connector.format;

import io.redstage.contract.FileFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Builds the Avro row of one record for the Parquet and Avro writers: value columns, then metadata.
 * One row object is reused for every record of a file (both encoders consume it before returning).
 */
final class AvroRows {
  private final FileFormat format;
  private final RowLayout layout;
  private final FormatOptions options;
  private final MetadataColumns metadata;
  private final ConnectAvroValues values;
  private final GenericData.Record row;
  private final List<org.apache.avro.Schema.Field> avroFields;
  private Schema lastMatchedSchema;

  AvroRows(
      FileFormat format, RowLayout layout, MetadataColumns metadata, ConnectAvroValues values) {
    this.format = format;
    this.layout = layout;
    this.options = metadata.options();
    this.metadata = metadata;
    this.values = values;
    this.row = new GenericData.Record(layout.avroSchema);
    this.avroFields = layout.avroSchema.getFields();
    this.lastMatchedSchema = layout.valueSchema;
  }

  RowLayout layout() {
    return layout;
  }

  /**
   * Whether a value schema is the file's schema: same instance, or equal (which includes the
   * version). The last equal instance is remembered, so a converter handing out equal copies pays
   * equals() once.
   */
  boolean matchesValueSchema(Schema s) {
    if (s == lastMatchedSchema || s == layout.valueSchema) {
      return true;
    }
    if (s != null && s.equals(layout.valueSchema)) {
      lastMatchedSchema = s;
      return true;
    }
    return false;
  }

  /**
   * The filled row; throws DataException (before anything reaches the encoder) when it cannot be
   * built.
   */
  GenericData.Record build(SinkRecord r) {
    Object value = r.value();
    if (value == null) {
      if (!options.deleteMarkers()) {
        throw RecordErrors.tombstoneNotWanted(r, format);
      }
      fillTombstone(r);
    } else {
      if (r.valueSchema() == null) {
        throw RecordErrors.noSchema(r, format);
      }
      if (!matchesValueSchema(r.valueSchema())) {
        throw RecordErrors.schemaChanged(r, format);
      }
      try {
        if (layout.flattened) {
          values.fillFields(ValueChecks.struct(layout.valueSchema, value), row, false);
        } else {
          row.put(0, values.convert(layout.valueSchema, avroFields.get(0).schema(), value, false));
        }
      } catch (ConversionException e) {
        throw RecordErrors.conversion(r, format, "value", e);
      }
    }
    fillMetadata(r, value == null);
    return row;
  }

  /**
   * A delete row: value columns are null, except those named like a field of a Struct key, which
   * carry the key's value so the loader finds the row to delete.
   */
  private void fillTombstone(SinkRecord r) {
    Struct key = r.key() instanceof Struct ? (Struct) r.key() : null;
    if (!layout.flattened) {
      if (!layout.valueSchema.isOptional()) {
        throw RecordErrors.requiredInTombstone(r, format, "value");
      }
      row.put(0, null);
      return;
    }
    List<Field> fields = layout.valueSchema.fields();
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      Field keyField = key == null ? null : key.schema().field(f.name());
      Object keyValue = keyField == null ? null : FieldValues.of(key, keyField);
      if (keyValue == null) {
        if (!f.schema().isOptional()) {
          throw RecordErrors.requiredInTombstone(r, format, f.name());
        }
        row.put(i, null);
        continue;
      }
      try {
        row.put(i, values.convert(f.schema(), avroFields.get(i).schema(), keyValue, false));
      } catch (ConversionException e) {
        throw RecordErrors.conversion(r, format, "key", e.inField(keyField.name()));
      }
    }
  }

  private void fillMetadata(SinkRecord r, boolean tombstone) {
    int i = layout.metadataIndex;
    if (options.metadataEnabled()) {
      row.put(i++, KafkaCoordinates.topic(r));
      row.put(i++, KafkaCoordinates.partition(r));
      row.put(i++, KafkaCoordinates.offset(r));
      row.put(i++, metadata.timestamp(r, format));
    }
    if (options.keyColumnEnabled()) {
      try {
        row.put(i, key(r, avroFields.get(i).schema()));
      } catch (ConversionException e) {
        throw RecordErrors.conversion(r, format, "key", e);
      }
      i++;
    }
    if (options.headersColumnEnabled()) {
      try {
        Map<String, String> headers = metadata.headers(r);
        values.checkStringMapText(headers);
        row.put(i++, headers);
      } catch (ConversionException e) {
        throw RecordErrors.conversion(r, format, "header", e);
      }
    }
    if (options.deleteMarkers()) {
      row.put(i, tombstone);
    }
  }

  private Object key(SinkRecord r, org.apache.avro.Schema keyAvro) {
    if (r.key() == null) {
      return null;
    }
    if (layout.keyStructSchema == null) {
      return metadata.keyText(r);
    }
    // A struct key is a nested column, checked like a nested value column.
    return values.convert(layout.keyStructSchema, keyAvro, r.key(), false);
  }
}
