package io.redstage.loader.sql;

import static io.redstage.loader.sql.ControlTables.timestamp;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * SQL of the seed-watermark table: per target table, the cluster's time just before its
 * loaded-intervals table was last seeded from the load-marker table, so that the next seed reads
 * only the marker rows that can be new since ({@link LoadedIntervalsTable#seed(Instant)}), instead
 * of every row the target ever had (the load-marker table is never pruned). One row per target.
 *
 * <p>Read before the seed and written after it commits, each in its own statement, never inside the
 * seed's transaction: a LOCK on this table there, which its writes need against error 1023, would
 * make the seeds of every target, each holding its own target's LOCK, take turns. An older
 * watermark than the newest, read or left by a write that failed, only widens the next seed.
 */
public final class SeedWatermarkTable {
  /**
   * How long before a target's watermark the next seed starts reading marker rows, by their
   * loaded_at. A marker row's loaded_at is the writing loader's clock when it built the batch,
   * before it wrote the manifests and submitted it, and the row counts from its commit on: one that
   * committed after the seed's snapshot, which the watermark (taken before the seed) precedes, must
   * be in the next seed's window. Its loaded_at is at most the time its batch took from being built
   * to its commit, plus the difference between that loader's clock and the cluster's, before the
   * watermark. The Data API runs a statement for at most 24 hours, however soon the loader stops
   * waiting for it (redshift.statement-timeout bounds only the polling, and the row may come from a
   * loader of another version or configuration, so the margin cannot come from this loader's
   * setting); a second day covers the time before the statement runs (manifests, retried
   * submissions, WLM's queue) and clocks that disagree. Two more days of rows cost a seed little.
   */
  public static final Duration MARGIN = Duration.ofHours(48);

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
   * One row: the target's watermark (NULL without one) and the cluster's time now (UTC; GETDATE
   * drops the fraction of a second, which only widens the next window), which becomes the next
   * watermark once the seed that follows has committed. The cluster's clock, not the loader's: a
   * loader host whose clock runs ahead would otherwise set a watermark past rows written after it,
   * which the next seed would then never read. A watermark ahead of the cluster's clock (written by
   * such a host before this version) is ignored.
   */
  public String read(TableRef target) {
    return "SELECT MAX(CASE WHEN seeded_at <= "
        + SqlText.UTC_NOW
        + " THEN seeded_at END), "
        + SqlText.UTC_NOW
        + " FROM "
        + table.sql()
        + " WHERE target_table = "
        + SqlText.literal(target.name());
  }

  /**
   * Replaces the target's watermark with {@code seededAt} (from {@link #read}, before the seed),
   * under the table's LOCK: seeds of different targets write it at once.
   */
  public List<String> record(TableRef target, Instant seededAt) {
    String name = SqlText.literal(target.name());
    return List.of(
        "LOCK " + table.sql(),
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
