package io.redstage.sandbox.redshift.exec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
  private final Map<String, String> parameters;
  private final Instant createdAt;
  private final String sessionId;
  private final boolean keepSession;
  private Instant updatedAt;
  private StatementStatus status = StatementStatus.SUBMITTED;
  private String error;
  private long startNanos;
  private long durationNanos = -1;
  private int redshiftPid = -1;
  private volatile boolean cancelRequested;
  private java.sql.Statement runningJdbcStatement;
  private Runnable terminalHook;
  private boolean terminalHookDone;

  public StatementRecord(
      String id,
      boolean batch,
      List<String> sqls,
      String statementName,
      ConnectionInfo connection,
      Map<String, String> parameters,
      String sessionId,
      boolean keepSession) {
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
    this.parameters =
        parameters == null
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    this.sessionId = sessionId;
    this.keepSession = keepSession;
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

  public Map<String, String> parameters() {
    return parameters;
  }

  public Instant createdAt() {
    return createdAt;
  }

  /** The session this statement runs in, or null for a one-off session. */
  public String sessionId() {
    return sessionId;
  }

  /** True when the session must stay open after this statement (SessionKeepAliveSeconds given). */
  public boolean keepSession() {
    return keepSession;
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

  public boolean cancelRequested() {
    return cancelRequested;
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

  synchronized boolean markPicked() {
    if (status != StatementStatus.SUBMITTED) {
      return false;
    }
    status = StatementStatus.PICKED;
    updatedAt = Instant.now();
    return true;
  }

  synchronized boolean markStarted(int pid) {
    if (status != StatementStatus.PICKED) {
      return false;
    }
    status = StatementStatus.STARTED;
    redshiftPid = pid;
    startNanos = System.nanoTime();
    updatedAt = Instant.now();
    return true;
  }

  synchronized void markFinished() {
    finish(StatementStatus.FINISHED, null);
  }

  synchronized void markFailed(String message) {
    finish(StatementStatus.FAILED, message);
  }

  synchronized void markAborted() {
    runTerminalHook();
    finish(StatementStatus.ABORTED, null);
    for (SubStatement s : subStatements) {
      s.markAborted();
    }
  }

  /**
   * Work that must be done before callers can see a final status (releasing the Data API session,
   * so a caller that sees FINISHED can use the session at once). Runs once.
   */
  synchronized void onTerminal(Runnable hook) {
    this.terminalHook = hook;
  }

  synchronized void runTerminalHook() {
    if (!terminalHookDone && terminalHook != null) {
      terminalHookDone = true;
      terminalHook.run();
    }
  }

  private void finish(StatementStatus terminal, String message) {
    if (status.isTerminal()) {
      return;
    }
    runTerminalHook();
    status = terminal;
    error = message;
    durationNanos = startNanos == 0 ? 0 : System.nanoTime() - startNanos;
    updatedAt = Instant.now();
  }

  /**
   * Asks the statement to stop. A queued statement is aborted at once; a running one is interrupted
   * (its current PostgreSQL statement is cancelled) and aborted by its worker.
   *
   * @return the status before the request, so the caller can refuse finished statements
   */
  synchronized StatementStatus requestCancel() {
    StatementStatus before = status;
    if (before == StatementStatus.SUBMITTED || before == StatementStatus.PICKED) {
      cancelRequested = true;
      markAborted();
    } else if (before == StatementStatus.STARTED) {
      cancelRequested = true;
      if (runningJdbcStatement != null) {
        try {
          runningJdbcStatement.cancel();
        } catch (java.sql.SQLException e) {
          // the worker notices cancelRequested at its next step anyway
        }
      }
    }
    return before;
  }

  synchronized void setRunningJdbcStatement(java.sql.Statement statement) {
    this.runningJdbcStatement = statement;
  }
}
