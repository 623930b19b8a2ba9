package io.redstage.loader.sql;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which of two rows for one upsert key is newer. Offsets order a key's events only inside one
 * partition; a key that moves between partitions (repartitioning, a changed partitioner) has events
 * in two, loaded in any order. The rule: newer by (record timestamp, then partition, then offset),
 * a NULL timestamp counting as oldest. When the target keeps the timestamp, partition and offset
 * metadata columns the comparison also runs against the row already in the target
 * (compare-and-set): an incoming row replaces, and a delete removes, the target's row for its key
 * only when newer. Without those columns only the rows of one batch can be compared, by offset.
 */
final class UpsertOrder {
  private static final Set<RedshiftType.Family> TIME =
      Set.of(RedshiftType.Family.TIMESTAMP, RedshiftType.Family.TIMESTAMPTZ);
  private static final String OLDEST = "CAST('0001-01-01 00:00:00' AS TIMESTAMP)";

  private final String timestamp;
  private final String partition;
  private final String offset;
  private final boolean atTarget;

  private UpsertOrder(String timestamp, String partition, String offset, boolean atTarget) {
    this.timestamp = timestamp;
    this.partition = partition;
    this.offset = offset;
    this.atTarget = atTarget;
  }

  /**
   * @param inRows the columns of the batch's rows table
   */
  static UpsertOrder of(
      TablePlan plan, Map<String, RowsTable.RowColumn> inRows, MetadataColumns m) {
    RowsTable.RowColumn ts = inRows.get(m.timestamp());
    // a timestamp staged as text (JSON Lines) does not order reliably: offsets only, then
    boolean timed = ts != null && TIME.contains(ts.type().family());
    boolean atTarget =
        timed
            && TIME.contains(
                plan.targetColumns().getOrDefault(m.timestamp(), RedshiftType.varchar(1)).family())
            && List.of(m.partition(), m.offset()).stream()
                .allMatch(c -> plan.targetColumns().containsKey(c) && inRows.containsKey(c));
    return new UpsertOrder(timed ? m.timestamp() : null, m.partition(), m.offset(), atTarget);
  }

  /** Whether the target's rows take part (it keeps the three metadata columns). */
  boolean atTarget() {
    return atTarget;
  }

  /** ORDER BY terms of the window that keeps the newest row per key, newest first. */
  String newestFirst(String qualifier) {
    String p = qualifier + "." + Identifiers.quote(partition);
    String o = qualifier + "." + Identifiers.quote(offset);
    String byOffset = o + " DESC, " + p + " DESC";
    return timestamp == null ? byOffset : ts(qualifier) + " DESC, " + p + " DESC, " + o + " DESC";
  }

  /**
   * A condition: the row {@code a} (a table or alias) is newer than the row {@code b}. A NULL
   * partition or offset (a target row loaded before the table kept those columns) counts as oldest,
   * like a NULL timestamp: with NULLs the comparison would be unknown, and the incoming row would
   * neither replace nor delete the target's.
   */
  String newer(String a, String b) {
    String pa = orOldest(a, partition);
    String pb = orOldest(b, partition);
    String oa = orOldest(a, offset);
    String ob = orOldest(b, offset);
    return "(" + ts(a) + " > " + ts(b) + " OR (" + ts(a) + " = " + ts(b) + " AND (" + pa + " > "
        + pb + " OR (" + pa + " = " + pb + " AND " + oa + " > " + ob + "))))";
  }

  private static String orOldest(String qualifier, String column) {
    return "COALESCE(" + qualifier + "." + Identifiers.quote(column) + ", -1)";
  }

  private String ts(String qualifier) {
    return "COALESCE(" + qualifier + "." + Identifiers.quote(timestamp) + ", " + OLDEST + ")";
  }
}
