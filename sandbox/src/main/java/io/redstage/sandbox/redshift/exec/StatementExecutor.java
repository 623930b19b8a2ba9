package io.redstage.sandbox.redshift.exec;

import io.redstage.sandbox.redshift.fault.FaultInjector;
import io.redstage.sandbox.redshift.pg.ConnectionPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs statements asynchronously on a bounded pool of workers, through the Data API lifecycle
 * SUBMITTED → PICKED → STARTED → FINISHED | FAILED, and enforces the active-statement quota. An
 * optional pick delay holds each statement in SUBMITTED and in PICKED so callers can observe them.
 */
public final class StatementExecutor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatementExecutor.class);

  /** The active-statement quota is exhausted. */
  public static final class QuotaExceededException extends Exception {
    private static final long serialVersionUID = 1L;

    QuotaExceededException(String message) {
      super(message);
    }
  }

  private final ConnectionPool pool;
  private final StatementRegistry registry;
  private final StatementRunner runner;
  private final ExecutorService workers;
  private final int maxActive;
  private final Duration pickDelay;
  private final String database;
  private final FaultInjector faults;

  public StatementExecutor(
      ConnectionPool pool,
      StatementRegistry registry,
      CopyExecutor copyExecutor,
      FaultInjector faults,
      String database,
      int workerThreads,
      int maxActive,
      Duration pickDelay) {
    this.pool = pool;
    this.registry = registry;
    this.runner = new StatementRunner(copyExecutor, faults, new AtomicLong(100_000), database);
    this.maxActive = maxActive;
    this.pickDelay = pickDelay == null ? Duration.ZERO : pickDelay;
    this.database = database;
    this.faults = faults;
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            workerThreads,
            r -> {
              Thread t = new Thread(r, "redshift-sandbox-worker-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Registers the statement and queues it; refuses it when the active-statement quota is used up.
   */
  public synchronized void submit(StatementRecord record, String clientToken)
      throws QuotaExceededException {
    if (registry.activeCount() >= maxActive) {
      throw new QuotaExceededException(
          "Active statements exceeded the allowed quota (" + maxActive + ").");
    }
    registry.add(record, clientToken);
    workers.execute(() -> run(record));
  }

  private void run(StatementRecord r) {
    Connection connection = null;
    try {
      pause();
      r.markPicked();
      pause();
      String wanted = r.connection().database();
      if (wanted != null && !wanted.equalsIgnoreCase(database)) {
        // as on a cluster: the statement is accepted, connecting to the database fails
        r.markStarted(-1);
        failAll(r, "FATAL: database \"" + wanted + "\" does not exist");
        return;
      }
      connection = pool.acquire();
      String zone = faults.sessionTimeZone();
      if (zone != null) {
        // as a database user's own time zone (ALTER USER ... SET timezone) sets it on a cluster;
        // the pool's reset puts the session back to UTC
        try (java.sql.Statement s = connection.createStatement()) {
          s.execute("SET TIME ZONE '" + zone.replace("'", "''") + "'");
        }
      }
      String dbUser = r.connection().dbUser();
      if (faults.statementsAsDbUser() && dbUser != null) {
        // as on a cluster, where a statement runs as its database user and its privileges apply;
        // the pool's reset (DISCARD ALL) makes the session the superuser's again
        try (java.sql.Statement s = connection.createStatement()) {
          s.execute("SET ROLE \"" + dbUser.replace("\"", "\"\"") + "\"");
        }
      }
      int pid = connection.unwrap(PGConnection.class).getBackendPID();
      r.markStarted(pid);
      LOG.debug(
          "Statement {} started ({} SQL) on backend {}", r.id(), r.subStatements().size(), pid);
      runner.run(r, connection, pid);
    } catch (SQLException e) {
      failAll(r, SqlErrors.describe(e));
    } catch (InterruptedException e) {
      // the endpoint is closing
      Thread.currentThread().interrupt();
      failAll(r, "ERROR: The Redshift sandbox was stopped before the statement ran");
    } catch (RuntimeException e) {
      LOG.warn("Statement {} failed inside the Redshift sandbox", r.id(), e);
      r.markFailed("ERROR: Internal error in the Redshift sandbox: " + e);
    } finally {
      if (connection != null) {
        pool.release(connection);
      }
    }
  }

  private static void failAll(StatementRecord r, String message) {
    List<SubStatement> subs = r.subStatements();
    subs.get(0).markFailed(message);
    for (SubStatement s : subs.subList(1, subs.size())) {
      s.markAborted();
    }
    r.markFailed(message);
  }

  /** Holds the statement in its current status for the pick delay, so tests can observe it. */
  private void pause() throws InterruptedException {
    if (!pickDelay.isZero()) {
      TimeUnit.NANOSECONDS.sleep(pickDelay.toNanos());
    }
  }

  @Override
  public void close() {
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
