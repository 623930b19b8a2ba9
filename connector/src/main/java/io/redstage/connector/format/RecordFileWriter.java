package io.redstage.connector.format;

import io.redstage.contract.MarkerColumn;
import java.io.IOException;
import java.util.List;
import org.apache.kafka.connect.sink.SinkRecord;

/** Writes the records of one data file. Not thread-safe: one writer per open file. */
public interface RecordFileWriter {
  /**
   * Converts then writes one record. A record that cannot be converted throws {@link
   * org.apache.kafka.connect.errors.DataException} naming topic/partition/offset and the field,
   * before any of its bytes reach the file, so the caller can send it to the DLQ and keep writing
   * this file.
   *
   * @throws FileOutputException when the output stream (the upload) fails, or another {@link
   *     org.apache.kafka.connect.errors.ConnectException} (not a DataException) when the encoder
   *     fails; the file is then unusable and must be aborted.
   */
  void write(SinkRecord record);

  long recordCount();

  /** Estimated final size: bytes already in {@code out} plus bytes buffered inside the encoder. */
  long estimatedBytes();

  /**
   * Bytes held in heap by the encoder (e.g. the Parquet row group being built), for the memory
   * budget.
   */
  long bufferedBytes();

  /**
   * False while the file holds only its rows in compact form and no encoder state (the Parquet and
   * Avro writers until a file grows large, see {@code AvroRowsFileWriter}): {@link
   * #bufferedBytes()} is then all the heap the file holds.
   */
  default boolean holdsEncoder() {
    return true;
  }

  /** The file's columns in file order, with logical types. */
  List<MarkerColumn> columns();

  /**
   * Writes everything still buffered (last row group and footer, last block, gzip trailer) to
   * {@code out}. Neither flushes nor closes {@code out}: the caller completes the upload.
   * Afterwards {@link #estimatedBytes()} is the exact file size and {@link #bufferedBytes()} is 0.
   */
  void finish() throws IOException;

  /** Releases encoder resources without writing more; the caller aborts the upload. Idempotent. */
  void abort();
}
