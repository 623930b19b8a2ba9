package io.redstage.loader.load;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.PrintStream;
import java.util.List;

/**
 * What 'status' found, collected once ({@link StatusReport#collect}): the text table and the JSON
 * document are both printed from it.
 *
 * @param at when it was collected (ISO-8601), the time the lags are measured against
 * @param controlTablesExist false before the first load created them: nothing is loaded, and no
 *     unit can be failing or quarantined yet
 * @param unitsListed units whose markers are under markers.dir
 * @param unitsLoaded of those, units loaded already, whose markers wait for markers.retention
 * @param unitsPending of those, units not loaded, held ones included
 * @param tables per table with pending units: its figures
 * @param loadingNow tables a load holds now (another session's LOCK): not read, so not in {@code
 *     tables}
 * @param waitingForSettings tables whose units wait for their settings ({@link TableGuards}): the
 *     table's own settings do not resolve, an upsert table's markers name a metadata column
 *     differently, or its deleted-keys table lacks a column its load names or has one it does not
 * @param environmentFailures tables whose loads a failure of the environment stopped (a privilege,
 *     a full disk, COPY's access to S3), until a batch of the table commits: their units wait
 * @param unreadableMarkers listed markers that cannot be read or used: their units wait
 * @param failingUnits listed units that failed alone and are retried until load.retry.max-attempts
 * @param quarantinedBatches unreleased quarantined batches of this configuration's topics (topics,
 *     else topics.regex), whatever their table: they wait for release or skip
 * @param quarantinedBatchesOfOtherTopics unreleased quarantined batches of topics outside this
 *     configuration (another loader's, sharing the control tables): that loader's configuration
 *     settles them, so they do not make {@link #needsAttention}
 */
public record Status(
    String at,
    boolean controlTablesExist,
    int unitsListed,
    int unitsLoaded,
    int unitsPending,
    List<Table> tables,
    List<LoadingTable> loadingNow,
    List<TableWaiting> waitingForSettings,
    List<EnvironmentFailure> environmentFailures,
    List<UnreadableMarker> unreadableMarkers,
    List<FailingUnit> failingUnits,
    List<QuarantinedBatch> quarantinedBatches,
    List<QuarantinedBatch> quarantinedBatchesOfOtherTopics) {

  /**
   * A table's pending units ({@code heldUnits} of them held: quarantined, waiting for a retry,
   * behind such a unit or an unreadable marker in upsert mode, or of a table waiting for its
   * settings), their records and bytes, and the age of the oldest one's marker.
   */
  public record Table(
      String table,
      int pendingUnits,
      int heldUnits,
      long pendingRecords,
      long pendingBytes,
      long lagSeconds) {}

  /** A table whose loaded intervals another session locks now, and since how long. */
  public record LoadingTable(String table, String holder, long lockSeconds) {}

  /** A table whose units wait for its settings, and why. */
  public record TableWaiting(String table, String reason) {}

  /**
   * A table whose loads a failure of the environment stopped: in how many cycles in a row, the last
   * one when (ISO-8601), and Redshift's error.
   */
  public record EnvironmentFailure(String table, int cycles, String lastSeenAt, String lastError) {}

  /** A listed marker that cannot be read or used, and why. */
  public record UnreadableMarker(String markerKey, String reason) {}

  /** A unit that failed alone: attempts so far, when the last one was (ISO-8601), its error. */
  public record FailingUnit(
      String markerKey, int attempts, String lastAttemptAt, String lastError) {}

  /** An unreleased quarantined batch: its units, when it was quarantined, and why. */
  public record QuarantinedBatch(
      String batchId, String table, long units, String quarantinedAt, String reason) {}

  /**
   * Whether something waits for a person rather than for the next cycle: a quarantined batch of
   * this configuration's topics, a marker that cannot be read, a unit failing alone, a table
   * waiting for its settings, or a table whose environment stopped its loads. The 'status' command
   * exits 3 then.
   */
  @JsonProperty("needsAttention")
  public boolean needsAttention() {
    return !quarantinedBatches.isEmpty()
        || !unreadableMarkers.isEmpty()
        || !failingUnits.isEmpty()
        || !waitingForSettings.isEmpty()
        || !environmentFailures.isEmpty();
  }

  /** The table for people that 'status' prints by default. */
  public void printText(PrintStream out) {
    StatusReport.printText(this, out);
  }

  /** One JSON document, for scripts and monitoring ('status --output json'). */
  public String json() {
    return StatusReport.json(this);
  }
}
