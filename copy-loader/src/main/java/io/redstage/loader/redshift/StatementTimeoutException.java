package io.redstage.loader.redshift;

/**
 * The loader stopped waiting for a statement; its outcome is unknown (the load-marker table will
 * tell).
 */
public class StatementTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The Data API id of the statement, which may still be running; null when unknown. */
  private final String statementId;

  public StatementTimeoutException(String message) {
    this(message, null);
  }

  public StatementTimeoutException(String message, String statementId) {
    super(message);
    this.statementId = statementId;
  }

  public String statementId() {
    return statementId;
  }
}
