package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.USER;
import static io.redstage.connector.format.Fixtures.allTypesRecords;
import static io.redstage.connector.format.Fixtures.options;
import static io.redstage.connector.format.Fixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.FileFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.junit.jupiter.api.Test;

/**
 * The dictionary probe through the real Parquet writer: which columns it writes plain, that such a
 * column's bytes are what Parquet's own fallback writes, and that the file reads back the same.
 */
class DictionaryProbeTest {
  private static final int PROBE = 1_024;

  private static RecordFormat parquet(int probeRows, long heldRowBytes) {
    return RecordFormats.create(
        options(FileFormat.PARQUET).parquetDictionaryProbeRows(probeRows).build(),
        ColumnNames.unmapped(),
        heldRowBytes);
  }

  private static RecordFormat parquet(int probeRows) {
    return parquet(probeRows, RecordFormats.DEFAULT_HELD_ROW_BYTES);
  }

  /** Writes {@code records} into one file; returns its bytes and the columns the probe chose. */
  private static Written write(RecordFormat format, List<SinkRecord> records) throws Exception {
    BytesOutput out = new BytesOutput();
    ParquetRecordFileWriter writer =
        (ParquetRecordFileWriter) format.open(out, records.get(0), "k");
    for (SinkRecord r : records) {
      writer.write(r);
    }
    writer.finish();
    return new Written(out.toByteArray(), writer.probedPlainColumns());
  }

  private record Written(byte[] bytes, Set<String> probedPlain) {}

  private static Map<String, Boolean> dictionaryPages(byte[] file) {
    ParquetMetadata footer = FileReaders.parquetFooter(file);
    Map<String, Boolean> pages = new LinkedHashMap<>();
    for (BlockMetaData block : footer.getBlocks()) {
      for (ColumnChunkMetaData column : block.getColumns()) {
        pages.merge(column.getPath().toDotString(), column.hasDictionaryPage(), Boolean::logicalOr);
      }
    }
    return pages;
  }

  private static List<String> rows(byte[] file) {
    List<String> rows = new ArrayList<>();
    FileReaders.parquet(file).forEach(r -> rows.add(r.toString()));
    return rows;
  }

  @Test
  void topLevelColumnsWhoseFirstValuesAllDifferAreWrittenPlainWithTheBytesOfParquetsFallback()
      throws Exception {
    List<SinkRecord> records = allTypesRecords(3_000);

    Written probed = write(parquet(PROBE), records);
    Written unprobed = write(parquet(0), records);

    // Different in every row: i32, i64, name, blob and the record timestamp. Not probed: the
    // offset column (always plain), struct fields (address.street), booleans, and note (null
    // in every other row). The rest repeat one value.
    assertThat(probed.probedPlain())
        .containsExactlyInAnyOrder("i32", "i64", "name", "blob", "kafka_timestamp");
    assertThat(unprobed.probedPlain()).isEmpty();
    assertThat(dictionaryPages(probed.bytes()))
        .containsEntry("i32", false)
        .containsEntry("name", false)
        .containsEntry("kafka_timestamp", false)
        .containsEntry("i8", true)
        .containsEntry("price", true)
        .containsEntry("kafka_topic", true);
    // Parquet drops the dictionary of those columns on its own, and the plain bytes are the same.
    assertThat(probed.bytes()).isEqualTo(unprobed.bytes());
  }

  @Test
  void aFileWithFewerRowsThanTheProbeKeepsEveryDictionary() throws Exception {
    assertThat(write(parquet(PROBE), allTypesRecords(PROBE - 1)).probedPlain()).isEmpty();
    assertThat(write(parquet(PROBE), allTypesRecords(PROBE)).probedPlain()).contains("i64");
  }

  @Test
  void oneRepeatOrOneNullInTheProbedRowsKeepsTheDictionary() throws Exception {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      // id repeats once, at the last probed row; name is null once.
      long id = i == PROBE - 1 ? 0 : i;
      String name = i == 500 ? null : "user-" + i;
      records.add(record(USER, new Struct(USER).put("id", id).put("name", name), i));
    }

    Written written = write(parquet(PROBE), records);

    assertThat(written.probedPlain()).containsExactly("kafka_timestamp");
    assertThat(rows(written.bytes())).isEqualTo(rows(write(parquet(0), records).bytes()));
  }

  @Test
  void aColumnThatRepeatsOnlyAfterTheProbedRowsIsWrittenPlainAndReadsBackTheSame()
      throws Exception {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      // All different in the probed rows, then one value: Parquet's dictionary would have paid.
      long id = i < PROBE ? i : 7;
      records.add(record(USER, new Struct(USER).put("id", id).put("name", "n"), i));
    }

    Written probed = write(parquet(PROBE), records);
    Written unprobed = write(parquet(0), records);

    assertThat(probed.probedPlain()).contains("id");
    assertThat(dictionaryPages(probed.bytes())).containsEntry("id", false);
    assertThat(dictionaryPages(unprobed.bytes())).containsEntry("id", true);
    assertThat(rows(probed.bytes())).isEqualTo(rows(unprobed.bytes()));
    // The choice depends only on the rows: the same rows give the same bytes again.
    assertThat(write(parquet(PROBE), records).bytes()).isEqualTo(probed.bytes());
  }

  @Test
  void aColumnThatOutgrowsTheDictionaryLimitBeforeARepeatIsWrittenPlainEvenWithANull()
      throws Exception {
    List<SinkRecord> records = new ArrayList<>();
    String wide = "x".repeat(600);
    for (int i = 0; i < 2_000; i++) {
      // 256 KiB (the page size, which bounds dictionaries) holds about 430 of these names.
      String name = i == 10 ? null : wide + i;
      records.add(record(USER, new Struct(USER).put("id", 1L).put("name", name), i));
    }

    Written probed = write(parquet(PROBE), records);
    Written unprobed = write(parquet(0), records);

    assertThat(probed.probedPlain()).containsExactlyInAnyOrder("name", "kafka_timestamp");
    assertThat(dictionaryPages(probed.bytes()))
        .containsEntry("name", false)
        .containsEntry("id", true);
    // Parquet drops that dictionary once it outgrows the limit, whatever the rows after.
    assertThat(probed.bytes()).isEqualTo(unprobed.bytes());
  }

  @Test
  void aFileThatStreamsBeforeTheProbedRowsAreHeldWritesTheSameBytes() throws Exception {
    List<SinkRecord> records = allTypesRecords(3_000);

    // 64 KiB of encoded rows is a few hundred of these rows: the encoder starts before 1,024 are
    // held, so this file is not probed, and Parquet's own fallback gives the same bytes.
    Written streamed = write(parquet(PROBE, 64 * 1024), records);
    Written held = write(parquet(PROBE), records);

    assertThat(streamed.probedPlain()).isEmpty();
    assertThat(held.probedPlain()).isNotEmpty();
    assertThat(streamed.bytes()).isEqualTo(held.bytes());
  }
}
