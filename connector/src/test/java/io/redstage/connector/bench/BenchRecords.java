package io.redstage.connector.bench;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * The benchmark's records: an order-event value with 10 fields (longs, ints, strings of varying
 * length and cardinality, a decimal, a timestamp and an optional string that is null for a fifth of
 * the rows), a string key, and the Kafka timestamp. Values are derived from a seeded random source,
 * so every run sees the same data.
 */
final class BenchRecords {
  static final String TOPIC = "bench-orders";
  static final long BASE_TIME_MS = 1_718_000_000_000L; // 2024-06-10T06:13:20Z

  static final Schema VALUE =
      SchemaBuilder.struct()
          .name("io.redstage.bench.OrderEvent")
          .version(1)
          .field("id", Schema.INT64_SCHEMA)
          .field("customer_id", Schema.INT32_SCHEMA)
          .field("quantity", Schema.INT32_SCHEMA)
          .field("event_type", Schema.STRING_SCHEMA)
          .field("customer_name", Schema.STRING_SCHEMA)
          .field("description", Schema.STRING_SCHEMA)
          .field("created_at", Timestamp.SCHEMA)
          .field("amount", Decimal.builder(2).parameter("connect.decimal.precision", "18").build())
          .field("version", Schema.INT64_SCHEMA)
          .field("country", Schema.OPTIONAL_STRING_SCHEMA)
          .build();

  private static final String[] EVENT_TYPES = {
    "created", "paid", "packed", "shipped", "delivered", "returned", "refunded", "cancelled"
  };
  private static final String[] COUNTRIES = {
    "DE", "FR", "US", "GB", "NL", "PL", "ES", "IT", "SE", "JP"
  };
  private static final String[] WORDS =
      ("express standard parcel fragile gift wrap priority economy bulk "
              + "warehouse north south east west returnable insured signature weekend evening morning locker pickup "
              + "discount voucher member premium")
          .split(" ");

  private final SplittableRandom random;
  private final int partitions;
  private final long[] nextOffset;
  private long sequence;

  /**
   * Records spread round-robin over {@code partitions} partitions of {@link #TOPIC}, offsets from
   * 0.
   */
  BenchRecords(int partitions, long seed) {
    this.partitions = partitions;
    this.nextOffset = new long[partitions];
    this.random = new SplittableRandom(seed);
  }

  SinkRecord next() {
    long id = sequence++;
    int partition = (int) (id % partitions);
    long offset = nextOffset[partition]++;
    int customer = random.nextInt(50_000);
    long createdAt = BASE_TIME_MS + id * 7 + random.nextInt(1000);
    Struct value =
        new Struct(VALUE)
            .put("id", id)
            .put("customer_id", customer)
            .put("quantity", 1 + random.nextInt(20))
            .put("event_type", EVENT_TYPES[random.nextInt(EVENT_TYPES.length)])
            .put("customer_name", "customer-" + customer)
            .put("description", description())
            .put("created_at", new java.util.Date(createdAt))
            .put("amount", BigDecimal.valueOf(random.nextLong(1, 10_000_000), 2))
            .put("version", 1L + random.nextInt(5))
            .put(
                "country",
                random.nextInt(5) == 0 ? null : COUNTRIES[random.nextInt(COUNTRIES.length)]);
    return new SinkRecord(
        TOPIC,
        partition,
        Schema.STRING_SCHEMA,
        "customer-" + customer,
        VALUE,
        value,
        offset,
        createdAt,
        TimestampType.CREATE_TIME);
  }

  List<SinkRecord> next(int count) {
    List<SinkRecord> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(next());
    }
    return out;
  }

  /** 3 to 10 words: 20 to 90 characters, low-cardinality vocabulary like real free text. */
  private String description() {
    int words = 3 + random.nextInt(8);
    StringBuilder sb = new StringBuilder(96);
    for (int i = 0; i < words; i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(WORDS[random.nextInt(WORDS.length)]);
    }
    return sb.toString();
  }
}
