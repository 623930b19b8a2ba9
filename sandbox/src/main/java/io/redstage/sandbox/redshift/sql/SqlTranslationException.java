package io.redstage.sandbox.redshift.sql;

/**
 * A statement Redshift would reject (or the stand-in cannot run). The message is the text a caller
 * sees in DescribeStatement's {@code Error}, so it reads like Redshift's ({@code ERROR: ...}).
 */
public final class SqlTranslationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SqlTranslationException(String message) {
    super(message.startsWith("ERROR:") ? message : "ERROR: " + message);
  }
}
