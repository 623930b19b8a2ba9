package io.redstage.loader.redshift;

/**
 * A Data API call failed outside the SQL itself (after the SDK's own retries). Transient failures
 * (throttling, 5xx, too many active statements, network) leave the batch to a later attempt; others
 * are configuration or request errors.
 */
public class DataApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean transientFailure;

  public DataApiException(String message, boolean transientFailure, Throwable cause) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  public boolean isTransient() {
    return transientFailure;
  }
}
