package io.redstage.loader.sql;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The columns of an existing table, folded names in ordinal order, as read from
 * information_schema.columns.
 */
public final class TableSchema {
  /**
   * One existing column.
   *
   * @param defaulted it has a default (an IDENTITY column too, whose default Redshift shows as
   *     "identity"(...)): an INSERT that leaves it out fills it, NOT NULL or not
   */
  public record Column(String name, RedshiftType type, boolean nullable, boolean defaulted) {}

  private final Map<String, Column> columns = new LinkedHashMap<>();

  public TableSchema add(String name, RedshiftType type, boolean nullable) {
    return add(name, type, nullable, false);
  }

  public TableSchema add(String name, RedshiftType type, boolean nullable, boolean defaulted) {
    String folded = Identifiers.fold(name, "an existing column");
    columns.put(folded, new Column(folded, type, nullable, defaulted));
    return this;
  }

  public Map<String, Column> columns() {
    return Collections.unmodifiableMap(columns);
  }

  public Column column(String folded) {
    return columns.get(folded);
  }

  public boolean isEmpty() {
    return columns.isEmpty();
  }

  @Override
  public String toString() {
    return columns.values().toString();
  }
}
