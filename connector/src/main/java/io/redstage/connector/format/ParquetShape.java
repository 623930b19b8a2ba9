package io.redstage.connector.format;

import io.redstage.connector.format.HeldRowWriteSupport.Kind;
import io.redstage.connector.format.HeldRowWriteSupport.Slot;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * What every file of one Avro row schema shares: the Parquet schema parquet-avro derives from it
 * (3-level lists), its footer metadata and the slots to write. Immutable but for a log latch in its
 * dictionary exclusions; made once per {@link RowLayout} (by {@link ConnectAvroSchemas}), so
 * opening a Parquet file does not convert the schema again.
 */
final class ParquetShape {
  final MessageType parquetSchema;
  final Map<String, String> footerMetadata;
  final Slot[] root;
  final DictionaryExclusions dictionaryExclusions;

  /**
   * @param dictionaryExcludedColumns names of the columns to write without dictionary encoding (see
   *     {@link DictionaryExclusions})
   */
  ParquetShape(Schema avroSchema, List<String> dictionaryExcludedColumns) {
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    // The 3-level LIST layout of the Parquet spec; the legacy 2-level one cannot hold null
    // elements.
    conf.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
    this.parquetSchema = new AvroSchemaConverter(conf).convert(avroSchema);
    this.footerMetadata = Map.of(HeldRowWriteSupport.AVRO_SCHEMA_KEY, avroSchema.toString());
    this.root = fields(parquetSchema, avroSchema);
    this.dictionaryExclusions = DictionaryExclusions.of(parquetSchema, dictionaryExcludedColumns);
  }

  private static Slot[] fields(GroupType group, Schema record) {
    List<Schema.Field> fields = record.getFields();
    Slot[] slots = new Slot[fields.size()];
    for (int i = 0; i < slots.length; i++) {
      Type type = group.getType(i);
      slots[i] = slot(type.getName(), i, type, fields.get(i).schema());
    }
    return slots;
  }

  private static Slot slot(String name, int index, Type type, Schema avro) {
    int nullBranch = -1;
    Schema value = avro;
    if (avro.getType() == Schema.Type.UNION) {
      List<Schema> branches = avro.getTypes();
      if (branches.size() != 2 || nullIndex(branches) < 0) {
        throw unsupported(avro);
      }
      nullBranch = nullIndex(branches);
      value = branches.get(1 - nullBranch);
    }
    switch (value.getType()) {
      case BOOLEAN:
        return primitive(name, index, nullBranch, Kind.BOOLEAN);
      case INT:
        return primitive(name, index, nullBranch, Kind.INT);
      case LONG:
        return primitive(name, index, nullBranch, Kind.LONG);
      case FLOAT:
        return primitive(name, index, nullBranch, Kind.FLOAT);
      case DOUBLE:
        return primitive(name, index, nullBranch, Kind.DOUBLE);
      case STRING:
      case BYTES:
        return primitive(name, index, nullBranch, Kind.BINARY);
      case RECORD:
        return new Slot(
            name, index, nullBranch, Kind.RECORD, fields(type.asGroupType(), value), null);
      case ARRAY:
        {
          GroupType repeated = type.asGroupType().getType(0).asGroupType();
          Type element = repeated.getType(0);
          Slot[] children = {slot(element.getName(), 0, element, value.getElementType())};
          return new Slot(name, index, nullBranch, Kind.LIST, children, repeated.getName());
        }
      case MAP:
        {
          GroupType repeated = type.asGroupType().getType(0).asGroupType();
          Type key = repeated.getType(0);
          Type mapValue = repeated.getType(1);
          Slot[] children = {
            primitive(key.getName(), 0, -1, Kind.BINARY),
            slot(mapValue.getName(), 1, mapValue, value.getValueType())
          };
          return new Slot(name, index, nullBranch, Kind.MAP, children, repeated.getName());
        }
      default:
        throw unsupported(avro);
    }
  }

  private static Slot primitive(String name, int index, int nullBranch, Kind kind) {
    return new Slot(name, index, nullBranch, kind, null, null);
  }

  private static int nullIndex(List<Schema> branches) {
    for (int i = 0; i < branches.size(); i++) {
      if (branches.get(i).getType() == Schema.Type.NULL) {
        return i;
      }
    }
    return -1;
  }

  private static IllegalArgumentException unsupported(Schema avro) {
    return new IllegalArgumentException(
        "Cannot write the Avro type "
            + avro
            + " to Parquet from held rows: only the types the connector's row schemas use are"
            + " supported. This is a bug; report it with the record's value schema.");
  }
}
