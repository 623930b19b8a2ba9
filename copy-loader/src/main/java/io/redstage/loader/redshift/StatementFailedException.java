package io.redstage.loader.redshift;

import java.util.Locale;

/**
 * A statement (or a batch: one of its sub-statements) ended FAILED or ABORTED; the transaction
 * rolled back.
 */
public class StatementFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String statementId;
  private final String error;
  private final int failedIndex;
  private final long redshiftQueryId;

  /**
   * @param failedIndex 0-based index of the failing SQL in the batch, or -1 when unknown
   * @param redshiftQueryId query id of the failing sub-statement, or -1
   */
  public StatementFailedException(
      String statementId, String error, int failedIndex, long redshiftQueryId) {
    super(
        "Statement "
            + statementId
            + " failed"
            + (failedIndex >= 0 ? " at SQL #" + (failedIndex + 1) : "")
            + ": "
            + error);
    this.statementId = statementId;
    this.error = error == null ? "" : error;
    this.failedIndex = failedIndex;
    this.redshiftQueryId = redshiftQueryId;
  }

  public String statementId() {
    return statementId;
  }

  public String error() {
    return error;
  }

  public int failedIndex() {
    return failedIndex;
  }

  public long redshiftQueryId() {
    return redshiftQueryId;
  }

  /**
   * Failures that a plain retry can fix: serialization conflicts, deadlocks, lock timeouts, lost
   * connections.
   */
  public boolean isTransient() {
    String e = error.toLowerCase(Locale.ROOT);
    return e.contains("1023")
        || e.contains("serializable isolation")
        || e.contains("could not serialize")
        || e.contains("deadlock")
        || e.contains("lock timeout")
        || e.contains("connection") && e.contains("lost")
        || e.contains("already exists")
        || e.contains("concurrent");
  }
}
