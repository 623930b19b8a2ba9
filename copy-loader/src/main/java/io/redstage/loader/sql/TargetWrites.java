package io.redstage.loader.sql;

import io.redstage.loader.batch.Batch;
import java.util.ArrayList;
import java.util.List;

/**
 * The statements that write a batch's rows table into its target: the INSERT of an append, the
 * DELETE and INSERT of the upsert strategy delete-insert, or the DELETE and MERGE of the strategy
 * merge, the upserts keeping the deleted-keys table ({@link DeletedKeysTable}) when the order is at
 * the target. In each the last statement writes the rows ({@link LoadTransaction#write}). Separate
 * from {@link LoadSqlBuilder} because the compare-and-set and tombstone rules of the two upsert
 * strategies are one concern, read together.
 */
final class TargetWrites {
  private TargetWrites() {}

  /** Append: every row of the rows table. */
  static String append(Batch batch, List<String> targetNames, InternalNames n) {
    return insert(batch, targetNames, n);
  }

  /** INSERT of the target's columns from the rows table, to which a WHERE may be appended. */
  private static String insert(Batch batch, List<String> targetNames, InternalNames n) {
    String cols = String.join(", ", targetNames.stream().map(Identifiers::quote).toList());
    return "INSERT INTO "
        + batch.table().sql()
        + " ("
        + cols
        + ") SELECT "
        + cols
        + " FROM "
        + Identifiers.quote(n.rows());
  }

  /**
   * DELETE of the target's rows whose key has a row in the rows table (that also meets {@code
   * condition}, appended as is), with the order at the target only those older than that row.
   */
  private static String deleteKeys(
      Batch batch, TableSettings settings, UpsertOrder order, InternalNames n, String condition) {
    String rows = Identifiers.quote(n.rows());
    return "DELETE FROM "
        + batch.table().sql()
        + " USING "
        + rows
        + " WHERE "
        + batch.table().keyMatches(settings.upsertKey(), n.rows())
        + condition
        + (order.atTarget() ? " AND " + order.newer(rows, batch.table().sql()) : "");
  }

  /**
   * DELETE_INSERT variant: DELETE USING the keys, then (with the order at the target) the tombstone
   * writes, then INSERT the non-delete rows. The INSERT is last: its row count is the batch's
   * ({@link LoadTransaction#write}).
   */
  static List<String> deleteInsert(
      Batch batch,
      TableSettings settings,
      List<String> targetNames,
      UpsertOrder order,
      DeletedKeysTable tombstones,
      InternalNames n) {
    List<String> sql = new ArrayList<>();
    sql.add(deleteKeys(batch, settings, order, n, ""));
    if (tombstones != null) {
      sql.addAll(tombstoneWrites(batch, settings, order, tombstones, n));
    }
    sql.add(
        insert(batch, targetNames, n)
            + " WHERE NOT "
            + Identifiers.quote(n.deleted())
            // compare-and-set: the target's row for the key survived the DELETE: it is newer
            + (order.atTarget() ? " AND NOT EXISTS " + targetRow(batch, settings, n) : "")
            // a surviving tombstone is not older than the row: the key stays deleted
            + (tombstones != null
                ? " AND NOT " + tombstones.tombstoned(settings.upsertKey(), n.rows())
                : ""));
    return sql;
  }

  /**
   * MERGE variant: Redshift's MERGE has no conditional WHEN clauses, so deletes go first as a
   * DELETE, and the remaining rows (one per key, guaranteed by the rows table) are merged from a
   * table of their own. The MERGE is last: its result (rows updated plus inserted) is the batch's
   * row count.
   */
  static List<String> merge(
      Batch batch,
      TableSettings settings,
      List<String> targetNames,
      UpsertOrder order,
      DeletedKeysTable tombstones,
      InternalNames n) {
    String upserts = n.upserts();
    List<String> names = targetNames.stream().map(Identifiers::quote).toList();
    List<String> sql = new ArrayList<>();
    String rows = Identifiers.quote(n.rows());
    sql.add(
        deleteKeys(
            batch, settings, order, n, " AND " + rows + "." + Identifiers.quote(n.deleted())));
    if (tombstones != null) {
      sql.addAll(tombstoneWrites(batch, settings, order, tombstones, n));
    }
    sql.add(
        "CREATE TEMP TABLE "
            + Identifiers.quote(upserts)
            + " AS SELECT "
            + String.join(", ", names)
            + " FROM "
            + rows
            + " WHERE NOT "
            + Identifiers.quote(n.deleted())
            // compare-and-set: MERGE has no conditional WHEN, so rows older than the target's row
            // for their key are left out of its source
            + (order.atTarget()
                ? " AND NOT EXISTS (SELECT 1 FROM "
                    + batch.table().sql()
                    + " WHERE "
                    + batch.table().keyMatches(settings.upsertKey(), n.rows())
                    + " AND NOT "
                    + order.newer(rows, batch.table().sql())
                    + ")"
                : "")
            + (tombstones != null
                ? " AND NOT " + tombstones.tombstoned(settings.upsertKey(), n.rows())
                : ""));
    List<String> set = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (String name : targetNames) {
      String c = Identifiers.quote(name);
      if (!settings.upsertKey().contains(name)) {
        set.add(c + " = " + Identifiers.quote(upserts) + "." + c);
      }
      values.add(Identifiers.quote(upserts) + "." + c);
    }
    if (set.isEmpty()) {
      // every column is part of the key: a matched row is already identical, but MERGE needs a WHEN
      // MATCHED action
      String k = Identifiers.quote(settings.upsertKey().get(0));
      set.add(k + " = " + Identifiers.quote(upserts) + "." + k);
    }
    String matched = " WHEN MATCHED THEN UPDATE SET " + String.join(", ", set);
    sql.add(
        "MERGE INTO "
            + batch.table().sql()
            + " USING "
            + Identifiers.quote(upserts)
            + " ON "
            + batch.table().keyMatches(settings.upsertKey(), upserts)
            + matched
            + " WHEN NOT MATCHED THEN INSERT ("
            + String.join(", ", names)
            + ") VALUES ("
            + String.join(", ", values)
            + ")");
    return sql;
  }

  /**
   * Drops the tombstones older than a batch row of their key, then records the batch's winning
   * deletes: run after the target's DELETE, before the rows are written.
   */
  private static List<String> tombstoneWrites(
      Batch batch,
      TableSettings settings,
      UpsertOrder order,
      DeletedKeysTable tombstones,
      InternalNames n) {
    return List.of(
        tombstones.dropOlder(settings.upsertKey(), n.rows(), order),
        tombstones.record(
            settings.upsertKey(),
            settings.metadata(),
            n.rows(),
            n.deleted(),
            targetRow(batch, settings, n)));
  }

  /** A subquery: the target's rows with the key of the rows-table row in scope. */
  private static String targetRow(Batch batch, TableSettings settings, InternalNames n) {
    return "(SELECT 1 FROM "
        + batch.table().sql()
        + " WHERE "
        + batch.table().keyMatches(settings.upsertKey(), n.rows())
        + ")";
  }
}
