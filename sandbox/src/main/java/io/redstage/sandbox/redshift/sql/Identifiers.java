package io.redstage.sandbox.redshift.sql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Redshift's rules for names, written from the Database Developer Guide's "Names and identifiers"
 * page and its examples (not from the loader's code, so the loader is checked against an
 * independent reading of the same documentation):
 *
 * <ul>
 *   <li>A standard identifier starts with an ASCII letter, an underscore or a UTF-8 multibyte
 *       character; then ASCII letters, digits, underscores, dollar signs or multibyte characters.
 *   <li>A delimited identifier is written between double quotes; it may hold any printable
 *       character, a double quote written twice.
 *   <li>In both, ASCII letters fold to lowercase: {@code enable_case_sensitive_identifier} is off
 *       by default, and the sandbox does not implement turning it on. Other letters keep their
 *       case.
 *   <li>A name is 1 to 127 bytes of UTF-8 (CREATE TABLE truncates longer names to 127 bytes).
 * </ul>
 *
 * <p>PostgreSQL folds unquoted names exactly so (ASCII letters only, for a UTF-8 database), so
 * standard identifiers reach it unchanged; delimited identifiers are folded here. PostgreSQL stores
 * at most 63 bytes per name, so a name of 64 or more bytes, valid (or truncated) in Redshift, is
 * refused with a clear error rather than silently cut to a different name. {@code #name},
 * Redshift's temp-table prefix, becomes {@code name}, which PostgreSQL resolves to the session's
 * temp table first.
 */
public final class Identifiers {
  /** Redshift's limit for a name, in UTF-8 bytes. */
  public static final int REDSHIFT_MAX_BYTES = 127;

  /** The sandbox PostgreSQL's limit for a name, in UTF-8 bytes (NAMEDATALEN 64). */
  public static final int POSTGRES_MAX_BYTES = 63;

  private Identifiers() {}

  /** The first character of a standard identifier: ASCII letter, underscore or non-ASCII. */
  static boolean isStandardStart(char c) {
    return isAsciiLetter(c) || c == '_' || c >= 0x80;
  }

  /** A later character of a standard identifier: also ASCII digits and dollar signs. */
  static boolean isStandardPart(char c) {
    return isStandardStart(c) || (c >= '0' && c <= '9') || c == '$';
  }

  /** Folds ASCII letters to lowercase; other characters keep their case. */
  public static String fold(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      sb.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
    }
    return sb.toString();
  }

  /**
   * The name a delimited identifier's text ({@code "..."}, quotes included) stands for: quotes
   * removed, doubled quotes undone, ASCII letters folded.
   *
   * @throws SqlTranslationException when the identifier is unterminated, empty, or holds a
   *     character that is not printable
   */
  public static String delimitedName(String quoted) {
    if (!quoted.startsWith("\"") || !balanced(quoted)) {
      throw new SqlTranslationException(
          "unterminated quoted identifier at or near \"" + quoted + "\"");
    }
    String name = quoted.substring(1, quoted.length() - 1).replace("\"\"", "\"");
    if (name.isEmpty()) {
      throw new SqlTranslationException("zero-length delimited identifier at or near \"\"\"\"");
    }
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      if (Character.isISOControl(cp)) {
        throw new SqlTranslationException(
            String.format(
                "Cannot use identifier %s: it contains the unprintable character U+%04X. "
                    + "Redshift names hold printable UTF-8 characters only; remove it.",
                quoted, cp));
      }
      i += Character.charCount(cp);
    }
    return fold(name);
  }

  /** The delimited form of a name: in double quotes, with its double quotes doubled. */
  public static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /**
   * Applies the rules to the identifiers of a statement: delimited identifiers are folded and
   * re-quoted, {@code #} temp-table prefixes dropped, and every name's length checked.
   */
  public static List<Token> normalize(List<Token> tokens) {
    List<Token> out = new ArrayList<>(tokens.size());
    for (Token t : tokens) {
      if (t.kind() == Token.Kind.QUOTED_IDENT) {
        out.add(new Token(Token.Kind.QUOTED_IDENT, quote(checkLength(delimitedName(t.text())))));
      } else if (t.kind() == Token.Kind.WORD) {
        String text = t.text().startsWith("#") ? t.text().substring(1) : t.text();
        if (text.isEmpty()) {
          throw new SqlTranslationException("syntax error at or near \"#\"");
        }
        out.add(new Token(Token.Kind.WORD, checkLength(text)));
      } else {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * The name of the CHECK constraint that enforces a byte limit on a column (see {@code
   * CompatSchema}).
   */
  public static String byteLimitConstraint(String column, int limit, boolean binary) {
    return (binary ? "rsvy_" : "rsvb_") + limit + "_" + columnHash(column);
  }

  /** First 8 hex digits of md5(column name), the same as {@code substr(md5(col), 1, 8)} in SQL. */
  public static String columnHash(String column) {
    try {
      byte[] digest =
          MessageDigest.getInstance("MD5").digest(column.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is always available in the JDK", e);
    }
  }

  private static String checkLength(String name) {
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > POSTGRES_MAX_BYTES) {
      throw new SqlTranslationException(
          "Cannot use identifier "
              + quote(name)
              + ": it is "
              + bytes
              + " bytes long. Redshift allows "
              + REDSHIFT_MAX_BYTES
              + " bytes (and truncates longer names), but the sandbox's PostgreSQL stores at most "
              + POSTGRES_MAX_BYTES
              + ". Use a name of at most "
              + POSTGRES_MAX_BYTES
              + " bytes.");
    }
    return name;
  }

  /** True when the quotes inside {@code "..."} pair up, so the last quote closes it. */
  private static boolean balanced(String quoted) {
    int i = 1;
    while (i < quoted.length()) {
      if (quoted.charAt(i) == '"') {
        if (i == quoted.length() - 1) {
          return true;
        }
        if (quoted.charAt(i + 1) != '"') {
          return false;
        }
        i += 2;
      } else {
        i++;
      }
    }
    return false;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
