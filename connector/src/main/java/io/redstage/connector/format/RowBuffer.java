package io.redstage.connector.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A reusable per-writer buffer holding one encoded record until it is known to be complete; its
 * content is handed out without copying.
 *
 * <p>The write methods are overridden without ByteArrayOutputStream's {@code synchronized}: Avro's
 * direct encoder writes most values a byte at a time, so the inherited methods took a lock per
 * encoded byte, which profiled as the largest single cost of encoding a row. A buffer belongs to
 * one writer, used by one thread at a time.
 */
final class RowBuffer extends ByteArrayOutputStream {
  private static final int INITIAL = 256;

  /** A buffer grown by one huge record is dropped rather than kept for the life of the file. */
  private static final int KEEP_AT_MOST = 1024 * 1024;

  RowBuffer() {
    super(INITIAL);
  }

  @Override
  public void write(int b) {
    if (count == buf.length) {
      grow(1);
    }
    buf[count++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (len > buf.length - count) {
      grow(len);
    }
    System.arraycopy(b, off, buf, count, len);
    count += len;
  }

  private void grow(int more) {
    buf = Arrays.copyOf(buf, Math.max(buf.length * 2, Math.addExact(count, more)));
  }

  /** Empties the buffer for the next record. */
  void clear() {
    if (buf.length > KEEP_AT_MOST) {
      buf = new byte[INITIAL];
    }
    count = 0;
  }

  byte[] array() {
    return buf;
  }

  int length() {
    return count;
  }

  ByteBuffer asByteBuffer() {
    return ByteBuffer.wrap(buf, 0, count);
  }
}
