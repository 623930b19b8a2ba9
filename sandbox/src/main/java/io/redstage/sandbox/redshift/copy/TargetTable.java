package io.redstage.sandbox.redshift.copy;

import io.redstage.sandbox.redshift.exec.StatementFailedException;
import io.redstage.sandbox.redshift.sql.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The table a COPY loads, read from the catalog on the statement's session (temp tables included).
 */
final class TargetTable {
  /** What COPY must produce for a column. */
  enum Kind {
    SMALLINT,
    INTEGER,
    BIGINT,
    DECIMAL,
    REAL,
    DOUBLE,
    BOOLEAN,
    CHAR,
    VARCHAR,
    DATE,
    TIMESTAMP,
    TIMESTAMPTZ,
    TIME,
    TIMETZ,
    SUPER,
    VARBYTE,
    UNSUPPORTED
  }

  /** One column with the facts COPY needs. */
  record Column(
      String name,
      int position,
      Kind kind,
      String pgType,
      int length,
      int precision,
      int scale,
      boolean notNull,
      boolean hasDefault) {
    /** Redshift's short type name, as load error views show it. */
    String redshiftType() {
      return switch (kind) {
        case SMALLINT -> "int2";
        case INTEGER -> "int4";
        case BIGINT -> "int8";
        case DECIMAL -> "numeric";
        case REAL -> "float4";
        case DOUBLE -> "float8";
        case BOOLEAN -> "bool";
        case CHAR -> "bpchar";
        case VARCHAR -> "varchar";
        case DATE -> "date";
        case TIMESTAMP -> "timestamp";
        case TIMESTAMPTZ -> "timestamptz";
        case TIME -> "time";
        case TIMETZ -> "timetz";
        case SUPER -> "super";
        case VARBYTE -> "varbyte";
        case UNSUPPORTED -> pgType;
      };
    }

    /** Length as load error views show it: n for strings, "p,s" for decimals, empty otherwise. */
    String lengthText() {
      return switch (kind) {
        case CHAR, VARCHAR, VARBYTE -> Integer.toString(length);
        case DECIMAL -> precision + "," + scale;
        default -> "";
      };
    }
  }

  private static final Pattern VARBYTE_LIMIT = Pattern.compile("rsvy_(\\d+)_([0-9a-f]{8})");

  final long oid;
  final String name;

  /** The table as PostgreSQL prints it (schema-qualified when not on the search path). */
  final String qualifiedName;

  final List<Column> columns;

  private TargetTable(long oid, String name, String qualifiedName, List<Column> columns) {
    this.oid = oid;
    this.name = name;
    this.qualifiedName = qualifiedName;
    this.columns = columns;
  }

  static TargetTable lookup(Connection c, String table) throws SQLException {
    long oid;
    String relname;
    String qualified;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT c.oid, c.relname, c.oid::regclass::text FROM pg_class c "
                + "WHERE c.oid = to_regclass(?) AND c.relkind IN ('r', 'p')")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new StatementFailedException(
              "Cannot COPY into nonexistent table " + unquote(table));
        }
        oid = rs.getLong(1);
        relname = rs.getString(2);
        qualified = rs.getString(3);
      }
    }
    Map<String, Integer> varbyteLimits = varbyteLimits(c, oid);
    List<Column> columns = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT a.attname, t.typname, format_type(a.atttypid, a.atttypmod), a.atttypmod, a.attnotnull, "
                + "(a.atthasdef OR a.attidentity <> '') FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                + "WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        int position = 0;
        while (rs.next()) {
          String name = rs.getString(1);
          String typname = rs.getString(2);
          int typmod = rs.getInt(4);
          Kind kind = kind(typname);
          int length = 0;
          int precision = 0;
          int scale = 0;
          if (kind == Kind.VARCHAR || kind == Kind.CHAR) {
            length = typmod > 4 ? typmod - 4 : 65535;
          } else if (kind == Kind.DECIMAL) {
            precision = typmod > 4 ? ((typmod - 4) >> 16) & 0xffff : 38;
            scale = typmod > 4 ? (typmod - 4) & 0xffff : 0;
          } else if (kind == Kind.VARBYTE) {
            length = varbyteLimits.getOrDefault(Identifiers.columnHash(name), 1024000);
          }
          columns.add(
              new Column(
                  name,
                  position++,
                  kind,
                  rs.getString(3),
                  length,
                  precision,
                  scale,
                  rs.getBoolean(5),
                  rs.getBoolean(6)));
        }
      }
    }
    return new TargetTable(oid, relname, qualified, columns);
  }

  /** The columns a COPY fills: all of them, or those of its column list, in list order. */
  List<Column> select(List<String> names) {
    if (names.isEmpty()) {
      return columns;
    }
    List<Column> out = new ArrayList<>();
    for (String n : names) {
      Column found = null;
      for (Column col : columns) {
        if (col.name().equals(n)) {
          found = col;
        }
      }
      if (found == null) {
        throw new StatementFailedException(
            "column \"" + n + "\" of relation \"" + name + "\" does not exist");
      }
      if (out.contains(found)) {
        throw new StatementFailedException("column \"" + n + "\" specified more than once");
      }
      out.add(found);
    }
    return out;
  }

  private static Map<String, Integer> varbyteLimits(Connection c, long oid) throws SQLException {
    Map<String, Integer> out = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT conname FROM pg_constraint WHERE conrelid = ? AND conname LIKE 'rsvy%'")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Matcher m = VARBYTE_LIMIT.matcher(rs.getString(1));
          if (m.matches()) {
            out.put(m.group(2), Integer.parseInt(m.group(1)));
          }
        }
      }
    }
    return out;
  }

  private static Kind kind(String typname) {
    return switch (typname) {
      case "int2" -> Kind.SMALLINT;
      case "int4" -> Kind.INTEGER;
      case "int8" -> Kind.BIGINT;
      case "numeric" -> Kind.DECIMAL;
      case "float4" -> Kind.REAL;
      case "float8" -> Kind.DOUBLE;
      case "bool" -> Kind.BOOLEAN;
      case "bpchar" -> Kind.CHAR;
      case "varchar", "text" -> Kind.VARCHAR;
      case "date" -> Kind.DATE;
      case "timestamp" -> Kind.TIMESTAMP;
      case "timestamptz" -> Kind.TIMESTAMPTZ;
      case "time" -> Kind.TIME;
      case "timetz" -> Kind.TIMETZ;
      case "jsonb", "json" -> Kind.SUPER;
      case "bytea" -> Kind.VARBYTE;
      default -> Kind.UNSUPPORTED;
    };
  }

  private static String unquote(String table) {
    return table.replace("\"", "");
  }
}
