package io.redstage.loader.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A schema-qualified table name, folded and validated. */
public final class TableRef implements Comparable<TableRef> {
  private final String schema;
  private final String table;

  private TableRef(String schema, String table) {
    this.schema = schema;
    this.table = table;
  }

  public static TableRef of(String schema, String table) {
    return new TableRef(
        Identifiers.fold(schema, "schema name"), Identifiers.fold(table, "table name"));
  }

  /**
   * Parses {@code table} or {@code schema.table}; an unqualified name gets {@code defaultSchema}.
   */
  public static TableRef parse(String name, String defaultSchema) {
    int dot = name.indexOf('.');
    if (dot > 0 && dot < name.length() - 1) {
      return of(name.substring(0, dot), name.substring(dot + 1));
    }
    return of(defaultSchema, name);
  }

  public String schema() {
    return schema;
  }

  public String table() {
    return table;
  }

  /** The quoted, qualified name for SQL: {@code "schema"."table"}. */
  public String sql() {
    return Identifiers.quote(schema) + "." + Identifiers.quote(table);
  }

  /**
   * SQL that matches this table's rows to {@code source}'s on every column of {@code key} (folded
   * names): {@code "t"."k1" = "source"."k1" AND ...}.
   */
  String keyMatches(List<String> key, String source) {
    List<String> terms = new ArrayList<>(key.size());
    for (String k : key) {
      terms.add(
          sql()
              + "."
              + Identifiers.quote(k)
              + " = "
              + Identifiers.quote(source)
              + "."
              + Identifiers.quote(k));
    }
    return String.join(" AND ", terms);
  }

  /** The plain qualified name, as stored in the load-marker table and shown in logs. */
  public String name() {
    return schema + "." + table;
  }

  @Override
  public int compareTo(TableRef o) {
    return name().compareTo(o.name());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TableRef t && schema.equals(t.schema) && table.equals(t.table);
  }

  @Override
  public int hashCode() {
    return Objects.hash(schema, table);
  }

  @Override
  public String toString() {
    return name();
  }
}
