package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.USER;
import static io.redstage.connector.format.Fixtures.allTypesRecords;
import static io.redstage.connector.format.Fixtures.options;
import static io.redstage.connector.format.Fixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.FileFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
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
    assertThat(FileReaders.dictionaryPages(probed.bytes()))
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
  void aWholeFileOfFewerRowsThanTheProbeIsProbedInFullWithTheBytesOfParquetsFallback()
      throws Exception {
    // Units of a few hundred rows (many partitions): every row is looked at, so a column written
    // plain is one Parquet would have dropped the dictionary of.
    for (int rows : new int[] {1, 2, 100, PROBE - 1}) {
      List<SinkRecord> records = allTypesRecords(rows);

      Written probed = write(parquet(PROBE), records);

      assertThat(probed.probedPlain()).as("%d rows", rows).contains("i64", "name");
      assertThat(probed.bytes()).as("%d rows", rows).isEqualTo(write(parquet(0), records).bytes());
    }
  }

  @Test
  void aSmallFileWhoseDistinctValuesOutgrowTheLimitButRepeatInALaterRowGroupKeepsParquetsBytes()
      throws Exception {
    // 600 distinct names of 2 KB (past the 1 MiB dictionary limit), then 400 rows repeating two
    // of them. Parquet drops the first row group's dictionary and keeps the second's, which the
    // size rule of the sample would have missed: a whole file is decided on repeats alone.
    String pad = "x".repeat(2_000);
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      String name = (i < 600 ? i : i % 2) + pad;
      records.add(record(USER, new Struct(USER).put("id", (long) i).put("name", name), i));
    }
    IntFunction<RecordFormat> rowGroupsOf1MiB =
        probeRows ->
            RecordFormats.create(
                options(FileFormat.PARQUET)
                    .parquetDictionaryProbeRows(probeRows)
                    .parquetPageBytes(1024 * 1024)
                    .parquetRowGroupBytes(1024 * 1024)
                    .build());

    Written written = write(rowGroupsOf1MiB.apply(PROBE), records);

    assertThat(FileReaders.parquetFooter(written.bytes()).getBlocks()).hasSizeGreaterThan(1);
    assertThat(written.probedPlain()).contains("id").doesNotContain("name");
    assertThat(FileReaders.dictionaryPages(written.bytes())).containsEntry("name", true);
    assertThat(written.bytes()).isEqualTo(write(rowGroupsOf1MiB.apply(0), records).bytes());
  }

  @Test
  void aSmallFileWhoseColumnRepeatsOnceIsNotProbedPlain() throws Exception {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      // Only the last row repeats an id: sampling could miss that, probing the whole file cannot.
      long id = i == 299 ? 7 : i;
      records.add(record(USER, new Struct(USER).put("id", id).put("name", "user-" + i), i));
    }

    Written written = write(parquet(PROBE), records);

    assertThat(written.probedPlain()).contains("name").doesNotContain("id");
    assertThat(written.bytes()).isEqualTo(write(parquet(0), records).bytes());
  }

  @Test
  void aRepeatOrANullInTheSampledRowsKeepsTheDictionary() throws Exception {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 6_000; i++) {
      // id repeats every 3,000 rows; name is different in every row but null in every tenth.
      long id = i % 3_000;
      String name = i % 10 == 0 ? null : "user-" + i;
      records.add(record(USER, new Struct(USER).put("id", id).put("name", name), i));
    }

    Written written = write(parquet(PROBE), records);

    assertThat(written.probedPlain()).containsExactly("kafka_timestamp");
    assertThat(written.bytes()).isEqualTo(write(parquet(0), records).bytes());
  }

  @Test
  void valuesThatCycleKeepTheirDictionaryAlthoughTheFirstThousandAllDiffer() throws Exception {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      // 5,000 devices reporting in turn: Parquet's dictionary pays (each id four times a page).
      records.add(record(USER, new Struct(USER).put("id", (long) (i % 5_000)).put("name", "n"), i));
    }

    Written probed = write(parquet(PROBE), records);

    assertThat(probed.probedPlain()).doesNotContain("id");
    assertThat(FileReaders.dictionaryPages(probed.bytes())).containsEntry("id", true);
    assertThat(probed.bytes()).isEqualTo(write(parquet(0), records).bytes());
  }

  @Test
  void doublesAndFloatsAreComparedByTheirBits() throws Exception {
    Schema measures =
        SchemaBuilder.struct()
            .name("Measure")
            .field("reading", Schema.FLOAT64_SCHEMA)
            .field("ratio", Schema.FLOAT32_SCHEMA)
            .build();
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      // reading differs in every row (0.0 and -0.0 are two values, as in Parquet's dictionary);
      // ratio takes 100 values.
      double reading = i == 0 ? -0.0 : i == 1 ? 0.0 : i * 0.5;
      records.add(
          record(
              measures,
              new Struct(measures).put("reading", reading).put("ratio", i % 100 / 4f),
              i));
    }

    Written probed = write(parquet(PROBE), records);

    assertThat(probed.probedPlain()).containsExactlyInAnyOrder("reading", "kafka_timestamp");
    assertThat(probed.bytes()).isEqualTo(write(parquet(0), records).bytes());
  }

  @Test
  void withDictionariesOffNothingIsProbed() throws Exception {
    RecordFormat noDictionaries =
        RecordFormats.create(
            options(FileFormat.PARQUET)
                .parquetDictionaryEnabled(false)
                .parquetDictionaryProbeRows(PROBE)
                .build());

    assertThat(write(noDictionaries, allTypesRecords(2_000)).probedPlain()).isEmpty();
  }

  @Test
  void theSampleIsTheSameForTheSameFileAndDrawsDistinctRows() {
    assertThat(DictionaryProbe.sample(20_000, PROBE).cardinality()).isEqualTo(PROBE);
    assertThat(DictionaryProbe.sample(20_000, PROBE))
        .isEqualTo(DictionaryProbe.sample(20_000, PROBE));
    assertThat(DictionaryProbe.sample(20_000, PROBE).nextSetBit(PROBE)).isPositive();
    assertThat(DictionaryProbe.sample(PROBE, PROBE).cardinality()).isEqualTo(PROBE);
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
    assertThat(FileReaders.dictionaryPages(probed.bytes()))
        .containsEntry("name", false)
        .containsEntry("id", true);
    // Parquet drops that dictionary once it outgrows the limit, whatever the rows after.
    assertThat(probed.bytes()).isEqualTo(unprobed.bytes());
  }

  @Test
  void aFileThatStartsStreamingAfterTheProbedRowsIsProbedOnTheRowsItHolds() throws Exception {
    List<SinkRecord> records = allTypesRecords(10_000);

    // 512 KiB of encoded rows is a few thousand of these rows: more than the probe needs.
    Written streamed = write(parquet(PROBE, 512 * 1024), records);
    Written held = write(parquet(PROBE), records);

    assertThat(streamed.probedPlain()).isEqualTo(held.probedPlain()).contains("i64", "name");
    assertThat(streamed.bytes()).isEqualTo(held.bytes());
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
