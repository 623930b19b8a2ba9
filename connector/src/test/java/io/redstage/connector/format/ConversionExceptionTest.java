package io.redstage.connector.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How error paths name map entries: by a key that reads as a name, else by position. */
class ConversionExceptionTest {
  private static String path(Object key, boolean asField) {
    return new ConversionException("x").inEntry(key, 3, asField).inField("attrs").path();
  }

  @Test
  void aKeyThatReadsAsANameNamesItsEntry() {
    assertThat(path("country", false)).isEqualTo("attrs[country]");
    assertThat(path("country", true)).isEqualTo("attrs.country");
  }

  @Test
  void aKeyThatMayBeDataIsLeftOut() {
    assertThat(path("k".repeat(65), false)).isEqualTo("attrs[entry 3]");
    assertThat(path("bad\u0000key", true)).isEqualTo("attrs[entry 3]");
    assertThat(path("line\nbreak", false)).isEqualTo("attrs[entry 3]");
    assertThat(path("half \ud800", false)).isEqualTo("attrs[entry 3]");
    assertThat(path("", false)).isEqualTo("attrs[entry 3]");
    assertThat(path(null, false)).as("a key that is not a string").isEqualTo("attrs[entry 3]");
    assertThat(path("k".repeat(64), false)).isEqualTo("attrs[" + "k".repeat(64) + "]");
  }

  /**
   * A Struct of another schema than its field's is named with both schemas' fields, within the
   * limits of other names in messages: a schema of thousands of fields made a message (and dead
   * letter queue headers) of all their names.
   */
  @Test
  void aStructOfAnotherSchemaNamesTheSchemasWithinLimits() {
    org.apache.kafka.connect.data.SchemaBuilder wide =
        org.apache.kafka.connect.data.SchemaBuilder.struct().name("n".repeat(1_000));
    for (int i = 0; i < 5_000; i++) {
      wide.field("field_" + i, org.apache.kafka.connect.data.Schema.OPTIONAL_INT32_SCHEMA);
    }
    org.apache.kafka.connect.data.Schema declared = wide.build();
    org.apache.kafka.connect.data.Schema other =
        org.apache.kafka.connect.data.SchemaBuilder.struct()
            .name("Other")
            .field("id", org.apache.kafka.connect.data.Schema.INT64_SCHEMA)
            .build();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ValueChecks.struct(declared, new org.apache.kafka.connect.data.Struct(other)))
        .isInstanceOf(ConversionException.class)
        .hasMessageContaining("and 4980 more")
        .hasMessageContaining("but the Struct has schema Other with fields ['id']")
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(1_000));
  }
}
