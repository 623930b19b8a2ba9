package io.redstage.loader.sql;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SQL of one upsert target's deleted-keys table (tombstones): per deleted key, the record
 * timestamp, partition and offset of its newest delete.
 *
 * <p>Why: upserts compare-and-set against the target's row ({@link UpsertOrder}), but a delete
 * removes that row, so a row older than the delete that loads after it (a late unit of another
 * partition, when keys move) would find nothing to compare with and bring the key back. The
 * tombstone keeps the delete's position: a row not newer than it is skipped. A newer row (delete or
 * not) replaces or removes it, so the table holds only keys whose latest event is a delete. It is
 * read and written only by the target's load transactions, after their LOCK of the target's
 * loaded-intervals table, so concurrent loaders never conflict on it.
 */
public final class DeletedKeysTable {
  private final TableRef table;

  DeletedKeysTable(TableRef table) {
    this.table = table;
  }

  public TableRef table() {
    return table;
  }

  /**
   * Creates the table if missing: the key columns, then the timestamp, partition and offset
   * columns, sorted by the key (every statement here joins on it).
   *
   * @param targetColumns the target's columns (folded name to type), holding the key and the three
   *     metadata columns
   */
  String create(List<String> key, Map<String, RedshiftType> targetColumns, MetadataColumns m) {
    List<String> cols = new ArrayList<>();
    for (String c : columns(key, m)) {
      RedshiftType t = targetColumns.get(c);
      // a key column may widen on the target later (widening on demand): the tombstone's copy is
      // as wide as a VARCHAR gets so it never needs widening itself
      if (t.family() == RedshiftType.Family.VARCHAR) {
        t = RedshiftType.varchar(TypeMapping.MAX_VARCHAR);
      }
      cols.add(Identifiers.quote(c) + " " + t.ddl() + (key.contains(c) ? " NOT NULL" : ""));
    }
    return "CREATE TABLE IF NOT EXISTS "
        + table.sql()
        + " ("
        + String.join(", ", cols)
        + ") DISTSTYLE AUTO SORTKEY ("
        + String.join(", ", key.stream().map(Identifiers::quote).toList())
        + ")";
  }

  /**
   * Removes the tombstones whose delete's record timestamp ({@code timestampColumn}, of the
   * target's type) is before {@code cutoff} (upsert.tombstone-retention): it bounds the table's
   * size, and with it what every upsert batch reads. A tombstone without a timestamp is kept.
   */
  String pruneBefore(String timestampColumn, RedshiftType timestampType, Instant cutoff) {
    String literal =
        timestampType.family() == RedshiftType.Family.TIMESTAMPTZ
            ? "CAST('" + ControlTables.utcText(cutoff) + "+00' AS TIMESTAMPTZ)"
            : ControlTables.timestamp(cutoff);
    return "DELETE FROM "
        + table.sql()
        + " WHERE "
        + Identifiers.quote(timestampColumn)
        + " < "
        + literal;
  }

  /**
   * Removes the tombstones that a row of {@code rows} (delete or not) is newer than: a newer delete
   * replaces them ({@link #record}), a newer row brings its key back.
   */
  String dropOlder(List<String> key, String rows, UpsertOrder order) {
    return "DELETE FROM "
        + table.sql()
        + " USING "
        + Identifiers.quote(rows)
        + " WHERE "
        + table.keyMatches(key, rows)
        + " AND "
        + order.newer(Identifiers.quote(rows), table.sql());
  }

  /**
   * Records the deletes of {@code rows} that won: no tombstone of their key survived {@link
   * #dropOlder} (it is newer) and no target row survived the target's DELETE (that row is newer,
   * the key lives).
   *
   * @param deleted the rows table's column that flags deletes
   * @param targetRow a subquery for the target's row of the rows-table row's key
   */
  String record(
      List<String> key, MetadataColumns m, String rows, String deleted, String targetRow) {
    String names = String.join(", ", columns(key, m).stream().map(Identifiers::quote).toList());
    List<String> keyed = new ArrayList<>();
    for (String k : key) {
      keyed.add(Identifiers.quote(k) + " IS NOT NULL");
    }
    return "INSERT INTO "
        + table.sql()
        + " ("
        + names
        + ") SELECT "
        + names
        + " FROM "
        + Identifiers.quote(rows)
        + " WHERE "
        + Identifiers.quote(deleted)
        + " AND "
        + String.join(" AND ", keyed)
        + " AND NOT "
        + tombstoned(key, rows)
        + " AND NOT EXISTS "
        + targetRow;
  }

  /**
   * A condition: the rows-table row's key has a tombstone. After {@link #dropOlder} such a
   * tombstone is not older than the row, so the row must not be written.
   */
  String tombstoned(List<String> key, String rows) {
    return "EXISTS (SELECT 1 FROM " + table.sql() + " WHERE " + table.keyMatches(key, rows) + ")";
  }

  /** The table's columns: the upsert key, then the record's time, partition and offset. */
  public static List<String> columns(List<String> key, MetadataColumns m) {
    List<String> cols = new ArrayList<>(key);
    cols.addAll(List.of(m.timestamp(), m.partition(), m.offset()));
    return cols;
  }
}
