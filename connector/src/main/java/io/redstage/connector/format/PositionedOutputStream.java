package io.redstage.connector.format;

import java.io.OutputStream;

/**
 * An output stream that knows how many bytes it has accepted so far. The task hands one to {@link
 * RecordFormat#open} per data file (typically a streaming S3 multipart upload); the writers use the
 * position to report file sizes and, for Parquet, as the file offset.
 */
public abstract class PositionedOutputStream extends OutputStream {
  /** Number of bytes written to this stream so far. */
  public abstract long position();
}
