package io.redstage.connector.format;

import java.util.Collection;
import java.util.Iterator;

/**
 * Field names and map keys as error messages quote them. A name comes from the record (a schemaless
 * key can be 100,000 characters, and a map can have 100,000 keys): quoted whole, it would make the
 * message, and the dead letter queue record that carries it in its headers, larger than the
 * producer may send, and the task would fail on the record it meant to set aside.
 */
public final class NamesInMessages {
  /**
   * Longest name quoted whole (twice Redshift's 127-byte identifiers, so a name a user maps with
   * column.name.map is shown whole); a longer one is cut here and its length given.
   */
  static final int MAX_NAME_CHARS = 256;

  /** Most names a list quotes. */
  static final int MAX_NAMES = 20;

  private NamesInMessages() {}

  /** {@code name} in single quotes, cut after {@link #MAX_NAME_CHARS} characters. */
  public static String quoted(String name) {
    return fits(name)
        ? "'" + name + "'"
        : "'" + head(name) + "...' (" + name.length() + " characters)";
  }

  /** {@code name} as it is, cut after {@link #MAX_NAME_CHARS} characters. */
  public static String plain(String name) {
    return fits(name) ? name : head(name) + "... (" + name.length() + " characters)";
  }

  /** {@code name}, or {@code instead} when it is too long to quote whole (e.g. in a setting). */
  public static String whole(String name, String instead) {
    return fits(name) ? name : instead;
  }

  private static boolean fits(String name) {
    return name.length() <= MAX_NAME_CHARS;
  }

  private static String head(String name) {
    int end = MAX_NAME_CHARS;
    if (Character.isHighSurrogate(name.charAt(end - 1))) {
      end--; // never half a character
    }
    return name.substring(0, end);
  }

  /** The first {@link #MAX_NAMES} names, each as {@link #quoted}, and how many more there are. */
  public static String list(Collection<?> names) {
    StringBuilder out = new StringBuilder("[");
    Iterator<?> it = names.iterator();
    for (int i = 0; it.hasNext() && i < MAX_NAMES; i++) {
      out.append(i == 0 ? "" : ", ").append(quoted(String.valueOf(it.next())));
    }
    if (names.size() > MAX_NAMES) {
      out.append(", and ").append(names.size() - MAX_NAMES).append(" more");
    }
    return out.append(']').toString();
  }
}
