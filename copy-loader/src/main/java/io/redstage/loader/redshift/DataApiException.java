package io.redstage.loader.redshift;

/**
 * A Data API call failed outside the SQL itself (after the SDK's own retries). Transient failures
 * (throttling, 5xx, too many active statements, network) leave the batch to a later attempt; others
 * are configuration or request errors.
 */
public class DataApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean transientFailure;
  private final boolean submissionRefused;

  public DataApiException(String message, boolean transientFailure, Throwable cause) {
    this(message, transientFailure, false, cause);
  }

  /**
   * @param submissionRefused a submission every attempt of which the Data API refused (see {@link
   *     #submissionRefused})
   */
  public DataApiException(
      String message, boolean transientFailure, boolean submissionRefused, Throwable cause) {
    super(message, cause);
    this.transientFailure = transientFailure;
    this.submissionRefused = submissionRefused;
  }

  public boolean isTransient() {
    return transientFailure;
  }

  /**
   * Whether this is a submission (ExecuteStatement, BatchExecuteStatement) that the Data API
   * certainly refused, each of the SDK's attempts with a 4xx answer: no statement was created, so
   * nothing of it can commit. False for every other failure, whose statement may exist (an attempt
   * that timed out, broke off or got a 5xx may have created it); decided by {@link
   * SubmissionRefusal}, and only for submissions.
   */
  public boolean submissionRefused() {
    return submissionRefused;
  }
}
