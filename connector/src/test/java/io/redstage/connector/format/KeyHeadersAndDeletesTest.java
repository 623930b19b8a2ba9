package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.contract.ColumnRole;
import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.junit.jupiter.api.Test;

/** Key, headers and deleted columns, and tombstones as delete rows. */
class KeyHeadersAndDeletesTest {
  private static final FormatOptions.Builder ALL_COLUMNS =
      FormatOptions.builder().keyColumnEnabled(true).headersColumnEnabled(true).deleteMarkers(true);

  private static SinkRecord withHeaders(Schema keySchema, Object key, long offset) {
    ConnectHeaders headers = new ConnectHeaders();
    headers.addString("trace", "abc");
    headers.addInt("attempt", 7);
    headers.addDecimal("amount", new BigDecimal("1.50"));
    headers.add("empty", null, Schema.OPTIONAL_STRING_SCHEMA);
    headers.addString("trace", "def"); // repeated key: the later value wins
    return new SinkRecord(
        TOPIC,
        PARTITION,
        keySchema,
        key,
        USER,
        new Struct(USER).put("id", 1L).put("name", "a"),
        offset,
        null,
        TimestampType.NO_TIMESTAMP_TYPE,
        headers);
  }

  @Test
  void parquetKeyColumnHoldsPrimitiveKeysAsTextAndStructKeysAsStructs() throws Exception {
    RecordFormat format = RecordFormats.create(ALL_COLUMNS.format(FileFormat.PARQUET).build());
    List<SinkRecord> stringKeys =
        List.of(
            withHeaders(Schema.INT64_SCHEMA, 42L, 1),
            withHeaders(null, Map.of("id", 5L), 2),
            withHeaders(Schema.OPTIONAL_STRING_SCHEMA, null, 3));
    List<GenericRecord> rows = FileReaders.parquet(write(format, stringKeys, "k"));
    assertThat(rows)
        .extracting(r -> String.valueOf(r.get("kafka_key")))
        .containsExactly("42", "{\"id\":5}", "null");
    Map<?, ?> headers = (Map<?, ?>) rows.get(0).get("kafka_headers");
    assertThat(headers.get(new Utf8("trace")).toString()).isEqualTo("def");
    assertThat(headers.get(new Utf8("attempt")).toString()).isEqualTo("7");
    assertThat(headers.get(new Utf8("amount")).toString()).isEqualTo("1.50");
    assertThat(headers.containsKey(new Utf8("empty"))).isTrue();
    assertThat(headers.get(new Utf8("empty"))).isNull();
    assertThat(rows.get(0).get("kafka_timestamp")).isNull();
    assertThat(rows.get(0).get("kafka_deleted")).isEqualTo(false);

    SinkRecord structKey = withHeaders(USER_KEY, new Struct(USER_KEY).put("id", 9L), 4);
    RecordFileWriter w = format.open(new BytesOutput(), structKey, "k");
    assertThat(w.columns())
        .extracting(c -> c.name() + " " + c.type())
        .endsWith("kafka_key struct", "kafka_headers map", "kafka_deleted boolean");
    w.abort();
    GenericRecord row = FileReaders.parquet(write(format, List.of(structKey), "k")).get(0);
    assertThat(((GenericRecord) row.get("kafka_key")).get("id")).isEqualTo(9L);
  }

  @Test
  void avroAndJsonLinesWriteTheSameKeyAndHeaderColumns() throws Exception {
    SinkRecord r = withHeaders(USER_KEY, new Struct(USER_KEY).put("id", 9L), 4);
    GenericRecord avro =
        FileReaders.avro(
                write(
                    RecordFormats.create(ALL_COLUMNS.format(FileFormat.AVRO).build()),
                    List.of(r),
                    "k"))
            .get(0);
    assertThat(((GenericRecord) avro.get("kafka_key")).get("id")).isEqualTo(9L);
    assertThat(((Map<?, ?>) avro.get("kafka_headers")).get(new Utf8("attempt")).toString())
        .isEqualTo("7");

    RecordFormat jsonl = RecordFormats.create(ALL_COLUMNS.format(FileFormat.JSONL).build());
    JsonNode json = FileReaders.jsonLines(write(jsonl, List.of(r), "k"), false).get(0);
    assertThat(json.get("kafka_key").toString()).isEqualTo("{\"id\":9}");
    assertThat(json.get("kafka_headers").toString())
        .isEqualTo("{\"trace\":\"def\",\"attempt\":\"7\",\"amount\":\"1.50\",\"empty\":null}");
    assertThat(json.get("kafka_timestamp").isNull()).isTrue();
    JsonNode textKey =
        FileReaders.jsonLines(
                write(jsonl, List.of(withHeaders(Schema.INT32_SCHEMA, 7, 5)), "k"), false)
            .get(0);
    assertThat(textKey.get("kafka_key").textValue()).isEqualTo("7");
  }

  /**
   * Connect's default header converter reads a long number in a header as a Decimal; a key or
   * header lands as text, so its digits are written as they are, in every format, not held to a
   * DECIMAL column's 38 (which sent the record to the DLQ).
   */
  @Test
  void keyAndHeaderDecimalsAreWrittenAsTheirDigitsWhateverTheirLength() throws Exception {
    String longId = "123456789012345678901234567890123456789012";
    SimpleHeaderConverter converter = new SimpleHeaderConverter();
    ConnectHeaders headers = new ConnectHeaders();
    for (String[] h : new String[][] {{"trace", longId}, {"huge", "1.5e400"}}) {
      SchemaAndValue parsed =
          converter.toConnectHeader(TOPIC, h[0], h[1].getBytes(StandardCharsets.UTF_8));
      assertThat(parsed.schema().name()).isEqualTo(Decimal.LOGICAL_NAME);
      headers.add(h[0], parsed);
    }
    Schema keySchema = Decimal.schema(0);
    SinkRecord r =
        new SinkRecord(
            TOPIC,
            PARTITION,
            keySchema,
            new BigDecimal(longId),
            USER,
            new Struct(USER).put("id", 1L).put("name", "a"),
            5,
            null,
            TimestampType.NO_TIMESTAMP_TYPE,
            headers);
    String huge = "15" + "0".repeat(399);
    for (FileFormat f : FileFormat.values()) {
      byte[] file = write(RecordFormats.create(ALL_COLUMNS.format(f).build()), List.of(r), "k");
      Map<String, String> written = new java.util.LinkedHashMap<>();
      String key;
      if (f == FileFormat.JSONL) {
        JsonNode row = FileReaders.jsonLines(file, false).get(0);
        row.get("kafka_headers")
            .fields()
            .forEachRemaining(e -> written.put(e.getKey(), e.getValue().textValue()));
        key = row.get("kafka_key").textValue();
      } else {
        GenericRecord row =
            (f == FileFormat.PARQUET ? FileReaders.parquet(file) : FileReaders.avro(file)).get(0);
        ((Map<?, ?>) row.get("kafka_headers"))
            .forEach((k, v) -> written.put(k.toString(), v.toString()));
        key = row.get("kafka_key").toString();
      }
      assertThat(key).as("%s", f).isEqualTo(longId);
      assertThat(written).as("%s", f).isEqualTo(Map.of("trace", longId, "huge", huge));
    }
  }

  /** An upsert key's text must not change with the scale a producer or SMT built the value at. */
  @Test
  void aKeyDecimalIsWrittenAtItsSchemasScale() throws Exception {
    Schema keySchema = Decimal.schema(2);
    for (FileFormat f : FileFormat.values()) {
      List<String> keys = new java.util.ArrayList<>();
      for (BigDecimal value : List.of(new BigDecimal("1.5"), new BigDecimal("1.500"))) {
        SinkRecord r =
            new SinkRecord(
                TOPIC,
                PARTITION,
                keySchema,
                value,
                USER,
                new Struct(USER).put("id", 1L).put("name", "a"),
                5);
        byte[] file = write(RecordFormats.create(ALL_COLUMNS.format(f).build()), List.of(r), "k");
        keys.add(
            f == FileFormat.JSONL
                ? FileReaders.jsonLines(file, false).get(0).get("kafka_key").textValue()
                : (f == FileFormat.PARQUET ? FileReaders.parquet(file) : FileReaders.avro(file))
                    .get(0)
                    .get("kafka_key")
                    .toString());
      }
      assertThat(keys).as("%s", f).containsExactly("1.50", "1.50");
    }
  }

  /**
   * A key whose scale is far below its value's would be rescaled by computing 10^(the difference):
   * it keeps its own digits, and is refused for their number, at once.
   */
  @Test
  void aKeyDecimalNoScaleCanHoldIsRefusedWithoutRescaling() {
    Schema keySchema = Decimal.schema(2);
    SinkRecord r =
        new SinkRecord(
            TOPIC,
            PARTITION,
            keySchema,
            new BigDecimal("1E-400000000"),
            USER,
            new Struct(USER).put("id", 1L).put("name", "a"),
            5);
    RecordFileWriter w =
        RecordFormats.create(ALL_COLUMNS.format(FileFormat.JSONL).build())
            .open(new BytesOutput(), r, "k");
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        java.time.Duration.ofSeconds(10),
        () -> assertThatThrownBy(() -> w.write(r)).isInstanceOf(DataException.class));
    w.abort();
  }

  /**
   * A file whose records all had null keys took a null key's kind (string) for its key column,
   * which the loader then held against the Struct keys of other units: its marker says the column
   * holds only nulls now. One key written is enough to type it.
   */
  @Test
  void aKeyColumnOfOnlyNullKeysIsMarkedAsHoldingOnlyNulls() throws Exception {
    Schema keySchema = SchemaBuilder.struct().name("K").field("id", Schema.INT64_SCHEMA).build();
    for (FileFormat f : FileFormat.values()) {
      RecordFormat format =
          RecordFormats.create(FormatOptions.builder().format(f).keyColumnEnabled(true).build());
      SinkRecord nullKey =
          new SinkRecord(
              TOPIC,
              PARTITION,
              null,
              null,
              USER,
              new Struct(USER).put("id", 1L).put("name", "a"),
              5);
      RecordFileWriter onlyNulls = format.open(new BytesOutput(), nullKey, "k1");
      onlyNulls.write(nullKey);
      assertThat(keyColumn(onlyNulls)).as("%s", f).matches(MarkerColumn::nullsOnly);
      onlyNulls.abort();

      // a null key with a Struct schema: the file holds a struct column, which its marker says
      SinkRecord nullStructKey =
          new SinkRecord(
              TOPIC,
              PARTITION,
              SchemaBuilder.struct().name("K").field("id", Schema.INT64_SCHEMA).optional().build(),
              null,
              USER,
              new Struct(USER).put("id", 1L).put("name", "a"),
              5);
      RecordFileWriter typedNulls = format.open(new BytesOutput(), nullStructKey, "k3");
      typedNulls.write(nullStructKey);
      assertThat(keyColumn(typedNulls).nullsOnly()).as("%s", f).isFalse();
      assertThat(keyColumn(typedNulls).type().kind()).as("%s", f).isEqualTo(ColumnType.Kind.STRUCT);
      typedNulls.abort();

      SinkRecord keyed =
          new SinkRecord(
              TOPIC,
              PARTITION,
              keySchema,
              new Struct(keySchema).put("id", 2L),
              USER,
              new Struct(USER).put("id", 2L).put("name", "b"),
              6);
      RecordFileWriter withKey = format.open(new BytesOutput(), keyed, "k2");
      withKey.write(keyed);
      assertThat(keyColumn(withKey).nullsOnly()).as("%s", f).isFalse();
      assertThat(keyColumn(withKey).type().kind()).as("%s", f).isEqualTo(ColumnType.Kind.STRUCT);
      withKey.abort();
    }
  }

  private static MarkerColumn keyColumn(RecordFileWriter w) {
    return w.columns().stream()
        .filter(c -> c.role().orElse(null) == ColumnRole.KEY)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void customMetadataColumnNamesAreUsedEverywhere() throws Exception {
    FormatOptions options =
        ALL_COLUMNS
            .format(FileFormat.PARQUET)
            .topicColumn("t")
            .partitionColumn("p")
            .offsetColumn("o")
            .timestampColumn("ts_")
            .keyColumn("k")
            .headersColumn("h")
            .deletedColumn("d")
            .build();
    RecordFormat format = RecordFormats.create(options);
    SinkRecord r = withHeaders(Schema.STRING_SCHEMA, "key", 8);
    RecordFileWriter w = format.open(new BytesOutput(), r, "k");
    assertThat(w.columns())
        .extracting(MarkerColumn::name)
        .containsExactly("id", "name", "t", "p", "o", "ts_", "k", "h", "d");
    // the marker states each column's role, so the loader needs no copy of these names
    assertThat(w.columns())
        .extracting(c -> c.role().orElseThrow())
        .containsExactly(
            ColumnRole.VALUE,
            ColumnRole.VALUE,
            ColumnRole.TOPIC,
            ColumnRole.PARTITION,
            ColumnRole.OFFSET,
            ColumnRole.TIMESTAMP,
            ColumnRole.KEY,
            ColumnRole.HEADERS,
            ColumnRole.DELETED);
    w.abort();
    GenericRecord row = FileReaders.parquet(write(format, List.of(r), "k")).get(0);
    assertThat(row.get("o")).isEqualTo(8L);
    assertThat(row.get("k").toString()).isEqualTo("key");
  }

  @Test
  void metadataCanBeTurnedOff() throws Exception {
    RecordFormat format =
        RecordFormats.create(FormatOptions.builder().metadataEnabled(false).build());
    GenericRecord row = FileReaders.parquet(write(format, List.of(user(1, "a", 1)), "k")).get(0);
    assertThat(row.getSchema().getFields())
        .extracting(org.apache.avro.Schema.Field::name)
        .containsExactly("id", "name");
  }

  @Test
  void parquetTombstonesBecomeDeleteRowsWithTheKeyFields() throws Exception {
    RecordFormat format = RecordFormats.create(FormatOptions.builder().deleteMarkers(true).build());
    List<GenericRecord> rows =
        FileReaders.parquet(
            write(format, List.of(user(1, "ann", 1), tombstone(1, 2), user(2, "bob", 3)), "k"));
    assertThat(rows)
        .extracting(r -> r.get("id") + "/" + r.get("name") + "/" + r.get("kafka_deleted"))
        .containsExactly("1/ann/false", "1/null/true", "2/bob/false");
  }

  @Test
  void tombstoneRequiresEveryRequiredFieldToComeFromTheKey() throws Exception {
    RecordFormat format = RecordFormats.create(FormatOptions.builder().deleteMarkers(true).build());
    BytesOutput out = new BytesOutput();
    RecordFileWriter w = format.open(out, user(1, "ann", 1), "k");
    w.write(user(1, "ann", 1));
    SinkRecord noKey = record(null, null, null, null, 2);
    assertThatThrownBy(() -> w.write(noKey))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/2")
        .hasMessageContaining("'id' is required")
        .hasMessageContaining("behavior.on.null.values=ignore");
    Schema textKey = SchemaBuilder.struct().name("K").field("id", Schema.STRING_SCHEMA).build();
    SinkRecord wrongKeyType = record(textKey, new Struct(textKey).put("id", "x"), null, null, 3);
    assertThatThrownBy(() -> w.write(wrongKeyType))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/3")
        .hasMessageContaining("key field 'id'");
    w.finish();
    assertThat(FileReaders.parquet(out.toByteArray())).hasSize(1);
  }

  @Test
  void tombstonesAreRejectedWhenDeleteMarkersAreOff() throws Exception {
    RecordFormat format = RecordFormats.create(FormatOptions.builder().build());
    RecordFileWriter w = format.open(new BytesOutput(), user(1, "ann", 1), "k");
    assertThatThrownBy(() -> w.write(tombstone(1, 2)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("tombstone")
        .hasMessageContaining("behavior.on.null.values");
    w.abort();
  }

  @Test
  void primitiveValueTombstoneNeedsAnOptionalValueSchema() throws Exception {
    RecordFormat format =
        RecordFormats.create(
            FormatOptions.builder().format(FileFormat.AVRO).deleteMarkers(true).build());
    Schema optionalDecimal = Decimal.builder(2).optional().build();
    List<GenericRecord> rows =
        FileReaders.avro(
            write(
                format,
                List.of(record(optionalDecimal, new BigDecimal("1.25"), 1), record(null, null, 2)),
                "k"));
    assertThat(rows)
        .extracting(r -> r.get("value") + "/" + r.get("kafka_deleted"))
        .containsExactly("1.25/false", "null/true");
  }
}
