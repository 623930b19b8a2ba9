package io.redstage.loader.sql;

import java.nio.charset.StandardCharsets;

/**
 * Validates, folds and quotes SQL identifiers. Every table and column name the loader writes into
 * SQL passes through here, so a hostile topic or field name can at worst name a strange column: it
 * can never end the identifier and start SQL of its own.
 */
public final class Identifiers {
  /**
   * Redshift's limit on identifier length, in UTF-8 bytes; longer names are silently truncated by
   * ALTER, so refuse them.
   */
  public static final int MAX_BYTES = 127;

  private Identifiers() {}

  /**
   * Checks that {@code raw} can be an identifier and returns it folded the way Redshift folds names
   * (ASCII letters to lower case, even when quoted, unless case-sensitive identifiers are enabled).
   *
   * @param what names the identifier in the error message, e.g. "column 'Foo' of topic orders"
   */
  public static String fold(String raw, String what) {
    if (raw == null || raw.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot use an empty name as " + what + ". Give it a non-empty name.");
    }
    int bytes = raw.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      throw new IllegalArgumentException(
          "Cannot use '"
              + printable(raw)
              + "' as "
              + what
              + ": it is "
              + bytes
              + " bytes long and Redshift allows "
              + MAX_BYTES
              + ". Rename it or map it to a shorter name.");
    }
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (Character.isISOControl(c)
          || Character.getType(c) == Character.UNASSIGNED
          || Character.isSurrogate(c) && !validSurrogatePair(raw, i)) {
        throw new IllegalArgumentException(
            "Cannot use '"
                + printable(raw)
                + "' as "
                + what
                + ": it contains the non-printable character U+"
                + String.format("%04X", (int) c)
                + ". Rename it or map it to a printable name.");
      }
    }
    return foldCase(raw);
  }

  /**
   * {@code raw} with its ASCII letters in lower case, as Redshift folds names, without {@link
   * #fold}'s checks: for comparing names that may not be usable (their own statement fails on them
   * later, with its error).
   */
  public static String foldCase(String raw) {
    StringBuilder folded = new StringBuilder(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      folded.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
    }
    return folded.toString();
  }

  /**
   * Quotes an already folded identifier: wraps it in double quotes and doubles any double quote
   * inside.
   */
  public static String quote(String folded) {
    return '"' + folded.replace("\"", "\"\"") + '"';
  }

  /** {@link #fold} then {@link #quote}. */
  public static String foldAndQuote(String raw, String what) {
    return quote(fold(raw, what));
  }

  private static boolean validSurrogatePair(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  /** A name safe to put into a log line or an error message (control characters escaped). */
  public static String printable(String raw) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < raw.length() && i < 200; i++) {
      char c = raw.charAt(i);
      if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return raw.length() > 200 ? b.append("...").toString() : b.toString();
  }
}
