package io.redstage.sandbox.redshift.copy;

import java.io.IOException;
import java.io.OutputStream;

/**
 * One row in PostgreSQL's text COPY format (tab-separated, {@code \N} for NULL, backslash escapes),
 * built in a reusable byte buffer so that a row that fails conversion half-way never reaches
 * PostgreSQL. Hand-written: the format is a few escaping rules and the bulk-load path must not
 * allocate per value.
 */
final class RowBuffer {
  /** The COPY DEFAULT marker: the column's default (or identity) is used. */
  static final String DEFAULT_MARKER = "\\D";

  private static final byte[] HEX =
      "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private byte[] buf = new byte[1024];
  private int len;
  private boolean first = true;

  void reset() {
    len = 0;
    first = true;
  }

  int length() {
    return len;
  }

  void nullField() {
    separator();
    put((byte) '\\');
    put((byte) 'N');
  }

  void defaultField() {
    separator();
    put((byte) '\\');
    put((byte) 'D');
  }

  /** A value known to need no escaping (numbers, dates, booleans). */
  void plain(String ascii) {
    separator();
    ensure(ascii.length());
    for (int i = 0; i < ascii.length(); i++) {
      buf[len++] = (byte) ascii.charAt(i);
    }
  }

  void longValue(long v) {
    plain(Long.toString(v));
  }

  /** Text, escaped for COPY and encoded as UTF-8. */
  void text(String s) {
    separator();
    ensure(s.length() * 2);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        switch (c) {
          case '\\' -> put2('\\', '\\');
          case '\n' -> put2('\\', 'n');
          case '\r' -> put2('\\', 'r');
          case '\t' -> put2('\\', 't');
          default -> put((byte) c);
        }
      } else if (c < 0x800) {
        put((byte) (0xc0 | (c >> 6)));
        put((byte) (0x80 | (c & 0x3f)));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        put((byte) (0xf0 | (cp >> 18)));
        put((byte) (0x80 | ((cp >> 12) & 0x3f)));
        put((byte) (0x80 | ((cp >> 6) & 0x3f)));
        put((byte) (0x80 | (cp & 0x3f)));
      } else {
        put((byte) (0xe0 | (c >> 12)));
        put((byte) (0x80 | ((c >> 6) & 0x3f)));
        put((byte) (0x80 | (c & 0x3f)));
      }
    }
  }

  /**
   * Valid UTF-8 text given as bytes: copied as is, with COPY's escapes for backslash, tab, CR and
   * LF.
   */
  void utf8(byte[] bytes, int length) {
    separator();
    ensure(length * 2);
    for (int i = 0; i < length; i++) {
      byte b = bytes[i];
      switch (b) {
        case '\\' -> put2('\\', '\\');
        case '\n' -> put2('\\', 'n');
        case '\r' -> put2('\\', 'r');
        case '\t' -> put2('\\', 't');
        default -> buf[len++] = b;
      }
    }
  }

  /** bytea input {@code \x0a1b...}; the backslash itself is escaped for COPY. */
  void hex(byte[] bytes) {
    separator();
    ensure(3 + bytes.length * 2);
    put2('\\', '\\');
    put((byte) 'x');
    for (byte b : bytes) {
      put(HEX[(b >> 4) & 0xf]);
      put(HEX[b & 0xf]);
    }
  }

  void endRow() {
    put((byte) '\n');
  }

  void writeTo(OutputStream out) throws IOException {
    out.write(buf, 0, len);
  }

  private void separator() {
    if (first) {
      first = false;
    } else {
      put((byte) '\t');
    }
  }

  private void put2(char a, char b) {
    put((byte) a);
    put((byte) b);
  }

  private void put(byte b) {
    if (len == buf.length) {
      ensure(1);
    }
    buf[len++] = b;
  }

  private void ensure(int extra) {
    if (len + extra + 4 > buf.length) {
      byte[] bigger = new byte[Math.max(buf.length * 2, len + extra + 1024)];
      System.arraycopy(buf, 0, bigger, 0, len);
      buf = bigger;
    }
  }
}
