package io.redstage.loader.sql;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The columns of an existing table, folded names in ordinal order, as read from
 * information_schema.columns.
 */
public final class TableSchema {
  /** One existing column. */
  public record Column(String name, RedshiftType type, boolean nullable) {}

  private final Map<String, Column> columns = new LinkedHashMap<>();

  public TableSchema add(String name, RedshiftType type, boolean nullable) {
    String folded = Identifiers.fold(name, "an existing column");
    columns.put(folded, new Column(folded, type, nullable));
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
