package io.redstage.loader.load;

import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.redshift.StatementTimeoutException;
import io.redstage.loader.sql.ControlTables;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failure table: attempts of units that failed alone, written after each failed attempt and
 * outside the load transaction (which rolled back), cleared when the unit loads or is quarantined;
 * and the tables whose loads a failure of the environment stopped, written once per cycle while it
 * lasts and cleared when a batch of the table commits, so that 'status', another process, can name
 * them. A write that fails is logged and does not stop the cycle: the count then restarts lower,
 * which delays a quarantine but never loses data (the load-marker table alone decides what is
 * loaded), and a stopped table goes unshown for a cycle.
 */
public final class FailureLog {
  private static final Logger LOG = LoggerFactory.getLogger(FailureLog.class);

  private final DataApi api;
  private final ControlTables control;

  public FailureLog(DataApi api, ControlTables control) {
    this.api = api;
    this.control = control;
  }

  /**
   * The failure table's rows: those of units by marker key, those of tables the environment stopped
   * by table name.
   */
  public record Rows(
      Map<String, FailureTracker.Persisted> units, Map<String, FailureTracker.TableStop> tables) {
    static final Rows NONE = new Rows(Map.of(), Map.of());
  }

  /** Every row of the failure table. */
  public Rows read() throws InterruptedException {
    Map<String, FailureTracker.Persisted> units = new HashMap<>();
    Map<String, FailureTracker.TableStop> tables = new HashMap<>();
    QueryResult r = api.query(control.selectFailures(), "redstage-failures");
    for (List<Object> row : r.rows()) {
      String key = QueryResult.string(row.get(0));
      int attempts = (int) QueryResult.number(row.get(1));
      long at = millis(QueryResult.string(row.get(3)));
      String error = QueryResult.string(row.get(2));
      if (ControlTables.TABLE_STOP_KEY.equals(key)) {
        tables.put(
            QueryResult.string(row.get(4)), new FailureTracker.TableStop(attempts, at, error));
      } else {
        units.put(key, new FailureTracker.Persisted(attempts, at, error));
      }
    }
    return new Rows(units, tables);
  }

  /**
   * Like {@link #read}, for read-only commands: empty when the table does not exist yet (a loader
   * older than it ran last).
   */
  public Rows readIfPresent() throws InterruptedException {
    try {
      return read();
    } catch (StatementFailedException e) {
      LOG.debug("No failure table to read ({}): {}", control.failures(), e.getMessage());
      return Rows.NONE;
    }
  }

  /** Writes the attempt counts of units after a failed attempt (or a release, with attempts 0). */
  public void record(List<ControlTables.FailureRow> rows, String batchId)
      throws InterruptedException {
    try {
      api.executeBatch(
          control.writingQuarantineOrFailures(control.upsertFailures(rows)),
          UUID.randomUUID().toString(),
          "redstage-failures-" + batchId);
    } catch (StatementFailedException | StatementTimeoutException | DataApiException e) {
      LOG.warn(
          "Batch {}: cannot record the failed attempt in {} (the count restarts lower in a new process): {}",
          batchId,
          control.failures(),
          e.getMessage());
    }
  }

  /**
   * Records that a failure of the environment stopped {@code table}'s loads in this cycle, in
   * {@code cycles} cycles in a row; {@code batchId} names the batch that failed in the log.
   */
  public void recordTableStop(String table, int cycles, String error, Instant at, String batchId)
      throws InterruptedException {
    try {
      api.executeBatch(
          control.writingQuarantineOrFailures(
              control.upsertTableStop(
                  new ControlTables.FailureRow(
                      ControlTables.TABLE_STOP_KEY, table, cycles, error, at))),
          UUID.randomUUID().toString(),
          "redstage-failures-" + batchId);
    } catch (StatementFailedException | StatementTimeoutException | DataApiException e) {
      LOG.warn(
          "Cannot record in {} that a failure of the environment stopped {} (batch {}): {}. 'status'"
              + " does not show the table as stopped until a later cycle records it; its loads are"
              + " tried again next cycle.",
          control.failures(),
          table,
          batchId,
          e.getMessage());
    }
  }

  /**
   * Deletes the rows of units that loaded; {@code batchId} names the batch that loaded them in the
   * log (or "cycle").
   */
  public void clear(List<String> markerKeys, String batchId) throws InterruptedException {
    clear(markerKeys, null, batchId);
  }

  /**
   * Deletes the rows of units that loaded and, when {@code stoppedTable} is not null, that table's
   * stop row (a batch of it committed), in one transaction.
   */
  public void clear(List<String> markerKeys, String stoppedTable, String batchId)
      throws InterruptedException {
    if (markerKeys.isEmpty() && stoppedTable == null) {
      return;
    }
    try {
      api.executeBatch(
          control.writingQuarantineOrFailures(
              control.deleteFailures(markerKeys),
              stoppedTable == null ? List.of() : control.deleteTableStop(stoppedTable)),
          UUID.randomUUID().toString(),
          "redstage-failures-clear");
    } catch (StatementFailedException | StatementTimeoutException | DataApiException e) {
      LOG.warn(
          "Cannot clear {} row(s) of {} after batch {}{}: {}. Harmless: rows of loaded units are"
              + " ignored, and a later batch of the table clears its row.",
          markerKeys.size() + (stoppedTable == null ? 0 : 1),
          control.failures(),
          batchId,
          stoppedTable == null ? "" : " (one says the environment stopped " + stoppedTable + ")",
          e.getMessage());
    }
  }

  static long millis(String timestamp) {
    if (timestamp == null) {
      return 0;
    }
    // unknown shape: assume the attempt was just now, so the backoff is respected rather than
    // skipped
    return QueryResult.timestamp(timestamp).orElseGet(Instant::now).toEpochMilli();
  }
}
