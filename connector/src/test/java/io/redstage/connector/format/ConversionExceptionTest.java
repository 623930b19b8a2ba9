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
}
