package io.redstage.sandbox.redshift.exec;

/**
 * A statement failed with a Redshift-style error text (what DescribeStatement reports in {@code
 * Error}). Thrown by the COPY engine and the runner; the text starts with {@code ERROR: }.
 */
public class StatementFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StatementFailedException(String message) {
    super(message.startsWith("ERROR:") ? message : "ERROR: " + message);
  }

  public StatementFailedException(String message, Throwable cause) {
    super(message.startsWith("ERROR:") ? message : "ERROR: " + message, cause);
  }
}
