package io.redstage.connector.format;

import io.redstage.connector.format.HeldRowWriteSupport.HeldRow;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one Parquet file. The rows are held in their Avro binary encoding until the file is built
 * (see {@link AvroRowsFileWriter}), then each encoding is written straight into Parquet ({@link
 * HeldRowWriteSupport}, byte-identical to parquet-avro's output for the decoded rows); a file that
 * grows too large to hold streams each finished row group into the upload instead, writing each
 * row's encoding the same way. Once started, the row group being built is the only large buffer;
 * its size is bounded by the configured row-group bytes. A started encoder also holds a fixed
 * overhead of about 3-4 KB per leaf column, or about 17 KB per leaf column with dictionary encoding
 * (Parquet pre-allocates the dictionary id list), measured on parquet-java 1.18.1. The output
 * depends only on the records and options (no timestamps or random ids), so a replay writes
 * identical bytes.
 */
final class ParquetRecordFileWriter extends AvroRowsFileWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ParquetRecordFileWriter.class);

  /**
   * Fewest rows of a file whose dropped dictionaries are worth reporting: in a smaller file even a
   * column that repeats a few values may not make its dictionary pay.
   */
  static final long DROPPED_DICTIONARY_MIN_ROWS = 1_000;

  /** "PAR1" at the start of the file, written when the encoder starts. */
  private static final int MAGIC_BYTES = 4;

  private static final int COMPRESSOR_INITIAL_BUFFER = 8 * 1024;

  private final FormatOptions options;
  private StreamOutputFile file;
  private ParquetWriter<HeldRow> writer;
  private final HeldRow heldRow = new HeldRow();

  /** Columns this file writes without a dictionary because the probe found no repeat. */
  private Set<String> probedPlain = Set.of();

  /** Flushed row-group bytes per buffered byte, seen at the last row-group flush (1 until then). */
  private double flushRatio = 1.0;

  /**
   * The open row group's size when {@link #encoderBufferedBytes()} last looked (the task's size
   * checks and memory budget look every few records). Asking Parquet on every write walked every
   * column buffer per record.
   */
  private long lastBufferedSample;

  private ParquetRecordFileWriter(
      AvroRows rows,
      PositionedOutputStream out,
      String fileKey,
      FormatOptions options,
      long holdAtMostBytes) {
    super(rows, out, fileKey, "a Parquet", holdAtMostBytes);
    this.options = options;
  }

  static ParquetRecordFileWriter open(
      PositionedOutputStream out,
      AvroRows rows,
      FormatOptions options,
      String fileKey,
      long holdAtMostBytes) {
    return new ParquetRecordFileWriter(rows, out, fileKey, options, holdAtMostBytes);
  }

  static CompressionCodecName codec(String name) {
    switch (name) {
      case "snappy":
        return CompressionCodecName.SNAPPY;
      case "zstd":
        return CompressionCodecName.ZSTD;
      case "gzip":
        return CompressionCodecName.GZIP;
      default:
        return CompressionCodecName.UNCOMPRESSED;
    }
  }

  @Override
  void startEncoder(RowStore heldRows, boolean wholeFile) throws IOException {
    file = new StreamOutputFile(out);
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    ParquetShape shape = rows.layout().parquetShape();
    // Pages and dictionaries share one bound; the probe applies the dictionary's.
    int pageBytes = options.parquetPageBytes();
    HeldRowWriteSupport.Builder builder =
        new HeldRowWriteSupport.Builder(file, shape)
            .withConf(conf)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withCompressionCodec(codec(options.parquetCodec()))
            // The default factory pre-allocates a page-sized output buffer per file (256 KiB by
            // default) even for an idle file; this one starts small and grows to the largest
            // compressed page.
            .withCodecFactory(new CodecFactory(conf, COMPRESSOR_INITIAL_BUFFER))
            .withDictionaryEncoding(options.parquetDictionaryEnabled())
            .withRowGroupSize((long) options.parquetRowGroupBytes())
            .withPageSize(pageBytes)
            // Dictionaries are held per column until the row group is flushed; bound them like
            // pages.
            .withDictionaryPageSize(pageBytes)
            .withMaxPaddingSize(0);
    for (String path : shape.dictionaryExclusions.leafPaths) {
      builder.withDictionaryEncoding(path, false);
    }
    if (options.parquetDictionaryEnabled()) {
      probedPlain =
          DictionaryProbe.nonRepeating(
              shape, heldRows, wholeFile, options.parquetDictionaryProbeRows(), pageBytes);
      for (String path : probedPlain) {
        builder.withDictionaryEncoding(path, false);
      }
    }
    writer = builder.build();
  }

  /** The columns this file writes without a dictionary because the probe found no repeat. */
  Set<String> probedPlainColumns() {
    return probedPlain;
  }

  @Override
  boolean streamsEncodedRows() {
    return true;
  }

  /**
   * No row limit: Redshift's COPY scanner limits rows of the row-based formats only (its SUPER
   * limitations page: "does not apply to columnar formats (PARQUET, ORC)"). A nested value's 16 MB
   * as a SUPER value is checked while it is converted ({@link WarehouseLimits#superText}).
   */
  @Override
  void checkRowBytes(SinkRecord record, int bytes) {}

  @Override
  void writeHeld(byte[] chunk, int offset, int length) throws IOException {
    writeRow(chunk, offset, length);
  }

  @Override
  void writeStreamed(GenericRecord row, SinkRecord record) {
    // Parquet may have written part of the row into its column buffers: either way the file cannot
    // be finished.
    try {
      writeRow(encoded.array(), 0, encoded.length());
    } catch (IOException e) {
      throw new FileOutputException(
          "Cannot write record "
              + KafkaCoordinates.describe(record)
              + " to the Parquet file: the output stream failed. Abort this file and retry.",
          e);
    } catch (RuntimeException e) {
      throw new ConnectException(
          "Cannot write record "
              + KafkaCoordinates.describe(record)
              + " to the Parquet file: the encoder failed. Abort this file and retry.",
          e);
    }
  }

  private void writeRow(byte[] array, int offset, int length) throws IOException {
    long writtenBefore = file.written();
    writer.write(heldRow.set(array, offset, length));
    long flushed = file.written() - writtenBefore;
    if (flushed > 0 && lastBufferedSample > 0) {
      // The row group just flushed held about what the last sample saw (taken at most a size check
      // ago).
      flushRatio = Math.max(0.01, (double) flushed / lastBufferedSample);
      lastBufferedSample = 0;
    }
  }

  /**
   * Bytes in {@code out} plus the open row group scaled by the compression seen at the last
   * row-group flush: the buffered pages are only partly compressed, so the raw buffer size would
   * overstate the file by the codec's ratio.
   */
  @Override
  long encoderEstimatedBytes() {
    return file.written() + (long) (encoderBufferedBytes() * flushRatio);
  }

  /**
   * Size of the row group being built (encoded pages plus values not yet paged). Parquet's
   * getDataSize() counts from the end of the last flushed row group, or from 0 before the first
   * one.
   */
  @Override
  long encoderBufferedBytes() {
    if (writer == null) {
      return 0; // finished: everything is in out
    }
    long written = file.written();
    long dataSize = writer.getDataSize();
    lastBufferedSample = written <= MAGIC_BYTES ? dataSize : Math.max(0, dataSize - written);
    return lastBufferedSample;
  }

  @Override
  void finishEncoder() throws IOException {
    writer.close();
    ParquetMetadata footer = writer.getFooter();
    writer = null;
    logDroppedDictionaries(footer);
  }

  /**
   * Once per layout, names the columns whose dictionary Parquet built and then dropped in a file of
   * at least {@link #DROPPED_DICTIONARY_MIN_ROWS} rows, so that the user can find the columns worth
   * listing in parquet.dictionary.excluded.columns.
   */
  private void logDroppedDictionaries(ParquetMetadata footer) {
    DictionaryExclusions exclusions = rows.layout().parquetShape().dictionaryExclusions;
    if (!options.parquetDictionaryEnabled()
        || recordCount() < DROPPED_DICTIONARY_MIN_ROWS
        || exclusions.droppedLogged.get()) {
      return;
    }
    List<String> dropped = exclusions.dropped(footer, probedPlain);
    if (!dropped.isEmpty() && exclusions.droppedLogged.compareAndSet(false, true)) {
      LOG.info(
          "Parquet built and then dropped the dictionary of columns {} in {} ({} rows): their values"
              + " did not repeat enough within the file. If that holds for most files, listing them in"
              + " parquet.dictionary.excluded.columns saves the CPU of building those dictionaries"
              + " without making the files larger. Logged once per schema.",
          dropped,
          fileKey,
          recordCount());
    }
  }

  /**
   * Drops the encoder without flushing: closing it would compress and emit the buffered row group
   * only to throw it away. Its heap buffers and codec buffers are reclaimed by the garbage
   * collector.
   */
  @Override
  void dropEncoder() {
    writer = null;
  }
}
