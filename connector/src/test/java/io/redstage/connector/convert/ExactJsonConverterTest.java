package io.redstage.connector.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Schemaless JSON to Connect values with every number exact, compared with what Kafka's
 * JsonConverter gives.
 */
class ExactJsonConverterTest {
  static final BigInteger TWO_TO_THE_70 = BigInteger.TWO.pow(70);
  static final String FORTY_DIGITS = "12345678901234567890123456789012345678.91";

  private final ExactJsonConverter converter = new ExactJsonConverter();

  @BeforeEach
  void configure() {
    converter.configure(Map.of(), false);
  }

  private Object value(String json) {
    SchemaAndValue converted =
        converter.toConnectData("orders", json.getBytes(StandardCharsets.UTF_8));
    assertThat(converted.schema()).as("schemaless").isNull();
    return converted.value();
  }

  private static Object viaKafkaJsonConverter(String json) {
    JsonConverter kafka = new JsonConverter();
    kafka.configure(Map.of("schemas.enable", "false"), false);
    return kafka.toConnectData("orders", json.getBytes(StandardCharsets.UTF_8)).value();
  }

  @Test
  void kafkaJsonConverterLosesTheNumbersThisConverterKeeps() {
    // The problem this converter exists for: the sink's limits never see the number the producer
    // sent.
    assertThat(viaKafkaJsonConverter(TWO_TO_THE_70.toString())).isEqualTo(0L);
    assertThat(viaKafkaJsonConverter(FORTY_DIGITS)).isEqualTo(1.2345678901234568E37);

    assertThat(value(TWO_TO_THE_70.toString())).isEqualTo(TWO_TO_THE_70);
    assertThat(value(FORTY_DIGITS)).isEqualTo(new BigDecimal(FORTY_DIGITS));
  }

  @Test
  void wholeNumbersAreLongsUpTo64BitsAndBigIntegersBeyond() {
    assertThat(value("42")).isEqualTo(42L);
    assertThat(value("-7")).isEqualTo(-7L);
    assertThat(value("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    assertThat(value("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    assertThat(value("9223372036854775808")).isEqualTo(new BigInteger("9223372036854775808"));
    assertThat(value("-" + TWO_TO_THE_70)).isEqualTo(TWO_TO_THE_70.negate());
  }

  @Test
  void fractionsAreDoublesWhenTheDoubleKeepsTheValueAndExactDecimalsOtherwise() {
    assertThat(value("1.5")).isEqualTo(1.5d);
    assertThat(value("0.1")).isEqualTo(0.1d);
    assertThat(value("19.99")).isEqualTo(19.99d);
    assertThat(value("1e300"))
        .as("a double holds it; as a decimal it would have 301 digits")
        .isEqualTo(1e300);
    assertThat(value("2.5E-7")).isEqualTo(2.5e-7);
    assertThat(value("1.0000000000000001"))
        .as("17 digits: the double would be 1.0")
        .isEqualTo(new BigDecimal("1.0000000000000001"));
    assertThat(value("1e400")).as("beyond double's range").isEqualTo(new BigDecimal("1e400"));
    BigDecimal forty = (BigDecimal) value(FORTY_DIGITS);
    assertThat(forty.toPlainString()).isEqualTo(FORTY_DIGITS);
  }

  @Test
  void nestedObjectsAndArraysKeepKeyOrderAndExactNumbers() {
    Object v =
        value(
            "{\"zeta\":1,\"alpha\":{\"big\":"
                + TWO_TO_THE_70
                + ",\"list\":[1.5,"
                + FORTY_DIGITS
                + ",["
                + TWO_TO_THE_70
                + "]]},\"mid\":null,\"flag\":true,\"text\":\"h\\u00e9\",\"empty\":[]}");

    assertThat(v).isInstanceOf(LinkedHashMap.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> top = (Map<String, Object>) v;
    assertThat(top.keySet()).containsExactly("zeta", "alpha", "mid", "flag", "text", "empty");
    Map<String, Object> alpha = new LinkedHashMap<>();
    alpha.put("big", TWO_TO_THE_70);
    alpha.put("list", Arrays.asList(1.5d, new BigDecimal(FORTY_DIGITS), List.of(TWO_TO_THE_70)));
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("zeta", 1L);
    expected.put("alpha", alpha);
    expected.put("mid", null);
    expected.put("flag", true);
    expected.put("text", "h\u00e9");
    expected.put("empty", List.of());
    assertThat(top).isEqualTo(expected);
    assertThat(((Map<?, ?>) top.get("alpha")).keySet())
        .extracting(Object::toString)
        .containsExactly("big", "list");
  }

  @Test
  void topLevelScalarsAndArraysAreValuesToo() {
    assertThat(value("\"text\"")).isEqualTo("text");
    assertThat(value("false")).isEqualTo(false);
    assertThat(value("null")).isNull();
    assertThat(value("[1, 2.5]")).isEqualTo(List.of(1L, 2.5d));
  }

  @Test
  void nullEmptyAndBlankBytesAreTombstones() {
    assertThat(converter.toConnectData("orders", null)).isEqualTo(SchemaAndValue.NULL);
    assertThat(converter.toConnectData("orders", new byte[0])).isEqualTo(SchemaAndValue.NULL);
    assertThat(converter.toConnectData("orders", " \n\t".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(SchemaAndValue.NULL);
  }

  @Test
  void invalidJsonIsADataExceptionThatSaysWhereAndWhatToDo() {
    assertThatThrownBy(() -> value("{\"id\": 1,\n \"tag\": oops}"))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "Cannot convert the value of a record from topic 'orders' from JSON: Unrecognized "
                + "token (line 2, column ")
        .as("the record's text, maybe a secret, is not quoted")
        .hasMessageNotContaining("oops")
        .hasMessageEndingWith(
            ". Fix the JSON in the producer, or let errors.tolerance=all send such records to the "
                + "dead letter queue.");
    assertThatThrownBy(() -> value("{\"id\": 1"))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "Cannot convert the value of a record from topic 'orders' from JSON: Unexpected "
                + "end-of-input");
    assertThatThrownBy(() -> converter.toConnectData("orders", new byte[] {'"', (byte) 0xC3, '"'}))
        .as("invalid UTF-8")
        .isInstanceOf(DataException.class)
        .hasMessageContaining("Invalid UTF-8");
  }

  @Test
  void whatJsonConverterDropsSilentlyIsAnError() {
    assertThat(viaKafkaJsonConverter("{\"id\":1} {\"id\":2}")).isEqualTo(Map.of("id", 1L));
    assertThat(viaKafkaJsonConverter("{\"id\":1,\"id\":2}")).isEqualTo(Map.of("id", 2L));

    assertThatThrownBy(() -> value("{\"id\":1} {\"id\":2}"))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "Cannot convert the value of a record from topic 'orders' from JSON: more text follows the JSON "
                + "value (line 1, column 10). Send one JSON value per record, or let errors.tolerance=all send such "
                + "records to the dead letter queue.");
    assertThatThrownBy(() -> value("{\"id\":1,\"id\":2}"))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "Cannot convert the value of a record from topic 'orders' from JSON: Duplicate field 'id' "
                + "(line 1, column 13). Fix the JSON in the producer, or let errors.tolerance=all send such records to "
                + "the dead letter queue.");
  }

  @Test
  void keysAreNamedAsKeysInMessages() {
    converter.configure(Map.of(), true);
    assertThatThrownBy(() -> value("nope"))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "Cannot convert the key of a record from topic 'orders' from JSON: ");
  }

  @Test
  void schemaEnvelopesAreRefusedAtConfigure() {
    converter.configure(Map.of("schemas.enable", "false"), false);
    assertThatThrownBy(() -> converter.configure(Map.of("schemas.enable", "true"), false))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Cannot configure ExactJsonConverter with value.converter.schemas.enable=true: it reads plain "
                + "JSON without a schema envelope, whose \"schema\" and \"payload\" would become columns. Remove "
                + "value.converter.schemas.enable, or use org.apache.kafka.connect.json.JsonConverter for JSON with "
                + "schema envelopes.");
  }

  @Test
  void fromConnectDataWritesPlainJsonThatReadsBackTheSame() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("big", TWO_TO_THE_70);
    v.put("exact", new BigDecimal(FORTY_DIGITS));
    v.put("price", 1.5d);
    v.put("tags", List.of("a", "b"));
    v.put("none", null);
    byte[] json = converter.fromConnectData("orders", null, v);

    assertThat(new String(json, StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"big\":"
                + TWO_TO_THE_70
                + ",\"exact\":"
                + FORTY_DIGITS
                + ",\"price\":1.5,\"tags\":[\"a\",\"b\"],\"none\":null}");
    assertThat(converter.toConnectData("orders", json).value()).isEqualTo(v);
    assertThat(converter.fromConnectData("orders", null, null)).isNull();
  }

  @Test
  void fromConnectDataRefusesStructs() {
    Schema schema = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
    assertThatThrownBy(
            () -> converter.fromConnectData("orders", schema, new Struct(schema).put("id", 1L)))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "Cannot convert the value of a record for topic 'orders' to JSON: it is a Struct, and "
                + "ExactJsonConverter writes schemaless values (maps, lists, strings, numbers, booleans). Use "
                + "org.apache.kafka.connect.json.JsonConverter for values with a schema.");
  }
}
