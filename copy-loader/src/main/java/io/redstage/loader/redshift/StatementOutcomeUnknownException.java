package io.redstage.loader.redshift;

/**
 * Polling a submitted statement failed: it may still commit, so its outcome is unknown (the
 * load-marker table will tell). A {@link DataApiException}, so callers that only use the Data API
 * for control statements handle it as before; the load path takes it as an unknown outcome, never a
 * failure (a failure would count an attempt against units whose rows may be loaded).
 */
public class StatementOutcomeUnknownException extends DataApiException {
  private static final long serialVersionUID = 1L;

  /** The Data API id of the statement, which may still be running. */
  private final String statementId;

  public StatementOutcomeUnknownException(
      String message, DataApiException cause, String statementId) {
    super(message, cause.isTransient(), cause);
    this.statementId = statementId;
  }

  public String statementId() {
    return statementId;
  }
}
