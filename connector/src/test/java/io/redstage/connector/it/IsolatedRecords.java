package io.redstage.connector.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.generic.GenericFixed;
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

/**
 * SinkRecords as a worker hands them to the task (Connect data built directly, no converter), with
 * every type the formats map: the logical types, a nested struct, an array, a map, bytes and
 * optional fields; a Struct key and headers; tombstones. Value fields are optional except id, which
 * a tombstone takes from the key.
 */
final class IsolatedRecords {
  static final int COUNT = 60;
  static final long BASE_TIME = 1_718_000_000_000L; // 2024-06-10T06:13:20Z

  /**
   * Record timestamps step by 200 s, so 60 records span four hours (for the time-based
   * partitioner).
   */
  static final long STEP_MS = 200_000L;

  static final Schema KEY =
      SchemaBuilder.struct().name("ad_key").field("id", Schema.INT64_SCHEMA).build();
  static final Schema GEO =
      SchemaBuilder.struct()
          .name("geo")
          .optional()
          .field("city", Schema.OPTIONAL_STRING_SCHEMA)
          .field("lat", Schema.OPTIONAL_FLOAT64_SCHEMA)
          .build();
  static final Schema VALUE =
      SchemaBuilder.struct()
          .name("ad_event")
          .field("id", Schema.INT64_SCHEMA)
          .field("campaign", Schema.OPTIONAL_STRING_SCHEMA)
          .field("clicks", Schema.OPTIONAL_INT32_SCHEMA)
          .field("ctr", Schema.OPTIONAL_FLOAT64_SCHEMA)
          .field("billable", Schema.OPTIONAL_BOOLEAN_SCHEMA)
          .field(
              "price",
              Decimal.builder(2).parameter("connect.decimal.precision", "12").optional().build())
          .field("event_date", Date.builder().optional().build())
          .field("event_time", Time.builder().optional().build())
          .field("event_ts", Timestamp.builder().optional().build())
          .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).optional().build())
          .field(
              "attrs",
              SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).optional().build())
          .field("geo", GEO)
          .field("payload", Schema.OPTIONAL_BYTES_SCHEMA)
          .field("note", Schema.OPTIONAL_STRING_SCHEMA)
          .build();

  private IsolatedRecords() {}

  static boolean isTombstone(long offset, boolean tombstones) {
    return tombstones && offset % 30 == 17;
  }

  static long time(long offset) {
    return BASE_TIME + offset * STEP_MS;
  }

  static List<SinkRecord> build(String topic, int count, boolean tombstones, int payloadBytes) {
    List<SinkRecord> out = new ArrayList<>();
    for (long offset = 0; offset < count; offset++) {
      Struct key = new Struct(KEY).put("id", offset);
      ConnectHeaders headers = new ConnectHeaders();
      headers.addString("source", "isolation").addInt("attempt", 1);
      Struct value = isTombstone(offset, tombstones) ? null : value(offset, payloadBytes);
      out.add(
          new SinkRecord(
              topic,
              0,
              KEY,
              key,
              value == null ? null : VALUE,
              value,
              offset,
              time(offset),
              TimestampType.CREATE_TIME,
              headers));
    }
    return out;
  }

  private static Struct value(long offset, int payloadBytes) {
    long ts = time(offset);
    long day = Math.floorDiv(ts, 86_400_000L);
    Struct v =
        new Struct(VALUE)
            .put("id", offset)
            .put("campaign", "c-" + offset % 3)
            .put("clicks", (int) offset % 100)
            .put("ctr", offset / 1000.0)
            .put("billable", offset % 2 == 0)
            .put("price", BigDecimal.valueOf(offset, 2))
            .put("event_date", new java.util.Date(day * 86_400_000L))
            .put("event_time", new java.util.Date(ts - day * 86_400_000L))
            .put("event_ts", new java.util.Date(ts))
            .put("tags", List.of("t" + offset % 3, "all"))
            .put("attrs", Map.of("offset", (int) offset, "one", 1));
    byte[] payload = new byte[payloadBytes];
    new Random(offset).nextBytes(payload); // incompressible, so big payloads make big files
    v.put("payload", payload);
    if (offset % 5 != 0) {
      v.put(
          "geo", new Struct(GEO).put("city", "city-" + offset % 11).put("lat", 50.0 + offset % 10));
      v.put("note", "note " + offset);
    }
    return v;
  }

  /** Checks a Parquet or Avro row against the record it came from; returns its offset. */
  static long checkRow(GenericRecord r, boolean tombstones, int payloadBytes) {
    long offset = (Long) r.get("kafka_offset");
    assertThat(((GenericRecord) r.get("kafka_key")).get("id")).isEqualTo(offset);
    assertThat(text((Map<?, ?>) r.get("kafka_headers"), "source")).isEqualTo("isolation");
    assertThat(r.get("id")).as("id, also in delete rows (from the key)").isEqualTo(offset);
    boolean deleted = isTombstone(offset, tombstones);
    assertThat(r.get("kafka_deleted")).as("kafka_deleted at offset " + offset).isEqualTo(deleted);
    if (deleted) {
      assertThat(r.get("price")).isNull();
      assertThat(r.get("payload")).isNull();
      return offset;
    }
    long ts = time(offset);
    assertThat(r.get("campaign").toString()).isEqualTo("c-" + offset % 3);
    assertThat(decimal(r.get("price"))).isEqualByComparingTo(BigDecimal.valueOf(offset, 2));
    assertThat(millis(r.get("event_ts"))).isEqualTo(ts);
    assertThat(epochDay(r.get("event_date"))).isEqualTo(Math.floorDiv(ts, 86_400_000L));
    assertThat(millisOfDay(r.get("event_time"))).isEqualTo(Math.floorMod(ts, 86_400_000L));
    assertThat((List<?>) r.get("tags")).hasSize(2);
    assertThat(((Map<?, ?>) r.get("attrs")).size()).isEqualTo(2);
    assertThat(((ByteBuffer) r.get("payload")).remaining()).isEqualTo(payloadBytes);
    if (offset % 5 == 0) {
      assertThat(r.get("geo")).isNull();
      assertThat(r.get("note")).isNull();
    } else {
      assertThat(((GenericRecord) r.get("geo")).get("city").toString())
          .isEqualTo("city-" + offset % 11);
      assertThat(r.get("note").toString()).isEqualTo("note " + offset);
    }
    return offset;
  }

  /** Checks a JSON Lines row against the record it came from; returns its offset. */
  static long checkRow(JsonNode row, boolean tombstones) {
    long offset = row.get("kafka_offset").asLong();
    assertThat(row.path("kafka_key").path("id").asLong(-1)).isEqualTo(offset);
    assertThat(row.path("kafka_headers").path("source").asText()).isEqualTo("isolation");
    assertThat(row.get("id").asLong()).isEqualTo(offset);
    boolean deleted = isTombstone(offset, tombstones);
    assertThat(row.get("kafka_deleted").asBoolean())
        .as("kafka_deleted at offset " + offset)
        .isEqualTo(deleted);
    if (!deleted) {
      assertThat(row.get("campaign").asText()).isEqualTo("c-" + offset % 3);
      // a decimal column is a quoted number in JSON Lines, read by COPY from its text
      assertThat(row.get("price").isTextual()).isTrue();
      assertThat(new BigDecimal(row.get("price").textValue()))
          .isEqualByComparingTo(BigDecimal.valueOf(offset, 2));
      assertThat(row.get("tags")).hasSize(2);
    }
    return offset;
  }

  private static String text(Map<?, ?> map, String key) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (e.getKey().toString().equals(key)) {
        return e.getValue() == null ? null : e.getValue().toString();
      }
    }
    return null;
  }

  private static BigDecimal decimal(Object v) {
    if (v instanceof BigDecimal d) {
      return d;
    }
    if (v instanceof GenericFixed f) {
      return new BigDecimal(new BigInteger(f.bytes()), 2);
    }
    if (v instanceof ByteBuffer b) {
      byte[] bytes = new byte[b.remaining()];
      b.duplicate().get(bytes);
      return new BigDecimal(new BigInteger(bytes), 2);
    }
    return BigDecimal.valueOf(((Number) v).longValue(), 2);
  }

  private static long millis(Object v) {
    return v instanceof Instant i ? i.toEpochMilli() : ((Number) v).longValue();
  }

  private static long epochDay(Object v) {
    return v instanceof LocalDate d ? d.toEpochDay() : ((Number) v).longValue();
  }

  private static long millisOfDay(Object v) {
    return v instanceof LocalTime t ? t.toNanoOfDay() / 1_000_000 : ((Number) v).longValue();
  }
}
