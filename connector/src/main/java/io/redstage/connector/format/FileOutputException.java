package io.redstage.connector.format;

import java.io.IOException;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * The output stream of a data file (its S3 upload) failed: the file cannot be finished and must be
 * aborted. A type of its own so that the task tells a storage failure, which it answers by aborting
 * and rewinding, from an encoder failure, which stops the task, without inspecting causes.
 */
public final class FileOutputException extends ConnectException {
  private static final long serialVersionUID = 1L;

  public FileOutputException(String message, IOException cause) {
    super(message, cause);
  }
}
