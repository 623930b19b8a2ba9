package io.redstage.loader.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdentifiersTest {
  @Test
  void foldsAsciiLettersOnlyAndQuotes() {
    assertThat(Identifiers.fold("OrderID", "c")).isEqualTo("orderid");
    assertThat(Identifiers.fold("Straße", "c")).isEqualTo("straße");
    assertThat(Identifiers.quote("user")).isEqualTo("\"user\"");
  }

  @Test
  void hostileNameStaysOneIdentifier() {
    String hostile = "x\"; DROP TABLE users; --";
    String quoted = Identifiers.foldAndQuote(hostile, "column");
    assertThat(quoted).isEqualTo("\"x\"\"; drop table users; --\"");
    // the quoted form has an even number of quotes inside: it cannot terminate early
    String inner = quoted.substring(1, quoted.length() - 1);
    assertThat(inner.replace("\"\"", "")).doesNotContain("\"");
  }

  @Test
  void rejectsControlCharactersEmptyAndTooLong() {
    assertThatThrownBy(() -> Identifiers.fold("a\u0000b", "column 'a'"))
        .hasMessageContaining("non-printable")
        .hasMessageContaining("U+0000");
    assertThatThrownBy(() -> Identifiers.fold("a\nb", "column"))
        .hasMessageContaining("non-printable");
    assertThatThrownBy(() -> Identifiers.fold("", "column"))
        .hasMessageStartingWith("Cannot use an empty name");
    assertThatThrownBy(() -> Identifiers.fold("é".repeat(64), "column"))
        .hasMessageContaining("128 bytes");
    assertThat(Identifiers.fold("a".repeat(127), "column")).hasSize(127);
  }

  @Test
  void literalsRefuseBackslashAndEscapeQuotes() {
    assertThat(SqlText.literal("it's")).isEqualTo("'it''s'");
    assertThatThrownBy(() -> SqlText.literal("a\\'b")).hasMessageContaining("backslash");
    assertThat(SqlText.sanitizedLiteral("bad \\' value\nline", 100))
        .isEqualTo("'bad /'' value line'");
    assertThat(SqlText.sanitizedLiteral("x".repeat(50), 10)).isEqualTo("'" + "x".repeat(10) + "'");
    assertThat(SqlText.sanitizedLiteral("\u20ac".repeat(2000), 3900))
        .as("capped by UTF-8 bytes: a VARCHAR(4000) holds it")
        .isEqualTo("'" + "\u20ac".repeat(1300) + "'");
  }

  @Test
  void tableRefParsesQualifiedNames() {
    assertThat(TableRef.parse("Sales.Orders", "public").sql()).isEqualTo("\"sales\".\"orders\"");
    assertThat(TableRef.parse("orders", "public").name()).isEqualTo("public.orders");
  }
}
