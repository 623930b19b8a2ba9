package io.redstage.examples.badinput;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the good records and the poison of {@link PoisonKind} for one format. Parquet and Avro get
 * JsonConverter envelopes {@code {"schema": ..., "payload": ...}} (Connect types and logical
 * types); JSON Lines gets the bare payload, with timestamps and dates as ISO text. A poison record
 * is a good record with one thing changed.
 */
final class Records {
  static final ObjectMapper JSON = new ObjectMapper();

  /** 130 bytes: longer than the 127 bytes a Redshift identifier holds. */
  static final String LONG_NAME = "long_" + "n".repeat(125);

  static final BigDecimal DECIMAL_40_DIGITS =
      new BigDecimal("1234567890123456789012345678901234567890").movePointLeft(2);
  static final BigInteger TWO_POW_70 = BigInteger.TWO.pow(70);
  static final String OVERSIZE_FOR_TABLE = "y".repeat(300);
  static final String WIDE_TAG = "\u20ac".repeat(11_000);
  private static final String SURROGATE_TOKEN = "@@lone-surrogate@@";
  private static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");
  private static final LocalDate D0 = LocalDate.of(2024, 1, 1);
  private static final long YEAR_300000_MILLIS =
      LocalDate.of(300_000, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
  private static final LocalDate YEAR_MINUS_5000 = LocalDate.of(-5000, 1, 1);

  private final Format format;

  Records(Format format) {
    this.format = format;
  }

  /** Good record number {@code i}: a unique id and one value of every tested type. */
  Produced good(int i, int partition) {
    Row r = row(i);
    return r.build(null, r.id, partition);
  }

  /** The poison record of {@code kind}, built around good-record values with id {@code id}. */
  Produced poison(PoisonKind kind, long id, int partition) {
    Row r = new Row(id, (int) (id % 1000));
    switch (kind) {
      case OVERSIZE_STRING:
        r.set("name", "x".repeat(100_000));
        break;
      case NUL_IN_STRING:
        r.set("name", "nul\u0000byte");
        break;
      case LONE_SURROGATE:
        r.set("name", SURROGATE_TOKEN);
        break;
      case DECIMAL_40:
        decimal(r.fieldSchema("amount"), 40);
        r.payload.put("amount", DECIMAL_40_DIGITS);
        r.columns.put("amount", DECIMAL_40_DIGITS);
        break;
      case LONG_FIELD_NAME:
        r.add(LONG_NAME, primitive("string"), JSON.getNodeFactory().textNode("v"), "v");
        break;
      case FOLDED_NAMES:
        r.add("Id", primitive("int64"), JSON.getNodeFactory().numberNode(-7L), -7L);
        break;
      case TIMESTAMP_YEAR_300000:
        if (format.schemas) {
          r.payload.put("ts", YEAR_300000_MILLIS);
        } else {
          r.set("ts", Instant.ofEpochMilli(YEAR_300000_MILLIS).toString());
        }
        break;
      case DATE_YEAR_MINUS_5000:
        if (format.schemas) {
          r.payload.put("day", (int) YEAR_MINUS_5000.toEpochDay());
        } else {
          r.set("day", YEAR_MINUS_5000.toString());
        }
        break;
      case TOMBSTONE:
        return new Produced(format, kind, id, partition, null, Map.of());
      case MALFORMED_JSON:
        return new Produced(
            format,
            kind,
            id,
            partition,
            ("{\"id\": " + id + ", \"name\": ").getBytes(StandardCharsets.UTF_8),
            Map.of());
      case METADATA_NAME_CLASH:
        r.add(
            "kafka_offset", primitive("int64"), JSON.getNodeFactory().numberNode(424242L), 424242L);
        break;
      case EMPTY_STRUCT:
        ObjectNode empty = struct();
        empty.put("optional", true);
        r.add("extra", empty, JSON.createObjectNode(), JSON.createObjectNode());
        break;
      case NEW_FIELDS:
        r.add(
            "note",
            primitive("string"),
            JSON.getNodeFactory().textNode("note-" + id),
            "note-" + id);
        r.add("score", primitive("double"), JSON.getNodeFactory().numberNode(9.75), 9.75);
        break;
      case NON_OBJECT_NUMBER:
        return nonObject(
            kind,
            partition,
            JSON.getNodeFactory().numberNode(42),
            42L,
            (ObjectNode) JSON.createObjectNode().put("type", "int32").put("optional", false));
      case NON_OBJECT_ARRAY:
        ObjectNode arraySchema =
            JSON.createObjectNode().put("type", "array").put("optional", false);
        arraySchema.set("items", primitive("int32"));
        return nonObject(
            kind, partition, JSON.createArrayNode(), JSON.createArrayNode(), arraySchema);
      case BIG_INTEGER:
        r.add("big", primitive("int64"), JSON.getNodeFactory().numberNode(TWO_POW_70), TWO_POW_70);
        break;
      case WIDE_NESTED_TEXT:
        ObjectNode tagsSchema = JSON.createObjectNode().put("type", "array").put("optional", true);
        tagsSchema.set("items", primitive("string").put("optional", false));
        ArrayNode tags = JSON.createArrayNode().add(WIDE_TAG).add(WIDE_TAG);
        r.add("tags", tagsSchema, tags, tags);
        break;
      case TYPE_CHANGE:
        r.fieldSchema("qty").put("type", "string");
        r.set("qty", "twelve");
        break;
      case SPACE_IN_NAME:
        r.add(
            "Order Id",
            primitive("string"),
            JSON.getNodeFactory().textNode("ord-" + id),
            "ord-" + id);
        r.columns.put("order_id", r.columns.remove("Order Id"));
        break;
      case OVERSIZE_FOR_TABLE:
        r.set("name", OVERSIZE_FOR_TABLE);
        break;
      default:
        throw new IllegalArgumentException(
            "Cannot build poison kind " + kind + ": no recipe. Add one to Records.poison.");
    }
    return r.build(kind, id, partition);
  }

  private Produced nonObject(
      PoisonKind kind, int partition, JsonNode payload, Object expected, ObjectNode schema) {
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("value", expected);
    return new Produced(format, kind, null, partition, bytes(schema, payload), columns);
  }

  private Row row(int i) {
    return new Row(format.ordinal() * 1_000_000L + i + 1, i);
  }

  private byte[] bytes(ObjectNode schema, JsonNode payload) {
    String text;
    if (format.schemas) {
      ObjectNode envelope = JSON.createObjectNode();
      envelope.set("schema", schema);
      envelope.set("payload", payload);
      text = envelope.toString();
    } else {
      text = payload.toString();
    }
    // Jackson will not write a lone surrogate; a producer's hand-made JSON will: the escape is
    // spliced in as text.
    return text.replace("\"" + SURROGATE_TOKEN + "\"", "\"lone \\ud800 surrogate\"")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static ObjectNode primitive(String type) {
    return JSON.createObjectNode().put("type", type).put("optional", true);
  }

  private static ObjectNode struct() {
    ObjectNode s = JSON.createObjectNode().put("type", "struct").put("optional", false);
    s.putArray("fields");
    return s;
  }

  private static ObjectNode decimal(ObjectNode f, int precision) {
    f.put("type", "bytes").put("name", "org.apache.kafka.connect.data.Decimal").put("version", 1);
    f.putObject("parameters")
        .put("scale", "2")
        .put("connect.decimal.precision", Integer.toString(precision));
    return f;
  }

  private static ObjectNode logical(String type, String name) {
    return primitive(type).put("name", name).put("version", 1);
  }

  /**
   * One value under construction: its schema (for envelopes), payload, and the columns its row must
   * show.
   */
  private final class Row {
    final long id;
    final ObjectNode schema = struct();
    final ObjectNode payload = JSON.createObjectNode();
    final Map<String, Object> columns = new LinkedHashMap<>();

    Row(long id, int i) {
      this.id = id;
      schema.put("name", "redstage.badinput.Row");
      add(
          "id",
          primitive("int64").put("optional", false),
          JSON.getNodeFactory().numberNode(id),
          id);
      String name = "name-" + id + "-\u00fc\u20ac";
      add("name", primitive("string"), JSON.getNodeFactory().textNode(name), name);
      add("qty", primitive("int32"), JSON.getNodeFactory().numberNode(i % 50), (long) (i % 50));
      double price = i * 1.25 + 0.5;
      add("price", primitive("double"), JSON.getNodeFactory().numberNode(price), price);
      BigDecimal amount = BigDecimal.valueOf(i * 37L + 5, 2);
      add(
          "amount",
          decimal(primitive("bytes"), 10),
          format.schemas
              ? JSON.getNodeFactory().numberNode(amount)
              : JSON.getNodeFactory().numberNode(amount.doubleValue()),
          amount);
      Instant ts = T0.plusSeconds(i * 61L).plusMillis(i % 1000);
      add(
          "ts",
          logical("int64", "org.apache.kafka.connect.data.Timestamp"),
          format.schemas
              ? JSON.getNodeFactory().numberNode(ts.toEpochMilli())
              : JSON.getNodeFactory().textNode(ts.toString()),
          ts);
      LocalDate day = D0.plusDays(i);
      add(
          "day",
          logical("int32", "org.apache.kafka.connect.data.Date"),
          format.schemas
              ? JSON.getNodeFactory().numberNode((int) day.toEpochDay())
              : JSON.getNodeFactory().textNode(day.toString()),
          day);
      add(
          "active",
          primitive("boolean"),
          JSON.getNodeFactory().booleanNode(i % 3 == 0),
          i % 3 == 0);
      ObjectNode addressSchema = struct().put("optional", true);
      ArrayNode addressFields = (ArrayNode) addressSchema.get("fields");
      addressFields.add(primitive("string").put("field", "city"));
      addressFields.add(primitive("int32").put("field", "zip"));
      ObjectNode address =
          JSON.createObjectNode().put("city", "city-" + (i % 7)).put("zip", 10_000 + i);
      add("address", addressSchema, address, address);
    }

    void add(String field, ObjectNode fieldSchema, JsonNode value, Object expected) {
      ((ArrayNode) schema.get("fields")).add(fieldSchema.put("field", field));
      payload.set(field, value);
      columns.put(field, expected);
    }

    /** Replaces a value of the same type (text in the payload and the expected column). */
    void set(String field, String value) {
      payload.put(field, value);
      columns.put(field, value);
    }

    /** The schema of a field, to change in place. */
    ObjectNode fieldSchema(String field) {
      for (JsonNode f : schema.get("fields")) {
        if (f.get("field").asText().equals(field)) {
          return (ObjectNode) f;
        }
      }
      throw new IllegalArgumentException("Cannot find field " + field + " in the row schema.");
    }

    Produced build(PoisonKind kind, long recordId, int partition) {
      return new Produced(format, kind, recordId, partition, bytes(schema, payload), columns);
    }
  }
}
