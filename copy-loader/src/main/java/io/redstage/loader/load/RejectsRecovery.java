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
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
 *   <li>otherwise (running, or its outcome unknown): kept, and asked again after {@link
 *       #RECHECK_NOT_COMMITTED}.
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

  /**
   * How long a committed batch whose load-error views listed fewer rows than its COPYs rejected
   * (its intent holds the count) waits for them to list the rest before its object is written with
   * what they list: a view that has not caught up right after the commit should have within this.
   */
  static final Duration VIEW_WAIT = Duration.ofHours(1);

  /**
   * How long an intent whose batch was not committed when asked waits before it is asked again.
   * Such a batch is still running (in a live loader, which writes its object itself when it
   * commits), or its outcome is unknown (a statement that outlived redshift.statement-timeout, or
   * whose loader died), or it rolled back without its intent being deleted: asking every cycle cost
   * a load-marker query per cycle for up to {@link #ABANDON_AFTER}. Only a batch that commits after
   * it was asked and whose loader no longer waits for it needs this recovery, and the wait delays
   * its object by at most this much: nothing else waits for it (its units count as loaded by their
   * markers alone), and what it recovers is the same, as the rows are read from the views by the
   * intent's files and time, not the time of asking, and a batch commits within 24 h of its intent,
   * far inside what the views keep ({@link #VIEW_RETENTION}). A batch seen committed is not waited
   * for (only {@link #GRACE}), nor does a new process wait, 'once' included: this is memory of this
   * process.
   */
  static final Duration RECHECK_NOT_COMMITTED = Duration.ofMinutes(5);

  /** Batch id of an intent whose batch was not committed when last asked, and when that was. */
  private final Map<String, Instant> notCommittedAsked = new ConcurrentHashMap<>();

  /**
   * Batch id of an intent whose batch this process saw committed, and when it first did: {@link
   * #GRACE} runs from the commit, not from the intent's creation, which comes before the batch runs
   * (a batch that ran longer than the grace would be settled by another loader while its own was
   * still writing its object or its count). The commit is the batch's load time, or this time when
   * earlier (a loader clock ahead of this one's).
   */
  private final Map<String, Instant> seenCommitted = new ConcurrentHashMap<>();

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
    Instant now = clock.instant();
    try {
      List<String> ids = rejects.pendingBatchIds();
      notCommittedAsked.keySet().retainAll(ids);
      seenCommitted.keySet().retainAll(ids);
      for (String id : ids) {
        Instant asked = notCommittedAsked.get(id);
        if (asked != null && Duration.between(asked, now).compareTo(RECHECK_NOT_COMMITTED) < 0) {
          continue;
        }
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
      committed = committedAt(intents);
    } catch (StatementFailedException | StatementTimeoutException | DataApiException e) {
      LOG.warn(
          "Cannot ask {} which of {} batch(es) with a rejects intent committed ({}); the next cycle tries again",
          control.markers(),
          intents.size(),
          e.getMessage());
      return 0;
    }
    int written = 0;
    for (RejectsIntent intent : intents) {
      Duration age = Duration.between(intent.created(), now);
      if (committed.containsKey(intent.batchId())) {
        notCommittedAsked.remove(intent.batchId());
        String loadedAt = committed.get(intent.batchId());
        Instant seen = seenCommitted.computeIfAbsent(intent.batchId(), id -> now);
        // the grace runs from the commit (the batch's load time, or when this process first saw it
        // committed, if that loader's clock was ahead), not from the intent, which a long batch
        // was written well before
        Instant from = loadedAt == null ? seen : min(seen, commitInstant(loadedAt));
        if (Duration.between(from, now).compareTo(GRACE) >= 0
            && settle(intent, loadedAt, age, now)) {
          written++;
        }
      } else if (age.compareTo(ABANDON_AFTER) >= 0) {
        LOG.info(
            "Batch {} ({}) never committed in {}: it rejected no rows; deleting its rejects intent",
            intent.batchId(),
            intent.table(),
            age);
        rejects.deleteIntent(intent.batchId());
        notCommittedAsked.remove(intent.batchId());
      } else {
        notCommittedAsked.put(intent.batchId(), now);
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

  /**
   * Batch id to load time (as the marker table gives it) of the batches that committed: the
   * earliest a query gives, as a batch with many partitions may be asked in several.
   */
  private Map<String, String> committedAt(List<RejectsIntent> intents) throws InterruptedException {
    Map<String, String> out = new HashMap<>();
    for (String sql :
        control.batchesLoadedAt(intents.stream().map(RejectsIntent::loadMarkers).toList())) {
      QueryResult r = api.query(sql, "redstage-rejects-recovery");
      for (List<Object> row : r.rows()) {
        out.merge(
            QueryResult.string(row.get(0)).trim(),
            QueryResult.string(row.get(1)),
            (a, b) -> FailureLog.millis(b) < FailureLog.millis(a) ? b : a);
      }
    }
    return out;
  }

  /**
   * Writes the rejects object of a committed batch from the load-error views; true when an object
   * was written.
   */
  private boolean settle(RejectsIntent intent, String loadedAt, Duration age, Instant now)
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
    boolean stopped = intent.processStopped();
    if (intent.rejectedRows() == null) {
      Long counted = countedByItsStatement(intent);
      if (counted != null) {
        // the count as its own process would have kept it, from the commit: asked once
        Instant commit = loadedAt == null ? now : commitInstant(loadedAt);
        intent = intent.withCountFromStatement(counted, commit);
        if (found.size() < counted && !limited) {
          rejects.keepCount(intent);
        }
      }
    }
    Long known = intent.rejectedRows();
    boolean listsFewer = known != null && found.size() < known && !limited;
    Instant counted = intent.counted() == null ? intent.created() : intent.counted();
    if (listsFewer && Duration.between(counted, now).compareTo(VIEW_WAIT) < 0) {
      LOG.debug(
          "Batch {}: the load-error views list {} of its {} rejected rows; asked again next cycle",
          intent.batchId(),
          found.size(),
          known);
      return false;
    }
    boolean certain = !limited && !listsFewer && age.compareTo(VIEW_RETENTION) < 0;
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
        listsFewer
            ? "COPY rejected "
                + known
                + " row(s) and the load-error views listed "
                + found.size()
                + " of them "
                + age.toMinutes()
                + " min after the batch: find the others in STL_LOAD_ERRORS (on Serverless"
                + " SYS_LOAD_ERROR_DETAIL) by the file names of the units below."
            : certain
                ? (stopped
                        ? "Recovered after the loader stopped between the commit and this object"
                            + (known != null
                                ? " (the rows COPY rejected counted from the statement's result):"
                                : ":")
                            + " rows read"
                        : "Written by a later cycle, once the load-error views listed every row COPY"
                            + " rejected (they listed fewer right after the commit): rows read")
                    + " from the load-error views by file name and time, deduplicated by file and"
                    + " line, then by topic, partition and offset, without the rows another batch's"
                    + " rejects object lists (see repeatedRowsLeftOut)."
                : "Recovered from the load-error views "
                    + age.toHours()
                    + " h after the batch"
                    + (limited
                        ? ", which returned their maximum of " + Rejects.MAX_ROWS + " rows"
                        : "")
                    + ": rows may be missing. Compare the files' record counts with the rows loaded.");
    RepeatedRejects.Kept kept = rejects.keep(intent, rejects.rows(found, intent));
    long rejected =
        known == null
            ? kept.rows().size()
            : Math.max(0, Math.max(known, found.size()) - kept.repeated());
    if (rejected == 0 && certain) {
      LOG.info(
          "Batch {} ({}) committed and COPY rejected only rows listed already ({}: another batch's"
              + " rejects object lists them, or another unit of the batch repeated them); deleting its"
              + " rejects intent",
          intent.batchId(),
          intent.table(),
          kept.repeated());
      rejects.deleteIntent(intent.batchId());
      return false;
    }
    Map<String, Object> report =
        Rejects.report(
            intent,
            committedAt(loadedAt),
            rejected,
            kept.repeated(),
            kept.rows(),
            List.of(),
            recovery);
    Optional<String> refused = rejects.write(intent, report);
    if (refused.isPresent()) {
      LOG.error(
          "Cannot write the recovered rejects object {} of batch {} ({} row(s) of {}): {}. The intent"
              + " stays and the next cycle tries again: check that the loader may write under"
              + " rejects.dir.",
          rejects.location(intent.table(), intent.batchId()),
          intent.batchId(),
          rejected,
          intent.table(),
          refused.get());
      return false;
    }
    metrics.rejected(intent.table(), rejected);
    LOG.warn(
        "Batch {} committed {}: wrote its {} rejected row(s) of {} from the load-error views into {}{}",
        intent.batchId(),
        stopped
            ? "but its loader stopped before writing the rejects object"
            : "while the load-error views listed fewer rows than its COPYs rejected",
        rejected,
        intent.table(),
        rejects.location(intent.table(), intent.batchId()),
        certain ? "" : " (the rows may be incomplete: see countNote)");
    return true;
  }

  /**
   * How many rows the batch's JSON Lines COPYs rejected, when the process that ran it died before
   * writing that count into its intent: its records less the rows its coordinates check counted in
   * each staging table, read from the statement's result (found by its name, as the process that
   * knew its id is gone). Without it a load-error view that has not caught up (a Serverless one)
   * reads as nothing rejected, and the rows would be listed nowhere. Null when it cannot be read:
   * an intent of an older version, a statement the Data API no longer keeps (24 hours) or does not
   * show this caller (another IAM role; with a policy limited to the caller's own statements,
   * another IAM session), or ListStatements not allowed; then the views' answer stands, as before.
   */
  private Long countedByItsStatement(RejectsIntent intent) {
    if (intent.coordinatesCheck() == null || intent.jsonGroups() == null) {
      return null;
    }
    String name = BatchExecutor.statementName(intent.batchId());
    try {
      Optional<DataApi.Outcome> statement = api.finished(name);
      if (statement.isEmpty()) {
        LOG.info(
            "Batch {}: the Data API lists no finished statement {} to count its rejected rows from"
                + " (older than 24 hours, or run under another IAM role or session); they are"
                + " counted from the load-error views",
            intent.batchId(),
            name);
        return null;
      }
      Map<Integer, Long> staged =
          CopyCounts.stagedRows(api.subStatementResult(statement.get(), intent.coordinatesCheck()));
      long rejected = 0;
      for (Map.Entry<Integer, Long> g : intent.jsonGroups().entrySet()) {
        rejected += Math.max(0, g.getValue() - staged.getOrDefault(g.getKey(), 0L));
      }
      return rejected;
    } catch (DataApiException | IndexOutOfBoundsException | IllegalArgumentException e) {
      LOG.info(
          "Batch {}: cannot read the rows its COPYs staged from statement {} ({}); its rejected rows"
              + " are counted from the load-error views. The loader reads them with"
              + " redshift-data:ListStatements and GetStatementResult (examples/iam/loader.json);"
              + " where the policy allows only the caller's own statements"
              + " (statement-owner-iam-userid), only in the IAM session that ran the batch",
          intent.batchId(),
          name,
          e.getMessage());
      return null;
    }
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static String committedAt(String loadedAt) {
    return loadedAt == null ? null : commitInstant(loadedAt).toString();
  }

  /** A batch's load time as the load-marker table gives it. */
  private static Instant commitInstant(String loadedAt) {
    return Instant.ofEpochMilli(FailureLog.millis(loadedAt));
  }
}
