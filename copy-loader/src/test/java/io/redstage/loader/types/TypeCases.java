package io.redstage.loader.types;

import static io.redstage.loader.types.AvroConverterSchemas.decimal;
import static io.redstage.loader.types.AvroConverterSchemas.enumeration;
import static io.redstage.loader.types.AvroConverterSchemas.fixed;
import static io.redstage.loader.types.AvroConverterSchemas.javaString;
import static io.redstage.loader.types.AvroConverterSchemas.union;
import static io.redstage.loader.types.AvroConverterSchemas.unionValue;
import static io.redstage.loader.types.AvroConverterSchemas.withDefault;

import io.redstage.contract.FileFormat;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

/**
 * The cases of {@link SchemaRegistryTypesIT}: each Avro type as the AvroConverter hands it to the
 * task, the values of rows 0..2, and the Redshift column type and values expected back.
 */
final class TypeCases {
  static final int ROWS = 3;

  private TypeCases() {}

  /** How a column is read back as text: cast, hex of the bytes, or SUPER as JSON. */
  enum Read {
    TEXT,
    HEX,
    JSON
  }

  /**
   * One Avro type: its column, the Connect schema the AvroConverter makes of it, the values of rows
   * 0..2, and what Redshift must hold: the column type (as PG_TABLE_DEF reports it) and each row's
   * value as text (null = SQL NULL), per format where COPY renders it differently.
   */
  record TypeCase(
      String avroType,
      String column,
      Schema schema,
      List<Object> values,
      String redshiftType,
      Read read,
      Map<FileFormat, List<String>> expectedByFormat) {
    TypeCase(
        String avroType,
        String column,
        Schema schema,
        List<Object> values,
        String redshiftType,
        Read read,
        List<String> expected) {
      this(avroType, column, schema, values, redshiftType, read, sameInEveryFormat(expected));
    }

    List<String> expected(FileFormat format) {
      return expectedByFormat.get(format);
    }

    @Override
    public String toString() {
      return avroType;
    }
  }

  static final Schema POINT =
      SchemaBuilder.struct()
          .name("com.example.Point")
          .optional()
          .field("x", Schema.INT32_SCHEMA)
          .field("y", Schema.INT32_SCHEMA)
          .build();
  static final Schema CHOICE =
      union(branches("string", Schema.OPTIONAL_STRING_SCHEMA, "int", Schema.OPTIONAL_INT32_SCHEMA))
          .field("Point", POINT)
          .optional()
          .build();
  static final Schema EITHER =
      union(branches("string", Schema.OPTIONAL_STRING_SCHEMA, "long", Schema.OPTIONAL_INT64_SCHEMA))
          .build();
  static final Schema COLOR =
      enumeration("com.example.Color", "RED", "GREEN", "BLUE").optional().build();
  static final Schema TAGGED =
      union(branches("Color", COLOR, "Digest", fixed("com.example.Digest", 2).optional().build()))
          .field("long", Schema.OPTIONAL_INT64_SCHEMA)
          .optional()
          .build();
  static final Schema ITEM =
      SchemaBuilder.struct()
          .name("com.example.Item")
          .field("sku", Schema.STRING_SCHEMA)
          .field("qty", Schema.INT32_SCHEMA)
          .build();
  static final Schema DETAIL =
      SchemaBuilder.struct()
          .name("com.example.Detail")
          .field("amount", decimal(10, 2).build())
          .field("at", Timestamp.SCHEMA)
          .field("day", Date.SCHEMA)
          .field("at_time", Time.SCHEMA)
          .field("blob", Schema.BYTES_SCHEMA)
          .field("color", enumeration("com.example.Color", "RED", "GREEN", "BLUE").build())
          .field("digest", fixed("com.example.Digest", 2).build())
          .field("tags", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
          .build();
  static final long DAY_MS = 86_400_000L;
  // 2024-02-29T13:45:30.123Z
  static final long INSTANT_MS = 1_709_214_330_123L;

  static final List<TypeCase> CASES =
      List.of(
          new TypeCase(
              "enum",
              "color",
              enumeration("com.example.Color", "RED", "GREEN", "BLUE").build(),
              List.of("GREEN", "RED", "BLUE"),
              "character varying(256)",
              Read.TEXT,
              List.of("GREEN", "RED", "BLUE")),
          new TypeCase(
              "union [null, string, int, record]",
              "choice",
              CHOICE,
              Arrays.asList(
                  unionValue(CHOICE, "string", "abc"),
                  unionValue(CHOICE, "Point", new Struct(POINT).put("x", 1).put("y", 2)),
                  null),
              "super",
              Read.JSON,
              Arrays.asList("{\"string\":\"abc\"}", "{\"Point\":{\"x\":1,\"y\":2}}", null)),
          new TypeCase(
              "union [string, long]",
              "either",
              EITHER,
              List.of(
                  unionValue(EITHER, "long", 42L),
                  unionValue(EITHER, "string", "x"),
                  unionValue(EITHER, "long", -1L)),
              "super",
              Read.JSON,
              List.of("{\"long\":42}", "{\"string\":\"x\"}", "{\"long\":-1}")),
          new TypeCase(
              "optional enum ([null, enum])",
              "shade",
              COLOR,
              Arrays.asList("BLUE", null, "RED"),
              "character varying(256)",
              Read.TEXT,
              Arrays.asList("BLUE", null, "RED")),
          new TypeCase(
              "union [null, enum, fixed, long]",
              "tagged",
              TAGGED,
              Arrays.asList(
                  unionValue(TAGGED, "Color", "GREEN"),
                  unionValue(TAGGED, "Digest", new byte[] {(byte) 0xab, 0x01}),
                  unionValue(TAGGED, "long", 7L)),
              "super",
              Read.JSON,
              Map.of(
                  FileFormat.PARQUET,
                  List.of("{\"Color\":\"GREEN\"}", "{\"Digest\":\"ab01\"}", "{\"long\":7}"),
                  FileFormat.AVRO,
                  List.of("{\"Color\":\"GREEN\"}", "{\"Digest\":\"ab01\"}", "{\"long\":7}"),
                  FileFormat.JSONL,
                  List.of("{\"Color\":\"GREEN\"}", "{\"Digest\":\"qwE=\"}", "{\"long\":7}"))),
          new TypeCase(
              "fixed(4)",
              "digest",
              fixed("com.example.Digest", 4).build(),
              List.of(
                  new byte[] {0, 1, 2, 3},
                  new byte[] {(byte) 0xff, 0, 0x7f, (byte) 0x80},
                  new byte[] {'a', 'b', 'c', 'd'}),
              "varbyte",
              Read.HEX,
              List.of("00010203", "ff007f80", "61626364")),
          new TypeCase(
              "bytes (optional)",
              "payload",
              Schema.OPTIONAL_BYTES_SCHEMA,
              Arrays.asList(new byte[] {(byte) 0xca, (byte) 0xfe}, new byte[0], null),
              "varbyte",
              Read.HEX,
              Arrays.asList("cafe", "", null)),
          new TypeCase(
              "string (uuid)",
              "uid",
              Schema.STRING_SCHEMA,
              List.of(
                  "0b7f6f1c-3f9a-4a8e-9d3c-2f7f1e0a9b11",
                  "00000000-0000-0000-0000-000000000000",
                  "ffffffff-ffff-ffff-ffff-ffffffffffff"),
              "character varying(256)",
              Read.TEXT,
              List.of(
                  "0b7f6f1c-3f9a-4a8e-9d3c-2f7f1e0a9b11",
                  "00000000-0000-0000-0000-000000000000",
                  "ffffffff-ffff-ffff-ffff-ffffffffffff")),
          new TypeCase(
              "bytes decimal(10,2)",
              "amount",
              decimal(10, 2).build(),
              List.of(
                  new BigDecimal("1234.50"),
                  new BigDecimal("-0.01"),
                  new BigDecimal("99999999.99")),
              "numeric(10,2)",
              Read.TEXT,
              List.of("1234.50", "-0.01", "99999999.99")),
          new TypeCase(
              "decimal, Connect's default precision (64)",
              "wide_amount",
              decimal(64, 4).build(),
              List.of(
                  new BigDecimal("12345678901234567890.1234"),
                  new BigDecimal("0.0001"),
                  new BigDecimal("-1.0000")),
              "numeric(38,4)",
              Read.TEXT,
              List.of("12345678901234567890.1234", "0.0001", "-1.0000")),
          new TypeCase(
              "date",
              "day",
              Date.SCHEMA,
              List.of(day(19_782), day(0), day(-1)),
              "date",
              Read.TEXT,
              List.of("2024-02-29", "1970-01-01", "1969-12-31")),
          new TypeCase(
              "time-millis",
              "at_time",
              Time.SCHEMA,
              List.of(time(49_530_123), time(0), time((int) DAY_MS - 1)),
              "time without time zone",
              Read.TEXT,
              List.of("13:45:30.123", "00:00:00", "23:59:59.999")),
          new TypeCase(
              "time-micros (int64, no logical type)",
              "time_us",
              Schema.INT64_SCHEMA,
              List.of(49_530_123_456L, 0L, DAY_MS * 1000 - 1),
              "bigint",
              Read.TEXT,
              List.of("49530123456", "0", "86399999999")),
          new TypeCase(
              "timestamp-millis",
              "ts",
              Timestamp.SCHEMA,
              List.of(instant(INSTANT_MS), instant(0), instant(-1)),
              "timestamp without time zone",
              Read.TEXT,
              List.of("2024-02-29 13:45:30.123", "1970-01-01 00:00:00", "1969-12-31 23:59:59.999")),
          new TypeCase(
              "timestamp-micros (int64, no logical type)",
              "ts_us",
              Schema.INT64_SCHEMA,
              List.of(INSTANT_MS * 1000 + 456, 0L, -1L),
              "bigint",
              Read.TEXT,
              List.of("1709214330123456", "0", "-1")),
          new TypeCase(
              "map<string, string>",
              "attrs",
              SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).build(),
              List.of(new TreeMap<>(Map.of("a", "1", "b", "2")), Map.of(), Map.of("k", "v")),
              "super",
              Read.JSON,
              List.of("{\"a\":\"1\",\"b\":\"2\"}", "{}", "{\"k\":\"v\"}")),
          new TypeCase(
              "map<int, long> (array of key/value records in Avro)",
              "counts",
              SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.INT64_SCHEMA).build(),
              List.of(new TreeMap<>(Map.of(1, 10L, 2, 20L)), Map.of(), Map.of(-5, 0L)),
              "super",
              Read.JSON,
              List.of(
                  "[{\"key\":1,\"value\":10},{\"key\":2,\"value\":20}]",
                  "[]",
                  "[{\"key\":-5,\"value\":0}]")),
          new TypeCase(
              "record with logical types inside",
              "detail",
              DETAIL,
              List.of(detail(0), detail(1), detail(2)),
              "super",
              Read.JSON,
              detailJson()),
          new TypeCase(
              "map<string, record>",
              "items_by_sku",
              SchemaBuilder.map(Schema.STRING_SCHEMA, ITEM).build(),
              List.of(
                  Map.of("s1", new Struct(ITEM).put("sku", "s1").put("qty", 1)),
                  Map.of(),
                  Map.of("s9", new Struct(ITEM).put("sku", "s9").put("qty", 9))),
              "super",
              Read.JSON,
              List.of(
                  "{\"s1\":{\"sku\":\"s1\",\"qty\":1}}",
                  "{}",
                  "{\"s9\":{\"sku\":\"s9\",\"qty\":9}}")),
          new TypeCase(
              "array<record>",
              "items",
              SchemaBuilder.array(ITEM).build(),
              List.of(
                  List.of(
                      new Struct(ITEM).put("sku", "s1").put("qty", 1),
                      new Struct(ITEM).put("sku", "s2").put("qty", 2)),
                  List.of(),
                  List.of(new Struct(ITEM).put("sku", "s3").put("qty", 3))),
              "super",
              Read.JSON,
              List.of(
                  "[{\"sku\":\"s1\",\"qty\":1},{\"sku\":\"s2\",\"qty\":2}]",
                  "[]",
                  "[{\"sku\":\"s3\",\"qty\":3}]")),
          new TypeCase(
              "string with a default (avro.java.string)",
              "tier",
              withDefault(javaString(), "basic").build(),
              // Avro's reader fills a missing field with its default: a Struct never holds null
              // here
              List.of("gold", "silver", "basic"),
              "character varying(256)",
              Read.TEXT,
              List.of("gold", "silver", "basic")),
          new TypeCase(
              "optional string ([null, string])",
              "note",
              Schema.OPTIONAL_STRING_SCHEMA,
              Arrays.asList("hello", "", null),
              "character varying(256)",
              Read.TEXT,
              Arrays.asList("hello", "", null)),
          new TypeCase(
              "optional int with default null",
              "maybe_count",
              Schema.OPTIONAL_INT32_SCHEMA,
              Arrays.asList(7, Integer.MIN_VALUE, null),
              "integer",
              Read.TEXT,
              Arrays.asList("7", "-2147483648", null)),
          new TypeCase(
              "int (connect.type int16)",
              "small",
              Schema.INT16_SCHEMA,
              List.of((short) -7, Short.MAX_VALUE, (short) 0),
              "smallint",
              Read.TEXT,
              List.of("-7", "32767", "0")),
          new TypeCase(
              "long",
              "big",
              Schema.INT64_SCHEMA,
              List.of(Long.MAX_VALUE, Long.MIN_VALUE, 0L),
              "bigint",
              Read.TEXT,
              List.of("9223372036854775807", "-9223372036854775808", "0")),
          new TypeCase(
              "float",
              "ratio",
              Schema.FLOAT32_SCHEMA,
              List.of(1.5f, -0.25f, 0f),
              "real",
              Read.TEXT,
              List.of("1.5", "-0.25", "0")),
          new TypeCase(
              "double",
              "score",
              Schema.FLOAT64_SCHEMA,
              List.of(2.25d, -1e10d, 0d),
              "double precision",
              Read.TEXT,
              List.of("2.25", "-10000000000", "0")),
          new TypeCase(
              "boolean",
              "active",
              Schema.BOOLEAN_SCHEMA,
              List.of(true, false, true),
              "boolean",
              Read.TEXT,
              List.of("true", "false", "true")));

  /** Connect's value of a Date: {@code days} after 1970-01-01. */
  private static Object day(int days) {
    return Date.toLogical(Date.SCHEMA, days);
  }

  private static Object time(int millisOfDay) {
    return Time.toLogical(Time.SCHEMA, millisOfDay);
  }

  private static Object instant(long epochMillis) {
    return Timestamp.toLogical(Timestamp.SCHEMA, epochMillis);
  }

  private static Struct detail(int i) {
    return new Struct(DETAIL)
        .put("amount", new BigDecimal("12.3" + i))
        .put("at", instant(INSTANT_MS + i))
        .put("day", day(19_782))
        .put("at_time", time(49_530_123))
        .put("blob", new byte[] {(byte) 0xca, (byte) i})
        .put("color", "RED")
        .put("digest", new byte[] {1, (byte) i})
        .put("tags", Map.of("t", i));
  }

  /**
   * The nested record as SUPER: COPY renders Parquet and Avro scalars in Redshift's text forms (hex
   * bytes, {@code YYYY-MM-DD HH:MI:SS.US+00} timestamps); a JSON Lines file carries the connector's
   * JSON (base64 bytes, ISO-8601 instants), which COPY keeps as is.
   */
  private static Map<FileFormat, List<String>> detailJson() {
    Map<FileFormat, List<String>> out = new EnumMap<>(FileFormat.class);
    for (FileFormat format : FileFormat.values()) {
      List<String> rows = new ArrayList<>();
      for (int i = 0; i < ROWS; i++) {
        boolean jsonl = format == FileFormat.JSONL;
        String millis = Integer.toString(123 + i);
        rows.add(
            "{\"amount\":12.3"
                + i
                + ",\"at\":\""
                + (jsonl
                    ? "2024-02-29T13:45:30." + millis + "Z"
                    : "2024-02-29 13:45:30." + millis + "000+00")
                + "\",\"day\":\"2024-02-29\",\"at_time\":\"13:45:30.123\",\"blob\":\""
                + (jsonl
                    ? Base64.getEncoder().encodeToString(new byte[] {(byte) 0xca, (byte) i})
                    : "ca0" + i)
                + "\",\"color\":\"RED\",\"digest\":\""
                + (jsonl ? Base64.getEncoder().encodeToString(new byte[] {1, (byte) i}) : "010" + i)
                + "\",\"tags\":{\"t\":"
                + i
                + "}}");
      }
      out.put(format, rows);
    }
    return out;
  }

  private static Map<FileFormat, List<String>> sameInEveryFormat(List<String> expected) {
    Map<FileFormat, List<String>> out = new EnumMap<>(FileFormat.class);
    for (FileFormat format : FileFormat.values()) {
      out.put(format, expected);
    }
    return out;
  }

  private static Map<String, Schema> branches(String n1, Schema s1, String n2, Schema s2) {
    Map<String, Schema> m = new LinkedHashMap<>();
    m.put(n1, s1);
    m.put(n2, s2);
    return m;
  }
}
