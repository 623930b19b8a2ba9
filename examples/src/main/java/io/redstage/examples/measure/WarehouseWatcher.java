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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the warehouse over JDBC, as an analyst's client would, and tells the {@link
 * LatencyTracker} when offsets become queryable. Two probes:
 *
 * <ul>
 *   <li>Each target table's highest {@code kafka_offset} per partition. The loader applies a
 *       partition's units in offset order, so every offset up to it is applied. Cheap and never
 *       blocked by the loader's lock, so it dates visibility precisely; it cannot see an upsert
 *       table's trailing deletes.
 *   <li>The loader's load-marker table, written in the same transaction as the rows: exact
 *       coverage, the authority for "everything is loaded". Loaders hold a lock on it during each
 *       load, so a read may wait for one.
 * </ul>
 *
 * An offset's time is whichever probe saw it first. Also counts rows per table for progress lines.
 */
public final class WarehouseWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WarehouseWatcher.class);
  private static final String UNDEFINED_TABLE = "42P01";
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final String markersTable;
  private final Map<String, String> topicByTable;
  private final LatencyTracker tracker;
  // two threads and sessions, so a marker read waiting for the loader's lock never delays the table
  // probe
  private final ScheduledExecutorService scheduler =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "warehouse-watcher");
            t.setDaemon(true);
            return t;
          });
  private final Set<String> seenUnits = new HashSet<>();
  private final Map<String, Long> rowCounts = new LinkedHashMap<>();
  private final Session tables = new Session();
  private final Session markers = new Session();
  private Timestamp newestLoadedAt;

  /**
   * @param topicByTable target table (schema-qualified) to the topic loaded into it
   */
  public WarehouseWatcher(
      String jdbcUrl,
      String user,
      String password,
      String markersTable,
      Map<String, String> topicByTable,
      LatencyTracker tracker) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.markersTable = markersTable;
    this.topicByTable = new LinkedHashMap<>(topicByTable);
    this.tracker = tracker;
    topicByTable.keySet().forEach(t -> rowCounts.put(t, 0L));
  }

  /**
   * Probes the tables every {@code pollMillis}, counts rows every second and reads the load markers
   * every 500 ms.
   */
  public void start(long pollMillis) {
    scheduler.scheduleWithFixedDelay(
        () -> guarded(tables, this::pollWatermarks), 0, pollMillis, TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(
        () -> guarded(tables, this::countRows), 250, 1000, TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(
        () -> guarded(markers, this::pollMarkers), 0, 500, TimeUnit.MILLISECONDS);
  }

  private interface Probe {
    void run() throws SQLException;
  }

  private void guarded(Session session, Probe probe) {
    try {
      synchronized (session) { // one statement at a time per session
        probe.run();
      }
    } catch (SQLException e) {
      LOG.warn("Cannot query the warehouse: {}. Retrying.", e.getMessage());
      session.reset();
    } catch (RuntimeException e) {
      LOG.warn("Cannot watch the warehouse: {}", e.toString());
    }
  }

  /** One JDBC session, opened on first use and again after a failure. */
  private final class Session {
    private Connection connection;

    synchronized Connection get() throws SQLException {
      if (connection == null) {
        connection = DriverManager.getConnection(jdbcUrl, user, password);
        connection.setAutoCommit(true);
      }
      return connection;
    }

    synchronized void reset() {
      try {
        if (connection != null && !connection.isValid(1)) {
          connection.close();
          connection = null;
        }
      } catch (SQLException ignored) {
        connection = null;
      }
    }

    synchronized void close() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // closing anyway
        }
      }
    }
  }

  /** The highest loaded offset per partition of every target table. */
  public void pollWatermarks() throws SQLException {
    try (Statement s = tables.get().createStatement()) {
      for (Map.Entry<String, String> e : topicByTable.entrySet()) {
        try (ResultSet rs =
            s.executeQuery(
                "SELECT kafka_partition, MAX(kafka_offset) FROM "
                    + e.getKey()
                    + " GROUP BY kafka_partition")) {
          long seenAt = System.currentTimeMillis();
          while (rs.next()) {
            tracker.queryable(e.getValue(), rs.getInt(1), 0, rs.getLong(2), seenAt);
          }
        } catch (SQLException ex) {
          if (!UNDEFINED_TABLE.equals(ex.getSQLState())) {
            throw ex;
          }
        }
      }
    }
  }

  /**
   * Load markers written since shortly before the newest one seen (the loader's clock stamps them).
   */
  public synchronized void pollMarkers() throws SQLException {
    String sql =
        "SELECT topic, kafka_partition, start_offset, end_offset, marker_key, loaded_at FROM "
            + markersTable
            + (newestLoadedAt == null ? "" : " WHERE loaded_at >= ?");
    try (PreparedStatement ps = markers.get().prepareStatement(sql)) {
      if (newestLoadedAt != null) {
        // loaded_at is taken before the commit: look back far enough to catch a slow transaction's
        // markers
        ps.setTimestamp(1, new Timestamp(newestLoadedAt.getTime() - 120_000));
      }
      try (ResultSet rs = ps.executeQuery()) {
        long seenAt = System.currentTimeMillis();
        while (rs.next()) {
          long start = rs.getLong(3);
          long end = rs.getLong(4);
          Timestamp loadedAt = rs.getTimestamp(6);
          if (seenUnits.add(rs.getString(5) + "\u0000" + start + "\u0000" + end)) {
            tracker.queryable(rs.getString(1), rs.getInt(2), start, end, seenAt);
            tracker.confirmed(rs.getString(1), rs.getInt(2), start, end);
          }
          if (newestLoadedAt == null || loadedAt.after(newestLoadedAt)) {
            newestLoadedAt = loadedAt;
          }
        }
      }
    } catch (SQLException e) {
      if (!UNDEFINED_TABLE.equals(e.getSQLState())) {
        throw e;
      }
    }
  }

  /** Counts the rows of every target table that exists. */
  public void countRows() throws SQLException {
    try (Statement s = tables.get().createStatement()) {
      for (String table : topicByTable.keySet()) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
          rs.next();
          long n = rs.getLong(1);
          synchronized (rowCounts) {
            rowCounts.put(table, n);
          }
        } catch (SQLException e) {
          if (!UNDEFINED_TABLE.equals(e.getSQLState())) {
            throw e;
          }
        }
      }
    }
  }

  /** Rows per table at the last count. */
  public Map<String, Long> rowCounts() {
    synchronized (rowCounts) {
      return new LinkedHashMap<>(rowCounts);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    tables.close();
    markers.close();
  }
}
