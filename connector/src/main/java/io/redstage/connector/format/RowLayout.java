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
   * Columns whose Parquet leaves are written without dictionary encoding (see {@link
   * DictionaryExclusions}); empty for JSON Lines and Avro files.
   */
  private final List<String> dictionaryExcludedColumns;

  /** What Parquet files of this layout share, made on first use (Parquet files only). */
  private volatile ParquetShape parquetShape;

  RowLayout(
      Schema valueSchema,
      boolean flattened,
      Schema keyStructSchema,
      org.apache.avro.Schema avroSchema,
      int metadataIndex,
      List<MarkerColumn> columns,
      List<String> dictionaryExcludedColumns) {
    this.valueSchema = valueSchema;
    this.flattened = flattened;
    this.keyStructSchema = keyStructSchema;
    this.avroSchema = avroSchema;
    this.metadataIndex = metadataIndex;
    this.columns = List.copyOf(columns);
    this.dictionaryExcludedColumns = List.copyOf(dictionaryExcludedColumns);
  }

  /**
   * The Parquet schema and row walker of {@link #avroSchema}, made once per layout rather than per
   * file.
   */
  ParquetShape parquetShape() {
    ParquetShape shape = parquetShape;
    if (shape == null) {
      shape = new ParquetShape(avroSchema, dictionaryExcludedColumns);
      parquetShape = shape; // a race makes an equal copy (at worst one log line more)
    }
    return shape;
  }
}
