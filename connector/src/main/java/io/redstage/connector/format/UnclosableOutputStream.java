package io.redstage.connector.format;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes writes through but ignores close() and flush(), so that encoders which close or flush
 * their target when they finish (Avro's DataFileWriter, GZIPOutputStream) leave the upload to the
 * caller.
 */
final class UnclosableOutputStream extends FilterOutputStream {
  UnclosableOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
  }

  @Override
  public void flush() {
    // see class comment
  }

  @Override
  public void close() {
    // see class comment
  }
}
