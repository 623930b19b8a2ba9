package io.redstage.connector.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.FileFormat;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;

/** Schemas, records and a write helper shared by the format tests. */
final class Fixtures {
  static final String TOPIC = "orders";
  static final int PARTITION = 3;

  static final Instant TS = Instant.parse("2024-02-29T13:45:30.123Z");
  static final LocalDate DAY = LocalDate.parse("2024-02-29");
  static final LocalTime TIME = LocalTime.parse("13:45:30.123");
  static final BigDecimal PRICE = new BigDecimal("12345678.91");

  /** 38 significant digits: beyond what a double or a long can hold. */
  static final BigDecimal BIG = new BigDecimal("1234567890123456789012345678901234.5678");

  static final Schema ADDRESS =
      SchemaBuilder.struct()
          .name("Address")
          .field("street", Schema.STRING_SCHEMA)
          .field("zip", Schema.OPTIONAL_INT32_SCHEMA)
          .build();
  static final Schema OPTIONAL_ADDRESS =
      SchemaBuilder.struct()
          .name("Address")
          .optional()
          .field("street", Schema.STRING_SCHEMA)
          .field("zip", Schema.OPTIONAL_INT32_SCHEMA)
          .build();
  static final Schema PRICE_SCHEMA =
      Decimal.builder(2).parameter("connect.decimal.precision", "10").build();

  /** Every Connect type the writers support. */
  static final Schema ALL_TYPES =
      SchemaBuilder.struct()
          .name("com.example.Order")
          .version(1)
          .field("i8", Schema.INT8_SCHEMA)
          .field("i16", Schema.INT16_SCHEMA)
          .field("i32", Schema.INT32_SCHEMA)
          .field("i64", Schema.INT64_SCHEMA)
          .field("f32", Schema.FLOAT32_SCHEMA)
          .field("f64", Schema.FLOAT64_SCHEMA)
          .field("flag", Schema.BOOLEAN_SCHEMA)
          .field("name", Schema.STRING_SCHEMA)
          .field("blob", Schema.BYTES_SCHEMA)
          .field("price", PRICE_SCHEMA)
          .field("big", Decimal.schema(4))
          .field("day", Date.SCHEMA)
          .field("at", Time.SCHEMA)
          .field("ts", Timestamp.SCHEMA)
          .field("note", Schema.OPTIONAL_STRING_SCHEMA)
          .field("address", ADDRESS)
          .field("maybe_address", OPTIONAL_ADDRESS)
          .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
          .field("scores", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT64_SCHEMA).build())
          .field("by_id", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build())
          .field("opt_list", SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build())
          .build();

  static final Schema USER =
      SchemaBuilder.struct()
          .name("User")
          .field("id", Schema.INT64_SCHEMA)
          .field("name", Schema.OPTIONAL_STRING_SCHEMA)
          .build();
  static final Schema USER_KEY =
      SchemaBuilder.struct().name("UserKey").field("id", Schema.INT64_SCHEMA).build();

  private Fixtures() {}

  static Struct allTypes(int i) {
    Map<String, Long> scores = new LinkedHashMap<>();
    scores.put("a", 1L);
    scores.put("b", (long) i);
    Map<Integer, String> byId = new LinkedHashMap<>();
    byId.put(7, "seven");
    return new Struct(ALL_TYPES)
        .put("i8", (byte) -8)
        .put("i16", (short) 1600)
        .put("i32", 32_000 + i)
        .put("i64", 64_000_000_000L + i)
        .put("f32", 1.5f)
        .put("f64", 2.25d)
        .put("flag", i % 2 == 0)
        .put("name", "order-" + i)
        .put("blob", "bytes-".concat(Integer.toString(i)).getBytes(StandardCharsets.UTF_8))
        .put("price", PRICE)
        .put("big", BIG)
        .put("day", java.util.Date.from(DAY.atStartOfDay().toInstant(java.time.ZoneOffset.UTC)))
        .put("at", new java.util.Date(TIME.toNanoOfDay() / 1_000_000L))
        .put("ts", java.util.Date.from(TS))
        .put("note", i % 2 == 0 ? null : "odd")
        .put("address", new Struct(ADDRESS).put("street", "Main St " + i).put("zip", 12345))
        .put("maybe_address", null)
        .put("tags", Arrays.asList("x", "y"))
        .put("scores", scores)
        .put("by_id", byId)
        .put("opt_list", Arrays.asList(1, null, 3));
  }

  static SinkRecord record(Schema valueSchema, Object value, long offset) {
    return record(null, null, valueSchema, value, offset);
  }

  static SinkRecord record(
      Schema keySchema, Object key, Schema valueSchema, Object value, long offset) {
    return new SinkRecord(
        TOPIC,
        PARTITION,
        keySchema,
        key,
        valueSchema,
        value,
        offset,
        TS.toEpochMilli() + offset,
        TimestampType.CREATE_TIME,
        new ConnectHeaders());
  }

  static SinkRecord user(long id, String name, long offset) {
    return record(
        USER_KEY,
        new Struct(USER_KEY).put("id", id),
        USER,
        new Struct(USER).put("id", id).put("name", name),
        offset);
  }

  static SinkRecord tombstone(long id, long offset) {
    return record(USER_KEY, new Struct(USER_KEY).put("id", id), null, null, offset);
  }

  static List<SinkRecord> allTypesRecords(int count) {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      records.add(record(ALL_TYPES, allTypes(i), 100 + i));
    }
    return records;
  }

  static FormatOptions.Builder options(FileFormat format) {
    return FormatOptions.builder().format(format);
  }

  /** Opens a file for the first record, writes all records, finishes, and returns the bytes. */
  static byte[] write(RecordFormat format, List<SinkRecord> records, String fileKey)
      throws Exception {
    BytesOutput out = new BytesOutput();
    RecordFileWriter writer = format.open(out, records.get(0), fileKey);
    for (SinkRecord r : records) {
      writer.write(r);
    }
    writer.finish();
    if (out.closed) {
      throw new AssertionError("the writer closed the caller's stream");
    }
    return out.toByteArray();
  }

  /**
   * The scalar columns of {@link #allTypesRecords} read back by parquet-java or Avro (both give
   * GenericRecords with the logical-type conversions registered): row 1 holds every value, row 0 a
   * null optional field.
   */
  static void assertScalarsOfAllTypesRows(List<GenericRecord> rows) {
    GenericRecord r = rows.get(1);
    assertThat(r.get("i8")).isEqualTo(-8);
    assertThat(r.get("i16")).isEqualTo(1600);
    assertThat(r.get("i32")).isEqualTo(32_001);
    assertThat(r.get("i64")).isEqualTo(64_000_000_001L);
    assertThat(r.get("f32")).isEqualTo(1.5f);
    assertThat(r.get("f64")).isEqualTo(2.25d);
    assertThat(r.get("flag")).isEqualTo(false);
    assertThat(r.get("name").toString()).isEqualTo("order-1");
    assertThat(StandardCharsets.UTF_8.decode((ByteBuffer) r.get("blob")).toString())
        .isEqualTo("bytes-1");
    assertThat(r.get("price")).isEqualTo(PRICE);
    assertThat(r.get("big")).isEqualTo(BIG);
    assertThat(r.get("day")).isEqualTo(DAY);
    assertThat(r.get("at")).isEqualTo(TIME);
    assertThat(r.get("ts")).isEqualTo(TS);
    assertThat(r.get("note").toString()).isEqualTo("odd");
    assertThat(rows.get(0).get("note")).isNull();
  }
}
