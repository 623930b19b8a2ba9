package io.redstage.connector.commit;

import io.redstage.connector.format.FieldValues;
import io.redstage.connector.format.NamesInMessages;
import io.redstage.connector.format.RecordFormat;
import io.redstage.contract.FileFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Tombstones written as delete rows ({@code behavior.on.null.values=write}): the row's file schema,
 * record time and partition path. A delete row has no value fields, so none of them may depend on
 * one; otherwise every delete of some connectors would be a bad record.
 */
final class DeleteRows {
  /** The partition path of delete rows the partitioner cannot place (as Confluent's default). */
  static final String PATH = "tombstone";

  private DeleteRows() {}

  /**
   * The file schema of a delete row that opens a unit and has no Struct key: no value fields, so
   * the file holds the metadata columns (the Kafka key, the deleted flag) only.
   */
  static final Schema NO_VALUE_FIELDS = SchemaBuilder.struct().build();

  /**
   * A tombstone as a delete row. JSON Lines takes it as is; Parquet and Avro need a value schema,
   * in this order:
   *
   * <ol>
   *   <li>the open unit's ({@code unitSchemaRecord}, a row of it; the caller passes null when
   *       {@link #needsOwnUnit});
   *   <li>when the tombstone opens the unit, its own value schema if it has one that its key fills
   *       as in an open unit ({@link #keyFits}), else its Struct key's, since the key's fields are
   *       all a delete row fills. The loader loads such a unit of key columns like any other
   *       schema, and the next record of the value schema starts a new unit;
   *   <li>for any other key, {@link #NO_VALUE_FIELDS}: a unit of metadata columns, in which the
   *       Kafka key column ({@code store.kafka.keys}) says which row the delete is for.
   * </ol>
   *
   * In JSON Lines a tombstone with a value schema its key does not fit loses that schema, so its
   * file's columns come from the key's fields or entries instead of being NULL.
   *
   * <p>A schema from before the unit would depend on the task's history: a replay after a restart,
   * which has not seen those records, would write other bytes under the same keys, or, with none
   * seen since the start, could not write the row at all and failed the task at the same tombstone
   * on every restart.
   */
  static SinkRecord of(
      SinkRecord tombstone, RecordFormat format, SinkRecord unitSchemaRecord, boolean keyColumn) {
    Schema own = tombstone.valueSchema();
    // a value schema of the tombstone's own that the key leaves all NULL, or cannot fill (a type
    // of another kind), would be a row naming nothing, or a bad record that opening the unit with
    // the key's columns writes
    boolean ownFits = own != null && keyFits(tombstone, own, format, keyColumn);
    Schema fileSchema;
    if (unitSchemaRecord != null && unitSchemaRecord.valueSchema() != null) {
      // the open unit's layout, in every format: a schema of the tombstone's own would become the
      // one later tombstones are checked against while their rows still go into this unit's files
      fileSchema = unitSchemaRecord.valueSchema();
    } else if (format.fileFormat() == FileFormat.JSONL) {
      if (own == null || ownFits) {
        return tombstone;
      }
      fileSchema = null; // a schemaless row of the key's fields or entries
    } else if (unitSchemaRecord != null) {
      fileSchema = unitSchemaRecord.valueSchema();
    } else if (ownFits) {
      return tombstone;
    } else if (tombstone.keySchema() != null
        && tombstone.keySchema().type() == Schema.Type.STRUCT
        && tombstone.key() != null) {
      fileSchema = tombstone.keySchema();
    } else {
      fileSchema = NO_VALUE_FIELDS;
    }
    return tombstone.newRecord(
        tombstone.topic(),
        tombstone.kafkaPartition(),
        tombstone.keySchema(),
        tombstone.key(),
        fileSchema,
        null,
        tombstone.timestamp(),
        tombstone.headers());
  }

  /**
   * True when the tombstone cannot be a delete row in the open unit ({@code unitSchemaRecord}, null
   * when none is open): see {@link #keyFits}. The tombstone then closes the unit and opens the
   * next, as a replay starting at it would write it, so whether a delete is written never depends
   * on where the unit boundaries fall.
   */
  static boolean needsOwnUnit(
      SinkRecord tombstone, SinkRecord unitSchemaRecord, RecordFormat format, boolean keyColumn) {
    if (unitSchemaRecord == null || unitSchemaRecord.valueSchema() == null) {
      return false; // none open, or a schemaless JSON Lines file: its row is the key's entries
    }
    return !keyFits(tombstone, unitSchemaRecord.valueSchema(), format, keyColumn);
  }

  /**
   * True when a delete row of {@code valueSchema} can be written from the tombstone's key: every
   * required field has a value in the key; each field the key fills has the key field's type (a key
   * {@code id} INT32 cannot fill a value {@code id} INT64: the writer refuses the Integer, and the
   * same tombstone opening a unit of its own is written); and, without a key column ({@code
   * keyColumn}), some field has a value in the key, else the row would hold only NULLs and name
   * nothing to delete (a Map key fills no field of a schema, so its entries become the columns of a
   * JSON Lines unit of its own).
   */
  private static boolean keyFits(
      SinkRecord tombstone, Schema valueSchema, RecordFormat format, boolean keyColumn) {
    // the key column names the row only for a key whose fields cannot be columns (a primitive, or
    // a Map outside JSON Lines): an upsert by value columns would match a row of NULLs to nothing,
    // and a key with fields fills them where the tombstone opens a unit, so it must here too
    boolean keyHasColumns =
        tombstone.key() instanceof Struct
            || (tombstone.key() instanceof Map && format.fileFormat() == FileFormat.JSONL);
    return keyFillsRequired(tombstone, valueSchema)
        && keyTypesMatch(tombstone, valueSchema)
        && ((keyColumn && !keyHasColumns) || keyFillsAny(tombstone, valueSchema));
  }

  /**
   * Refuses a tombstone whose delete row would say nothing of which row it deletes, unless {@code
   * keyColumn} ({@code store.kafka.keys}) gives the row its key column: its key is null; or it is
   * not a Struct (nor, in JSON Lines, a Map, whose entries become columns), so the row has no key
   * fields; or it is one whose fields or entries are all null (an empty map included), so every key
   * column of the row would be NULL. An upsert could match such a row to nothing and would drop the
   * delete without a word. Decided by the record and the config alone, so a replay decides it
   * alike.
   */
  static void checkNamesARow(SinkRecord tombstone, RecordFormat format, boolean keyColumn) {
    Object key = tombstone.key();
    if (key == null) {
      throw new DataException(
          "Cannot write a delete row for record "
              + PartitionWriter.where(tombstone)
              + ": its key is null, so the row would not say which row it deletes, and an upsert "
              + "would drop it. Produce tombstones with the key of the row they delete, or set "
              + "behavior.on.null.values=ignore; errors.tolerance=all sends such records to the dead letter "
              + "queue.");
    }
    if (keyColumn) {
      return;
    }
    boolean fieldsAreColumns =
        key instanceof Struct || (key instanceof Map && format.fileFormat() == FileFormat.JSONL);
    if (!fieldsAreColumns) {
      String kind =
          tombstone.keySchema() != null
              ? tombstone.keySchema().type().toString()
              : key.getClass().getSimpleName();
      throw new DataException(
          "Cannot write a delete row for record "
              + PartitionWriter.where(tombstone)
              + ": its key is a "
              + kind
              + ", not a struct whose fields the row could hold, and store.kafka.keys=false, so the row "
              + "would carry no key to delete by and an upsert would drop it. Set store.kafka.keys=true "
              + "(an upsert on the key column deletes by it), or use a key converter that gives struct "
              + "keys; errors.tolerance=all sends such records to the dead letter queue.");
    }
    String empty = emptyKey(key);
    if (empty != null) {
      throw new DataException(
          "Cannot write a delete row for record "
              + PartitionWriter.where(tombstone)
              + ": its key "
              + empty
              + ", and store.kafka.keys=false, so every key column of the row would be NULL: it "
              + "would name no row, and an upsert would drop the delete. Produce tombstones whose key "
              + "holds the values of the row they delete, or set store.kafka.keys=true (an upsert on "
              + "the key column deletes by it); errors.tolerance=all sends such records to the dead "
              + "letter queue.");
    }
  }

  /**
   * What makes a Struct or Map key name no row (for the error), or null when some field or entry
   * has a value.
   */
  private static String emptyKey(Object key) {
    List<String> names = new ArrayList<>();
    if (key instanceof Struct) {
      Struct struct = (Struct) key;
      for (Field f : struct.schema().fields()) {
        if (hasValue(FieldValues.of(struct, f))) {
          return null;
        }
        names.add(f.name());
      }
      return names.isEmpty()
          ? "is a struct without fields"
          : "has no field with a value ("
              + NamesInMessages.list(names)
              + (names.size() == 1 ? " is" : " are")
              + " null)";
    }
    int position = 0;
    for (Map.Entry<?, ?> e : ((Map<?, ?>) key).entrySet()) {
      if (hasValue(e.getValue())) {
        return null;
      }
      // a map key that is not text can be data (a Struct of an e-mail): its position instead
      names.add(e.getKey() instanceof String ? (String) e.getKey() : "entry " + position);
      position++;
    }
    return names.isEmpty()
        ? "is an empty map"
        : "is a map without an entry with a value ("
            + NamesInMessages.list(names)
            + (names.size() == 1 ? " is" : " are")
            + " null)";
  }

  /**
   * True when some field of {@code valueSchema} has a value in the tombstone's Struct key: else a
   * delete row of that schema would hold nulls only and name no row. A schema that is not a struct
   * has one value column, which a delete row leaves NULL; a key that is not a Struct (a Map) fills
   * no field of a schema.
   */
  private static boolean keyFillsAny(SinkRecord tombstone, Schema valueSchema) {
    if (valueSchema.type() != Schema.Type.STRUCT || !(tombstone.key() instanceof Struct)) {
      return false;
    }
    Struct key = (Struct) tombstone.key();
    for (Field f : valueSchema.fields()) {
      Field keyField = key.schema().field(f.name());
      if (keyField != null && hasValue(FieldValues.of(key, keyField))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code v} holds a value at some depth: a struct of null fields, or an empty or all-null
   * list or map, names no row any more than a null does ({@code {pk: {a: null}}}).
   */
  private static boolean hasValue(Object v) {
    if (v instanceof Struct) {
      Struct s = (Struct) v;
      for (Field f : s.schema().fields()) {
        if (hasValue(FieldValues.of(s, f))) {
          return true;
        }
      }
      return false;
    }
    if (v instanceof Map) {
      for (Object item : ((Map<?, ?>) v).values()) {
        if (hasValue(item)) {
          return true;
        }
      }
      return false;
    }
    if (v instanceof java.util.Collection) {
      for (Object item : (java.util.Collection<?>) v) {
        if (hasValue(item)) {
          return true;
        }
      }
      return false;
    }
    return v != null;
  }

  /**
   * True when every field of {@code valueSchema} that the tombstone's Struct key fills has the key
   * field's type, so the writers take the key's value for it (they check a value's Java type
   * strictly against the column's schema and widen nothing).
   */
  private static boolean keyTypesMatch(SinkRecord tombstone, Schema valueSchema) {
    if (valueSchema.type() != Schema.Type.STRUCT || !(tombstone.key() instanceof Struct)) {
      return true; // the key fills no field
    }
    Struct key = (Struct) tombstone.key();
    for (Field f : valueSchema.fields()) {
      Field keyField = key.schema().field(f.name());
      if (keyField != null
          && FieldValues.of(key, keyField) != null
          && !sameType(keyField.schema(), f.schema())) {
        return false;
      }
    }
    return true;
  }

  /**
   * True when a value valid for schema {@code key} is one for {@code column}, optionality aside
   * (the value is not null): same type and logical type, a Decimal's scale and precision, and, as
   * the writers check nested values, a struct of the same name, version and fields, and arrays or
   * maps of equal element schemas. Anything else counts as another type: the delete row then opens
   * a unit of its own, which takes any key whose layout can open a file, so erring here costs a
   * unit.
   */
  private static boolean sameType(Schema key, Schema column) {
    if (key.type() != column.type() || !Objects.equals(key.name(), column.name())) {
      return false;
    }
    switch (key.type()) {
      case STRUCT:
        return Objects.equals(key.version(), column.version())
            && key.fields().equals(column.fields());
      case ARRAY:
        return key.valueSchema().equals(column.valueSchema());
      case MAP:
        return key.keySchema().equals(column.keySchema())
            && key.valueSchema().equals(column.valueSchema());
      default:
        return !Decimal.LOGICAL_NAME.equals(key.name())
            || Objects.equals(key.parameters(), column.parameters());
    }
  }

  /** True when every required field of {@code valueSchema} has a value in the tombstone's key. */
  private static boolean keyFillsRequired(SinkRecord tombstone, Schema valueSchema) {
    if (valueSchema.type() != Schema.Type.STRUCT) {
      return valueSchema.isOptional();
    }
    Struct key = tombstone.key() instanceof Struct ? (Struct) tombstone.key() : null;
    for (Field f : valueSchema.fields()) {
      if (f.schema().isOptional()) {
        continue;
      }
      Field keyField = key == null ? null : key.schema().field(f.name());
      if (keyField == null || FieldValues.of(key, keyField) == null) {
        return false;
      }
    }
    return true;
  }

  /**
   * A delete row's record time for rotation: null when the extractor reads a value field (the row
   * has none), so the row never closes a unit by record time.
   */
  static Long time(Components c, SinkRecord deleteRow, long nowMs) {
    if (!c.rotation.usesRecordTime() || c.timestamps.readsValue()) {
      return null;
    }
    return c.timestamps.extract(deleteRow, nowMs);
  }

  /**
   * Where a delete row goes: its partition's path, or {@link #PATH} when the partitioner reads
   * value fields (a field partitioner, a time partitioner on a value field). The loader finds files
   * through their markers, whatever their path, and applies a unit's rows by offset.
   */
  static String path(Components c, SinkRecord deleteRow, long nowMs) {
    return c.partitioner.readsValue() ? PATH : c.partitioner.encodePartition(deleteRow, nowMs);
  }
}
