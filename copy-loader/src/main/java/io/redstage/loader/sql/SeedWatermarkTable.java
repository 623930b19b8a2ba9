package io.redstage.loader.sql;

import static io.redstage.loader.sql.ControlTables.timestamp;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * SQL of the seed-watermark table: per target table, when its loaded-intervals table was last
 * seeded from the load-marker table (the seeding loader's clock, taken before it submitted the
 * seed), so that the next seed reads only the marker rows that can be new since, instead of every
 * row the target ever had (the load-marker table is never pruned). One row per target; written only
 * by seeds, in the seed's transaction, after its LOCKs ({@link LoadedIntervalsTable#seed(
 * SeedWatermarkTable, Instant)}).
 */
public final class SeedWatermarkTable {
  /**
   * How long before a target's last seed the next seed starts reading marker rows, by their
   * loaded_at. A marker row's loaded_at is the writing loader's clock when it built the batch,
   * before it wrote the manifests and submitted it, and the row counts from its commit on: a seed
   * that could not see it (it committed after the seed's snapshot) must find it in the next seed's
   * window. The seed's watermark is taken before the seed is submitted, so such a row's loaded_at
   * is at most the time its batch took from being built to its commit, plus the difference between
   * the two loaders' clocks, before the watermark. The Data API runs a statement for at most 24
   * hours, however soon the loader stops waiting for it (redshift.statement-timeout bounds only the
   * polling, and the row may come from a loader of another version or configuration, so the margin
   * cannot come from this loader's setting); a second day covers the time before the statement runs
   * (manifests, retried submissions, WLM's queue) and clocks that disagree. Two more days of rows
   * cost a seed little.
   */
  public static final Duration MARGIN = Duration.ofHours(48);

  /** The temp table in which a seed keeps the loaded_at from which it reads marker rows. */
  static final String SINCE = "rs_seed_since";

  /** Earlier than any loaded_at: a seed without a usable watermark reads every row. */
  private static final String EVERY_ROW = "CAST('0001-01-01 00:00:00.000' AS TIMESTAMP)";

  private final TableRef table;

  SeedWatermarkTable(TableRef table) {
    this.table = table;
  }

  public TableRef table() {
    return table;
  }

  public String create() {
    return "CREATE TABLE IF NOT EXISTS "
        + table.sql()
        + " (target_table VARCHAR(300) NOT NULL, seeded_at TIMESTAMP NOT NULL)";
  }

  /**
   * Whether {@code statement} is one of the seed's statements that use this table: when one of them
   * fails, the table is missing, refused or of another shape, and a seed without it still works.
   */
  public boolean touches(String statement) {
    return statement.contains(table.sql());
  }

  /**
   * Taken after the target's loaded-intervals LOCK: seeds of different targets write this table,
   * and without the LOCK serializable isolation would fail one of two concurrent ones with error
   * 1023. Before anything is read, so that the transaction's snapshot sees the seeds that held the
   * LOCK before it.
   */
  String lock() {
    return "LOCK " + table.sql();
  }

  /**
   * Creates the temp table {@link #SINCE} with one row: the target's watermark less {@link
   * #MARGIN}, or a time before any loaded_at when the target has no watermark or {@code intervals}
   * is empty (created since the watermark, or dropped and created again: the watermark says what
   * the intervals table held, not what a new one holds).
   */
  String since(TableRef target, TableRef intervals) {
    return "CREATE TEMP TABLE "
        + Identifiers.quote(SINCE)
        + " AS SELECT COALESCE(DATEADD(hour, -"
        + MARGIN.toHours()
        + ", MAX(seeded_at)), "
        + EVERY_ROW
        + ") AS since FROM "
        + table.sql()
        + " WHERE target_table = "
        + SqlText.literal(target.name())
        + " AND EXISTS (SELECT 1 FROM "
        + intervals.sql()
        + ")";
  }

  /** The condition on a load-marker row's loaded_at that keeps the rows {@link #since} chose. */
  static String window() {
    return "loaded_at >= (SELECT since FROM " + Identifiers.quote(SINCE) + ")";
  }

  /** Replaces the target's watermark with {@code seededAt}. */
  List<String> record(TableRef target, Instant seededAt) {
    String name = SqlText.literal(target.name());
    return List.of(
        "DELETE FROM " + table.sql() + " WHERE target_table = " + name,
        "INSERT INTO "
            + table.sql()
            + " (target_table, seeded_at) VALUES ("
            + name
            + ", "
            + timestamp(seededAt)
            + ")");
  }
}
