package io.redstage.loader.redshift;

import java.util.regex.Pattern;

/**
 * A statement (or a batch: one of its sub-statements) ended FAILED or ABORTED; the transaction
 * rolled back.
 */
public class StatementFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Quoted names and literals, and any token with a slash (S3 keys, URLs, paths). */
  private static final Pattern USER_DATA = Pattern.compile("\"[^\"]*\"|'[^']*'|\\S*/\\S*");

  private static final Pattern TRANSIENT =
      Pattern.compile(
          "\\berror:\\s*1023\\b"
              + "|\\bserializable isolation violation\\b"
              + "|\\bcould not serialize access\\b"
              + "|\\bdeadlock detected\\b"
              + "|\\block timeout\\b"
              + "|\\bconnection\\b[^.]*\\blost\\b|\\blost connection\\b|\\bterminating connection\\b"
              + "|\\balready exists\\b"
              // two transactions creating one catalog entry at once (CREATE SCHEMA IF NOT EXISTS
              // of a new target schema by two tables' loads): Redshift enforces no unique
              // constraint of a user table, so only the catalog's can be violated
              + "|\\bduplicate key value violates unique constraint\\b"
              + "|\\bconcurrent transaction\\b|\\bconcurrently (?:updated|deleted)\\b"
              // S3 throttling COPY's reads or failing them (SlowDown, InternalError, 503): the
              // same files load once S3 answers, so splitting the batch would only add requests
              + "|\\bS3ServiceException:[^,]*,\\s*Status 5\\d\\d\\b"
              + "|\\bError (?:SlowDown|InternalError|ServiceUnavailable)\\b",
          Pattern.CASE_INSENSITIVE);

  /**
   * Redshift's wording for refusals that concern the table, the cluster or the COPY role, never one
   * batch's data: a privilege the loader's user lacks, a full cluster, a role it cannot assume.
   */
  private static final Pattern ENVIRONMENT =
      Pattern.compile(
          "\\bpermission denied\\b"
              + "|\\bmust be owner of\\b"
              + "|\\bdisk full\\b"
              + "|\\bnot authorized to assume IAM Role\\b",
          Pattern.CASE_INSENSITIVE);

  /**
   * S3 refusing COPY's reads: the COPY role's access, or a missing file the role may not list. Also
   * the 8001 that a missing s3:GetObject or kms:Decrypt permission on the files is reported as,
   * which reads as if the manifest's entries were not full object paths (they always are).
   */
  private static final Pattern S3_REFUSAL =
      Pattern.compile(
          "\\bS3ServiceException:\\s*Access Denied\\b"
              + "|\\bMANIFEST parameter requires full path of an S3 object\\b",
          Pattern.CASE_INSENSITIVE);

  /** Whose failure a statement's is, when it is not the batch's data (see {@link #environment}). */
  public enum Environment {
    /** The batch's own failure, or a transient one. */
    NONE,
    /** A privilege, a full disk, a role: never one batch's, however long it lasts. */
    TABLE_OR_CLUSTER,
    /**
     * S3 refusing COPY: usually the COPY role's access, but a missing file gets the same answer
     * when the role may not list the bucket.
     */
    COPY_S3_REFUSAL
  }

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
   * connections, a concurrent DDL. Matched on Redshift's (and PostgreSQL's) own wording, after the
   * parts of the error that quote user data (quoted names, S3 keys and URLs) are removed, so that a
   * topic called concurrent_logins, an offset 1023 in a file name or a query id that contains 1023
   * never turns an ordinary failure into one that is retried without counting. A failure that is
   * transient by this test but keeps coming back still ends in quarantine: see {@code
   * load.retry.max-deferrals}.
   */
  public boolean isTransient() {
    return TRANSIENT.matcher(withoutUserData()).find();
  }

  /**
   * Failures of the loader's environment rather than of the batch (see {@link #ENVIRONMENT}): every
   * batch of the table would fail alike until someone fixes it, so splitting the batch and
   * quarantining its units one by one would only set aside good data. Matched like {@link
   * #isTransient()}, on Redshift's wording with user data removed.
   */
  public boolean isEnvironment() {
    return environment() != Environment.NONE;
  }

  /** Which failure of the environment this is, if any ({@link #isEnvironment()}). */
  public Environment environment() {
    if (isTransient()) {
      return Environment.NONE;
    }
    String text = withoutUserData();
    if (S3_REFUSAL.matcher(text).find()) {
      return Environment.COPY_S3_REFUSAL;
    }
    return ENVIRONMENT.matcher(text).find() ? Environment.TABLE_OR_CLUSTER : Environment.NONE;
  }

  private String withoutUserData() {
    return USER_DATA.matcher(error).replaceAll(" ");
  }
}
