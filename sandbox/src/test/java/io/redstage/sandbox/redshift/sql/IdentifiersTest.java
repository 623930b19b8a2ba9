package io.redstage.sandbox.redshift.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Redshift's identifier rules against the examples and rules of the Database Developer Guide's
 * "Names and identifiers" page (r_names). Each row: how the name is written in SQL, the name the
 * database stores, and where the case comes from.
 */
class IdentifiersTest {
  static Stream<Arguments> documentedNames() {
    return Stream.of(
        // the page's table of delimited identifier examples
        Arguments.of("\"group\"", "group", "example: a reserved word needs double quotes"),
        Arguments.of("\"\"\"WHERE\"\"\"", "\"where\"", "example: doubled quotes become part of it"),
        Arguments.of("\"This name\"", "this name", "example: quotes keep the space"),
        Arguments.of("\"This \"\"IS IT\"\"\"", "this \"is it\"", "example: quotes inside a name"),
        // the page's rules
        Arguments.of("OrderID", "orderid", "standard: ASCII letters fold to lowercase"),
        Arguments.of("\"OrderID\"", "orderid", "delimited: enable_case_sensitive_identifier off"),
        Arguments.of("_tmp$1", "_tmp$1", "standard: underscore first, then digits and dollar"),
        Arguments.of("日付", "日付", "standard: UTF-8 multibyte characters are allowed"),
        Arguments.of("\"ÄPFEL\"", "Äpfel", "only ASCII letters fold; other letters keep case"),
        Arguments.of("\"50% off\"", "50% off", "delimited: otherwise illegal characters"));
  }

  @ParameterizedTest(name = "{0} -> {1} ({2})")
  @MethodSource("documentedNames")
  void aNameWrittenInSqlIsStoredAsDocumented(String written, String stored, String rule) {
    List<Token> tokens = SqlLexer.lex(written);
    assertThat(tokens).as("one identifier token").hasSize(1);
    assertThat(tokens.get(0).isIdentifier()).isTrue();
    assertThat(tokens.get(0).identifierName()).isEqualTo(stored);
    // what reaches PostgreSQL: delimited names folded and re-quoted, standard names as written
    // (PostgreSQL folds those itself the same way)
    Token normalized = Identifiers.normalize(tokens).get(0);
    assertThat(normalized.identifierName()).isEqualTo(stored);
  }

  @Test
  void aStandardIdentifierStopsAtACharacterItCannotHold() {
    assertThat(SqlLexer.lex("a-b")).extracting(Token::text).containsExactly("a", "-", "b");
    assertThat(SqlLexer.lex("1abc").get(0).kind()).isEqualTo(Token.Kind.NUMBER);
  }

  @Test
  void namesAreLimitedInBytesNotCharacters() {
    // Redshift allows 127 bytes; the sandbox's PostgreSQL 63, and it refuses rather than cut
    assertThat(normalizedName("a".repeat(63))).hasSize(63);
    assertThat(normalizedName("\"" + "é".repeat(31) + "\"")).hasSize(31); // 62 bytes
    assertThatThrownBy(() -> normalizedName("\"" + "é".repeat(32) + "\""))
        .isInstanceOf(SqlTranslationException.class)
        .hasMessage(
            "ERROR: Cannot use identifier \""
                + "é".repeat(32)
                + "\": it is 64 bytes long. "
                + "Redshift allows 127 bytes (and truncates longer names), but the sandbox's "
                + "PostgreSQL stores at most 63. Use a name of at most 63 bytes.");
    assertThatThrownBy(() -> normalizedName("a".repeat(128)))
        .hasMessageContaining("it is 128 bytes long");
  }

  @Test
  void aDelimitedIdentifierMustBeTerminatedNonEmptyAndPrintable() {
    assertThatThrownBy(() -> normalizedName("\"\""))
        .hasMessage("ERROR: zero-length delimited identifier at or near \"\"\"\"");
    assertThatThrownBy(() -> normalizedName("\"abc"))
        .hasMessage("ERROR: unterminated quoted identifier at or near \"\"abc\"");
    assertThatThrownBy(() -> normalizedName("\"a\tb\""))
        .hasMessageContaining("unprintable character U+0009");
  }

  @Test
  void hashPrefixedNamesAreTempTableNames() {
    assertThat(normalizedName("#stage")).isEqualTo("stage");
  }

  @Test
  void quoteDoublesQuotesSoTheNameReadsBack() {
    String name = "this \"is it\"";
    assertThat(Identifiers.quote(name)).isEqualTo("\"this \"\"is it\"\"\"");
    assertThat(Identifiers.delimitedName(Identifiers.quote(name))).isEqualTo(name);
  }

  private static String normalizedName(String written) {
    return Identifiers.normalize(SqlLexer.lex(written)).get(0).identifierName();
  }
}
