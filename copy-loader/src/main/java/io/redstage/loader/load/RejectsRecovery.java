package io.redstage.loader.load;

import io.redstage.loader.metrics.LoaderMetrics;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.redshift.StatementTimeoutException;
import io.redstage.loader.sql.ControlTables;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Accounts for the rejected rows of batches whose process died (or could not write the rejects
 * object) after the commit: each cycle, before planning, it lists {@code <rejects.dir>/_pending/}
 * (normally empty) and settles each intent by the load-marker table:
 *
 * <ul>
 *   <li>committed: reads the rows COPY rejected from the batch's JSON Lines files from the
 *       load-error views (by file name and time, since the COPYs' query ids died with the process),
 *       dedupes them by file and line, writes the rejects object with {@code "recovered": true}
 *       unless it exists, and deletes the intent;
 *   <li>not committed after {@link #ABANDON_AFTER}: the batch can no longer commit; the intent is
 *       deleted;
 *   <li>otherwise (running, or its outcome unknown): kept for a later cycle.
 * </ul>
 */
final class RejectsRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(RejectsRecovery.class);

  /**
   * A Data API statement runs at most 24 h (redshift.statement-timeout only bounds the wait, and
   * cannot exceed 24 h): a batch not committed an hour after that never commits.
   */
  static final Duration ABANDON_AFTER = Duration.ofHours(25);

  /**
   * A committed batch's own process writes its object within moments; recovery leaves it that long
   * to do so.
   */
  static final Duration GRACE = Duration.ofMinutes(2);

  /**
   * STL_LOAD_ERRORS keeps rows for a few days (SYS_LOAD_ERROR_DETAIL for 7): later, rows may be
   * gone.
   */
  private static final Duration VIEW_RETENTION = Duration.ofDays(2);

  /** Batch ids per load-marker query. */
  private static final int IDS_PER_QUERY = 500;

  private final Rejects rejects;
  private final LoadErrorReader errors;
  private final DataApi api;
  private final ControlTables control;
  private final LoaderMetrics metrics;
  private final Clock clock;

  RejectsRecovery(
      Rejects rejects,
      LoadErrorReader errors,
      DataApi api,
      ControlTables control,
      LoaderMetrics metrics,
      Clock clock) {
    this.rejects = rejects;
    this.errors = errors;
    this.api = api;
    this.control = control;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Settles the pending intents; returns how many rejects objects it wrote. Failures are logged and
   * left for the next cycle.
   */
  int recover() throws InterruptedException {
    List<RejectsIntent> intents = new ArrayList<>();
    try {
      for (String id : rejects.pendingBatchIds()) {
        RejectsIntent intent = read(id);
        if (intent != null) {
          intents.add(intent);
        }
      }
    } catch (SdkException e) {
      LOG.warn(
          "Cannot list the rejects intents under {} ({}); the next cycle tries again",
          rejects.pendingPrefix(),
          e.getMessage());
      return 0;
    }
    if (intents.isEmpty()) {
      return 0;
    }
    Map<String, String> committed;
    try {
      committed = committedAt(intents.stream().map(RejectsIntent::batchId).toList());
    } catch (StatementFailedException | StatementTimeoutException | DataApiException e) {
      LOG.warn(
          "Cannot ask {} which of {} batch(es) with a rejects intent committed ({}); the next cycle tries again",
          control.markers(),
          intents.size(),
          e.getMessage());
      return 0;
    }
    int written = 0;
    Instant now = clock.instant();
    for (RejectsIntent intent : intents) {
      Duration age = Duration.between(intent.created(), now);
      if (committed.containsKey(intent.batchId())) {
        if (age.compareTo(GRACE) >= 0 && settle(intent, committed.get(intent.batchId()), age)) {
          written++;
        }
      } else if (age.compareTo(ABANDON_AFTER) >= 0) {
        LOG.info(
            "Batch {} ({}) never committed in {}: it rejected no rows; deleting its rejects intent",
            intent.batchId(),
            intent.table(),
            age);
        rejects.deleteIntent(intent.batchId());
      }
    }
    return written;
  }

  private RejectsIntent read(String batchId) {
    try {
      return rejects.readIntent(batchId);
    } catch (IOException e) {
      LOG.error(
          "Cannot read the rejects intent {}{}.json ({}). Delete it once the batch's rejected rows are checked in STL_LOAD_ERRORS.",
          rejects.pendingPrefix(),
          batchId,
          e.getMessage());
      return null;
    }
  }

  /** Batch id to load time (as the marker table gives it) of the batches that committed. */
  private Map<String, String> committedAt(List<String> batchIds) throws InterruptedException {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < batchIds.size(); i += IDS_PER_QUERY) {
      QueryResult r =
          api.query(
              control.batchesLoadedAt(
                  batchIds.subList(i, Math.min(batchIds.size(), i + IDS_PER_QUERY))),
              "redstage-rejects-recovery");
      for (List<Object> row : r.rows()) {
        out.put(QueryResult.string(row.get(0)).trim(), QueryResult.string(row.get(1)));
      }
    }
    return out;
  }

  /**
   * Writes the rejects object of a committed batch from the load-error views; true when an object
   * was written.
   */
  private boolean settle(RejectsIntent intent, String loadedAt, Duration age)
      throws InterruptedException {
    try {
      if (rejects.exists(intent)) {
        rejects.deleteIntent(intent.batchId());
        return false;
      }
    } catch (SdkException e) {
      LOG.warn(
          "Batch {}: cannot check for its rejects object ({}); the next cycle tries again",
          intent.batchId(),
          e.getMessage());
      return false;
    }
    List<LoadErrorReader.LoadError> found;
    boolean limited;
    try {
      LoadErrorReader.InFiles in =
          errors.rejectedInFiles(
              intent.jsonFiles().stream().map(RejectsIntent.DataFile::url).toList(),
              intent.created(),
              Rejects.MAX_ROWS,
              intent.batchId());
      found = in.rows();
      limited = in.limited();
    } catch (DataApiException e) {
      LOG.warn(
          "Batch {} committed without its rejects object, and the load-error views cannot be read now ({}); the intent stays "
              + "and the next cycle tries again",
          intent.batchId(),
          e.getMessage());
      return false;
    }
    boolean certain = !limited && age.compareTo(VIEW_RETENTION) < 0;
    if (found.isEmpty() && certain) {
      LOG.info(
          "Batch {} ({}) committed and COPY rejected none of its rows; deleting its rejects intent",
          intent.batchId(),
          intent.table());
      rejects.deleteIntent(intent.batchId());
      return false;
    }
    Map<String, Object> recovery = new LinkedHashMap<>();
    recovery.put("countCertain", certain);
    recovery.put(
        "countNote",
        certain
            ? "Recovered after the loader stopped between the commit and this object: rows read from the load-error views by file name "
                + "and time, deduplicated by file and line."
            : "Recovered from the load-error views "
                + age.toHours()
                + " h after the batch"
                + (limited ? ", which returned their maximum of " + Rejects.MAX_ROWS + " rows" : "")
                + ": rows may be missing. Compare the files' record counts with the rows loaded.");
    List<Map<String, Object>> rows = rejects.rows(found, intent);
    Map<String, Object> report =
        Rejects.report(intent, committedAt(loadedAt), found.size(), rows, List.of(), recovery);
    if (!rejects.write(intent, report)) {
      LOG.error(
          "Batch {}: cannot write its recovered rejects object ({} row(s)); the intent stays and the next cycle tries again",
          intent.batchId(),
          found.size());
      return false;
    }
    metrics.rejected(intent.table(), found.size());
    LOG.warn(
        "Batch {} committed but its loader stopped before writing the rejects object: recovered {} rejected row(s) of {} from the "
            + "load-error views into {}{}",
        intent.batchId(),
        found.size(),
        intent.table(),
        rejects.location(intent.table(), intent.batchId()),
        certain ? "" : " (the count may be incomplete: see countNote)");
    return true;
  }

  private static String committedAt(String loadedAt) {
    return loadedAt == null ? null : Instant.ofEpochMilli(FailureLog.millis(loadedAt)).toString();
  }
}
