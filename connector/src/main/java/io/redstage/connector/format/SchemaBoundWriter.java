package io.redstage.connector.format;

import org.apache.kafka.connect.data.Schema;

/** The writers of this package: each holds the layout its file was opened with. */
interface SchemaBoundWriter extends RecordFileWriter {
  RowLayout layout();

  /** Whether {@code valueSchema} is the file's value schema (by identity or equals). */
  boolean matchesValueSchema(Schema valueSchema);
}
