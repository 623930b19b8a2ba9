package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParquetRecordFileWriterTest {
  private final RecordFormat parquet = RecordFormats.create(options(FileFormat.PARQUET).build());

  @Test
  void writesEveryConnectTypeWithItsLogicalTypeAndValue() throws Exception {
    byte[] file =
        write(parquet, allTypesRecords(3), "topics/orders/3/00000000000000000100.snappy.parquet");

    List<GenericRecord> rows = FileReaders.parquet(file);
    assertThat(rows).hasSize(3);
    assertScalarsOfAllTypesRows(rows);
    GenericRecord r = rows.get(1);
    GenericRecord address = (GenericRecord) r.get("address");
    assertThat(address.get("street").toString()).isEqualTo("Main St 1");
    assertThat(address.get("zip")).isEqualTo(12345);
    assertThat(r.get("maybe_address")).isNull();
    assertThat(((List<?>) r.get("tags"))).extracting(Object::toString).containsExactly("x", "y");
    assertThat(((Map<?, ?>) r.get("scores")).get(new org.apache.avro.util.Utf8("b"))).isEqualTo(1L);
    GenericRecord entry = (GenericRecord) ((List<?>) r.get("by_id")).get(0);
    assertThat(entry.get("key")).isEqualTo(7);
    assertThat(entry.get("value").toString()).isEqualTo("seven");
    assertThat(new ArrayList<Object>((List<?>) r.get("opt_list"))).containsExactly(1, null, 3);
    // metadata columns
    assertThat(r.get("kafka_topic").toString()).isEqualTo(TOPIC);
    assertThat(r.get("kafka_partition")).isEqualTo(PARTITION);
    assertThat(r.get("kafka_offset")).isEqualTo(101L);
    assertThat(r.get("kafka_timestamp")).isEqualTo(TS.plusMillis(101));
  }

  @Test
  void parquetSchemaCarriesTheLogicalTypeAnnotations() throws Exception {
    MessageType schema =
        FileReaders.parquetFooter(write(parquet, allTypesRecords(1), "k"))
            .getFileMetaData()
            .getSchema();

    assertThat(annotation(schema, "price")).isEqualTo(LogicalTypeAnnotation.decimalType(2, 10));
    assertThat(annotation(schema, "big")).isEqualTo(LogicalTypeAnnotation.decimalType(4, 38));
    assertThat(annotation(schema, "day")).isEqualTo(LogicalTypeAnnotation.dateType());
    assertThat(annotation(schema, "at"))
        .isEqualTo(LogicalTypeAnnotation.timeType(true, TimeUnit.MILLIS));
    assertThat(annotation(schema, "ts"))
        .isEqualTo(LogicalTypeAnnotation.timestampType(true, TimeUnit.MILLIS));
    assertThat(annotation(schema, "name")).isEqualTo(LogicalTypeAnnotation.stringType());
    assertThat(annotation(schema, "tags")).isEqualTo(LogicalTypeAnnotation.listType());
    assertThat(annotation(schema, "scores")).isEqualTo(LogicalTypeAnnotation.mapType());
    assertThat(annotation(schema, "by_id")).isEqualTo(LogicalTypeAnnotation.listType());
    assertThat(primitive(schema, "i8")).isEqualTo(PrimitiveTypeName.INT32);
    assertThat(primitive(schema, "i64")).isEqualTo(PrimitiveTypeName.INT64);
    assertThat(primitive(schema, "ts")).isEqualTo(PrimitiveTypeName.INT64);
    assertThat(schema.getType("address").isPrimitive()).isFalse();
    assertThat(schema.getType("name").isRepetition(Type.Repetition.REQUIRED)).isTrue();
    assertThat(schema.getType("note").isRepetition(Type.Repetition.OPTIONAL)).isTrue();
    assertThat(annotation(schema, "kafka_topic")).isEqualTo(LogicalTypeAnnotation.stringType());
    assertThat(primitive(schema, "kafka_partition")).isEqualTo(PrimitiveTypeName.INT32);
    assertThat(primitive(schema, "kafka_offset")).isEqualTo(PrimitiveTypeName.INT64);
    assertThat(annotation(schema, "kafka_timestamp"))
        .isEqualTo(LogicalTypeAnnotation.timestampType(true, TimeUnit.MILLIS));
    assertThat(schema.getType("kafka_timestamp").isRepetition(Type.Repetition.OPTIONAL)).isTrue();
    // 3-level lists (the spec layout), not the legacy 2-level one
    assertThat(schema.getType("tags").asGroupType().getType(0).getName()).isEqualTo("list");
  }

  @Test
  void columnsListTheFileColumnsInOrderWithMarkerTypes() throws Exception {
    RecordFileWriter w = parquet.open(new BytesOutput(), allTypesRecords(1).get(0), "k");
    List<MarkerColumn> columns = w.columns();
    assertThat(columns)
        .extracting(MarkerColumn::name)
        .containsExactly(
            "i8",
            "i16",
            "i32",
            "i64",
            "f32",
            "f64",
            "flag",
            "name",
            "blob",
            "price",
            "big",
            "day",
            "at",
            "ts",
            "note",
            "address",
            "maybe_address",
            "tags",
            "scores",
            "by_id",
            "opt_list",
            "kafka_topic",
            "kafka_partition",
            "kafka_offset",
            "kafka_timestamp");
    assertThat(columns)
        .extracting(c -> c.type().toString())
        .containsExactly(
            "int8",
            "int16",
            "int32",
            "int64",
            "float32",
            "float64",
            "boolean",
            "string",
            "bytes",
            "decimal(10,2)",
            "decimal(38,4)",
            "date",
            "time-millis",
            "timestamp-millis",
            "string",
            "struct",
            "struct",
            "array",
            "map",
            "array",
            "array",
            "string",
            "int32",
            "int64",
            "timestamp-millis");
    assertThat(columns.get(14).nullable()).isTrue();
    assertThat(columns.get(0).nullable()).isFalse();
    assertThat(columns.get(24).nullable()).isTrue();
    w.abort();
  }

  @Test
  void microsecondTimestampsAreAnnotatedAndScaled() throws Exception {
    RecordFormat micros =
        RecordFormats.create(
            options(FileFormat.PARQUET).timestampUnit(TimestampUnit.MICROS).build());
    byte[] file = write(micros, allTypesRecords(1), "k");

    MessageType schema = FileReaders.parquetFooter(file).getFileMetaData().getSchema();
    assertThat(annotation(schema, "ts"))
        .isEqualTo(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS));
    assertThat(annotation(schema, "kafka_timestamp"))
        .isEqualTo(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS));
    GenericRecord r = FileReaders.parquet(file).get(0);
    assertThat(r.get("ts")).isEqualTo(TS);
    assertThat(r.get("kafka_timestamp")).isEqualTo(TS.plusMillis(100));
    assertThat(micros.open(new BytesOutput(), allTypesRecords(1).get(0), "k").columns())
        .filteredOn(c -> c.name().equals("ts"))
        .extracting(MarkerColumn::type)
        .containsExactly(ColumnType.parse("timestamp-micros"));
  }

  @ParameterizedTest
  @CsvSource({
    "snappy,SNAPPY,.snappy.parquet",
    "zstd,ZSTD,.zstd.parquet",
    "gzip,GZIP,.gz.parquet",
    "none,UNCOMPRESSED,.parquet"
  })
  void writesEachCodec(String codec, CompressionCodecName expected, String extension)
      throws Exception {
    RecordFormat format =
        RecordFormats.create(options(FileFormat.PARQUET).parquetCodec(codec).build());
    byte[] file = write(format, allTypesRecords(20), "k");

    ParquetMetadata footer = FileReaders.parquetFooter(file);
    assertThat(footer.getBlocks().get(0).getColumns())
        .allSatisfy(c -> assertThat(c.getCodec()).isEqualTo(expected));
    assertThat(FileReaders.parquet(file)).hasSize(20);
    assertThat(format.extension()).isEqualTo(extension);
    assertThat(format.compression()).isEqualTo(codec);
  }

  @Test
  void dictionaryEncodingCanBeTurnedOff() throws Exception {
    RecordFormat plain =
        RecordFormats.create(options(FileFormat.PARQUET).parquetDictionaryEnabled(false).build());
    ParquetMetadata withDictionary =
        FileReaders.parquetFooter(write(parquet, allTypesRecords(50), "k"));
    ParquetMetadata without = FileReaders.parquetFooter(write(plain, allTypesRecords(50), "k"));
    assertThat(withDictionary.getBlocks().get(0).getColumns())
        .anySatisfy(c -> assertThat(c.hasDictionaryPage()).isTrue());
    assertThat(without.getBlocks().get(0).getColumns())
        .allSatisfy(c -> assertThat(c.hasDictionaryPage()).isFalse());
  }

  @Test
  void excludedColumnsAreWrittenWithoutDictionaryAndReadBackTheSame() throws Exception {
    RecordFormat excluding =
        RecordFormats.create(
            options(FileFormat.PARQUET)
                .parquetDictionaryExcludedColumns(List.of("price", "address", "tags"))
                .build());
    byte[] usual = write(parquet, allTypesRecords(50), "k");
    byte[] file = write(excluding, allTypesRecords(50), "k");

    Map<String, Boolean> dictionaryPages = FileReaders.dictionaryPages(file);
    // Each of these holds one repeated value: by default they have a dictionary.
    assertThat(FileReaders.dictionaryPages(usual))
        .containsEntry("price", true)
        .containsEntry("address.zip", true)
        .containsEntry("tags.list.element", true)
        .containsEntry("f32", true);
    assertThat(dictionaryPages)
        .containsEntry("price", false)
        .containsEntry("address.street", false)
        .containsEntry("address.zip", false)
        .containsEntry("tags.list.element", false)
        .containsEntry("f32", true)
        .containsEntry("kafka_offset", false);
    assertThat(FileReaders.parquet(file))
        .extracting(Object::toString)
        .containsExactlyElementsOf(
            FileReaders.parquet(usual).stream().map(Object::toString).toList());
  }

  @Test
  void namesTheColumnsWhoseDictionaryParquetDropped() throws Exception {
    ParquetMetadata footer = FileReaders.parquetFooter(write(parquet, allTypesRecords(1_000), "k"));
    DictionaryExclusions exclusions =
        DictionaryExclusions.of(footer.getFileMetaData().getSchema(), List.of("kafka_offset"));

    // Unique per row: dropped. Constant, boolean, all null or excluded: not reported.
    assertThat(exclusions.dropped(footer, Set.of()))
        .contains("i32", "i64", "name", "blob", "address.street", "kafka_timestamp")
        .doesNotContain(
            "i8", "f32", "price", "kafka_topic", "flag", "maybe_address.street", "kafka_offset");
  }

  @ParameterizedTest
  @CsvSource({"999, false", "1000, true"})
  void aFileOfAThousandRowsOrMoreReportsItsDroppedDictionaries(int rows, boolean reported)
      throws Exception {
    RecordFormat format = RecordFormats.create(options(FileFormat.PARQUET).build());
    List<SinkRecord> records = allTypesRecords(rows);
    SchemaBoundWriter writer =
        (SchemaBoundWriter) format.open(new BytesOutput(), records.get(0), "k");
    for (SinkRecord r : records) {
      writer.write(r);
    }
    writer.finish();

    assertThat(writer.layout().parquetShape().dictionaryExclusions.droppedLogged.get())
        .isEqualTo(reported);
  }

  @Test
  void sameRecordsWriteIdenticalBytes() throws Exception {
    List<SinkRecord> records = allTypesRecords(50);
    byte[] first = write(parquet, records, "a");
    byte[] again =
        write(RecordFormats.create(options(FileFormat.PARQUET).build()), allTypesRecords(50), "a");
    assertThat(again).isEqualTo(first);
  }

  @Test
  void badRecordThrowsNamingTheRecordAndFieldAndKeepsTheFileValid() throws Exception {
    BytesOutput out = new BytesOutput();
    List<SinkRecord> good = allTypesRecords(3);
    RecordFileWriter w = parquet.open(out, good.get(0), "k");
    w.write(good.get(0));
    w.write(good.get(1));

    Struct tooPrecise = allTypes(9).put("price", new BigDecimal("123.456"));
    assertThatThrownBy(() -> w.write(record(ALL_TYPES, tooPrecise, 555)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/555")
        .hasMessageContaining("as Parquet")
        .hasMessageContaining("'price'");
    Struct missingField =
        new Struct(ALL_TYPES)
            .put("i8", (byte) 1); // Struct.put cannot store a null for a required field
    assertThatThrownBy(() -> w.write(record(ALL_TYPES, missingField, 556)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/556")
        .hasMessageContaining("'i16'")
        .hasMessageContaining("required");
    assertThatThrownBy(() -> w.write(record(ALL_TYPES, "not a struct", 557)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/557")
        .hasMessageContaining("Struct");
    assertThatThrownBy(() -> w.write(record(null, Map.of("a", 1), 558)))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "Cannot write record orders/3/558 as Parquet: the value has no schema. Use a converter with "
                + "schemas (e.g. JsonConverter with schemas.enable=true) or format.class=jsonl.");
    w.write(good.get(2));
    w.finish();

    assertThat(w.recordCount()).isEqualTo(3);
    assertThat(FileReaders.parquet(out.toByteArray()))
        .extracting(r -> r.get("kafka_offset"))
        .containsExactly(100L, 101L, 102L);
  }

  @Test
  void badNestedValueNamesTheFieldPath() throws Exception {
    Schema line = SchemaBuilder.struct().name("Line").field("amount", PRICE_SCHEMA).build();
    Schema order =
        SchemaBuilder.struct()
            .name("Order")
            .field("id", Schema.INT64_SCHEMA)
            .field("lines", SchemaBuilder.array(line).build())
            .build();
    Struct ok = new Struct(line).put("amount", new BigDecimal("1.50"));
    Struct tooBig = new Struct(line).put("amount", new BigDecimal("123456789.00"));
    SinkRecord good = record(order, new Struct(order).put("id", 1L).put("lines", List.of(ok)), 1);
    SinkRecord bad =
        record(order, new Struct(order).put("id", 2L).put("lines", List.of(ok, tooBig)), 2);
    BytesOutput out = new BytesOutput();
    RecordFileWriter w = parquet.open(out, good, "k");
    w.write(good);
    assertThatThrownBy(() -> w.write(bad))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/2")
        .hasMessageContaining("'lines[1].amount'")
        .hasMessageContaining("decimal(10,2)");
    w.finish();
    assertThat(FileReaders.parquet(out.toByteArray())).hasSize(1);
  }

  @Test
  void schemalessFirstRecordCannotOpenAFile() {
    SinkRecord schemaless = record(null, Map.of("id", 1L), 7);
    assertThatThrownBy(() -> parquet.open(new BytesOutput(), schemaless, "k"))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/7")
        .hasMessageContaining("no schema");
  }

  @Test
  void valueFieldNamedLikeAMetadataColumnIsRejectedUnlessTheColumnIsRenamed() throws Exception {
    Schema clashing =
        SchemaBuilder.struct()
            .field("id", Schema.INT64_SCHEMA)
            .field("Kafka_Offset", Schema.INT64_SCHEMA)
            .build();
    SinkRecord r = record(clashing, new Struct(clashing).put("id", 1L).put("Kafka_Offset", 5L), 9);
    BytesOutput out = new BytesOutput();
    assertThatThrownBy(() -> parquet.open(out, r, "k"))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/9")
        .hasMessageContaining("'Kafka_Offset'")
        .hasMessageContaining("metadata.*.column");
    assertThat(out.position()).isZero();

    RecordFormat renamed =
        RecordFormats.create(
            options(FileFormat.PARQUET)
                .topicColumn("src_topic")
                .partitionColumn("src_partition")
                .offsetColumn("src_offset")
                .timestampColumn("src_ts")
                .build());
    GenericRecord row = FileReaders.parquet(write(renamed, List.of(r), "k")).get(0);
    assertThat(row.getSchema().getFields())
        .extracting(org.apache.avro.Schema.Field::name)
        .containsExactly(
            "id", "Kafka_Offset", "src_topic", "src_partition", "src_offset", "src_ts");
    assertThat(row.get("Kafka_Offset")).isEqualTo(5L);
    assertThat(row.get("src_offset")).isEqualTo(9L);
  }

  @Test
  void primitiveValueBecomesOneValueColumn() throws Exception {
    List<SinkRecord> records =
        List.of(record(Schema.STRING_SCHEMA, "hello", 1), record(Schema.STRING_SCHEMA, "world", 2));
    RecordFileWriter w = parquet.open(new BytesOutput(), records.get(0), "k");
    assertThat(w.columns()).extracting(MarkerColumn::name).startsWith("value").hasSize(5);
    w.abort();
    assertThat(FileReaders.parquet(write(parquet, records, "k")))
        .extracting(r -> r.get("value").toString())
        .containsExactly("hello", "world");
  }

  @Test
  void invalidFieldNamesAreRewrittenAndCollisionsRejected() throws Exception {
    Schema s =
        SchemaBuilder.struct()
            .field("user-id", Schema.INT64_SCHEMA)
            .field("1st", Schema.STRING_SCHEMA)
            .build();
    SinkRecord r = record(s, new Struct(s).put("user-id", 1L).put("1st", "a"), 1);
    GenericRecord row = FileReaders.parquet(write(parquet, List.of(r), "k")).get(0);
    assertThat(row.get("user_id")).isEqualTo(1L);
    assertThat(row.get("_1st").toString()).isEqualTo("a");

    Schema colliding =
        SchemaBuilder.struct()
            .field("a-b", Schema.INT64_SCHEMA)
            .field("a_b", Schema.INT64_SCHEMA)
            .build();
    SinkRecord bad = record(colliding, new Struct(colliding).put("a-b", 1L).put("a_b", 2L), 2);
    assertThatThrownBy(() -> parquet.open(new BytesOutput(), bad, "k"))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("'a-b'")
        .hasMessageContaining("'a_b'");
  }

  @Test
  void estimatedBytesGrowAndBufferedBytesTrackTheOpenRowGroup() throws Exception {
    // Streaming from the first row (nothing held), so row groups reach the stream as they fill.
    RecordFormat small =
        RecordFormats.create(
            options(FileFormat.PARQUET)
                .parquetRowGroupBytes(FormatOptions.MIB)
                .parquetPageBytes(64 * 1024)
                .build(),
            ColumnNames.unmapped(),
            0);
    BytesOutput out = new BytesOutput();
    List<SinkRecord> records = allTypesRecords(1);
    RecordFileWriter w = small.open(out, records.get(0), "k");
    long previous = w.estimatedBytes();
    List<Long> estimates = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      Struct v =
          allTypes(i).put("name", "order-" + i + "-" + Long.toHexString(i * 0x9E3779B97F4A7C15L));
      w.write(record(ALL_TYPES, v, i));
      if (i == 500) {
        assertThat(w.bufferedBytes()).isPositive();
        assertThat(w.estimatedBytes()).isGreaterThan(previous);
      }
      if (i % 1000 == 999) {
        estimates.add(w.estimatedBytes());
      }
    }
    assertThat(estimates.get(estimates.size() - 1)).isGreaterThan(estimates.get(0));
    assertThat(out.position())
        .as("at least one row group was flushed to the stream")
        .isGreaterThan(4);
    long estimateBeforeFinish = w.estimatedBytes();
    w.finish();

    assertThat(w.bufferedBytes()).isZero();
    assertThat(w.estimatedBytes()).isEqualTo(out.position());
    assertThat((double) estimateBeforeFinish)
        .isBetween(0.75 * out.position(), 1.25 * out.position());
    assertThat(FileReaders.parquetFooter(out.toByteArray()).getBlocks().size()).isGreaterThan(1);
    assertThat(FileReaders.parquet(out.toByteArray())).hasSize(20_000);
  }

  private static LogicalTypeAnnotation annotation(MessageType schema, String column) {
    return schema.getType(column).getLogicalTypeAnnotation();
  }

  private static PrimitiveTypeName primitive(MessageType schema, String column) {
    PrimitiveType t = schema.getType(column).asPrimitiveType();
    return t.getPrimitiveTypeName();
  }

  @Test
  void heldRowsBuildTheSameBytesAsAFileStreamedFromItsFirstRow() throws Exception {
    FormatOptions options =
        options(FileFormat.PARQUET)
            .parquetRowGroupBytes(FormatOptions.MIB)
            .parquetPageBytes(16 * 1024)
            .build();
    List<SinkRecord> records = allTypesRecords(3_000);
    byte[] streamed = write(RecordFormats.create(options, ColumnNames.unmapped(), 0), records, "k");
    byte[] held =
        write(RecordFormats.create(options, ColumnNames.unmapped(), Long.MAX_VALUE), records, "k");
    // held at first, then streaming once the held rows pass 4 KB
    byte[] switched =
        write(RecordFormats.create(options, ColumnNames.unmapped(), 4 * 1024), records, "k");

    assertThat(held).isEqualTo(streamed);
    assertThat(switched).isEqualTo(streamed);
  }
}
