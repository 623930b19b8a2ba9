package io.redstage.loader.sql;

/**
 * String literals. Redshift processes backslash escapes inside string literals while PostgreSQL
 * (with standard conforming strings) does not, so the only literals that are safe in both dialects
 * contain no backslash: {@link #literal} refuses one, and {@link #sanitizedLiteral} replaces it for
 * free text such as error messages.
 */
public final class SqlText {
  private SqlText() {}

  /** A quoted string literal of a trusted-shape value (topic, table name, S3 URL, batch id). */
  public static String literal(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\' || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "Cannot put '"
                + Identifiers.printable(value)
                + "' into a SQL string literal: it contains a backslash or a control character. Use a name without them.");
      }
    }
    return "'" + value.replace("'", "''") + "'";
  }

  /**
   * A quoted literal of free text: backslashes become '/', control characters spaces, length
   * capped.
   */
  public static String sanitizedLiteral(String value, int maxChars) {
    StringBuilder b = new StringBuilder(Math.min(value.length(), maxChars));
    for (int i = 0; i < value.length() && b.length() < maxChars; i++) {
      char c = value.charAt(i);
      if (c == '\\') {
        b.append('/');
      } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
        b.append(' ');
      } else {
        b.append(c);
      }
    }
    return literal(b.toString());
  }
}
