package io.redstage.sandbox.redshift.exec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A statement submitted through ExecuteStatement or BatchExecuteStatement, with its lifecycle.
 * Status changes happen on the worker; DescribeStatement and friends read a consistent view under
 * the lock.
 */
public final class StatementRecord {
  /** How the caller connected (echoed back by the API). */
  public record ConnectionInfo(
      String clusterIdentifier,
      String workgroupName,
      String database,
      String dbUser,
      String secretArn) {}

  private final String id;
  private final boolean batch;
  private final List<SubStatement> subStatements;
  private final String statementName;
  private final ConnectionInfo connection;
  private final Instant createdAt;
  private Instant updatedAt;
  private StatementStatus status = StatementStatus.SUBMITTED;
  private String error;
  private long startNanos;
  private long durationNanos = -1;
  private int redshiftPid = -1;

  public StatementRecord(
      String id,
      boolean batch,
      List<String> sqls,
      String statementName,
      ConnectionInfo connection) {
    this.id = id;
    this.batch = batch;
    this.createdAt = Instant.now();
    this.updatedAt = createdAt;
    List<SubStatement> subs = new ArrayList<>();
    for (int i = 0; i < sqls.size(); i++) {
      subs.add(new SubStatement(batch ? id + ":" + (i + 1) : id, i + 1, sqls.get(i), createdAt));
    }
    this.subStatements = Collections.unmodifiableList(subs);
    this.statementName = statementName;
    this.connection = connection;
  }

  public String id() {
    return id;
  }

  public boolean isBatch() {
    return batch;
  }

  public List<SubStatement> subStatements() {
    return subStatements;
  }

  public String statementName() {
    return statementName;
  }

  public ConnectionInfo connection() {
    return connection;
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

  public synchronized int redshiftPid() {
    return redshiftPid;
  }

  /** The SQL text, or for a batch all its SQL texts joined (DescribeStatement's QueryString). */
  public String queryString() {
    if (!batch) {
      return subStatements.get(0).sql();
    }
    List<String> sqls = new ArrayList<>();
    for (SubStatement s : subStatements) {
      sqls.add(s.sql());
    }
    return String.join("; ", sqls);
  }

  synchronized void markPicked() {
    status = StatementStatus.PICKED;
    updatedAt = Instant.now();
  }

  synchronized void markStarted(int pid) {
    status = StatementStatus.STARTED;
    redshiftPid = pid;
    startNanos = System.nanoTime();
    updatedAt = Instant.now();
  }

  synchronized void markFinished() {
    finish(StatementStatus.FINISHED, null);
  }

  synchronized void markFailed(String message) {
    finish(StatementStatus.FAILED, message);
  }

  private void finish(StatementStatus terminal, String message) {
    if (status.isTerminal()) {
      return;
    }
    status = terminal;
    error = message;
    durationNanos = startNanos == 0 ? 0 : System.nanoTime() - startNanos;
    updatedAt = Instant.now();
  }
}
