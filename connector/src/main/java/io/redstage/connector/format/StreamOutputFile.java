package io.redstage.connector.format;

import java.io.IOException;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * A Parquet {@link OutputFile} over a {@link PositionedOutputStream}, so Parquet streams straight
 * into the upload without a Hadoop FileSystem or a local file. Parquet only appends and asks for
 * the position; it never seeks. Closing the Parquet-side stream leaves the upload open: the caller
 * completes it after {@link RecordFileWriter#finish()}.
 */
final class StreamOutputFile implements OutputFile {
  private final PositionedOutputStream out;
  private final long start;

  StreamOutputFile(PositionedOutputStream out) {
    this.out = out;
    this.start = out.position();
  }

  /** Bytes of this file written to the stream so far. */
  long written() {
    return out.position() - start;
  }

  @Override
  public PositionOutputStream create(long blockSizeHint) {
    return new PositionOutputStream() {
      @Override
      public long getPos() {
        return written();
      }

      @Override
      public void write(int b) throws IOException {
        out.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void flush() {
        // Parquet flushes after the footer; the caller decides when the upload sees a flush.
      }

      @Override
      public void close() {
        // Never close the upload from here: see the class comment.
      }
    };
  }

  @Override
  public PositionOutputStream createOrOverwrite(long blockSizeHint) {
    return create(blockSizeHint);
  }

  @Override
  public boolean supportsBlockSize() {
    return false;
  }

  @Override
  public long defaultBlockSize() {
    return 0;
  }

  @Override
  public String getPath() {
    return "stream";
  }
}
