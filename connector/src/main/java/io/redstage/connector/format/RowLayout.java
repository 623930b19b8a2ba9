package io.redstage.connector.format;

import io.redstage.contract.MarkerColumn;
import java.util.List;
import org.apache.kafka.connect.data.Schema;

/**
 * The row layout of one data file, derived from its first record: the Connect value schema, whether
 * its Struct fields are flattened into top-level columns, the key column kind, the Avro schema
 * (Parquet and Avro only) and the marker column list. Immutable; shared by every file with the same
 * schemas.
 */
final class RowLayout {
  /** Connect value schema; null for schemaless JSON Lines files. */
  final Schema valueSchema;

  /**
   * True when the value is a Struct whose fields are the leading columns; else one "value" column.
   */
  final boolean flattened;

  /** Key schema when the key column is a nested struct; null when it is a string (or disabled). */
  final Schema keyStructSchema;

  /** Row schema for Parquet and Avro; null for JSON Lines. */
  final org.apache.avro.Schema avroSchema;

  /** Index of the first metadata field in {@link #avroSchema} (= number of value columns). */
  final int metadataIndex;

  final List<MarkerColumn> columns;

  /**
   * What Parquet files of this layout share (schema conversion, row walker, dictionary exclusions),
   * made once per layout rather than per file; null for Avro and JSON Lines layouts.
   */
  private final ParquetShape parquetShape;

  /** Encodes rows of {@link #avroSchema} (Parquet and Avro layouts); null for JSON Lines. */
  private final AvroRowEncoder rowEncoder;

  RowLayout(
      Schema valueSchema,
      boolean flattened,
      Schema keyStructSchema,
      org.apache.avro.Schema avroSchema,
      int metadataIndex,
      List<MarkerColumn> columns,
      ParquetShape parquetShape) {
    this.valueSchema = valueSchema;
    this.flattened = flattened;
    this.keyStructSchema = keyStructSchema;
    this.avroSchema = avroSchema;
    this.metadataIndex = metadataIndex;
    this.columns = List.copyOf(columns);
    this.parquetShape = parquetShape;
    this.rowEncoder = avroSchema == null ? null : new AvroRowEncoder(avroSchema);
  }

  /** The Parquet shape of this layout; null unless it is a Parquet layout. */
  ParquetShape parquetShape() {
    return parquetShape;
  }

  /** The encoder of this layout's Avro rows; null for a JSON Lines layout. */
  AvroRowEncoder rowEncoder() {
    return rowEncoder;
  }
}
