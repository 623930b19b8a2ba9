package io.redstage.loader.sql;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a batch does to its target table before loading: DDL (CREATE TABLE IF NOT EXISTS or ADD
 * COLUMN) and the target's columns afterwards (folded name to type, in table order) that the insert
 * maps by name.
 *
 * @param createsTable the DDL creates the table (then every column is new)
 * @param addedColumns the columns the DDL adds to an existing table, in the order of their ADD
 *     COLUMN statements (which are then all of {@code ddl})
 * @param notNullColumns the existing table's NOT NULL columns (the loader adds and creates only
 *     nullable ones)
 */
public record TablePlan(
    List<String> ddl,
    Map<String, RedshiftType> targetColumns,
    boolean createsTable,
    List<String> addedColumns,
    Set<String> notNullColumns) {

  public TablePlan {
    notNullColumns = Set.copyOf(notNullColumns);
  }

  public TablePlan(
      List<String> ddl,
      Map<String, RedshiftType> targetColumns,
      boolean createsTable,
      List<String> addedColumns) {
    this(ddl, targetColumns, createsTable, addedColumns, Set.of());
  }

  public TablePlan(List<String> ddl, Map<String, RedshiftType> targetColumns) {
    this(ddl, targetColumns, false, List.of());
  }
}
