package io.redstage.connector.commit;

import io.redstage.connector.format.FieldValues;
import io.redstage.connector.format.RecordFormat;
import java.util.Map;
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
   *   <li>when the tombstone opens the unit, its Struct key's, since the key's fields are all a
   *       delete row fills. The loader loads such a unit of key columns like any other schema, and
   *       the next record of the value schema starts a new unit;
   *   <li>for any other key, {@link #NO_VALUE_FIELDS}: a unit of metadata columns, in which the
   *       Kafka key column ({@code store.kafka.keys}) says which row the delete is for.
   * </ol>
   *
   * A schema from before the unit would depend on the task's history: a replay after a restart,
   * which has not seen those records, would write other bytes under the same keys, or, with none
   * seen since the start, could not write the row at all and failed the task at the same tombstone
   * on every restart.
   */
  static SinkRecord of(SinkRecord tombstone, RecordFormat format, SinkRecord unitSchemaRecord) {
    if (format.canOpen(tombstone)) {
      return tombstone;
    }
    Schema fileSchema;
    if (unitSchemaRecord != null) {
      fileSchema = unitSchemaRecord.valueSchema();
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
   * when none is open): a required field of the unit's schema has no value in the tombstone's key,
   * and a delete row has nothing else to fill it with; or, without a key column ({@code
   * keyColumn}), no field of the unit's schema has one, so the row would name nothing to delete.
   * The tombstone then closes the unit and opens the next, as a replay starting at it would write
   * it.
   */
  static boolean needsOwnUnit(
      SinkRecord tombstone, SinkRecord unitSchemaRecord, boolean keyColumn) {
    if (unitSchemaRecord == null || unitSchemaRecord.valueSchema() == null) {
      return false;
    }
    Schema unitSchema = unitSchemaRecord.valueSchema();
    return !keyFillsRequired(tombstone, unitSchema)
        || (!keyColumn && !keyFillsAny(tombstone, unitSchema));
  }

  /**
   * Refuses a tombstone whose delete row would say nothing of which row it deletes: its key is
   * null, or it is not a Struct (nor, in JSON Lines, a Map, whose entries become columns) and
   * {@code keyColumn} ({@code store.kafka.keys}) is off, so the row has no key column either. An
   * upsert could match such a row to nothing and would drop the delete without a word. Decided by
   * the record and the config alone, so a replay decides it alike.
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
    if (keyColumn || key instanceof Struct || (key instanceof Map && format.canOpen(tombstone))) {
      return;
    }
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

  /**
   * True when some field of {@code valueSchema} has a value in the tombstone's key: else a delete
   * row of that schema would hold nulls only and name no row.
   */
  private static boolean keyFillsAny(SinkRecord tombstone, Schema valueSchema) {
    if (valueSchema.type() != Schema.Type.STRUCT || !(tombstone.key() instanceof Struct)) {
      return true; // not a row of fields: checkNamesARow decides
    }
    Struct key = (Struct) tombstone.key();
    for (Field f : valueSchema.fields()) {
      Field keyField = key.schema().field(f.name());
      if (keyField != null && FieldValues.of(key, keyField) != null) {
        return true;
      }
    }
    return false;
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
