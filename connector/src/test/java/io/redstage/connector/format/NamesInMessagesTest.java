package io.redstage.connector.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamesInMessagesTest {
  @Test
  void controlCharactersAndBrokenSurrogatesAreShownAsEscapes() {
    assertThat(NamesInMessages.quoted("odd\u0000name")).isEqualTo("'odd\\u0000name'");
    assertThat(NamesInMessages.plain("two\nlines")).isEqualTo("two\\u000Alines");
    assertThat(NamesInMessages.plain("half\uD83D")).isEqualTo("half\\uD83D");
    assertThat(NamesInMessages.plain("\uDE00half")).isEqualTo("\\uDE00half");
  }

  @Test
  void printableNamesAndWholeSurrogatePairsAreKept() {
    String name = "caf\u00e9_\uD83D\uDE00";
    assertThat(NamesInMessages.plain(name)).isSameAs(name);
    assertThat(NamesInMessages.quoted(name)).isEqualTo("'" + name + "'");
  }

  @Test
  void longNamesAreCutAndTheirLengthGiven() {
    String name = "a".repeat(300);
    assertThat(NamesInMessages.quoted(name))
        .isEqualTo("'" + "a".repeat(256) + "...' (300 characters)");
    assertThat(NamesInMessages.list(List.of("x\u0000", "y"))).isEqualTo("['x\\u0000', 'y']");
  }
}
