package io.redstage.connector.format;

import java.io.OutputStream;

public abstract class PositionedOutputStream extends OutputStream {
  public abstract long position();
}
