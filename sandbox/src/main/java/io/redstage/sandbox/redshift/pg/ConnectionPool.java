package io.redstage.sandbox.redshift.pg;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small pool of PostgreSQL sessions, one per running statement. A session is reset with DISCARD
 * ALL when it comes back, so temp tables and settings never leak from one Data API statement to the
 * next (a Redshift Data API statement without SessionId runs in its own session). Hand-written
 * because it is a few lines and the reset-on-release rule is the point; a general pool would need
 * the same hook.
 */
public final class ConnectionPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);

  private final PostgresServer server;
  private final int maxIdle;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private boolean closed;

  public ConnectionPool(PostgresServer server, int maxIdle) {
    this.server = server;
    this.maxIdle = maxIdle;
  }

  public Connection acquire() throws SQLException {
    synchronized (this) {
      if (closed) {
        throw new SQLException("Cannot open a PostgreSQL session: the sandbox is closed");
      }
      Connection c = idle.poll();
      if (c != null) {
        return c;
      }
    }
    return server.connect();
  }

  /** Returns a session; it is reset first, or closed when it cannot be reused. */
  public void release(Connection c) {
    if (c == null) {
      return;
    }
    if (!reset(c)) {
      closeQuietly(c);
      return;
    }
    synchronized (this) {
      if (!closed && idle.size() < maxIdle) {
        idle.push(c);
        return;
      }
    }
    closeQuietly(c);
  }

  /** Ends the session's state: open transaction, temp tables, settings. */
  public static boolean reset(Connection c) {
    try {
      if (c.isClosed()) {
        return false;
      }
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      try (Statement s = c.createStatement()) {
        s.execute("DISCARD ALL");
      }
      PostgresServer.initSession(c);
      return true;
    } catch (SQLException e) {
      LOG.debug("Dropping a PostgreSQL session that cannot be reset: {}", e.getMessage());
      return false;
    }
  }

  public static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      LOG.debug("Cannot close a PostgreSQL session: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      for (Connection c : idle) {
        closeQuietly(c);
      }
      idle.clear();
    }
  }
}
