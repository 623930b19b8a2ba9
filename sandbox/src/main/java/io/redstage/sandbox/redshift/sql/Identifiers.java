package io.redstage.sandbox.redshift.sql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Redshift's identifier rules applied to a token list: ASCII letters fold to lowercase even inside
 * double quotes (Redshift's default, {@code enable_case_sensitive_identifier=false}); names longer
 * than 127 bytes are truncated to 127 bytes as Redshift does; {@code #name} (Redshift's temp-table
 * prefix) becomes {@code name}, which PostgreSQL resolves to the session's temp table first.
 *
 * <p>PostgreSQL stores at most 63 bytes per identifier (NAMEDATALEN 64 in the Maven Central
 * binaries), so a name of 64..127 bytes, valid in Redshift, cannot be stored here: it fails with a
 * clear error rather than being silently truncated to a different name.
 */
public final class Identifiers {
  /** Redshift's identifier limit in bytes. */
  public static final int REDSHIFT_MAX_BYTES = 127;

  /** PostgreSQL's identifier limit in bytes. */
  public static final int POSTGRES_MAX_BYTES = 63;

  private Identifiers() {}

  public static List<Token> normalize(List<Token> tokens) {
    List<Token> out = new ArrayList<>(tokens.size());
    for (Token t : tokens) {
      if (t.kind() == Token.Kind.QUOTED_IDENT) {
        String name = checkLength(foldAscii(t.identifierName()));
        out.add(new Token(Token.Kind.QUOTED_IDENT, quote(name)));
      } else if (t.kind() == Token.Kind.WORD) {
        String text = t.text().startsWith("#") ? t.text().substring(1) : t.text();
        if (text.isEmpty()) {
          throw new SqlTranslationException("syntax error at or near \"#\"");
        }
        String name = checkLength(text);
        out.add(new Token(Token.Kind.WORD, name));
      } else {
        out.add(t);
      }
    }
    return out;
  }

  /** Lowercases ASCII letters only, as Redshift does (other letters keep their case). */
  public static String foldAscii(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
    }
    return sb.toString();
  }

  public static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
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
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= POSTGRES_MAX_BYTES) {
      return name;
    }
    String truncated = truncateUtf8(name, REDSHIFT_MAX_BYTES);
    int length = truncated.getBytes(StandardCharsets.UTF_8).length;
    if (length > POSTGRES_MAX_BYTES) {
      throw new SqlTranslationException(
          "Cannot use identifier \""
              + truncated
              + "\": it is "
              + bytes.length
              + " bytes long; Redshift allows 127 bytes but the sandbox's PostgreSQL stores at most 63. "
              + "Use a name of at most 63 bytes.");
    }
    return truncated;
  }

  /** Cuts a string to at most {@code maxBytes} UTF-8 bytes without splitting a character. */
  public static String truncateUtf8(String s, int maxBytes) {
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > maxBytes) {
        break;
      }
      bytes += len;
      i += Character.charCount(cp);
    }
    return s.substring(0, i);
  }
}
