package io.redstage.examples.badinput;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads the Redshift stand-in's PostgreSQL directly (JDBC), independently of the loader. */
final class Warehouse {
  static final String QUARANTINE_TABLE = "public._redstage_quarantine";

  private final String url;
  private final String user;
  private final String password;

  Warehouse(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  /** One row of the loader's quarantine table. */
  record QuarantineRow(
      String batchId,
      String table,
      String topic,
      int partition,
      long start,
      long end,
      String error,
      boolean released) {
    boolean covers(Sent s) {
      return topic.equals(s.format().topic())
          && partition == s.partition()
          && start <= s.offset()
          && s.offset() <= end;
    }
  }

  /**
   * Every row of the table keyed by "partition/offset" (from the Kafka metadata columns); a list,
   * so that a record loaded twice shows. Values: timestamps as LocalDateTime (UTC), dates as
   * LocalDate, SUPER as JsonNode. Empty when the table does not exist.
   */
  Map<String, List<Map<String, Object>>> rowsByOffset(String table) throws SQLException {
    Map<String, List<Map<String, Object>>> out = new HashMap<>();
    if (!exists(table)) {
      return out;
    }
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM public." + table)) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.put(
              md.getColumnName(i).toLowerCase(Locale.ROOT), value(rs, i, md.getColumnTypeName(i)));
        }
        out.computeIfAbsent(
                row.get("kafka_partition") + "/" + row.get("kafka_offset"), k -> new ArrayList<>())
            .add(row);
      }
    }
    return out;
  }

  List<QuarantineRow> quarantine() throws SQLException {
    List<QuarantineRow> out = new ArrayList<>();
    if (!exists("_redstage_quarantine")) {
      return out;
    }
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT batch_id, target_table, topic, kafka_partition, start_offset, end_offset, error, released_at FROM "
                    + QUARANTINE_TABLE)) {
      while (rs.next()) {
        out.add(
            new QuarantineRow(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getInt(4),
                rs.getLong(5),
                rs.getLong(6),
                rs.getString(7),
                rs.getTimestamp(8) != null));
      }
    }
    return out;
  }

  private boolean exists(String table) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT to_regclass('public." + table + "') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  private static Object value(ResultSet rs, int i, String type) throws SQLException {
    switch (type) {
      case "timestamp":
        return rs.getObject(i, LocalDateTime.class);
      case "date":
        return rs.getObject(i, LocalDate.class);
      case "jsonb":
      case "json":
        String text = rs.getString(i);
        try {
          return text == null ? null : Records.JSON.readTree(text);
        } catch (JsonProcessingException e) {
          throw new SQLException(
              "Cannot parse SUPER column "
                  + rs.getMetaData().getColumnName(i)
                  + " as JSON: "
                  + text,
              e);
        }
      default:
        return rs.getObject(i);
    }
  }
}
