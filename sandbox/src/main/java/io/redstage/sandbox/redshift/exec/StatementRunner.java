package io.redstage.sandbox.redshift.exec;

import io.redstage.sandbox.redshift.fault.FaultInjector;
import io.redstage.sandbox.redshift.sql.SqlTranslationException;
import io.redstage.sandbox.redshift.sql.SqlTranslator;
import io.redstage.sandbox.redshift.sql.Translation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one statement's SQL on its PostgreSQL session, with Redshift's transaction rules: an
 * ExecuteStatement is its own transaction, a batch is one transaction committed at the end, any
 * failure rolls back everything not yet committed, the failing sub-statement ends FAILED and the
 * ones after it ABORTED (they never run); the ones before it stay FINISHED, or end ABORTED with
 * {@code Faults#abortRolledBackSubStatements}.
 */
final class StatementRunner {
  private static final Logger LOG = LoggerFactory.getLogger(StatementRunner.class);

  /** Transaction state of the session while the statement runs. */
  private static final class TxnState {
    /** Between BEGIN and COMMIT/ROLLBACK written in the SQL. */
    boolean explicit;
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

  void run(StatementRecord r, Connection c, int pid) {
    TxnState txn = new TxnState();
    SubStatement current = null;
    try {
      c.setAutoCommit(false);
      for (SubStatement sub : r.subStatements()) {
        current = sub;
        long queryId = queryIds.incrementAndGet();
        sub.markStarted(queryId);
        Duration delay = faults.statementDelay(sub.sql());
        if (!delay.isZero()) {
          TimeUnit.NANOSECONDS.sleep(delay.toNanos());
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
      if (r.isBatch() || !txn.explicit) {
        c.commit();
      } else {
        // a BEGIN without COMMIT: the statement's session ends with it, which rolls back
        c.rollback();
      }
      r.markFinished();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      rollback(c);
      fail(r, current, "ERROR: The Redshift sandbox was stopped while the statement ran");
    } catch (RuntimeException | SQLException e) {
      String message = message(e, r);
      rollback(c);
      fail(r, current, message);
    }
  }

  private record Outcome(QueryResult result, long rows) {}

  private Outcome runSql(
      SubStatement sub, Connection c, StatementRecord r, TxnState txn, int pid, long queryId)
      throws SQLException {
    List<Translation> translations = SqlTranslator.translate(sub.sql(), new JdbcCatalog(c));
    Outcome outcome = new Outcome(null, 0);
    for (Translation t : translations) {
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
          ExecutionContext ctx =
              new ExecutionContext(
                  queryId,
                  pid,
                  database,
                  r.connection().dbUser() == null ? "awsuser" : r.connection().dbUser(),
                  inBlock);
          long rows = copyExecutor.copy(t.original(), t.copyTokens(), c, ctx);
          setLastCopyId(c, queryId);
          outcome = new Outcome(null, faults.reportedCopyRows(rows));
        }
        case EXECUTE -> {
          outcome = execute(t, c);
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

  private Outcome execute(Translation t, Connection c) throws SQLException {
    for (String sql : t.before()) {
      runIgnoringResult(c, sql);
    }
    Outcome outcome;
    try (Statement st = c.createStatement()) {
      boolean hasResultSet = st.execute(t.sql());
      outcome =
          hasResultSet
              ? new Outcome(ResultReader.read(st.getResultSet()), 0)
              : new Outcome(null, Math.max(0, st.getUpdateCount()));
    }
    for (String sql : t.after()) {
      runIgnoringResult(c, sql);
    }
    return outcome;
  }

  private static void runIgnoringResult(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static void setLastCopyId(Connection c, long queryId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT set_config('redstage.last_copy_id', ?, false)")) {
      ps.setString(1, Long.toString(queryId));
      ps.execute();
    }
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      LOG.debug("Cannot roll back a failed statement's transaction: {}", e.getMessage());
    }
  }

  private void fail(StatementRecord r, SubStatement failed, String message) {
    boolean after = false;
    for (SubStatement s : r.subStatements()) {
      if (s == failed) {
        s.markFailed(message);
        after = true;
      } else if (after || failed == null) {
        s.markAborted();
      } else if (faults.abortRolledBackSubStatements()) {
        s.markRolledBack();
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
}
