package io.redstage.loader.load;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.discovery.TopicPartition;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.redshift.StatementFailedException.Environment;
import io.redstage.loader.sql.ControlTables;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSettings;
import java.time.Instant;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one table's load does with a batch that did not load, keeping the failure to the smallest
 * part: a transient failure waits a backoff, a failure of the environment stops the table for the
 * cycle, a batch of several units is split in halves until the failing units are alone, and only a
 * unit that fails alone uses up an attempt and is quarantined after {@code
 * load.retry.max-attempts}. In upsert mode a unit held back blocks the later units of its
 * topic-partition for the cycle. One per {@link TableLoad}, on its thread.
 */
final class FailedBatches {
  private static final Logger LOG = LoggerFactory.getLogger(FailedBatches.class);

  private final LoadCycle.Parts p;
  private final TableRef table;
  private final LoadCycle.Tally tally;
  private final Set<TopicPartition> blocked = new HashSet<>();
  private TableSettings settings;
  private boolean environmentFailed;

  FailedBatches(LoadCycle.Parts parts, TableRef table, LoadCycle.Tally tally) {
    this.p = parts;
    this.table = table;
    this.tally = tally;
  }

  /** The table's settings for this cycle's batches (upsert mode blocks partitions). */
  void use(TableSettings settings) {
    this.settings = settings;
  }

  /**
   * A batch whose transaction ran and failed (rolled back or not); returns whether it was
   * quarantined (its manifests stay, for the report that lists them).
   */
  boolean failed(
      Batch b, BatchResult.Failed f, long now, int[] splitsLeft, Deque<TableLoad.Work> work)
      throws InterruptedException {
    tally.failed.incrementAndGet();
    if (f.environment() != Environment.NONE
        && !(f.environment() == Environment.COPY_S3_REFUSAL
            && b.units().stream().anyMatch(this::conflictsSpent))) {
      stopForTheEnvironment(b, f, now, work);
      return false;
    }
    p.metrics().failed(table.name(), f.transientFailure() ? "transient" : "load");
    if (f.transientFailure()
        && !(f.conflict() && b.units().stream().anyMatch(this::conflictsSpent))) {
      defer(b, f.error(), now, f.conflict());
      // the only line a failed manifest or intent write, or an ALTER's conflict, gets
      LOG.warn(deferred(b, f.error(), retryFrom(b, now), f.conflict() ? conflictsLeft(b) : -1));
      return false;
    } else if (b.units().size() > 1) {
      split(b, f.error(), splitsLeft, work);
      return false;
    }
    return failedAlone(b, f, now);
  }

  /**
   * A batch whose transaction cannot be built: what is left here concerns the batch as a whole
   * (statement count, an upsert key no file has). Split it, or quarantine its one unit.
   */
  void cannotLoad(Batch b, String why, int[] splitsLeft, Deque<TableLoad.Work> work)
      throws InterruptedException {
    p.metrics().failed(table.name(), "schema");
    if (b.units().size() > 1) {
      split(b, why, splitsLeft, work);
    } else {
      quarantine(b, why, List.of());
      b.units().forEach(this::block);
    }
  }

  /**
   * Retries every unit of {@code b} after the backoff without counting an attempt ({@code
   * conflict}: one more conflict, see {@link FailureTracker#conflictsSpent}); in upsert mode their
   * partitions wait too.
   */
  void defer(Batch b, String why, long now, boolean conflict) {
    b.units().forEach(u -> p.failures().defer(u.markerKey(), why, now, conflict));
    b.units().forEach(this::block);
  }

  /**
   * The WARN of a batch deferred by a transient failure: its table, id and units (the first ten),
   * the error, and when it is retried; {@code conflictsLeft} is how many more such failures its
   * units may meet before one counts like any other (load.retry.max-deferrals), or -1 when this one
   * counted none.
   */
  static String deferred(Batch b, String error, Instant retryFrom, int conflictsLeft) {
    List<String> keys = b.units().stream().map(Unit::markerKey).toList();
    return "Cannot load "
        + b.table().name()
        + ": batch "
        + b.id()
        + " ("
        + keys.size()
        + " unit(s): "
        + String.join(", ", keys.subList(0, Math.min(10, keys.size())))
        + (keys.size() > 10 ? ", ..." : "")
        + ") failed for a reason a retry can clear: "
        + (error.endsWith(".") ? error.substring(0, error.length() - 1) : error)
        + ". It is retried from "
        + retryFrom
        + " without counting an attempt"
        + (conflictsLeft < 0
            ? "."
            : "; "
                + conflictsLeft
                + " more such failure(s) of its units are deferred (load.retry.max-deferrals),"
                + " later ones count towards quarantine.");
  }

  /** In upsert mode, holds the later units of {@code u}'s partition back for this cycle. */
  void block(Unit u) {
    if (settings.upsert()) {
      blocked.add(tp(u));
    }
  }

  /** Whether {@code u}'s partition is held back this cycle (upsert mode). */
  boolean blocked(Unit u) {
    return settings.upsert() && blocked.contains(tp(u));
  }

  /**
   * The screen's answer to a unit that cannot load with its batch: in upsert mode its partition's
   * later units are held back, and skipped once they are.
   */
  SchemaScreen.OnConflict holdingPartitions() {
    return new SchemaScreen.OnConflict() {
      @Override
      public boolean skipped(Unit u) {
        return blocked(u);
      }

      @Override
      public void conflicted(Unit u) {
        block(u);
      }
    };
  }

  /** Whether a failure of the environment stopped this table's loads in this cycle. */
  boolean stoppedByTheEnvironment() {
    return environmentFailed;
  }

  /** Quarantines {@code b}; returns false when that failed (its units stay failing). */
  boolean quarantine(Batch b, String error, List<LoadErrorReader.LoadError> loadErrors)
      throws InterruptedException {
    try {
      p.quarantine()
          .record(b, error, loadErrors, p.executor().manifestUrls(b), p.clock().instant());
      tally.quarantined.incrementAndGet();
      p.metrics().quarantined(table.name(), b.units().size());
      b.units().forEach(u -> p.failures().forget(u.markerKey()));
      return true;
    } catch (RuntimeException e) {
      LOG.error(
          "Cannot quarantine {} ({}); its units stay failing and are retried: {}",
          b.describe(),
          error,
          e.getMessage());
      return false;
    }
  }

  /**
   * A failure of the environment (a privilege, disk space, COPY's access to S3): the batch's units
   * wait without an attempt counted and the table's other batches are left for the next cycle,
   * since they would fail alike. Nothing is split or quarantined: once the cause is fixed the
   * backlog loads in full batches, as before. Only S3's refusal of COPY, which a missing file also
   * gets when the COPY role may not list the bucket ({@link Environment#COPY_S3_REFUSAL}), counts
   * one of the units' load.retry.max-deferrals, like a conflict: a privilege or a full disk is
   * never one batch's, and an outage of either must not end in quarantine. The table's row in the
   * failure table tells 'status' until a batch of the table commits.
   */
  private void stopForTheEnvironment(
      Batch b, BatchResult.Failed f, long now, Deque<TableLoad.Work> work)
      throws InterruptedException {
    p.metrics().failed(table.name(), "environment");
    tally.tablesStopped.incrementAndGet();
    boolean counted = f.environment() == Environment.COPY_S3_REFUSAL;
    defer(b, f.error(), now, counted);
    LOG.error(stopped(b, f.error(), work.size(), counted));
    work.clear();
    environmentFailed = true;
    // the log and the metric are this process's; 'status' runs in another one and reads this row
    p.failureLog()
        .recordTableStop(
            table.name(),
            p.failures().tableStopped(table.name(), f.error(), now),
            f.error(),
            Instant.ofEpochMilli(now),
            b.id().toString());
  }

  /**
   * The ERROR of a table stopped by a failure of the environment at batch {@code b}, {@code
   * waiting} other batches left; {@code counted}: S3's refusal of COPY, which counts a deferral.
   */
  static String stopped(Batch b, String error, int waiting, boolean counted) {
    return "Cannot load "
        + b.table().name()
        + ": batch "
        + b.id()
        + " failed for a reason that is not its data: "
        + error
        + ". Fix the loader's privileges on the table, the cluster's disk space or the COPY role's"
        + " access to S3; the table's "
        + waiting
        + " other batch(es) wait for the next cycle"
        + (counted
            ? " (S3's refusal can also be a missing file: after load.retry.max-deferrals such"
                + " refusals in one loader process the batch is split and its units counted like"
                + " other failures. A 'once' process counts from 0 each time, so under 'once' the"
                + " batch is never split: when the COPY role may read the files, give it"
                + " s3:ListBucket on the bucket, so that S3 reports a missing file as missing and"
                + " its unit ends in quarantine, or load with 'run', which counts)."
            : ", and nothing is quarantined for it.");
  }

  /** Counts the attempt of {@code b}'s one unit; returns whether it was quarantined. */
  private boolean failedAlone(Batch b, BatchResult.Failed f, long now) throws InterruptedException {
    Unit u = b.units().get(0);
    int attempts = p.failures().fail(u.markerKey(), f.error(), now);
    block(u);
    if (p.failures().exhausted(attempts)) {
      return quarantine(b, f.error(), f.loadErrors());
    }
    LOG.warn(
        "Batch {}: unit {} failed alone (attempt {}); it is retried alone after the backoff",
        b.id(),
        u.markerKey(),
        attempts);
    p.failureLog()
        .record(
            List.of(
                new ControlTables.FailureRow(
                    u.markerKey(), table.name(), attempts, f.error(), Instant.ofEpochMilli(now))),
            b.id().toString());
    return false;
  }

  private void split(Batch b, String error, int[] splitsLeft, Deque<TableLoad.Work> work) {
    long now = p.clock().millis();
    if (splitsLeft[0] <= 0) {
      LOG.warn(
          "Batch {} failed and its split budget is spent; its {} unit(s) are retried next cycle: {}",
          b.id(),
          b.units().size(),
          error);
      defer(b, error, now, false);
      return;
    }
    splitsLeft[0] -= 2;
    int mid = b.units().size() / 2;
    Batch first = p.builder().build(table, b.units().subList(0, mid));
    Batch second = p.builder().build(table, b.units().subList(mid, b.units().size()));
    LOG.warn(
        "Batch {} ({} units) failed: {} Splitting it to isolate the failing unit(s): batch {} ({} units), batch {} ({} units)",
        b.id(),
        b.units().size(),
        error,
        first.id(),
        first.units().size(),
        second.id(),
        second.units().size());
    work.addFirst(new TableLoad.Work(second, splitsLeft));
    work.addFirst(new TableLoad.Work(first, splitsLeft));
  }

  /** When the first of {@code b}'s deferred units may be tried again. */
  private Instant retryFrom(Batch b, long now) {
    return Instant.ofEpochMilli(
        b.units().stream()
            .mapToLong(u -> p.failures().failure(u.markerKey()).notBeforeMs())
            .min()
            .orElse(now));
  }

  /** The fewest conflicts any unit of {@code b} may still meet. */
  private int conflictsLeft(Batch b) {
    return b.units().stream()
        .mapToInt(u -> p.failures().conflictsLeft(u.markerKey()))
        .min()
        .orElse(0);
  }

  private boolean conflictsSpent(Unit u) {
    if (!p.failures().conflictsSpent(u.markerKey())) {
      return false;
    }
    LOG.warn(
        "Unit {} has failed by a conflict or a failure of the environment {} time(s) in this process"
            + " (load.retry.max-deferrals); the failure now counts like any other, towards"
            + " load.retry.max-attempts",
        u.markerKey(),
        p.failures().failure(u.markerKey()).conflicts());
    return true;
  }

  private static TopicPartition tp(Unit u) {
    return new TopicPartition(u.topic(), u.partition());
  }
}
