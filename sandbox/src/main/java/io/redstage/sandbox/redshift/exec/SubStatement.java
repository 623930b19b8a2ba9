package io.redstage.sandbox.redshift.exec;

import java.time.Instant;

/**
 * One SQL text of a statement: the only one of an ExecuteStatement, or the n-th of a batch (Id
 * {@code <parent>:n}). Mutated by the worker that runs it, read by API threads: all access is
 * synchronized.
 */
public final class SubStatement {
  private final String id;
  private final int index;
  private final String sql;
  private final Instant createdAt;
  private Instant updatedAt;
  private StatementStatus status = StatementStatus.SUBMITTED;
  private String error;
  private long startNanos;
  private long durationNanos = -1;
  private long redshiftQueryId = -1;
  private boolean hasResultSet;
  private long resultRows = -1;
  private long resultSize = -1;
  private QueryResult result;

  SubStatement(String id, int index, String sql, Instant createdAt) {
    this.id = id;
    this.index = index;
    this.sql = sql;
    this.createdAt = createdAt;
    this.updatedAt = createdAt;
  }

  public String id() {
    return id;
  }

  public int index() {
    return index;
  }

  public String sql() {
    return sql;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public synchronized Instant updatedAt() {
    return updatedAt;
  }

  public synchronized StatementStatus status() {
    return status;
  }

  public synchronized String error() {
    return error;
  }

  public synchronized long durationNanos() {
    return durationNanos;
  }

  public synchronized long redshiftQueryId() {
    return redshiftQueryId;
  }

  public synchronized boolean hasResultSet() {
    return hasResultSet;
  }

  public synchronized long resultRows() {
    return resultRows;
  }

  public synchronized long resultSize() {
    return resultSize;
  }

  public synchronized QueryResult result() {
    return result;
  }

  synchronized void markStarted(long queryId) {
    status = StatementStatus.STARTED;
    redshiftQueryId = queryId;
    startNanos = System.nanoTime();
    updatedAt = Instant.now();
  }

  synchronized void markFinished(QueryResult queryResult, long rows) {
    status = StatementStatus.FINISHED;
    result = queryResult;
    hasResultSet = queryResult != null;
    resultRows = queryResult != null ? queryResult.rows().size() : rows;
    resultSize = queryResult != null ? queryResult.sizeBytes() : 0;
    end();
  }

  synchronized void markFailed(String message) {
    status = StatementStatus.FAILED;
    error = message;
    end();
  }

  synchronized void markAborted() {
    if (!status.isTerminal()) {
      status = StatementStatus.ABORTED;
      end();
    }
  }

  /**
   * A sub-statement that finished before a later one failed, reported ABORTED: the batch's rollback
   * undid it (Faults#abortRolledBackSubStatements).
   */
  synchronized void markRolledBack() {
    if (status == StatementStatus.FINISHED) {
      status = StatementStatus.ABORTED;
      updatedAt = Instant.now();
    }
  }

  private void end() {
    durationNanos = startNanos == 0 ? 0 : System.nanoTime() - startNanos;
    updatedAt = Instant.now();
  }
}
