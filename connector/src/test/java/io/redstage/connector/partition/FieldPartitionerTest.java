package io.redstage.connector.partition;

import static io.redstage.connector.partition.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

class FieldPartitionerTest {
  private static final Schema ORDER =
      SchemaBuilder.struct()
          .name("Order")
          .field("id", Schema.INT64_SCHEMA)
          .field("country", Schema.STRING_SCHEMA)
          .field(
              "address",
              SchemaBuilder.struct()
                  .name("Address")
                  .optional()
                  .field("city", Schema.OPTIONAL_STRING_SCHEMA)
                  .field("zip", Schema.INT32_SCHEMA)
                  .build())
          .field("amount", Decimal.schema(2))
          .field("paid", Schema.BOOLEAN_SCHEMA)
          .field("created", Timestamp.SCHEMA)
          .field("day", org.apache.kafka.connect.data.Date.SCHEMA)
          .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
          .build();

  private static Struct order(String country, String city) {
    Struct address =
        new Struct(ORDER.field("address").schema()).put("city", city).put("zip", 10115);
    return new Struct(ORDER)
        .put("id", 7L)
        .put("country", country)
        .put("address", address)
        .put("amount", new BigDecimal("12.50"))
        .put("paid", true)
        .put("created", Date.from(Instant.parse("2024-01-02T13:45:00Z")))
        .put("day", Date.from(Instant.parse("2024-01-02T00:00:00Z")))
        .put("tags", Arrays.asList("a", "b"));
  }

  private static Partitioner partitioner(String... fields) {
    return Partitioners.create(
        TestPartitionerSettings.builder().type("field").fieldNames(List.of(fields)).build());
  }

  @Test
  void oneOrMoreFieldsIncludingNestedOnes() {
    assertThat(partitioner("country").encodePartition(record(ORDER, order("DE", "Berlin")), 0))
        .isEqualTo("country=DE");
    assertThat(
            partitioner("country", "address.city")
                .encodePartition(record(ORDER, order("DE", "Berlin")), 0))
        .isEqualTo("country=DE/address.city=Berlin");
  }

  @Test
  void numbersBooleansDecimalsAndDatesAreWrittenAsText() {
    Partitioner p = partitioner("id", "address.zip", "amount", "paid", "created", "day");

    assertThat(p.encodePartition(record(ORDER, order("DE", "Berlin")), 0))
        .isEqualTo(
            "id=7/address.zip=10115/amount=12.50/paid=true/created=2024-01-02T13%3A45%3A00Z/day=2024-01-02");
  }

  /**
   * A whole number beyond a long in schemaless JSON arrives as a BigInteger (ExactJsonConverter):
   * it names a folder like any number, where it was refused as "not a string, number or boolean".
   */
  @Test
  void aWholeNumberBeyondALongIsWrittenInItsDigits() {
    Map<String, Object> value = new HashMap<>();
    value.put("n", new java.math.BigInteger("123456789012345678901234567890"));

    assertThat(partitioner("n").encodePartition(record(null, value), 0))
        .isEqualTo("n=123456789012345678901234567890");
  }

  /**
   * An explicit null in an optional field with a default is null in the row (the writers keep it),
   * so it is null for the partitioner too: such a record is set aside like any null partition
   * field, instead of going under the default's folder with a null in its row.
   */
  @Test
  void anExplicitNullIsNotReadAsTheFieldsDefault() {
    Schema schema =
        SchemaBuilder.struct()
            .name("Visit")
            .field("region", SchemaBuilder.string().optional().defaultValue("eu").build())
            .build();
    Partitioner p = partitioner("region");

    assertThat(p.encodePartition(record(schema, new Struct(schema).put("region", "us")), 0))
        .isEqualTo("region=us");
    assertThatThrownBy(
            () -> p.encodePartition(record(schema, new Struct(schema).put("region", null)), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("'region' is null");
  }

  @Test
  void schemalessMapValuesAreSupportedWithNestedKeys() {
    Map<String, Object> address = new HashMap<>();
    address.put("city", "Paris");
    Map<String, Object> value = new HashMap<>();
    value.put("country", "FR");
    value.put("address", address);
    value.put("n", 5L);

    assertThat(partitioner("country", "address.city", "n").encodePartition(record(null, value), 0))
        .isEqualTo("country=FR/address.city=Paris/n=5");
  }

  @Test
  void reservedCharactersAreEncodedSoValuesCannotAddPathLevels() {
    Partitioner p = partitioner("address.city");

    assertThat(p.encodePartition(record(ORDER, order("DE", "a/b")), 0))
        .isEqualTo("address.city=a%2Fb");
    assertThat(p.encodePartition(record(ORDER, order("DE", "../x=y")), 0))
        .isEqualTo("address.city=..%2Fx%3Dy");
    assertThat(p.encodePartition(record(ORDER, order("DE", "50% off #1?")), 0))
        .isEqualTo("address.city=50%25 off %231%3F");
    assertThat(p.encodePartition(record(ORDER, order("DE", "tab\there")), 0))
        .isEqualTo("address.city=tab%09here");
    assertThat(p.encodePartition(record(ORDER, order("DE", "São Paulo")), 0))
        .isEqualTo("address.city=São Paulo");
    assertThat(p.encodePartition(record(ORDER, order("DE", "")), 0)).isEqualTo("address.city=");
  }

  @Test
  void customDirectoryDelimiterJoinsFieldsAndIsEncodedInValues() {
    Partitioner p =
        Partitioners.create(
            TestPartitionerSettings.builder()
                .type("field")
                .fieldNames(List.of("country", "address.city"))
                .directoryDelim("-")
                .build());

    assertThat(p.encodePartition(record(ORDER, order("DE", "Halle-Neustadt")), 0))
        .isEqualTo("country=DE-address.city=Halle%2DNeustadt");
  }

  @Test
  void missingFieldNamesRecordAndFieldPath() {
    assertThatThrownBy(
            () ->
                partitioner("address.street")
                    .encodePartition(record(ORDER, order("DE", "Berlin")), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/42")
        .hasMessageContaining("'address.street' is missing")
        .hasMessageContaining("['city', 'zip']")
        .hasMessageContaining("partition.field.name");
    assertThatThrownBy(
            () -> partitioner("region").encodePartition(record(null, Map.of("country", "DE")), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/42")
        .hasMessageContaining("'region' is missing")
        .hasMessageContaining("country");
  }

  @Test
  void aMapWithManyLongKeysIsNamedShortlyWhenTheFieldIsMissing() {
    Map<String, Object> value = new LinkedHashMap<>();
    for (int i = 0; i < 100; i++) {
      value.put(i + "k".repeat(100_000), i);
    }
    assertThatThrownBy(() -> partitioner("region").encodePartition(record(null, value), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("'region' is missing")
        .hasMessageContaining("(100001 characters)")
        .hasMessageContaining(", and 80 more]")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(10_000));
  }

  @Test
  void aNumberWhosePlainTextCannotBeBuiltIsADataError() {
    // its plain text would have 2,147,483,648 digits: toPlainString throws or runs out of memory
    Map<String, Object> value = Map.of("region", new BigDecimal("1e2147483647"));
    assertThatThrownBy(() -> partitioner("region").encodePartition(record(null, value), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/42")
        .hasMessageContaining("a number of 2147483648 digits");
    assertThat(
            partitioner("region")
                .encodePartition(record(null, Map.of("region", new BigDecimal("1e3"))), 0))
        .isEqualTo("region=1000");
  }

  @Test
  void nullFieldsAndTombstonesAreDataErrors() {
    assertThatThrownBy(
            () -> partitioner("address.city").encodePartition(record(ORDER, order("DE", null)), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/42")
        .hasMessageContaining("'address.city' is null");
    Struct noAddress = order("DE", "x").put("address", null);
    assertThatThrownBy(
            () -> partitioner("address.city").encodePartition(record(ORDER, noAddress), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("field 'address' is null");
    assertThatThrownBy(() -> partitioner("country").encodePartition(record(ORDER, null), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/42")
        .hasMessageContaining("tombstone");
  }

  @Test
  void nonPrimitiveValuesAreRejected() {
    assertThatThrownBy(
            () -> partitioner("tags").encodePartition(record(ORDER, order("DE", "Berlin")), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/42")
        .hasMessageContaining("string, number or boolean");
    assertThatThrownBy(
            () ->
                partitioner("country.code")
                    .encodePartition(record(ORDER, order("DE", "Berlin")), 0))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("field 'country' is a String, not a struct or map");
  }

  @Test
  void invalidFieldSettingsAreConfigErrors() {
    assertThatThrownBy(
            () -> Partitioners.create(TestPartitionerSettings.builder().type("field").build()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("partition.field.name is empty");
    assertThatThrownBy(() -> partitioner("a..b"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("empty segment");
  }
}
