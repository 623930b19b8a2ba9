package io.redstage.connector.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * A reusable per-writer buffer holding one encoded record until it is known to be complete; its
 * content is handed out without copying.
 */
final class RowBuffer extends ByteArrayOutputStream {
  private static final int INITIAL = 256;

  /** A buffer grown by one huge record is dropped rather than kept for the life of the file. */
  private static final int KEEP_AT_MOST = 1024 * 1024;

  RowBuffer() {
    super(INITIAL);
  }

  /** Empties the buffer for the next record. */
  void clear() {
    if (buf.length > KEEP_AT_MOST) {
      buf = new byte[INITIAL];
    }
    reset();
  }

  byte[] array() {
    return buf;
  }

  ByteBuffer asByteBuffer() {
    return ByteBuffer.wrap(buf, 0, count);
  }
}
