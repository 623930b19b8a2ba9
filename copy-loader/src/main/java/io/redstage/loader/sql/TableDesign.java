package io.redstage.loader.sql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the loader lays out a table it creates: the sort key, the VARCHAR lengths of new string
 * columns, and whether a too-short VARCHAR is widened on demand (docs/loader-types.md). Every table
 * gets DISTSTYLE AUTO and ENCODE AUTO: Redshift then picks distribution and encodings from use.
 *
 * @param sortKey what the sort key is
 * @param sortColumns the columns of a {@link SortKey#COLUMNS} sort key, folded
 * @param varcharLength length of new string columns; 0 means the loader-wide {@code
 *     tables.varchar-length} ({@link TypeMapping})
 * @param columnLengths per folded column name, the length of that column when the loader creates it
 * @param widen widen a VARCHAR column (ALTER COLUMN TYPE, outside the load transaction) when a
 *     longer value arrives
 */
public record TableDesign(
    SortKey sortKey,
    List<String> sortColumns,
    int varcharLength,
    Map<String, Integer> columnLengths,
    boolean widen) {

  /** The sort key choices of {@code tables.sort-key}. */
  public enum SortKey {
    /** The record-time metadata column when the table keeps it; no sort key otherwise. */
    RECORD_TIME,
    /** Redshift's automatic sort key (SORTKEY AUTO). */
    AUTO,
    /** No sort key. */
    NONE,
    /** A compound sort key on the listed columns. */
    COLUMNS
  }

  /** No sort key, the loader-wide VARCHAR length, no widening: for tests of other concerns. */
  public static final TableDesign PLAIN =
      new TableDesign(SortKey.NONE, List.of(), 0, Map.of(), false);

  public TableDesign {
    sortColumns = List.copyOf(sortColumns);
    columnLengths = Map.copyOf(columnLengths);
    if (varcharLength < 0 || varcharLength > TypeMapping.MAX_VARCHAR) {
      throw new IllegalArgumentException(
          "VARCHAR length " + varcharLength + " is outside 1.." + TypeMapping.MAX_VARCHAR);
    }
  }

  /**
   * Parses a {@code sort-key} setting: record-time, auto, none, or a comma-separated column list.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static TableDesign withSortKey(String setting, TableDesign base) {
    String s = setting.trim();
    switch (s.toLowerCase(Locale.ROOT)) {
      case "record-time":
        return base.sort(SortKey.RECORD_TIME, List.of());
      case "auto":
        return base.sort(SortKey.AUTO, List.of());
      case "none":
        return base.sort(SortKey.NONE, List.of());
      default:
        List<String> cols = new ArrayList<>();
        for (String part : s.split(",")) {
          if (part.isBlank()) {
            throw new IllegalArgumentException("sort key '" + s + "' has an empty column name");
          }
          cols.add(Identifiers.fold(part.trim(), "a sort key column"));
        }
        return base.sort(SortKey.COLUMNS, cols);
    }
  }

  /**
   * Parses a {@code varchar-lengths} setting: {@code column:length} pairs, comma-separated.
   *
   * @throws IllegalArgumentException naming the pair that is wrong
   */
  public static Map<String, Integer> columnLengths(List<String> pairs) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String pair : pairs) {
      int colon = pair.lastIndexOf(':');
      String column = colon < 0 ? "" : pair.substring(0, colon).trim();
      Integer length = null;
      try {
        length = colon < 0 ? null : Integer.valueOf(pair.substring(colon + 1).trim());
      } catch (NumberFormatException e) {
        // reported below with the pair
      }
      if (column.isEmpty() || length == null || length < 1 || length > TypeMapping.MAX_VARCHAR) {
        throw new IllegalArgumentException(
            "'"
                + pair
                + "' is not column:length with a length of 1.."
                + TypeMapping.MAX_VARCHAR
                + " bytes");
      }
      out.put(Identifiers.fold(column, "a varchar-lengths column"), length);
    }
    return out;
  }

  private TableDesign sort(SortKey key, List<String> columns) {
    return new TableDesign(key, columns, varcharLength, columnLengths, widen);
  }

  /**
   * The table attributes after the column list: DISTSTYLE AUTO, the sort key, ENCODE AUTO.
   *
   * @param columns the new table's columns (folded names)
   * @param recordTime the folded name of the record-time metadata column
   * @throws IncompatibleSchemaException when a configured sort key column is not in the table
   */
  String attributes(TableRef table, List<String> columns, String recordTime) {
    String sort =
        switch (sortKey) {
          case RECORD_TIME ->
              columns.contains(recordTime)
                  ? " SORTKEY (" + Identifiers.quote(recordTime) + ")"
                  : "";
          case AUTO -> " SORTKEY AUTO";
          case NONE -> "";
          case COLUMNS -> {
            for (String c : sortColumns) {
              if (!columns.contains(c)) {
                throw new IncompatibleSchemaException(
                    "Cannot create "
                        + table
                        + ": sort key column "
                        + c
                        + " is not among the columns of its files "
                        + columns
                        + ". Fix table."
                        + table.name()
                        + ".sort-key (or tables.sort-key).");
              }
            }
            yield " SORTKEY ("
                + String.join(", ", sortColumns.stream().map(Identifiers::quote).toList())
                + ")";
          }
        };
    return " DISTSTYLE AUTO" + sort + " ENCODE AUTO";
  }

  /** The length a new string column {@code folded} gets; {@code loaderWide} when not set here. */
  int lengthOf(String folded, int loaderWide) {
    Integer perColumn = columnLengths.get(folded);
    if (perColumn != null) {
      return perColumn;
    }
    return varcharLength > 0 ? varcharLength : loaderWide;
  }
}
