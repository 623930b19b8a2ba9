package io.redstage.connector.format;

import io.redstage.contract.MarkerColumn;
import java.util.List;
import org.apache.kafka.connect.data.Schema;

/**
 * What the Avro and Parquet writers share: both turn records into Avro rows ({@link AvroRows}) and
 * count them, and neither may be used after finish() or abort().
 */
abstract class AvroRowsFileWriter implements SchemaBoundWriter {
  final AvroRows rows;
  private final String formatName;
  long recordCount;
  boolean finished;

  AvroRowsFileWriter(AvroRows rows, String formatName) {
    this.rows = rows;
    this.formatName = formatName;
  }

  @Override
  public RowLayout layout() {
    return rows.layout();
  }

  @Override
  public boolean matchesValueSchema(Schema valueSchema) {
    return rows.matchesValueSchema(valueSchema);
  }

  @Override
  public long recordCount() {
    return recordCount;
  }

  @Override
  public List<MarkerColumn> columns() {
    return rows.layout().columns;
  }

  void checkOpen() {
    if (finished) {
      throw new IllegalStateException(
          "Cannot use " + formatName + " file writer after finish() or abort()");
    }
  }
}
