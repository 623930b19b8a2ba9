package io.redstage.connector.convert;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.redstage.connector.Version;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

/**
 * A converter for schemaless JSON that keeps every number exact, for {@code format.class=jsonl}.
 * Kafka's JsonConverter with {@code schemas.enable=false} reads every whole number as a long and
 * every fraction as a double: 2^70 arrives as 0 (its low 64 bits) and a 40-digit decimal arrives
 * rounded, so no check in the sink can see that the producer sent a value Redshift cannot hold.
 * With this converter the sink gets the number as sent and rejects what does not fit (an integer
 * beyond BIGINT, more than 38 digits) with a message naming the record and field.
 *
 * <p>Values: an object becomes a {@code LinkedHashMap} (key order kept), an array an {@code
 * ArrayList}, a whole number a {@code Long} (as JsonConverter gives it, so SMTs and partitioners
 * see the same types) or a {@code BigInteger} beyond 64 bits, a fraction a {@code Double} when the
 * double's shortest text has the value of the JSON text ({@code 1.5}, {@code 0.1}, {@code 1e300}),
 * otherwise a {@code BigDecimal} with the digits as sent; strings, booleans and null as they are. A
 * fraction stays a Double where it can because a double is what the warehouse column (DOUBLE
 * PRECISION) holds, and a BigDecimal of {@code 1e300} would count 301 digits and be rejected as too
 * wide for DECIMAL. Null, empty or whitespace-only bytes give a null value (a tombstone).
 *
 * <p>What JsonConverter lets through silently is an error here, so that the record goes where
 * {@code errors.tolerance} sends it: text that is not JSON, more text after the value, and an
 * object that repeats a key (a value would be lost). Stateless after {@link #configure}; safe for
 * the task's converter thread.
 */
public class ExactJsonConverter implements Converter, Versioned {
  /**
   * The JsonConverter setting that makes no sense here: envelopes would become columns "schema" and
   * "payload".
   */
  private static final String SCHEMAS_ENABLE = "schemas.enable";

  private static final String TO_DLQ =
      "or let errors.tolerance=all send such records to the dead letter queue.";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();
  private static final ObjectReader READER = MAPPER.readerFor(Object.class);

  private String part = "value";

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    part = isKey ? "key" : "value";
    Object schemas = configs.get(SCHEMAS_ENABLE);
    if (schemas != null && Boolean.parseBoolean(schemas.toString().trim())) {
      String key = part + ".converter." + SCHEMAS_ENABLE;
      throw new ConfigException(
          "Cannot configure "
              + getClass().getSimpleName()
              + " with "
              + key
              + "="
              + schemas
              + ": it reads plain JSON without a schema envelope, whose \"schema\" and \"payload\" would become columns. "
              + "Remove "
              + key
              + ", or use org.apache.kafka.connect.json.JsonConverter for JSON with schema envelopes.");
    }
  }

  @Override
  public SchemaAndValue toConnectData(String topic, byte[] value) {
    if (value == null) {
      return SchemaAndValue.NULL;
    }
    try (JsonParser parser = MAPPER.createParser(value)) {
      if (parser.nextToken() == null) {
        return SchemaAndValue.NULL;
      }
      Object parsed = READER.readValue(parser);
      if (parser.nextToken() != null) {
        throw cannotRead(
            topic,
            "more text follows the JSON value" + at(parser.currentTokenLocation()),
            "Send one JSON value per record, ");
      }
      return new SchemaAndValue(null, exactNumbers(parsed));
    } catch (JsonProcessingException e) {
      throw cannotRead(
          topic,
          withoutRecordText(e.getOriginalMessage()) + at(e.getLocation()),
          "Fix the JSON in the producer, ");
    } catch (IOException e) {
      throw cannotRead(topic, e.getMessage(), "Fix the JSON in the producer, ");
    }
  }

  @Override
  public byte[] fromConnectData(String topic, Schema schema, Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Struct) {
      throw new DataException(
          "Cannot convert the "
              + part
              + " of a record for topic '"
              + topic
              + "' to JSON: it is "
              + "a Struct, and "
              + getClass().getSimpleName()
              + " writes schemaless values (maps, lists, strings, "
              + "numbers, booleans). Use org.apache.kafka.connect.json.JsonConverter for values with a schema.");
    }
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new DataException(
          "Cannot convert the "
              + part
              + " of a record for topic '"
              + topic
              + "' to JSON: "
              + e.getOriginalMessage()
              + ". Send maps, lists, strings, numbers and booleans only.",
          e);
    }
  }

  private DataException cannotRead(String topic, String why, String fix) {
    return new DataException(
        "Cannot convert the "
            + part
            + " of a record from topic '"
            + topic
            + "' from JSON: "
            + why
            + ". "
            + fix
            + TO_DLQ);
  }

  /**
   * What Jackson says is wrong, without the text it quotes from the record ("Unrecognized token
   * 'sk_live_…'": a value, maybe a secret, in the worker's log, the task's status and the dead
   * letter queue's headers). A repeated key keeps its name: a field name, which fixing the producer
   * needs.
   */
  static String withoutRecordText(String jacksonMessage) {
    if (jacksonMessage == null) {
      return "not valid JSON";
    }
    if (jacksonMessage.startsWith("Duplicate field ")) {
      return jacksonMessage;
    }
    int cut = jacksonMessage.length();
    for (char c : new char[] {'\'', '"', '(', ':', '\n'}) {
      int i = jacksonMessage.indexOf(c);
      if (i >= 0 && i < cut) {
        cut = i;
      }
    }
    String kind = jacksonMessage.substring(0, cut).trim();
    return kind.isEmpty() ? "not valid JSON" : kind;
  }

  private static String at(JsonLocation location) {
    return location == null
        ? ""
        : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }

  /**
   * Replaces, in place, each Integer by a Long and each BigDecimal whose value a double holds by
   * that double, and returns {@code v} or its replacement. Jackson gives Integer, Long or
   * BigInteger by size (its USE_LONG_FOR_INTS would fail on a BigInteger) and, with
   * USE_BIG_DECIMAL_FOR_FLOATS, every fraction as a BigDecimal; its maps and lists are mutable.
   */
  @SuppressWarnings("unchecked")
  private static Object exactNumbers(Object v) {
    if (v instanceof Integer) {
      return ((Integer) v).longValue();
    }
    if (v instanceof BigDecimal) {
      return fraction((BigDecimal) v);
    }
    if (v instanceof Map) {
      for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
        e.setValue(exactNumbers(e.getValue()));
      }
    } else if (v instanceof List) {
      for (ListIterator<Object> it = ((List<Object>) v).listIterator(); it.hasNext(); ) {
        it.set(exactNumbers(it.next()));
      }
    }
    return v;
  }

  /**
   * The double when its shortest text has the value of {@code d} (so writing it keeps the number),
   * else {@code d}.
   */
  private static Number fraction(BigDecimal d) {
    double x = d.doubleValue();
    if (Double.isFinite(x) && new BigDecimal(Double.toString(x)).compareTo(d) == 0) {
      return x;
    }
    return d;
  }
}
