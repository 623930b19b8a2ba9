package io.redstage.sandbox.redshift.copy;

import java.nio.charset.StandardCharsets;

/**
 * UTF-8 validation with Redshift's ACCEPTINVCHARS rule: every byte of an invalid sequence is
 * replaced by the replacement character, so the byte length stays the same. Hand-written because
 * the JDK decoders replace a malformed sequence with one U+FFFD (changing lengths) and cannot
 * report the bad bytes.
 */
final class Utf8 {
  private Utf8() {}

  /** Index of the first invalid byte, or -1 when the bytes are valid UTF-8. */
  static int firstInvalid(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      int n = sequenceLength(b, i, end);
      if (n < 0) {
        return i;
      }
      i += n;
    }
    return -1;
  }

  /**
   * Decodes UTF-8, replacing invalid bytes when a replacement is given.
   *
   * @throws LoadError 1220 when the bytes are invalid and no replacement is given
   */
  static String decode(byte[] b, int off, int len, String replacement) throws LoadError {
    int bad = firstInvalid(b, off, len);
    if (bad < 0) {
      return new String(b, off, len, StandardCharsets.UTF_8);
    }
    if (replacement == null) {
      throw new LoadError(
          1220,
          "String contains invalid or unsupported UTF8 codepoints. Bad UTF8 hex sequence: "
              + String.format("%02x", b[bad] & 0xff)
              + " (error 3)",
          new String(b, off, len, StandardCharsets.UTF_8));
    }
    byte[] fixed = replaceInvalid(b, off, len, replacement.getBytes(StandardCharsets.UTF_8)[0]);
    return new String(fixed, StandardCharsets.UTF_8);
  }

  /** A copy with every invalid byte replaced by {@code replacement} (an ASCII byte). */
  static byte[] replaceInvalid(byte[] b, int off, int len, byte replacement) {
    byte[] out = new byte[len];
    int i = off;
    int end = off + len;
    while (i < end) {
      int n = sequenceLength(b, i, end);
      if (n < 0) {
        out[i - off] = replacement;
        i++;
      } else {
        System.arraycopy(b, i, out, i - off, n);
        i += n;
      }
    }
    return out;
  }

  /** Length of the valid sequence starting at {@code i}, or -1 when it is invalid. */
  private static int sequenceLength(byte[] b, int i, int end) {
    int c = b[i] & 0xff;
    if (c < 0x80) {
      return 1;
    }
    int needed;
    int min2 = 0x80;
    int max2 = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      needed = 1;
    } else if (c == 0xe0) {
      needed = 2;
      min2 = 0xa0;
    } else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) {
      needed = 2;
    } else if (c == 0xed) {
      needed = 2;
      max2 = 0x9f;
    } else if (c == 0xf0) {
      needed = 3;
      min2 = 0x90;
    } else if (c >= 0xf1 && c <= 0xf3) {
      needed = 3;
    } else if (c == 0xf4) {
      needed = 3;
      max2 = 0x8f;
    } else {
      return -1;
    }
    if (i + needed >= end) {
      return -1;
    }
    int second = b[i + 1] & 0xff;
    if (second < min2 || second > max2) {
      return -1;
    }
    for (int k = 2; k <= needed; k++) {
      int cont = b[i + k] & 0xff;
      if (cont < 0x80 || cont > 0xbf) {
        return -1;
      }
    }
    return needed + 1;
  }
}
