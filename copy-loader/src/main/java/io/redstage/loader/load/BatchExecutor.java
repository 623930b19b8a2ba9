package io.redstage.loader.load;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.StagingGroup;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.manifest.ManifestStore;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.redshift.StatementOutcomeUnknownException;
import io.redstage.loader.redshift.StatementTimeoutException;
import io.redstage.loader.sql.ExistingSchemas;
import io.redstage.loader.sql.LoadSqlBuilder;
import io.redstage.loader.sql.LoadTransaction;
import io.redstage.loader.sql.MetadataColumns;
import io.redstage.loader.sql.TablePlan;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSettings;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Runs one batch: writes its manifests, submits the load transaction as one BatchExecuteStatement
 * (ClientToken derived from the batch id and attempt, so SDK retries of the submission cannot start
 * it twice), waits, and on a failed COPY reads the rejected rows.
 */
public final class BatchExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(BatchExecutor.class);

  private final DataApi api;
  private final ManifestStore manifests;
  private final LoadSqlBuilder sqlBuilder;
  private final LoadErrorReader loadErrors;
  private final boolean deleteManifests;
  private final Clock clock;

  /**
   * Units whose load statement outlived redshift.statement-timeout (or whose polling failed), by
   * marker key, with its Data API id: the statement goes on in Redshift, and another transaction
   * for the same units would queue behind its locks, COPY the same files again and load nothing.
   */
  private final Map<String, String> outlived = new ConcurrentHashMap<>();

  /**
   * The target table of each such statement, by its id: while it runs, it holds the table's
   * loaded-intervals LOCK, which makes every read of that table wait, the cycle's loaded-state
   * query included (see {@link #tablesStillLoading()}).
   */
  private final Map<String, TableRef> outlivedTables = new ConcurrentHashMap<>();

  /**
   * Such statements that ended FAILED or ABORTED since the last {@link #takeOutlivedFailures()},
   * with the units they loaded: nobody waited for their error, so without this a batch whose load
   * always outlives the timeout and then fails was planned again whole, cycle after cycle.
   */
  private final Map<String, OutlivedFailure> outlivedFailures = new ConcurrentHashMap<>();

  /** A load statement that outlived redshift.statement-timeout and then failed. */
  public record OutlivedFailure(List<String> markerKeys, StatementFailedException failure) {}

  public BatchExecutor(
      DataApi api,
      ManifestStore manifests,
      LoadSqlBuilder sqlBuilder,
      LoadErrorReader loadErrors,
      boolean deleteManifests,
      Clock clock) {
    this.api = api;
    this.manifests = manifests;
    this.sqlBuilder = sqlBuilder;
    this.loadErrors = loadErrors;
    this.deleteManifests = deleteManifests;
    this.clock = clock;
  }

  /**
   * The StatementName of batch {@code batchId}'s load statement: how a process that did not submit
   * it finds it again (DataApi#finished).
   */
  static String statementName(String batchId) {
    return "redstage-" + batchId;
  }

  /** The statements of the batch's transaction (also what dry-run prints). */
  public List<String> statements(Batch batch, TablePlan plan, TableSettings settings) {
    return transaction(batch, plan, settings).statements();
  }

  LoadTransaction transaction(Batch batch, TablePlan plan, TableSettings settings) {
    return sqlBuilder.statements(
        batch, plan, settings, g -> manifests.url(batch, g), clock.instant());
  }

  /** Widens too-short VARCHAR columns through this executor's Data API client. */
  ColumnWidener widener(ControlReader reader) {
    return new ColumnWidener(api, reader);
  }

  public List<String> manifestUrls(Batch batch) {
    List<String> urls = new ArrayList<>();
    for (StagingGroup g : batch.groups()) {
      urls.add(manifests.url(batch, g));
    }
    return urls;
  }

  /**
   * Runs the batch. Its ClientToken is the batch id: SDK retries of the submission reuse it, and a
   * later retry of the same units is planned as a new batch with a new id, so it is a new
   * statement.
   */
  public BatchResult run(Batch batch, TablePlan plan, TableSettings settings)
      throws InterruptedException {
    LoadTransaction tx = transaction(batch, plan, settings);
    List<String> sql = tx.statements();
    long callsBefore = api.calls();
    try {
      manifests.write(batch);
    } catch (SdkException e) {
      return new BatchResult.Failed(
          "Cannot write the COPY manifests of " + batch.describe() + ": " + e.getMessage(),
          List.of(),
          true,
          true);
    }
    long started = System.nanoTime();
    // compared with the load-error views' own times, not the loader's (a test's) clock
    Instant submitted = Instant.now();
    LOG.info("Loading {}: {} statement(s)", batch.describe(), sql.size());
    try {
      DataApi.Outcome o =
          api.executeBatch(sql, batch.id().toString(), statementName(batch.id().toString()));
      double seconds = (System.nanoTime() - started) / 1e9;
      long rows = writtenRows(tx, o);
      LOG.info(
          "Loaded {} in {} s: {} row(s) written ({}), statement {}",
          batch.describe(),
          String.format("%.3f", seconds),
          rows,
          settings.upsert()
              ? "upsert " + settings.strategy().name().toLowerCase(Locale.ROOT)
              : "append",
          o.id());
      discardManifests(batch);
      return new BatchResult.Loaded(
          rows, api.calls() - callsBefore, seconds, CopyCounts.of(api, batch, tx, o));
    } catch (StatementFailedException e) {
      // the check's own failure is its cast's; a conflict, a cancel or the environment failing
      // the same statement takes the general path, which defers or stops the table for them
      if (e.failedIndex() >= 0
          && e.failedIndex() == tx.coordinatesCheck()
          && !e.isTransient()
          && e.environment() == StatementFailedException.Environment.NONE) {
        String error = withoutCoordinates(batch, settings, e);
        LOG.warn("Batch {}: {}", batch.id(), error);
        return new BatchResult.Failed(error, List.of(), false, true);
      }
      List<LoadErrorReader.LoadError> details = List.of();
      String failedSql =
          e.failedIndex() >= 0 && e.failedIndex() < sql.size() ? sql.get(e.failedIndex()) : "";
      if (tx.isCopy(e.failedIndex())) {
        List<String> files =
            batch.groups().get(tx.copies().indexOf(e.failedIndex())).files().stream()
                .map(StagingGroup.FileRef::url)
                .toList();
        details = loadErrors.read(e, files, batch.id().toString(), submitted);
        if (!details.isEmpty()) {
          // once per failed batch, at WARN: the failure is handled (retried, split, quarantined);
          // the reasons quote values, so they go to the quarantine report, not to the log
          LOG.warn(
              "Batch {}: COPY rejected {} row(s): {}. Their reasons are in the quarantine report if "
                  + "the batch is quarantined, and in STL_LOAD_ERRORS / SYS_LOAD_ERROR_DETAIL.",
              batch.id(),
              details.size(),
              details.stream()
                      .limit(3)
                      .map(LoadErrorReader.LoadError::location)
                      .collect(java.util.stream.Collectors.joining("; "))
                  + (details.size() > 3 ? "; ..." : ""));
        }
      }
      String where =
          e.failedIndex() >= 0
              ? " at statement " + (e.failedIndex() + 1) + " (" + head(failedSql) + ")"
              : "";
      LOG.warn("Batch {} failed{}: {}", batch.id(), where, e.error());
      return new BatchResult.Failed(
          "Load transaction failed"
              + where
              + ": "
              + e.error()
              + (ExistingSchemas.isCreate(failedSql)
                  ? ". " + ExistingSchemas.whenMissing(batch.table().schema())
                  : ""),
          details,
          e.isTransient(),
          true,
          e.isTransient(),
          e.environment());
    } catch (StatementTimeoutException | StatementOutcomeUnknownException e) {
      LOG.warn("Batch {}: {}", batch.id(), e.getMessage());
      String id =
          e instanceof StatementTimeoutException t
              ? t.statementId()
              : ((StatementOutcomeUnknownException) e).statementId();
      if (id != null) {
        // polling stopped (timeout, or DescribeStatement failing), the statement may go on
        batch.units().forEach(u -> outlived.put(u.markerKey(), id));
        outlivedTables.put(id, batch.table());
      }
      return new BatchResult.Unknown(e.getMessage());
    } catch (DataApiException e) {
      // the submission failed. Refused for certain (every attempt a 4xx answer): no statement
      // exists, so the batch ended like a FAILED transaction and its manifests and rejects intent
      // can go at once; otherwise an attempt may have created the statement, which may commit
      LOG.warn(
          "Batch {}: {}{}",
          batch.id(),
          e.getMessage(),
          e.submissionRefused()
              ? " The Data API refused every attempt: no statement was created."
              : "");
      return new BatchResult.Failed(
          e.getMessage(), List.of(), e.isTransient(), e.submissionRefused());
    }
  }

  /** Why a batch whose staged rows lack their Kafka coordinates failed, and what to do. */
  private static String withoutCoordinates(
      Batch batch, TableSettings settings, StatementFailedException e) {
    MetadataColumns m = settings.metadata();
    return "Cannot load "
        + batch.describe()
        + ": a row of its files has no Kafka topic, partition or offset in the columns its markers"
        + " name ("
        + String.join(", ", m.topic(), m.partition(), m.offset())
        + "), so its rows cannot be told apart; the transaction was rolled back ("
        + e.error()
        + "). The connector always writes these columns: most likely a file was rewritten under"
        + " its key with renamed metadata columns after this loader read its marker (a rename on"
        + " a running connector). The next cycle reads the markers again; if the unit fails"
        + " alone again, compare its files' columns with its marker (docs/loader-operations.md,"
        + " \"Changing settings of a running pipeline\").";
  }

  /**
   * Deletes the batch's manifests, unless manifests.delete-after-load is off: after it committed,
   * or once its transaction certainly ended without committing (FAILED or ABORTED, its submission
   * refused by the Data API, or its manifests could not all be written) and the batch is not
   * quarantined (a retry is a new batch, with manifests of its own). Never while its outcome is
   * unknown: the statement may still run its COPY. Best effort: a failure is logged, and a
   * lifecycle rule on manifests.dir expires what is left.
   */
  void discardManifests(Batch batch) {
    if (!deleteManifests) {
      return;
    }
    try {
      manifests.delete(batch);
    } catch (SdkException e) {
      LOG.warn(
          "Cannot delete the manifests of batch {}: {}. They are harmless; an S3 lifecycle rule on"
              + " manifests.dir expires them (docs/loader-operations.md).",
          batch.id(),
          e.getMessage());
    }
  }

  /**
   * Rows the Data API reports for the statement that writes into the target: inserted for append
   * and delete-insert, updated plus inserted for merge; 0 for a batch without files; -1 when the
   * Data API did not say.
   */
  private static long writtenRows(LoadTransaction tx, DataApi.Outcome o) {
    return tx.write() < 0 ? 0 : at(o.subStatementRows(), tx.write());
  }

  private static long at(List<Long> perStatement, int index) {
    return CopyCounts.at(perStatement, index);
  }

  private static String head(String sql) {
    return sql.length() > 80 ? sql.substring(0, 80) + "..." : sql;
  }

  /**
   * The tables with a load statement of this process that outlived redshift.statement-timeout and
   * is still queued or running in Redshift: a cycle leaves them out, since reading their loaded
   * state would wait for that statement. One DescribeStatement per such statement; a statement that
   * has ended (committed or not) is forgotten here, so a state read after this call sees its
   * outcome.
   */
  Set<TableRef> tablesStillLoading() {
    Set<TableRef> busy = new HashSet<>();
    for (Map.Entry<String, TableRef> e : outlivedTables.entrySet()) {
      String id = e.getKey();
      DataApi.StatementProgress p = api.describe(id);
      if (p.progress() == DataApi.Progress.RUNNING) {
        busy.add(e.getValue());
      } else {
        ended(id, p);
      }
    }
    return busy;
  }

  /** Whether {@code table} has a load statement that outlived redshift.statement-timeout. */
  boolean outlivedIn(TableRef table) {
    return outlivedTables.containsValue(table);
  }

  /**
   * The units of {@code units} whose earlier load statement (one that outlived
   * redshift.statement-timeout) is still queued or running in Redshift, with its id: they must wait
   * for it rather than start another. Also, once, those whose statement finished since this cycle
   * read the load-marker table: it committed, and the next cycle sees them loaded. A unit whose
   * statement has ended is forgotten here.
   */
  Map<Unit, String> stillLoading(List<Unit> units) {
    Map<Unit, String> busy = new LinkedHashMap<>();
    Map<String, DataApi.StatementProgress> progress = new HashMap<>();
    for (Unit u : units) {
      String id = outlived.get(u.markerKey());
      if (id == null) {
        continue;
      }
      DataApi.StatementProgress p = progress.computeIfAbsent(id, api::describe);
      if (p.progress() != DataApi.Progress.ENDED) {
        busy.put(u, id);
      }
      if (p.progress() != DataApi.Progress.RUNNING) {
        if (outlivedTables.containsKey(id)) {
          noteFailure(id, p);
        }
        outlived.remove(u.markerKey(), id);
        outlivedTables.remove(id);
      }
    }
    return busy;
  }

  /**
   * Forgets the outlived statement {@code id}, which is no longer running, and its units; one that
   * failed is kept for {@link #takeOutlivedFailures()} with them.
   */
  private void ended(String id, DataApi.StatementProgress progress) {
    noteFailure(id, progress);
    outlivedTables.remove(id);
    outlived.values().removeIf(id::equals);
  }

  /** Keeps the failure of ended statement {@code id}, if it failed, with its units' keys. */
  private void noteFailure(String id, DataApi.StatementProgress progress) {
    if (progress.failure().isEmpty()) {
      return;
    }
    List<String> keys = new ArrayList<>();
    outlived.forEach(
        (key, statement) -> {
          if (statement.equals(id)) {
            keys.add(key);
          }
        });
    outlivedFailures.put(id, new OutlivedFailure(List.copyOf(keys), progress.failure().get()));
  }

  /** The outlived statements that failed since the last call (see {@link #outlivedFailures}). */
  List<OutlivedFailure> takeOutlivedFailures() {
    List<OutlivedFailure> taken = new ArrayList<>();
    for (String id : List.copyOf(outlivedFailures.keySet())) {
      OutlivedFailure f = outlivedFailures.remove(id);
      if (f != null) {
        taken.add(f);
      }
    }
    return taken;
  }
}
