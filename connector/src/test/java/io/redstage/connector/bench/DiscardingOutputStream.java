package io.redstage.connector.bench;

import io.redstage.connector.format.PositionedOutputStream;

/** Counts and drops every byte: the raw encoder's output, with no copy or I/O cost of its own. */
final class DiscardingOutputStream extends PositionedOutputStream {
  private long position;

  @Override
  public long position() {
    return position;
  }

  @Override
  public void write(int b) {
    position++;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    position += len;
  }
}
