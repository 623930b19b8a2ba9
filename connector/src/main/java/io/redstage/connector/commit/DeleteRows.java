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
   * A tombstone as a delete row. JSON Lines takes it as is; Parquet and Avro need a value schema:
   * the last one seen on this partition ({@code lastSchemaRecord}), or, before any since the task
   * started (a restart or rebalance right before a delete), the Struct key's, since the key's
   * fields are all a delete row fills. The loader loads such a unit of key columns like any other
   * schema; the next record of the value schema starts a new unit.
   */
  static SinkRecord of(SinkRecord tombstone, RecordFormat format, SinkRecord lastSchemaRecord) {
    if (format.canOpen(tombstone)) {
      return tombstone;
    }
    Schema fileSchema;
    if (lastSchemaRecord != null) {
      fileSchema = lastSchemaRecord.valueSchema();
    } else if (tombstone.keySchema() != null
        && tombstone.keySchema().type() == Schema.Type.STRUCT
        && tombstone.key() != null) {
      fileSchema = tombstone.keySchema();
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
    if (!c.rotation.usesRecordTime()) {
      return null;
    }
    try {
      return c.timestamps.extract(deleteRow, nowMs);
    } catch (DataException e) {
      return null;
    }
  }

  /**
   * Where a delete row goes: its partition's path, or {@link #PATH} when the partitioner reads
   * value fields (a field partitioner, a time partitioner on a value field). The loader finds files
   * through their markers, whatever their path, and applies a unit's rows by offset.
   */
  static String path(Components c, SinkRecord deleteRow, long nowMs) {
    try {
      return c.partitioner.encodePartition(deleteRow, nowMs);
    } catch (DataException e) {
      return PATH;
    }
  }
}
