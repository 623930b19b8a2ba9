package io.redstage.connector.format;

import java.io.ByteArrayOutputStream;

/** A PositionedOutputStream into memory that remembers whether anyone flushed or closed it. */
final class BytesOutput extends PositionedOutputStream {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  boolean closed;

  @Override
  public long position() {
    return bytes.size();
  }

  @Override
  public void write(int b) {
    bytes.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    bytes.write(b, off, len);
  }

  @Override
  public void close() {
    closed = true;
  }

  byte[] toByteArray() {
    return bytes.toByteArray();
  }
}
