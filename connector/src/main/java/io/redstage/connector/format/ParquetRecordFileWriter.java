package io.redstage.connector.format;

import java.io.IOException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Writes one Parquet file through parquet-avro, streaming each finished row group into the upload.
 * The row group being built is the only large buffer; its size is bounded by the configured
 * row-group bytes. An open file also holds a fixed overhead of about 3-4 KB per leaf column, or
 * about 17 KB per leaf column with dictionary encoding (Parquet pre-allocates the dictionary id
 * list), measured on parquet-java 1.18.1. The output depends only on the records and options (no
 * timestamps or random ids), so a replay writes identical bytes.
 */
final class ParquetRecordFileWriter extends AvroRowsFileWriter {
  /** "PAR1" at the start of the file, written when the writer is created. */
  private static final int MAGIC_BYTES = 4;

  private static final int COMPRESSOR_INITIAL_BUFFER = 8 * 1024;

  private final StreamOutputFile file;
  private ParquetWriter<GenericRecord> writer;

  /** Flushed row-group bytes per buffered byte, seen at the last row-group flush (1 until then). */
  private double flushRatio = 1.0;

  /**
   * The open row group's size when {@link #bufferedBytes()} last looked (the task's size checks and
   * memory budget look every few records). Asking Parquet on every write walked every column buffer
   * per record.
   */
  private long lastBufferedSample;

  private ParquetRecordFileWriter(
      AvroRows rows, StreamOutputFile file, ParquetWriter<GenericRecord> writer) {
    super(rows, "a Parquet");
    this.file = file;
    this.writer = writer;
  }

  static ParquetRecordFileWriter open(
      PositionedOutputStream out, AvroRows rows, FormatOptions options, String fileKey) {
    StreamOutputFile file = new StreamOutputFile(out);
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    // The 3-level LIST layout of the Parquet spec; the legacy 2-level one cannot hold null
    // elements.
    conf.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
    try {
      ParquetWriter<GenericRecord> writer =
          AvroParquetWriter.<GenericRecord>builder(file)
              .withConf(conf)
              .withSchema(rows.layout().avroSchema)
              // GenericData without conversions: the rows already hold Avro's raw representations.
              .withDataModel(GenericData.get())
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .withCompressionCodec(codec(options.parquetCodec()))
              // The default factory pre-allocates a page-sized output buffer per file (256 KiB by
              // default) even
              // for an idle file; this one starts small and grows to the largest compressed page.
              .withCodecFactory(new CodecFactory(conf, COMPRESSOR_INITIAL_BUFFER))
              .withDictionaryEncoding(options.parquetDictionaryEnabled())
              .withRowGroupSize((long) options.parquetRowGroupBytes())
              .withPageSize(options.parquetPageBytes())
              // Dictionaries are held per column until the row group is flushed; bound them like
              // pages.
              .withDictionaryPageSize(options.parquetPageBytes())
              .withMaxPaddingSize(0)
              .build();
      return new ParquetRecordFileWriter(rows, file, writer);
    } catch (IOException e) {
      throw new ConnectException(
          "Cannot start Parquet file "
              + fileKey
              + ": writing to the output stream failed. "
              + "Abort the upload and retry.",
          e);
    }
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
  public void write(SinkRecord record) {
    checkOpen();
    GenericRecord row = rows.build(record);
    long writtenBefore = file.written();
    try {
      writer.write(row);
    } catch (IOException | RuntimeException e) {
      // Parquet may have written part of the row into its column buffers: the file cannot be
      // finished.
      throw new ConnectException(
          "Cannot write record "
              + KafkaCoordinates.describe(record)
              + " to the Parquet file: the encoder or the output stream failed. Abort this file and retry.",
          e);
    }
    recordCount++;
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
  public long estimatedBytes() {
    return file.written() + (long) (bufferedBytes() * flushRatio);
  }

  /**
   * Size of the row group being built (encoded pages plus values not yet paged). Parquet's
   * getDataSize() counts from the end of the last flushed row group, or from 0 before the first
   * one.
   */
  @Override
  public long bufferedBytes() {
    if (finished || writer == null) {
      return 0;
    }
    long written = file.written();
    long dataSize = writer.getDataSize();
    lastBufferedSample = written <= MAGIC_BYTES ? dataSize : Math.max(0, dataSize - written);
    return lastBufferedSample;
  }

  @Override
  public void finish() throws IOException {
    checkOpen();
    finished = true;
    writer.close();
    writer = null;
  }

  /**
   * Drops the encoder without flushing: closing it would compress and emit the buffered row group
   * only to throw it away. Its heap buffers and codec buffers are reclaimed by the garbage
   * collector.
   */
  @Override
  public void abort() {
    finished = true;
    writer = null;
  }
}
