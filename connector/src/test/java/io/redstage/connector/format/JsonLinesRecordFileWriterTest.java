package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class JsonLinesRecordFileWriterTest {
  private final RecordFormat jsonl = RecordFormats.create(options(FileFormat.JSONL).build());

  @Test
  void writesTypedValuesInTheirJsonForms() throws Exception {
    byte[] file = write(jsonl, allTypesRecords(2), "k");
    String text = FileReaders.text(file, false);

    List<JsonNode> rows = FileReaders.jsonLines(file, false);
    assertThat(rows).hasSize(2);
    JsonNode r = rows.get(1);
    assertThat(r.get("i8").intValue()).isEqualTo(-8);
    assertThat(r.get("i64").longValue()).isEqualTo(64_000_000_001L);
    assertThat(r.get("f32").doubleValue()).isEqualTo(1.5);
    assertThat(r.get("flag").booleanValue()).isFalse();
    assertThat(r.get("name").textValue()).isEqualTo("order-1");
    // a bytes column is hex, what COPY reads into VARBYTE from JSON
    assertThat(r.get("blob").textValue()).isEqualTo("62797465732d31");
    // a decimal column is its plain digits quoted: COPY reads a JSON number into DECIMAL
    // possibly inexactly, a string from its text (Redshift's COPY from JSON notes)
    assertThat(r.get("price").isTextual()).isTrue();
    assertThat(new BigDecimal(r.get("price").textValue())).isEqualTo(PRICE);
    assertThat(new BigDecimal(r.get("big").textValue())).isEqualTo(BIG);
    assertThat(text).contains("\"big\":\"1234567890123456789012345678901234.5678\",");
    assertThat(r.get("day").textValue()).isEqualTo("2024-02-29");
    assertThat(r.get("at").textValue()).isEqualTo("13:45:30.123");
    assertThat(r.get("ts").textValue()).isEqualTo("2024-02-29T13:45:30.123Z");
    assertThat(r.get("note").textValue()).isEqualTo("odd");
    assertThat(rows.get(0).get("note").isNull()).isTrue();
    assertThat(r.get("address").get("street").textValue()).isEqualTo("Main St 1");
    assertThat(r.get("maybe_address").isNull()).isTrue();
    assertThat(r.get("tags").toString()).isEqualTo("[\"x\",\"y\"]");
    assertThat(r.get("scores").toString()).isEqualTo("{\"a\":1,\"b\":1}");
    assertThat(r.get("by_id").toString()).isEqualTo("[{\"key\":7,\"value\":\"seven\"}]");
    assertThat(r.get("opt_list").toString()).isEqualTo("[1,null,3]");
    assertThat(r.get("kafka_topic").textValue()).isEqualTo(TOPIC);
    assertThat(r.get("kafka_partition").intValue()).isEqualTo(PARTITION);
    assertThat(r.get("kafka_offset").longValue()).isEqualTo(101L);
    assertThat(r.get("kafka_timestamp").textValue()).isEqualTo("2024-02-29T13:45:30.224Z");
    assertThat(r.fieldNames()).toIterable().last().isEqualTo("kafka_timestamp");
  }

  /**
   * Keys and the topic are encoded once per file and timestamps share the date of the day before:
   * rows of another topic or day in the same file must still carry their own.
   */
  @Test
  void everyRowCarriesItsOwnTopicAndTimestamp() throws Exception {
    Struct value = allTypes(1);
    long midnight = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();
    List<SinkRecord> records =
        List.of(
            recordOf("orders", value, 1, midnight - 1),
            recordOf("orders", value, 2, midnight),
            recordOf("refunds", value, 3, midnight - 1),
            recordOf("orders", value, 4, null));

    List<JsonNode> rows = FileReaders.jsonLines(write(jsonl, records, "k"), false);

    assertThat(rows)
        .extracting(r -> r.get("kafka_topic").textValue())
        .containsExactly("orders", "orders", "refunds", "orders");
    assertThat(rows)
        .extracting(r -> r.get("kafka_timestamp").textValue())
        .containsExactly(
            "2024-02-29T23:59:59.999Z",
            "2024-03-01T00:00:00.000Z",
            "2024-02-29T23:59:59.999Z",
            null);
    assertThat(rows)
        .extracting(r -> r.get("kafka_offset").longValue())
        .containsExactly(1L, 2L, 3L, 4L);
  }

  private static SinkRecord recordOf(String topic, Struct value, long offset, Long timestamp) {
    return new SinkRecord(
        topic,
        PARTITION,
        null,
        null,
        ALL_TYPES,
        value,
        offset,
        timestamp,
        timestamp == null ? TimestampType.NO_TIMESTAMP_TYPE : TimestampType.CREATE_TIME);
  }

  @Test
  void microsecondTimestampsHaveSixFractionDigits() throws Exception {
    RecordFormat micros =
        RecordFormats.create(options(FileFormat.JSONL).timestampUnit(TimestampUnit.MICROS).build());
    JsonNode r = FileReaders.jsonLines(write(micros, allTypesRecords(1), "k"), false).get(0);
    assertThat(r.get("ts").textValue()).isEqualTo("2024-02-29T13:45:30.123000Z");
    assertThat(r.get("kafka_timestamp").textValue()).isEqualTo("2024-02-29T13:45:30.223000Z");
  }

  @Test
  void schemalessMapsAreWrittenAsTheyAreWithTheColumnsOfEveryRecord() throws Exception {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("id", 42L);
    v.put("price", 9.5d);
    v.put("tags", List.of("a"));
    v.put("nested", Map.of("k", true));
    v.put("missing", null);
    List<SinkRecord> records = List.of(record(null, v, 5), record(null, Map.of("other", "x"), 6));
    BytesOutput out = new BytesOutput();
    RecordFileWriter w = jsonl.open(out, records.get(0), "k");
    for (SinkRecord r : records) {
      w.write(r);
    }
    w.finish();
    assertThat(w.columns())
        .extracting(c -> c.name() + " " + c.type() + (c.nullable() ? "" : " not null"))
        .containsExactly(
            "id int64",
            "price float64",
            "tags array",
            "nested struct",
            "missing string",
            "other string",
            "kafka_topic string not null",
            "kafka_partition int32 not null",
            "kafka_offset int64 not null",
            "kafka_timestamp timestamp-millis");

    assertThat(FileReaders.text(out.toByteArray(), false))
        .isEqualTo(
            "{\"id\":42,\"price\":9.5,\"tags\":[\"a\"],"
                + "\"nested\":{\"k\":true},\"missing\":null,\"kafka_topic\":\"orders\",\"kafka_partition\":3,"
                + "\"kafka_offset\":5,\"kafka_timestamp\":\"2024-02-29T13:45:30.128Z\"}\n"
                + "{\"other\":\"x\",\"kafka_topic\":\"orders\",\"kafka_partition\":3,\"kafka_offset\":6,"
                + "\"kafka_timestamp\":\"2024-02-29T13:45:30.129Z\"}\n");
  }

  @Test
  void schemalessMapWithAMetadataKeyIsRejected() throws Exception {
    BytesOutput out = new BytesOutput();
    RecordFileWriter w = jsonl.open(out, record(null, Map.of("a", 1L), 1), "k");
    w.write(record(null, Map.of("a", 1L), 1));
    assertThatThrownBy(() -> w.write(record(null, Map.of("kafka_offset", 1L), 2)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/2")
        .hasMessageContaining("'kafka_offset'");
    w.finish();
    assertThat(FileReaders.jsonLines(out.toByteArray(), false)).hasSize(1);
  }

  @Test
  void gzipFilesAreDeterministicAndReadable() throws Exception {
    RecordFormat gzip =
        RecordFormats.create(options(FileFormat.JSONL).jsonCompression("gzip").build());
    byte[] file = write(gzip, allTypesRecords(200), "k");
    byte[] again =
        write(
            RecordFormats.create(options(FileFormat.JSONL).jsonCompression("gzip").build()),
            allTypesRecords(200),
            "other-key");

    assertThat(again).isEqualTo(file);
    assertThat(file[0] & 0xff).isEqualTo(0x1f);
    assertThat(file[1] & 0xff).isEqualTo(0x8b);
    assertThat(java.util.Arrays.copyOfRange(file, 4, 8)).as("MTIME is zero").containsOnly(0);
    assertThat(FileReaders.jsonLines(file, true)).hasSize(200);
    assertThat(gzip.extension()).isEqualTo(".jsonl.gz");
    assertThat(gzip.compression()).isEqualTo("gzip");
    assertThat(jsonl.extension()).isEqualTo(".jsonl");
    assertThat(jsonl.compression()).isEqualTo("none");
  }

  @Test
  void plainFilesAreDeterministic() throws Exception {
    assertThat(write(jsonl, allTypesRecords(20), "a"))
        .isEqualTo(write(jsonl, allTypesRecords(20), "a"));
  }

  @Test
  void gzipEstimateIsCloseToTheFinalSize() throws Exception {
    RecordFormat gzip =
        RecordFormats.create(options(FileFormat.JSONL).jsonCompression("gzip").build());
    BytesOutput out = new BytesOutput();
    List<SinkRecord> records = allTypesRecords(5000);
    RecordFileWriter w = gzip.open(out, records.get(0), "k");
    for (SinkRecord r : records) {
      w.write(r);
    }
    long estimate = w.estimatedBytes();
    w.finish();
    assertThat(w.estimatedBytes()).isEqualTo(out.position());
    assertThat((double) estimate).isBetween(0.5 * out.position(), 1.5 * out.position());
  }

  @Test
  void badRecordLeavesNoPartialLine() throws Exception {
    BytesOutput out = new BytesOutput();
    List<SinkRecord> good = allTypesRecords(2);
    RecordFileWriter w = jsonl.open(out, good.get(0), "k");
    w.write(good.get(0));
    // fails in the middle of the object, after several fields were rendered
    Struct bad = allTypes(7).put("big", new BigDecimal("1.23456"));
    assertThatThrownBy(() -> w.write(record(ALL_TYPES, bad, 900)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/900")
        .hasMessageContaining("as JSON Lines")
        .hasMessageContaining("'big'");
    assertThatThrownBy(() -> w.write(record(null, Map.of("a", 1), 901)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("differs");
    w.write(good.get(1));
    w.finish();

    assertThat(FileReaders.jsonLines(out.toByteArray(), false))
        .extracting(n -> n.get("kafka_offset").longValue())
        .containsExactly(100L, 101L);
  }

  @Test
  void primitiveTypedValueIsOneValueColumn() throws Exception {
    SinkRecord r =
        record(org.apache.kafka.connect.data.Decimal.schema(3), new BigDecimal("1.500"), 1);
    RecordFileWriter w = jsonl.open(new BytesOutput(), r, "k");
    assertThat(w.columns().get(0))
        .isEqualTo(
            new MarkerColumn("value", io.redstage.contract.ColumnType.decimal(38, 3), false));
    w.abort();
    assertThat(FileReaders.text(write(jsonl, List.of(r), "k"), false))
        .startsWith("{\"value\":\"1.500\",");
  }

  @Test
  void schemalessTombstoneWritesTheKeyFields() throws Exception {
    RecordFormat deletes =
        RecordFormats.create(options(FileFormat.JSONL).deleteMarkers(true).build());
    SinkRecord tomb = record(null, Map.of("id", 9L), null, null, 4);
    assertThat(deletes.canOpen(tomb)).isTrue();
    JsonNode row = FileReaders.jsonLines(write(deletes, List.of(tomb), "k"), false).get(0);
    assertThat(row.get("id").longValue()).isEqualTo(9L);
    assertThat(row.get("kafka_deleted").booleanValue()).isTrue();
  }

  @Test
  void typedTombstoneFillsKeyFieldsAndNullsTheRest() throws Exception {
    RecordFormat deletes =
        RecordFormats.create(options(FileFormat.JSONL).deleteMarkers(true).build());
    List<JsonNode> rows =
        FileReaders.jsonLines(
            write(deletes, List.of(user(1, "ann", 1), tombstone(1, 2)), "k"), false);
    assertThat(rows.get(1).toString())
        .startsWith("{\"id\":1,\"name\":null,\"kafka_topic\":\"orders\"")
        .endsWith("\"kafka_deleted\":true}");
    assertThat(rows.get(0).get("kafka_deleted").booleanValue()).isFalse();
  }

  @Test
  void schemaFieldNamesFollowTheColumnNamingRule() throws Exception {
    Schema s =
        org.apache.kafka.connect.data.SchemaBuilder.struct()
            .field("user-id", Schema.INT64_SCHEMA)
            .field(
                "Nested",
                org.apache.kafka.connect.data.SchemaBuilder.map(
                        Schema.STRING_SCHEMA, Schema.INT64_SCHEMA)
                    .build())
            .build();
    SinkRecord r = record(s, new Struct(s).put("user-id", 3L).put("Nested", Map.of("a-b", 1L)), 1);
    RecordFileWriter w = jsonl.open(new BytesOutput(), r, "k");
    assertThat(w.columns()).extracting(MarkerColumn::name).startsWith("user_id", "Nested");
    w.abort();
    JsonNode row = FileReaders.jsonLines(write(jsonl, List.of(r), "k"), false).get(0);
    assertThat(row.get("user_id").longValue()).isEqualTo(3L);
    assertThat(row.has("user-id")).isFalse();
    assertThat(row.get("Nested").get("a-b").longValue()).as("nested keys stay").isEqualTo(1L);
  }
}
