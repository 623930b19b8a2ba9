package io.redstage.sandbox.redshift.exec;

import io.redstage.sandbox.redshift.fault.FaultInjector;
import io.redstage.sandbox.redshift.sql.SqlTranslationException;
import io.redstage.sandbox.redshift.sql.SqlTranslator;
import io.redstage.sandbox.redshift.sql.Translation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one statement's SQL on its PostgreSQL session, with Redshift's transaction rules: an
 * ExecuteStatement is its own transaction (unless a session opened one with BEGIN), a batch is one
 * transaction committed at the end, any failure rolls back everything not yet committed, the
 * failing sub-statement ends FAILED and the ones after it ABORTED (they never run).
 */
final class StatementRunner {
  private static final Logger LOG = LoggerFactory.getLogger(StatementRunner.class);

  /** Signals that the caller cancelled the statement. */
  private static final class Cancelled extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  /** Transaction state of the session while the statement runs. */
  private static final class TxnState {
    boolean explicit;
    boolean copyAttempted;
    long lastCopyQueryId;
  }

  private final CopyExecutor copyExecutor;
  private final FaultInjector faults;
  private final AtomicLong queryIds;
  private final String database;

  StatementRunner(
      CopyExecutor copyExecutor, FaultInjector faults, AtomicLong queryIds, String database) {
    this.copyExecutor = copyExecutor;
    this.faults = faults;
    this.queryIds = queryIds;
    this.database = database;
  }

  void run(StatementRecord r, Connection c, SessionManager.Session session, int pid) {
    TxnState txn = new TxnState();
    txn.explicit = session != null && session.inExplicitTransaction();
    SubStatement current = null;
    try {
      c.setAutoCommit(false);
      for (SubStatement sub : r.subStatements()) {
        current = sub;
        checkCancelled(r);
        long queryId = queryIds.incrementAndGet();
        sub.markStarted(queryId);
        Duration delay = faults.statementDelay(sub.sql());
        if (!delay.isZero()) {
          sleep(delay, r);
        }
        faults
            .statementFailure(sub.sql())
            .ifPresent(
                error -> {
                  throw new StatementFailedException(error);
                });
        Outcome o = runSql(sub, c, r, txn, pid, queryId);
        sub.markFinished(o.result, o.rows);
      }
      checkCancelled(r);
      if (r.isBatch() || !txn.explicit) {
        c.commit();
        txn.explicit = false;
      }
      syncSession(session, txn);
      r.markFinished();
    } catch (Cancelled e) {
      rollback(c, txn);
      syncSession(session, txn);
      r.markAborted();
    } catch (RuntimeException | SQLException e) {
      if (r.cancelRequested()) {
        rollback(c, txn);
        syncSession(session, txn);
        r.markAborted();
      } else {
        String message = message(e, r);
        rollback(c, txn);
        syncSession(session, txn);
        fail(r, current, message);
      }
    } finally {
      r.setRunningJdbcStatement(null);
    }
  }

  /** Records the session's transaction state before the final status releases the session. */
  private static void syncSession(SessionManager.Session session, TxnState txn) {
    if (session != null) {
      session.setExplicitTransaction(txn.explicit);
    }
  }

  private record Outcome(QueryResult result, long rows) {}

  private Outcome runSql(
      SubStatement sub, Connection c, StatementRecord r, TxnState txn, int pid, long queryId)
      throws SQLException {
    List<Translation> translations = SqlTranslator.translate(sub.sql(), new JdbcCatalog(c));
    Outcome outcome = new Outcome(null, 0);
    for (Translation t : translations) {
      checkCancelled(r);
      boolean inBlock = r.isBatch() || txn.explicit;
      if (t.forbiddenInTransaction() != null && inBlock) {
        throw new StatementFailedException(t.forbiddenInTransaction());
      }
      switch (t.kind()) {
        case BEGIN -> txn.explicit = true;
        case COMMIT -> {
          c.commit();
          txn.explicit = false;
        }
        case ROLLBACK -> {
          c.rollback();
          txn.explicit = false;
        }
        case NOOP -> outcome = new Outcome(null, 0);
        case COPY -> {
          txn.copyAttempted = true;
          txn.lastCopyQueryId = queryId;
          ExecutionContext ctx =
              new ExecutionContext(
                  queryId,
                  pid,
                  database,
                  r.connection().dbUser() == null ? "awsuser" : r.connection().dbUser(),
                  inBlock,
                  r::cancelRequested);
          long rows = copyExecutor.copy(t.original(), t.copyTokens(), c, ctx);
          setLastCopyId(c, queryId);
          outcome = new Outcome(null, rows);
        }
        case EXECUTE -> {
          outcome = execute(t, c, r);
          if (t.commitsTransaction()) {
            c.commit();
            txn.explicit = false;
          }
        }
        default -> throw new IllegalStateException("unknown translation kind " + t.kind());
      }
    }
    return outcome;
  }

  private Outcome execute(Translation t, Connection c, StatementRecord r) throws SQLException {
    for (String sql : t.before()) {
      runIgnoringResult(c, sql, r);
    }
    Outcome outcome;
    if (t.parameterNames().isEmpty()) {
      try (Statement st = c.createStatement()) {
        r.setRunningJdbcStatement(st);
        boolean hasResultSet = st.execute(t.sql());
        outcome =
            hasResultSet
                ? new Outcome(ResultReader.read(st.getResultSet()), 0)
                : new Outcome(null, Math.max(0, st.getUpdateCount()));
      }
    } else {
      try (PreparedStatement ps = c.prepareStatement(t.sql())) {
        List<String> names = t.parameterNames();
        for (int i = 0; i < names.size(); i++) {
          String value = r.parameters().get(names.get(i));
          if (value == null) {
            throw new StatementFailedException(
                "Parameter \""
                    + names.get(i)
                    + "\" is used in the SQL but has no value. "
                    + "Pass it in Parameters.");
          }
          // Types.OTHER sends the value untyped, so PostgreSQL casts it implicitly as Redshift does
          ps.setObject(i + 1, value, Types.OTHER);
        }
        r.setRunningJdbcStatement(ps);
        boolean hasResultSet = ps.execute();
        outcome =
            hasResultSet
                ? new Outcome(ResultReader.read(ps.getResultSet()), 0)
                : new Outcome(null, Math.max(0, ps.getUpdateCount()));
      }
    }
    r.setRunningJdbcStatement(null);
    for (String sql : t.after()) {
      runIgnoringResult(c, sql, r);
    }
    return outcome;
  }

  private static void runIgnoringResult(Connection c, String sql, StatementRecord r)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      r.setRunningJdbcStatement(st);
      st.execute(sql);
    } finally {
      r.setRunningJdbcStatement(null);
    }
  }

  private static void setLastCopyId(Connection c, long queryId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT set_config('redstage.last_copy_id', ?, false)")) {
      ps.setString(1, Long.toString(queryId));
      ps.execute();
    }
  }

  private static void rollback(Connection c, TxnState txn) {
    try {
      c.rollback();
      txn.explicit = false;
      if (txn.copyAttempted) {
        // SET is transactional: after the rollback pg_last_copy_id() must still name the failed
        // COPY
        // (that is how callers look up its load errors)
        setLastCopyId(c, txn.lastCopyQueryId);
        c.commit();
      }
    } catch (SQLException e) {
      LOG.debug("Cannot roll back a failed statement's transaction: {}", e.getMessage());
    }
  }

  private static void fail(StatementRecord r, SubStatement failed, String message) {
    boolean after = false;
    for (SubStatement s : r.subStatements()) {
      if (s == failed) {
        s.markFailed(message);
        after = true;
      } else if (after || failed == null) {
        s.markAborted();
      }
    }
    r.markFailed(message);
  }

  private static String message(Exception e, StatementRecord r) {
    if (e instanceof StatementFailedException || e instanceof SqlTranslationException) {
      return e.getMessage();
    }
    if (e instanceof SQLException sql) {
      return SqlErrors.describe(sql);
    }
    LOG.warn("Statement {} failed inside the Redshift sandbox", r.id(), e);
    return "ERROR: Internal error in the Redshift sandbox: " + e;
  }

  private static void checkCancelled(StatementRecord r) {
    if (r.cancelRequested()) {
      throw new Cancelled();
    }
  }

  /** Waits (slow-statement fault), waking up early when the statement is cancelled. */
  private static void sleep(Duration delay, StatementRecord r) {
    try {
      if (!Pauses.pause(delay, r::cancelRequested)) {
        throw new Cancelled();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Cancelled();
    }
  }
}
