package io.redstage.examples.measure;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the warehouse over JDBC, as an analyst's client would: every poll it reads the loader's load-marker
 * table for units that became visible since the last poll. A unit's rows and its load marker commit in one
 * transaction, so the poll that first sees the marker is the moment those offsets became queryable. Also counts
 * the rows of the target tables for progress lines.
 */
public final class WarehouseWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WarehouseWatcher.class);
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final String markersTable;
  private final List<String> tables;
  private final LatencyTracker tracker;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "warehouse-watcher");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> seenUnits = new HashSet<>();
  private final Map<String, Long> rowCounts = new LinkedHashMap<>();
  private Connection connection;
  private Timestamp newestLoadedAt;
  private long polls;

  public WarehouseWatcher(String jdbcUrl, String user, String password, String markersTable, List<String> tables,
      LatencyTracker tracker) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.markersTable = markersTable;
    this.tables = List.copyOf(tables);
    this.tracker = tracker;
    tables.forEach(t -> rowCounts.put(t, 0L));
  }

  /** Polls the load markers every {@code markerPollMillis} and counts rows about once a second. */
  public void start(long markerPollMillis) {
    scheduler.scheduleWithFixedDelay(this::pollSafely, 0, markerPollMillis, TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(this::countSafely, 500, 1000, TimeUnit.MILLISECONDS);
  }

  private void pollSafely() {
    try {
      pollMarkers();
    } catch (SQLException e) {
      resetConnection("read the load markers", e);
    }
  }

  private void countSafely() {
    try {
      countRows();
    } catch (SQLException e) {
      resetConnection("count rows", e);
    }
  }

  private synchronized void resetConnection(String what, SQLException e) {
    // "relation does not exist" until the loader creates its tables: expected at start, quiet
    if (!"42P01".equals(e.getSQLState())) {
      LOG.warn("Cannot {} in the warehouse: {}. Retrying.", what, e.getMessage());
    }
    try {
      if (connection != null && !connection.isValid(1)) {
        connection.close();
        connection = null;
      }
    } catch (SQLException ignored) {
      connection = null;
    }
  }

  private synchronized Connection connection() throws SQLException {
    if (connection == null) {
      connection = DriverManager.getConnection(jdbcUrl, user, password);
      connection.setAutoCommit(true);
    }
    return connection;
  }

  /** One poll: reads markers loaded since shortly before the newest one seen (the loader's clock stamps them). */
  public synchronized void pollMarkers() throws SQLException {
    long now = System.currentTimeMillis();
    String sql = "SELECT topic, kafka_partition, start_offset, end_offset, marker_key, loaded_at FROM " + markersTable
        + (newestLoadedAt == null ? "" : " WHERE loaded_at >= ?");
    try (PreparedStatement ps = connection().prepareStatement(sql)) {
      if (newestLoadedAt != null) {
        // loaded_at is taken before the commit: look back far enough to catch a slow transaction's markers
        ps.setTimestamp(1, new Timestamp(newestLoadedAt.getTime() - 120_000));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String topic = rs.getString(1);
          int partition = rs.getInt(2);
          long start = rs.getLong(3);
          long end = rs.getLong(4);
          Timestamp loadedAt = rs.getTimestamp(6);
          if (seenUnits.add(rs.getString(5) + "\u0000" + start + "\u0000" + end)) {
            tracker.queryable(topic, partition, start, end, now);
          }
          if (newestLoadedAt == null || loadedAt.after(newestLoadedAt)) {
            newestLoadedAt = loadedAt;
          }
        }
      }
    }
    polls++;
  }

  /** Counts the rows of every target table that exists. */
  public synchronized void countRows() throws SQLException {
    try (Statement s = connection().createStatement()) {
      for (String table : tables) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
          rs.next();
          rowCounts.put(table, rs.getLong(1));
        } catch (SQLException e) {
          if (!"42P01".equals(e.getSQLState())) {
            throw e;
          }
        }
      }
    }
  }

  public synchronized Map<String, Long> rowCounts() {
    return new LinkedHashMap<>(rowCounts);
  }

  public synchronized int unitsSeen() {
    return seenUnits.size();
  }

  public synchronized long polls() {
    return polls;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // closing anyway
        }
      }
    }
  }
}
