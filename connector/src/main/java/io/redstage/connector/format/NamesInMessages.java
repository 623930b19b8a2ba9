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

  /**
   * {@code name} in single quotes, cut after {@link #MAX_NAME_CHARS} characters, control characters
   * and half surrogate pairs written as {@code \\uXXXX}.
   */
  public static String quoted(String name) {
    return fits(name)
        ? "'" + printable(name) + "'"
        : "'" + printable(head(name)) + "...' (" + name.length() + " characters)";
  }

  /** {@code name} as {@link #quoted} shows it, without the quotes. */
  public static String plain(String name) {
    return fits(name)
        ? printable(name)
        : printable(head(name)) + "... (" + name.length() + " characters)";
  }

  /**
   * {@code name} with each control character (a NUL, a line break) and each half of a broken
   * surrogate pair as {@code \\uXXXX}: such a name is often the reason for the message, and raw it
   * would cut or garble the log line and the dead letter queue header that carry it.
   */
  static String printable(String name) {
    StringBuilder out = null;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
                  && i + 1 < name.length()
                  && Character.isLowSurrogate(name.charAt(i + 1))
              || Character.isLowSurrogate(c)
                  && i > 0
                  && Character.isHighSurrogate(name.charAt(i - 1));
      if (Character.isISOControl(c) || Character.isSurrogate(c) && !paired) {
        if (out == null) {
          out = new StringBuilder(name.length() + 8).append(name, 0, i);
        }
        out.append(String.format("\\u%04X", (int) c));
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? name : out.toString();
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
