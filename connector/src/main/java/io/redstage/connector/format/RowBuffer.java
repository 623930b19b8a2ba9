package io.redstage.connector.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.avro.io.BinaryData;

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

  /**
   * Appends a long in Avro's binary encoding (zig-zag varint) straight into the array: the direct
   * encoder would hand it over a byte at a time.
   */
  void avroLong(long v) {
    room(10);
    count += BinaryData.encodeLong(v, buf, count);
  }

  /** Appends an int in Avro's binary encoding. */
  void avroInt(int v) {
    room(5);
    count += BinaryData.encodeInt(v, buf, count);
  }

  /** Appends a float in Avro's binary encoding (4 bytes, little-endian). */
  void avroFloat(float v) {
    room(4);
    count += BinaryData.encodeFloat(v, buf, count);
  }

  /** Appends a double in Avro's binary encoding (8 bytes, little-endian). */
  void avroDouble(double v) {
    room(8);
    count += BinaryData.encodeDouble(v, buf, count);
  }

  /** Appends a boolean in Avro's binary encoding (one byte). */
  void avroBoolean(boolean v) {
    room(1);
    count += BinaryData.encodeBoolean(v, buf, count);
  }

  /** Appends Avro bytes or string content: the length, then {@code len} bytes of {@code b}. */
  void avroBytes(byte[] b, int off, int len) {
    avroInt(len);
    write(b, off, len);
  }

  private void room(int more) {
    if (more > buf.length - count) {
      grow(more);
    }
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
