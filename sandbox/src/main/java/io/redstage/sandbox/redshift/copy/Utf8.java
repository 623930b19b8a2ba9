package io.redstage.sandbox.redshift.copy;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 validation as COPY needs it: the position of the first invalid byte for error 1220. */
final class Utf8 {
  private Utf8() {}

  /** Index of the first invalid byte, or -1 when the bytes are valid UTF-8. */
  static int firstInvalid(byte[] b, int off, int len) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(b, off, len);
    // UTF-8 never decodes to more chars than it has bytes
    CoderResult result = decoder.decode(in, CharBuffer.allocate(len), true);
    // on an error the buffer stands at the first byte of the malformed sequence
    return result.isError() ? in.position() : -1;
  }

  /**
   * Decodes UTF-8.
   *
   * @throws LoadError 1220 when the bytes are not valid UTF-8, as Redshift's COPY reports them
   */
  static String decode(byte[] b, int off, int len) throws LoadError {
    int bad = firstInvalid(b, off, len);
    if (bad >= 0) {
      throw new LoadError(
          1220,
          "String contains invalid or unsupported UTF8 codepoints. Bad UTF8 hex sequence: "
              + String.format("%02x", b[bad] & 0xff)
              + " (error 3)",
          new String(b, off, len, StandardCharsets.UTF_8));
    }
    return new String(b, off, len, StandardCharsets.UTF_8);
  }
}
