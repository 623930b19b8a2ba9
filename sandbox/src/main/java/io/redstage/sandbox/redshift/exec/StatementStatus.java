package io.redstage.sandbox.redshift.exec;

/** The Data API's statement statuses, in lifecycle order. */
public enum StatementStatus {
  SUBMITTED,
  PICKED,
  STARTED,
  FINISHED,
  ABORTED,
  FAILED;

  public boolean isTerminal() {
    return this == FINISHED || this == ABORTED || this == FAILED;
  }
}
