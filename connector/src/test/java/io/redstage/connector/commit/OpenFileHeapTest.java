package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.connector.format.ColumnNames;
import io.redstage.connector.format.FormatOptions;
import io.redstage.connector.format.PositionedOutputStream;
import io.redstage.connector.format.RecordFileWriter;
import io.redstage.connector.format.RecordFormats;
import io.redstage.contract.FileFormat;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** The per-file heap estimate the memory budget adds to what the encoders report. */
class OpenFileHeapTest {
  static final Schema VALUE =
      SchemaBuilder.struct()
          .name("Row")
          .field("id", Schema.INT64_SCHEMA)
          .field("name", Schema.STRING_SCHEMA)
          .field("note", Schema.OPTIONAL_STRING_SCHEMA)
          .build();

  /** 3 value columns + topic, partition, offset, timestamp. */
  static final int COLUMNS = 7;

  static SinkRecord record(long offset) {
    Struct v = new Struct(VALUE).put("id", offset).put("name", "name-" + offset).put("note", null);
    return new SinkRecord(
        "t", 0, null, null, VALUE, v, offset, 1_700_000_000_000L, TimestampType.CREATE_TIME);
  }

  /** A file that encodes from its first row (holds none), as a large file does. */
  static RecordFileWriter open(FormatOptions options, int records) {
    return open(options, records, 0);
  }

  static RecordFileWriter open(FormatOptions options, int records, long heldRowBytes) {
    RecordFileWriter w =
        RecordFormats.create(options, ColumnNames.unmapped(), heldRowBytes)
            .open(new NullStream(), record(0), "t+0+0");
    for (int i = 0; i < records; i++) {
      w.write(record(i));
    }
    return w;
  }

  @Test
  void aFileHoldingItsRowsCountsTheRowsAndNoEncoder() {
    for (FileFormat format : new FileFormat[] {FileFormat.PARQUET, FileFormat.AVRO}) {
      FormatOptions options = FormatOptions.builder().format(format).build();
      RecordFileWriter one = open(options, 1, 1 << 20);
      RecordFileWriter many = open(options, 5_000, 1 << 20);

      assertThat(one.holdsEncoder()).as(format.id()).isFalse();
      assertThat(OpenFileHeap.of(options).estimate(one))
          .as(format.id())
          .isEqualTo(one.bufferedBytes() + OpenFileHeap.HELD_ROWS_FILE_BYTES)
          .isLessThan(4 * 1024);
      // about 20 bytes per row here; chunks double, so at most about twice that is held
      assertThat(many.bufferedBytes()).as(format.id()).isBetween(5_000L * 15, 5_000L * 60);
    }
  }

  @Test
  void aFileStartsItsEncoderOnceItsHeldRowsPassTheLimit() {
    FormatOptions options = FormatOptions.builder().format(FileFormat.PARQUET).build();
    RecordFileWriter w = open(options, 1_000, 4 * 1024);

    assertThat(w.holdsEncoder()).isTrue();
    assertThat(OpenFileHeap.of(options).estimate(w))
        .isGreaterThanOrEqualTo(COLUMNS * OpenFileHeap.PARQUET_COLUMN_BYTES_DICTIONARY);
  }

  /** A gzip JSON Lines file holds zlib's deflate state (about 256 KB, native) while open. */
  @Test
  void aGzipJsonLinesFileCountsItsDeflater() {
    FormatOptions plain = FormatOptions.builder().format(FileFormat.JSONL).build();
    FormatOptions gzip =
        FormatOptions.builder().format(FileFormat.JSONL).jsonCompression("gzip").build();
    RecordFileWriter w = open(gzip, 1);

    assertThat(w.holdsEncoder()).isTrue();
    assertThat(OpenFileHeap.of(gzip).estimate(w))
        .isEqualTo(OpenFileHeap.of(plain).estimate(w) + OpenFileHeap.GZIP_FILE_BYTES)
        .isGreaterThan(256 * 1024);
  }

  @Test
  void anIdleParquetFileCountsItsPerColumnWritersNotJustItsData() {
    FormatOptions options = FormatOptions.builder().format(FileFormat.PARQUET).build();
    RecordFileWriter w = open(options, 1);

    long estimate = OpenFileHeap.of(options).estimate(w);

    assertThat(w.bufferedBytes()).isLessThan(1024);
    assertThat(estimate)
        .isGreaterThanOrEqualTo(COLUMNS * OpenFileHeap.PARQUET_COLUMN_BYTES_DICTIONARY)
        .isEqualTo(
            w.bufferedBytes()
                + COLUMNS
                    * (OpenFileHeap.PARQUET_COLUMN_BYTES_DICTIONARY
                        + OpenFileHeap.PARQUET_VALUE_BYTES_DICTIONARY));
  }

  @Test
  void parquetDictionariesGrowWithRecordsUpToAPerColumnCap() {
    FormatOptions options =
        FormatOptions.builder().format(FileFormat.PARQUET).parquetPageBytes(8 * 1024).build();
    OpenFileHeap heap = OpenFileHeap.of(options);
    RecordFileWriter small = open(options, 100);
    RecordFileWriter large = open(options, 20_000);

    long smallHidden = heap.estimate(small) - small.bufferedBytes();
    long largeHidden = heap.estimate(large) - large.bufferedBytes();

    assertThat(smallHidden)
        .isEqualTo(
            COLUMNS
                * (OpenFileHeap.PARQUET_COLUMN_BYTES_DICTIONARY
                    + 100 * OpenFileHeap.PARQUET_VALUE_BYTES_DICTIONARY));
    // 20,000 values x 40 B would be 800 KB per column: the dictionary falls back to plain at the
    // page size first
    assertThat(largeHidden)
        .isEqualTo(
            COLUMNS
                * (OpenFileHeap.PARQUET_COLUMN_BYTES_DICTIONARY
                    + OpenFileHeap.PARQUET_DICTIONARY_OVERHEAD_FACTOR * 8 * 1024));
  }

  @Test
  void withoutDictionariesTheParquetOverheadIsSmaller() {
    FormatOptions dictionary = FormatOptions.builder().format(FileFormat.PARQUET).build();
    FormatOptions plain = dictionary.toBuilder().parquetDictionaryEnabled(false).build();

    long withDictionary = OpenFileHeap.of(dictionary).estimate(open(dictionary, 1000));
    long without = OpenFileHeap.of(plain).estimate(open(plain, 1000));

    assertThat(without).isLessThan(withDictionary / 2);
  }

  @Test
  void avroAndJsonLinesFilesHaveAFlatOverhead() {
    FormatOptions avro = FormatOptions.builder().format(FileFormat.AVRO).build();
    FormatOptions jsonl = FormatOptions.builder().format(FileFormat.JSONL).build();
    RecordFileWriter avroWriter = open(avro, 10);
    RecordFileWriter jsonWriter = open(jsonl, 10);

    assertThat(OpenFileHeap.of(avro).estimate(avroWriter)).isEqualTo(OpenFileHeap.AVRO_FILE_BYTES);
    assertThat(OpenFileHeap.of(jsonl).estimate(jsonWriter))
        .isEqualTo(jsonWriter.bufferedBytes() + OpenFileHeap.JSONL_FILE_BYTES);
  }

  /** Counts and drops the file's bytes. */
  static final class NullStream extends PositionedOutputStream {
    private long position;

    @Override
    public long position() {
      return position;
    }

    @Override
    public void write(int b) {
      position++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      position += len;
    }
  }
}
