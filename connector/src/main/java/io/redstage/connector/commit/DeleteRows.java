package io.redstage.connector.commit;

import io.redstage.connector.format.RecordFormat;
import org.apache.kafka.connect.data.Schema;
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
   * A tombstone as a delete row. JSON Lines takes it as is; Parquet and Avro need a value schema,
   * in this order:
   *
   * <ol>
   *   <li>the open unit's ({@code unitSchemaRecord}, a row of it);
   *   <li>when the tombstone opens the unit, its Struct key's, since the key's fields are all a
   *       delete row fills. The loader loads such a unit of key columns like any other schema, and
   *       the next record of the value schema starts a new unit. A schema from before the unit
   *       would make a replay after a restart, which has not seen those records, write other bytes
   *       under the same keys;
   *   <li>for any other key, the partition's last value schema ({@code lastSchemaRecord}): only it
   *       can stand in, and within a task rewinds restore it (PartitionCommits#abort), but a task
   *       that has seen none since it started cannot write the row.
   * </ol>
   */
  static SinkRecord of(
      SinkRecord tombstone,
      RecordFormat format,
      SinkRecord unitSchemaRecord,
      SinkRecord lastSchemaRecord) {
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
    } else if (lastSchemaRecord != null) {
      fileSchema = lastSchemaRecord.valueSchema();
    } else {
      throw new DataException(
          "Cannot write a delete row for tombstone "
              + PartitionWriter.where(tombstone)
              + ": no record with a value schema was seen on this partition since the task started, and "
              + "the key is not a Struct whose fields could stand in, so the file schema is unknown. Use "
              + "format.class=jsonl for CDC streams with such keys, or behavior.on.null.values=ignore.");
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
