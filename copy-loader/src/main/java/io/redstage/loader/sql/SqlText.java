package io.redstage.loader.sql;

/**
 * String literals. Redshift processes backslash escapes inside string literals while PostgreSQL
 * (with standard conforming strings) does not, so the only literals that are safe in both dialects
 * contain no backslash: {@link #literal} refuses one, and {@link #sanitizedLiteral} replaces it for
 * free text such as error messages.
 */
public final class SqlText {
  private SqlText() {}

  /**
   * The cluster's time now as a UTC TIMESTAMP, to compare with system views' times, which are UTC.
   * GETDATE alone gives the session's time zone, UTC unless the database user has one of its own
   * (ALTER USER ... SET timezone): read in that zone, then shown in UTC.
   */
  public static final String UTC_NOW = "(CAST(GETDATE() AS TIMESTAMPTZ) AT TIME ZONE 'UTC')";

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
   * A quoted literal of free text: backslashes become '/', control characters spaces, capped at
   * {@code maxBytes} UTF-8 bytes (Redshift sizes VARCHAR columns in bytes, so a character cap lets
   * multibyte text overflow them).
   */
  public static String sanitizedLiteral(String value, int maxBytes) {
    StringBuilder b = new StringBuilder(Math.min(value.length(), maxBytes));
    int bytes = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\') {
        c = '/';
      } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
        c = ' ';
      }
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      if (bytes > maxBytes) {
        break;
      }
      b.append(c);
    }
    return literal(b.toString());
  }
}
