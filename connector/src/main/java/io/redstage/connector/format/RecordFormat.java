package io.redstage.connector.format;

import io.redstage.contract.FileFormat;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Writes data files of one format with fixed options. Create with {@link RecordFormats#create}. An
 * instance is safe to share between the writers of one task; it caches schema conversions.
 */
public interface RecordFormat {
  /** File name extension including dots, e.g. ".snappy.parquet", ".avro", ".jsonl", ".jsonl.gz". */
  String extension();

  FileFormat fileFormat();

  /** The codec as written into the commit marker: "snappy", "zstd", "gzip", "deflate" or "none". */
  String compression();

  /**
   * Opens a writer for one file. {@code out} receives the file's bytes and is never closed by the
   * writer. {@code firstRecord} is the first record the file will hold: the file's columns are
   * derived from it, but it is not written; call {@link RecordFileWriter#write} with it next.
   * {@code fileKey} (the S3 key) only seeds bytes that must look random but be reproducible (the
   * Avro sync marker), so a replay with the same boundaries writes identical bytes.
   *
   * @throws org.apache.kafka.connect.errors.DataException if {@code firstRecord} cannot start a
   *     file of this format (no value schema for Parquet/Avro, invalid schema, metadata column name
   *     clash). No bytes have been written to {@code out} then.
   */
  RecordFileWriter open(PositionedOutputStream out, SinkRecord firstRecord, String fileKey);

  /**
   * True when {@code record} can go into the file of {@code writer}: same value schema (by equals,
   * which includes the version), same kind of key column. Tombstones are compatible with any file
   * that has a layout for them. A schemaless JSON Lines file takes schemaless records (and
   * tombstones, whose key fields are written) whose fields fit its columns: a field whose type
   * cannot unify with its column's (e.g. a string where the file holds int64) needs a new file. A
   * record that {@link RecordFileWriter#write} would reject anyway (e.g. a schemaless value for
   * Parquet) is reported compatible, so it does not force a needless rotation.
   */
  boolean compatible(RecordFileWriter writer, SinkRecord record);

  /**
   * {@code record} as it goes into the file of {@code writer}: itself when {@link #compatible};
   * under a schema.compatibility other than NONE, another version of the file's value schema
   * projected to it (see {@link SchemaCompatibility}); null when it needs a new file (and so a new
   * unit).
   *
   * @throws org.apache.kafka.connect.errors.DataException naming the record when its value does not
   *     match its own schema, so it cannot be projected (a bad record, for the dead letter queue)
   */
  SinkRecord fit(RecordFileWriter writer, SinkRecord record);

  /**
   * {@code record} as it goes into a new file of the commit unit that holds the file of {@code
   * writer}: as {@link #fit}, but a schemaless JSON Lines record is not held to that file's
   * columns, since its own file gets its own.
   */
  SinkRecord fitBeside(RecordFileWriter writer, SinkRecord record);

  /**
   * False when {@code record} cannot be the first record of a file: a tombstone without a value
   * schema for Parquet or Avro, which can only go into a file already opened by a record with a
   * schema. The caller then skips it, sends it to the DLQ, or waits for a file opened by an earlier
   * record.
   */
  boolean canOpen(SinkRecord record);

  /**
   * Strings cut to their byte limit so far by this format's writers
   * (behavior.on.oversize.string=truncate): a running count, read before and after a write to
   * attribute truncations to a commit unit.
   */
  long truncatedStrings();
}
