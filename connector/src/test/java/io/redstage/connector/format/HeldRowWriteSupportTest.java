package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.contract.FileFormat;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.avro.AvroWriteSupport;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Held rows written straight into Parquet give the same bytes as the decoded rows written through
 * parquet-avro's AvroParquetWriter with the same options (how the files were built before).
 */
class HeldRowWriteSupportTest {

  @ParameterizedTest
  @CsvSource({"snappy, true", "snappy, false", "none, true", "zstd, true"})
  void everyTypeMatchesParquetAvroByteForByte(String codec, boolean dictionary) throws Exception {
    FormatOptions options =
        options(FileFormat.PARQUET)
            .parquetCodec(codec)
            .parquetDictionaryEnabled(dictionary)
            .parquetPageBytes(8 * 1024)
            .build();
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      records.add(record(ALL_TYPES, varied(i), 100 + i));
    }

    assertThat(write(RecordFormats.create(options), records, "k"))
        .isEqualTo(throughParquetAvro(options, records));
  }

  @ParameterizedTest
  @CsvSource({"true", "false"})
  void keyHeadersAndDeleteRowsMatchParquetAvroByteForByte(boolean structKey) throws Exception {
    FormatOptions options =
        options(FileFormat.PARQUET)
            .keyColumnEnabled(true)
            .headersColumnEnabled(true)
            .deleteMarkers(true)
            .build();
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      Object key = structKey ? new Struct(USER_KEY).put("id", (long) i) : (Object) (long) i;
      boolean delete = structKey && i % 7 == 3; // a delete row needs the key to fill "id"
      ConnectHeaders headers = new ConnectHeaders();
      if (i % 2 == 0) {
        headers.addString("trace", "t" + i);
        headers.addDecimal("amount", new BigDecimal("1.50"));
        headers.add("empty", null, Schema.OPTIONAL_STRING_SCHEMA);
      }
      records.add(
          new SinkRecord(
              TOPIC,
              PARTITION,
              keySchema(structKey),
              key,
              delete ? null : USER,
              delete
                  ? null
                  : new Struct(USER).put("id", (long) i).put("name", i % 3 == 0 ? null : "n"),
              i,
              TS.toEpochMilli() + i,
              TimestampType.CREATE_TIME,
              headers));
    }
    // a delete row cannot open a file
    records.add(
        0, record(keySchema(structKey), key(structKey), USER, user(0, "first", 0).value(), 0));

    assertThat(write(RecordFormats.create(options), records, "k"))
        .isEqualTo(throughParquetAvro(options, records));
  }

  @ParameterizedTest
  @CsvSource({"1", "-1"})
  void aHeldRowLongerOrShorterThanItsFieldsIsRefused(int extra) throws Exception {
    org.apache.avro.Schema schema =
        org.apache.avro.SchemaBuilder.record("r").fields().requiredLong("id").endRecord();
    // id 300 is a two-byte varint, followed by bytes of a next row
    byte[] array = {(byte) 0xd8, 0x04, 0x02, 0x02, 0x02};
    try (ParquetWriter<HeldRowWriteSupport.HeldRow> writer =
        new HeldRowWriteSupport.Builder(
                new StreamOutputFile(new BytesOutput()), new ParquetShape(schema, List.of()))
            .withConf(new PlainParquetConfiguration())
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .build()) {
      writer.write(new HeldRowWriteSupport.HeldRow().set(array, 0, 2));
      assertThatThrownBy(
              () -> writer.write(new HeldRowWriteSupport.HeldRow().set(array, 2, 1 + extra)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("Cannot read a held row: it does not match the file schema");
    }
  }

  private static Schema keySchema(boolean structKey) {
    return structKey ? USER_KEY : Schema.OPTIONAL_INT64_SCHEMA;
  }

  private static Object key(boolean structKey) {
    return structKey ? new Struct(USER_KEY).put("id", 0L) : (Object) 0L;
  }

  /** {@link Fixtures#allTypes} with empty and null containers and null elements mixed in. */
  private static Struct varied(int i) {
    Struct s = allTypes(i);
    if (i % 3 == 0) {
      s.put("tags", Collections.emptyList());
      s.put("scores", Collections.emptyMap());
      s.put("by_id", Collections.emptyMap());
      s.put("opt_list", null);
    }
    if (i % 5 == 0) {
      s.put("maybe_address", new Struct(OPTIONAL_ADDRESS).put("street", "S " + i).put("zip", null));
    }
    return s;
  }

  /** The rows of {@code records} as the connector builds them, written by AvroParquetWriter. */
  private static byte[] throughParquetAvro(FormatOptions options, List<SinkRecord> records)
      throws Exception {
    WarehouseLimits limits =
        new WarehouseLimits(options.varcharMaxBytes(), options.truncateOversizeStrings());
    MetadataColumns metadata =
        new MetadataColumns(options, new ConnectJson(options.timestampUnit(), limits));
    ConnectAvroSchemas schemas =
        new ConnectAvroSchemas(FileFormat.PARQUET, metadata, ColumnNames.unmapped());
    AvroRows rows =
        new AvroRows(
            FileFormat.PARQUET,
            schemas.layout(records.get(0)),
            metadata,
            new ConnectAvroValues(options.timestampUnit(), limits, false));
    BytesOutput out = new BytesOutput();
    PlainParquetConfiguration conf = new PlainParquetConfiguration();
    conf.setBoolean(AvroWriteSupport.WRITE_OLD_LIST_STRUCTURE, false);
    try (ParquetWriter<GenericRecord> writer =
        AvroParquetWriter.<GenericRecord>builder(new StreamOutputFile(out))
            .withConf(conf)
            .withSchema(rows.layout().avroSchema)
            .withDataModel(GenericData.get())
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withCompressionCodec(ParquetRecordFileWriter.codec(options.parquetCodec()))
            .withDictionaryEncoding(options.parquetDictionaryEnabled())
            .withRowGroupSize((long) options.parquetRowGroupBytes())
            .withPageSize(options.parquetPageBytes())
            .withDictionaryPageSize(options.parquetPageBytes())
            .withMaxPaddingSize(0)
            .build()) {
      for (SinkRecord r : records) {
        writer.write(rows.build(r));
      }
    }
    return out.toByteArray();
  }
}
