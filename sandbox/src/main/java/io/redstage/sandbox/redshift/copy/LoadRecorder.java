package io.redstage.sandbox.redshift.copy;

import io.redstage.sandbox.redshift.pg.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes load history and load errors on its own autocommit session, so they survive the rollback
 * of the COPY's transaction, as Redshift's system tables do. A failure to record is logged, never
 * fails the COPY.
 */
final class LoadRecorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoadRecorder.class);

  /** One row of the load error tables. */
  record ErrorRow(
      long queryId,
      long transactionId,
      int sessionPid,
      String database,
      long tableOid,
      String tableName,
      Instant startTime,
      String fileName,
      long lineNumber,
      String columnName,
      String columnType,
      String columnLength,
      int position,
      int errorCode,
      String errorMessage,
      String rawLine,
      String rawFieldValue) {}

  private final PostgresServer postgres;
  private Connection connection;

  LoadRecorder(PostgresServer postgres) {
    this.postgres = postgres;
  }

  synchronized void started(
      long queryId,
      long transactionId,
      int sessionPid,
      String database,
      String table,
      String dataSource,
      String fileFormat,
      Instant start) {
    run(
        "INSERT INTO redstage_sys.load_history (user_id, query_id, transaction_id, session_id, database_name, status, "
            + "table_name, start_time, data_source, file_format, loaded_rows, loaded_bytes, source_file_count, "
            + "source_file_bytes, file_count_scanned, file_bytes_scanned, error_count, copy_job_id) "
            + "VALUES (100, ?, ?, ?, ?, 'running', ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0)",
        ps -> {
          ps.setLong(1, queryId);
          ps.setLong(2, transactionId);
          ps.setInt(3, sessionPid);
          ps.setString(4, database);
          ps.setString(5, table);
          ps.setObject(6, utc(start));
          ps.setString(7, dataSource);
          ps.setString(8, fileFormat);
        });
  }

  synchronized void finished(
      long queryId,
      boolean completed,
      long loadedRows,
      long loadedBytes,
      int fileCount,
      long fileBytes,
      int filesScanned,
      long bytesScanned,
      long errorCount,
      String message,
      Instant start,
      Instant end) {
    run(
        "UPDATE redstage_sys.load_history SET status = ?, end_time = ?, duration = ?, loaded_rows = ?, "
            + "loaded_bytes = ?, source_file_count = ?, source_file_bytes = ?, file_count_scanned = ?, "
            + "file_bytes_scanned = ?, error_count = ?, error_message = ? WHERE query_id = ?",
        ps -> {
          ps.setString(1, completed ? "completed" : "aborted");
          ps.setObject(2, utc(end));
          ps.setLong(3, Duration.between(start, end).toNanos() / 1000);
          ps.setLong(4, completed ? loadedRows : 0);
          ps.setLong(5, completed ? loadedBytes : 0);
          ps.setInt(6, fileCount);
          ps.setLong(7, fileBytes);
          ps.setInt(8, filesScanned);
          ps.setLong(9, bytesScanned);
          ps.setLong(10, errorCount);
          ps.setString(11, message);
          ps.setLong(12, queryId);
        });
  }

  synchronized void errors(List<ErrorRow> rows) {
    if (rows.isEmpty()) {
      return;
    }
    run(
        "INSERT INTO redstage_sys.load_errors (user_id, query_id, transaction_id, session_id, database_name, table_id, "
            + "table_name, start_time, file_name, line_number, column_name, column_type, column_length, position, "
            + "error_code, error_message, raw_line, raw_field_value, is_partial, start_offset) "
            + "VALUES (100, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
        ps -> {
          for (ErrorRow r : rows) {
            ps.setLong(1, r.queryId());
            ps.setLong(2, r.transactionId());
            ps.setInt(3, r.sessionPid());
            ps.setString(4, r.database());
            ps.setLong(5, r.tableOid());
            ps.setString(6, r.tableName());
            ps.setObject(7, utc(r.startTime()));
            ps.setString(8, fileName(r.fileName()));
            ps.setLong(9, r.lineNumber());
            ps.setString(10, r.columnName());
            ps.setString(11, r.columnType());
            ps.setString(12, r.columnLength());
            ps.setInt(13, r.position());
            ps.setInt(14, r.errorCode());
            ps.setString(15, r.errorMessage());
            ps.setString(16, clean(r.rawLine()));
            ps.setString(17, clean(r.rawFieldValue()));
            ps.addBatch();
          }
        });
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private void run(String sql, Binder binder) {
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        if (connection == null || connection.isClosed()) {
          connection = postgres.connect();
        }
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
          binder.bind(ps);
          if (sql.startsWith("INSERT INTO redstage_sys.load_errors")) {
            ps.executeBatch();
          } else {
            ps.executeUpdate();
          }
        }
        return;
      } catch (SQLException e) {
        LOG.warn(
            "Cannot record COPY load history/errors (attempt {}): {}", attempt + 1, e.getMessage());
        closeConnection();
      }
    }
  }

  /** Characters of a file name the load error views keep: {@code filename} is character(256). */
  static final int FILE_NAME_CHARS = 256;

  /**
   * The file name as the views keep it, cut at {@link #FILE_NAME_CHARS} as Redshift's
   * character(256) column does: a loader that reads its rows back must find them by the cut name
   * and tell apart the files whose names share those characters.
   */
  static String fileName(String s) {
    return s == null || s.length() <= FILE_NAME_CHARS ? s : s.substring(0, FILE_NAME_CHARS);
  }

  /**
   * Load error text is stored in text columns: no NUL bytes, at most 1 KB as in STL_LOAD_ERRORS.
   */
  private static String clean(String s) {
    if (s == null) {
      return null;
    }
    String t = s.replace('\0', ' ');
    return t.length() > 1024 ? t.substring(0, 1024) : t;
  }

  private static LocalDateTime utc(Instant t) {
    return LocalDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // already broken
      }
      connection = null;
    }
  }

  @Override
  public synchronized void close() {
    closeConnection();
  }
}
