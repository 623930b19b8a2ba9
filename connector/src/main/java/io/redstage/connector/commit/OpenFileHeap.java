package io.redstage.connector.commit;

import io.redstage.connector.format.FormatOptions;
import io.redstage.connector.format.RecordFileWriter;
import io.redstage.contract.FileFormat;

/**
 * Estimates the heap one open data file holds, for the task's memory budget. {@link
 * RecordFileWriter#bufferedBytes()} reports only the data an encoder has buffered; an open file
 * holds more, and with many open partitions the rest dominates:
 *
 * <ul>
 *   <li>a fixed part per file: Parquet's per-column writers, page and statistics buffers, Avro's
 *       block and output buffers, Jackson's generator buffer;
 *   <li>for Parquet with dictionary encoding, the dictionaries of the row group being built:
 *       parquet-java keeps every distinct value of every column in hash maps (boxed values, slots,
 *       id lists) until the column's dictionary reaches the dictionary page size (here the page
 *       size) and falls back to plain encoding. {@code getDataSize()} counts 4 bytes per value for
 *       them, the heap holds about ten times that.
 * </ul>
 *
 * The constants were measured with parquet-java 1.18.1, Avro 1.12.1 and Jackson 2.22 on JDK 17
 * (live heap after full GCs of 20 to 200 open writers, 14 leaf columns; {@code OpenFileOverhead} in
 * the connector's test sources repeats the measurement) and rounded up. Without them, 1,000 open
 * Parquet partitions exhausted a 1 GiB heap after about 1,200 records per partition while the
 * budget counted about 200 MiB of it.
 */
final class OpenFileHeap {
  /** Parquet per leaf column and open file, dictionary encoding on (measured about 24 KB). */
  static final long PARQUET_COLUMN_BYTES_DICTIONARY = 26 * 1024;

  /** Parquet per leaf column and open file, dictionary encoding off (measured about 7 KB). */
  static final long PARQUET_COLUMN_BYTES_PLAIN = 8 * 1024;

  /** Heap per value not counted by getDataSize(): dictionary entries (measured 29-38 B). */
  static final long PARQUET_VALUE_BYTES_DICTIONARY = 40;

  /**
   * Heap per value not counted by getDataSize() without dictionaries: buffer slack (measured up to
   * ~7 B).
   */
  static final long PARQUET_VALUE_BYTES_PLAIN = 10;

  /**
   * A column's dictionary stops growing at the dictionary page size of raw values, then falls back
   * to plain encoding; the hash maps around those raw bytes take up to about five times their size
   * (long values: 20 B of slots per 8-byte value at a load factor of 0.75 or less). Without
   * dictionaries the slack per column is bounded by the buffer slabs (measured up to ~40 KB).
   */
  static final long PARQUET_DICTIONARY_OVERHEAD_FACTOR = 5;

  static final long PARQUET_PLAIN_SLACK_PER_COLUMN = 48 * 1024;

  /**
   * Avro: DataFileWriter's block buffer (up to the sync interval) and output buffer (measured 91
   * KB, flat).
   */
  static final long AVRO_FILE_BYTES = 96 * 1024;

  /** JSON Lines: generator and row buffers (measured 18 KB, flat). */
  static final long JSONL_FILE_BYTES = 20 * 1024;

  /**
   * JSON Lines with gzip: zlib's deflate state at Java's defaults (window bits 15, memory level 8:
   * 128 KB of window and 128 KB of hash chains, plus its pending buffer), held natively per open
   * file, outside the heap the JVM reports but in the process's memory all the same.
   */
  static final long GZIP_FILE_BYTES = 264 * 1024;

  /**
   * A file that holds only its encoded rows: the writer, its reused row and encoding buffer
   * (estimated from their fields: about 1 KB with 14 columns).
   */
  static final long HELD_ROWS_FILE_BYTES = 2 * 1024;

  private final FileFormat format;
  private final long jsonFileBytes;
  private final long columnBytes;
  private final long valueBytes;
  private final long columnCap;

  private OpenFileHeap(
      FileFormat format, boolean gzip, long columnBytes, long valueBytes, long columnCap) {
    this.format = format;
    this.jsonFileBytes = JSONL_FILE_BYTES + (gzip ? GZIP_FILE_BYTES : 0);
    this.columnBytes = columnBytes;
    this.valueBytes = valueBytes;
    this.columnCap = columnCap;
  }

  static OpenFileHeap of(FormatOptions options) {
    boolean gzip = options.jsonCompression().equals("gzip");
    if (options.parquetDictionaryEnabled()) {
      return new OpenFileHeap(
          options.format(),
          gzip,
          PARQUET_COLUMN_BYTES_DICTIONARY,
          PARQUET_VALUE_BYTES_DICTIONARY,
          PARQUET_DICTIONARY_OVERHEAD_FACTOR * options.parquetPageBytes());
    }
    return new OpenFileHeap(
        options.format(),
        gzip,
        PARQUET_COLUMN_BYTES_PLAIN,
        PARQUET_VALUE_BYTES_PLAIN,
        PARQUET_PLAIN_SLACK_PER_COLUMN);
  }

  /**
   * Heap held by {@code writer}: what it reports plus the overhead above. Columns are counted at
   * the top level, so nested structs count once (an underestimate for wide nested values).
   * Parquet's per-value part is counted over all records of the file although dictionaries restart
   * with each row group: an overestimate, bounded by the per-column cap.
   */
  long estimate(RecordFileWriter writer) {
    long reported = writer.bufferedBytes();
    if (!writer.holdsEncoder()) {
      return reported + HELD_ROWS_FILE_BYTES;
    }
    switch (format) {
      case PARQUET:
        long columns = Math.max(1, writer.columns().size());
        long perColumn = Math.min(writer.recordCount() * valueBytes, columnCap);
        return reported + columns * (columnBytes + perColumn);
      case AVRO:
        // the reported block bytes live inside the block buffer counted in AVRO_FILE_BYTES, unless
        // a huge
        // record grew it
        return Math.max(reported, AVRO_FILE_BYTES);
      default:
        return reported + jsonFileBytes;
    }
  }
}
