package io.redstage.sandbox.redshift.exec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JDBC result set into a {@link QueryResult}: Redshift type names (SUPER for jsonb, VARBYTE
 * for bytea) and values in the Field form the Data API uses (integers as longValue, floats as
 * doubleValue, booleans, everything else as the database's text form in stringValue, VARBYTE as
 * blobValue).
 */
final class ResultReader {
  /** The Data API refuses results larger than this (current limit, MG data-api-troubleshooting). */
  static final long MAX_RESULT_BYTES = 500L * 1024 * 1024;

  /** Exact decimals: compacting SUPER text must not round its numbers. */
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  private ResultReader() {}

  static QueryResult read(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<ColumnMeta> columns = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      columns.add(column(md, i));
    }
    List<Object[]> rows = new ArrayList<>();
    long size = 0;
    while (rs.next()) {
      Object[] row = new Object[n];
      for (int i = 0; i < n; i++) {
        row[i] = value(rs, i + 1, columns.get(i).fieldKind());
        size += sizeOf(row[i]);
      }
      rows.add(row);
      if (size > MAX_RESULT_BYTES) {
        throw new StatementFailedException(
            "Query result exceeds the Data API's maximum result size of 500 MB. "
                + "Select fewer rows or columns.");
      }
    }
    return new QueryResult(columns, rows, size);
  }

  private static ColumnMeta column(ResultSetMetaData md, int i) throws SQLException {
    String pgType = md.getColumnTypeName(i);
    ColumnMeta.FieldKind kind;
    String typeName;
    switch (pgType) {
      case "int2", "int4", "int8", "oid", "xid" -> {
        kind = ColumnMeta.FieldKind.LONG;
        typeName = pgType;
      }
      case "float4", "float8" -> {
        kind = ColumnMeta.FieldKind.DOUBLE;
        typeName = pgType;
      }
      case "bool" -> {
        kind = ColumnMeta.FieldKind.BOOLEAN;
        typeName = pgType;
      }
      case "jsonb", "json" -> {
        kind = ColumnMeta.FieldKind.JSON;
        typeName = "super";
      }
      case "bytea" -> {
        kind = ColumnMeta.FieldKind.BLOB;
        typeName = "varbyte";
      }
      case "text" -> {
        kind = ColumnMeta.FieldKind.STRING;
        typeName = "varchar";
      }
      default -> {
        kind = ColumnMeta.FieldKind.STRING;
        typeName = pgType;
      }
    }
    return new ColumnMeta(
        md.getColumnName(i),
        md.getColumnLabel(i),
        typeName,
        md.getColumnDisplaySize(i),
        md.getPrecision(i),
        md.getScale(i),
        md.isNullable(i),
        md.isSigned(i),
        md.isCaseSensitive(i),
        md.isCurrency(i),
        md.getSchemaName(i),
        md.getTableName(i),
        kind);
  }

  private static Object value(ResultSet rs, int i, ColumnMeta.FieldKind kind) throws SQLException {
    switch (kind) {
      case LONG:
        {
          long v = rs.getLong(i);
          return rs.wasNull() ? null : v;
        }
      case DOUBLE:
        {
          double v = rs.getDouble(i);
          if (rs.wasNull()) {
            return null;
          }
          // JSON has no NaN/Infinity: the text form goes in stringValue instead
          return Double.isFinite(v) ? (Object) v : rs.getString(i);
        }
      case BOOLEAN:
        {
          boolean v = rs.getBoolean(i);
          return rs.wasNull() ? null : v;
        }
      case JSON:
        {
          String text = rs.getString(i);
          return text == null ? null : compactJson(text);
        }
      case BLOB:
        return rs.getBytes(i);
      default:
        return rs.getString(i);
    }
  }

  /** Redshift prints SUPER values without the spaces PostgreSQL's jsonb output adds. */
  static String compactJson(String text) {
    try {
      return JSON.writeValueAsString(JSON.readTree(text));
    } catch (IOException e) {
      return text;
    }
  }

  private static long sizeOf(Object v) {
    if (v == null) {
      return 1;
    }
    if (v instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8).length;
    }
    if (v instanceof byte[] b) {
      return b.length;
    }
    return 8;
  }
}
