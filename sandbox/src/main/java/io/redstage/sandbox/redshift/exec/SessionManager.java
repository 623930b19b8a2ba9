package io.redstage.sandbox.redshift.exec;

import io.redstage.sandbox.redshift.pg.ConnectionPool;
import io.redstage.sandbox.redshift.pg.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data API sessions ({@code SessionKeepAliveSeconds} / {@code SessionId}): a PostgreSQL session
 * kept open after a statement so that temp tables, settings and an open transaction survive until
 * the next statement of the same session. One statement at a time per session; a session idle past
 * its keep-alive is closed, which rolls back anything uncommitted, as when a Redshift session ends.
 */
public final class SessionManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);

  /** Redshift caps sessions at 24 hours. */
  public static final int MAX_KEEP_ALIVE_SECONDS = 86400;

  /**
   * One session. Fields are guarded by the manager's lock except the connection, owned by the
   * runner.
   */
  public static final class Session {
    private final String id;
    private Connection connection;
    private boolean busy;
    private int keepAliveSeconds;
    private Instant expiresAt;
    private boolean explicitTransaction;

    Session(String id, int keepAliveSeconds) {
      this.id = id;
      this.keepAliveSeconds = keepAliveSeconds;
      this.expiresAt = Instant.now().plusSeconds(keepAliveSeconds);
    }

    public String id() {
      return id;
    }

    /**
     * True after BEGIN until COMMIT/ROLLBACK: statements of the session do not commit on their own.
     */
    public boolean inExplicitTransaction() {
      return explicitTransaction;
    }

    public void setExplicitTransaction(boolean open) {
      this.explicitTransaction = open;
    }

    Connection connection(PostgresServer server) throws SQLException {
      if (connection == null || connection.isClosed()) {
        connection = server.connect();
        explicitTransaction = false;
      }
      return connection;
    }
  }

  private final PostgresServer server;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final ScheduledExecutorService reaper;

  public SessionManager(PostgresServer server) {
    this.server = server;
    this.reaper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "redshift-sandbox-session-reaper");
              t.setDaemon(true);
              return t;
            });
    reaper.scheduleWithFixedDelay(this::closeExpired, 1, 1, TimeUnit.SECONDS);
  }

  /**
   * Opens a new session for a statement that asked for one; it is busy until that statement ends.
   */
  public synchronized Session create(int keepAliveSeconds) {
    Session s = new Session(UUID.randomUUID().toString(), keepAliveSeconds);
    s.busy = true;
    sessions.put(s.id, s);
    return s;
  }

  /**
   * Claims an existing session for a new statement.
   *
   * @throws IllegalStateException with the reason when the session cannot be used
   */
  public synchronized Session claim(String sessionId, Integer keepAliveSeconds) {
    Session s = sessions.get(sessionId);
    if (s == null || s.expiresAt.isBefore(Instant.now())) {
      throw new IllegalStateException(
          "Cannot use session "
              + sessionId
              + ": it does not exist or has expired. "
              + "Start a new session with SessionKeepAliveSeconds.");
    }
    if (s.busy) {
      throw new IllegalStateException(
          "Cannot use session "
              + sessionId
              + ": a statement is still running in it. "
              + "Wait until DescribeStatement reports a final status.");
    }
    s.busy = true;
    if (keepAliveSeconds != null) {
      s.keepAliveSeconds = keepAliveSeconds;
    }
    return s;
  }

  public Session get(String sessionId) {
    return sessions.get(sessionId);
  }

  public Connection connection(Session s) throws SQLException {
    return s.connection(server);
  }

  /** The statement of the session ended; the session stays open for its keep-alive. */
  public synchronized void release(Session s) {
    s.busy = false;
    s.expiresAt = Instant.now().plusSeconds(s.keepAliveSeconds);
    if (s.keepAliveSeconds <= 0) {
      end(s);
    }
  }

  private synchronized void closeExpired() {
    Instant now = Instant.now();
    for (Session s : sessions.values()) {
      if (!s.busy && s.expiresAt.isBefore(now)) {
        LOG.debug("Closing expired Data API session {}", s.id);
        end(s);
      }
    }
  }

  private void end(Session s) {
    sessions.remove(s.id);
    if (s.connection != null) {
      ConnectionPool.closeQuietly(s.connection);
    }
  }

  @Override
  public synchronized void close() {
    reaper.shutdownNow();
    for (Session s : sessions.values().toArray(new Session[0])) {
      end(s);
    }
  }
}
