package io.redstage.sandbox.parquet;

import java.io.ByteArrayInputStream;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet {@link InputFile} over bytes already in memory (an object fetched from S3), so
 * parquet-java reads without a Hadoop FileSystem or a temporary file. Used by the sandbox's COPY
 * and by tests that read back what the connector wrote.
 */
public final class BytesInputFile implements InputFile {
  private final byte[] data;

  public BytesInputFile(byte[] data) {
    this.data = data;
  }

  @Override
  public long getLength() {
    return data.length;
  }

  @Override
  public SeekableInputStream newStream() {
    SeekableBytes in = new SeekableBytes(data);
    return new DelegatingSeekableInputStream(in) {
      @Override
      public long getPos() {
        return in.position();
      }

      @Override
      public void seek(long newPos) {
        in.seek((int) newPos);
      }
    };
  }

  private static final class SeekableBytes extends ByteArrayInputStream {
    SeekableBytes(byte[] data) {
      super(data);
    }

    int position() {
      return pos;
    }

    void seek(int newPos) {
      pos = newPos;
    }
  }
}
