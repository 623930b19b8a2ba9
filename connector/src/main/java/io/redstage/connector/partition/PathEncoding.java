package io.redstage.connector.partition;

/**
 * Percent-encodes a field name or value for one path segment of an S3 key, Hive style: each
 * reserved character becomes {@code %XX} (uppercase hex). Reserved are the characters Hive escapes
 * in partition directories ({@code " # % ' * / : = ? \ { [ ] ^} and control characters), those S3
 * advises against in keys ({@code } | < > ~ `}), and the characters of the directory delimiter. So
 * a value can never add path levels (a {@code /} becomes {@code %2F}), {@code name=value} stays
 * unambiguous ({@code =} becomes {@code %3D}), and Hive, Spark, Athena and Redshift Spectrum decode
 * the segment back to the original value. Other characters, including spaces and non-ASCII letters,
 * are kept as they are (S3 keys are UTF-8).
 *
 * <p>Hand-written because no library on the connector's classpath escapes exactly this set:
 * URLEncoder also encodes spaces as '+' and most punctuation, which Hive would not decode the same
 * way.
 */
final class PathEncoding {
  private static final String RESERVED = "\"#%'*/:=?\\{}[]^|<>~`";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private PathEncoding() {}

  static String encode(String raw, String directoryDelim) {
    StringBuilder out = null;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (isReserved(c, directoryDelim)) {
        if (out == null) {
          out = new StringBuilder(raw.length() + 8).append(raw, 0, i);
        }
        out.append('%').append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
      } else if (out != null) {
        out.append(c);
      }
    }
    return out == null ? raw : out.toString();
  }

  /** Only ASCII characters are reserved, so a reserved char is always one UTF-8 byte. */
  private static boolean isReserved(char c, String directoryDelim) {
    return c < 0x20
        || c == 0x7F
        || RESERVED.indexOf(c) >= 0
        || (c < 0x80 && directoryDelim.indexOf(c) >= 0);
  }
}
