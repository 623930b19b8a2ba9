package io.redstage.connector.commit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The commit state of one topic-partition, in one place: where Connect resumed it, the offset after
 * its last closed unit and after its last committed one, its commits still in the background and
 * whether one failed, and where a rewind sends it. Owned by the task thread: only {@link
 * PartitionWriter} (when a unit closes or is aborted), {@link BackgroundCommits} (when it chains or
 * settles a commit) and {@link StagingCommitter} and {@link TaskRewinds} (offsets, lag and rewinds)
 * touch it, all on that thread. The commit threads only complete the futures chained here and mark
 * a failed commit ({@link #commitFailed}).
 */
final class PartitionCommits {
  /** First offset delivered since the partition was opened: where Connect resumed; -1 before. */
  private long resumedAt = -1;

  /** Offset after the last committed unit (its marker written); -1 until the first commits. */
  private long committedNext = -1;

  /**
   * Offset after the last closed unit, committed or still committing in the background; -1 until
   * one closes.
   */
  private long closedNext = -1;

  /** The commit of the last closed unit; the next one starts after it. */
  private CompletableFuture<Void> lastCommit = CompletableFuture.completedFuture(null);

  /**
   * S3 failures of this partition's commits and uploads since its last unit committed, one per
   * attempt (see {@link #failed}).
   */
  private int failuresSinceCommit;

  /** Whether a failure was counted since the partition was last rewound or committed a unit. */
  private boolean attemptFailed;

  /**
   * Units handed to the background commits and not yet settled or dropped there: while one runs, a
   * rewind of the partition waits for it (see {@link TaskRewinds}).
   */
  private int unsettled;

  /**
   * Set by a commit thread when a commit of this partition failed: the partition's units queued
   * behind it abort instead of committing past it. Cleared by the partition's rewind, which comes
   * only once no commit of the partition runs.
   */
  private volatile boolean commitFailed;

  /** Notes an offset delivered to the partition; the first one is where Connect resumed it. */
  void delivered(long offset) {
    if (resumedAt < 0) {
      resumedAt = offset;
    }
  }

  long committedNext() {
    return committedNext;
  }

  /** True when {@code offset} is in a unit already closed (redelivered after a rewind). */
  boolean inClosedUnit(long offset) {
    return closedNext >= 0 && offset < closedNext;
  }

  /**
   * Where a unit that opens with the record at {@code offset} starts: right after the unit this
   * partition closed last when offsets between them were never delivered (transaction markers,
   * compacted records), so that consecutive units cover one contiguous range and the loader keeps
   * them as one interval; else at {@code offset}.
   */
  long unitStart(long offset) {
    return closedNext >= 0 && closedNext < offset ? closedNext : offset;
  }

  void closed(CommitUnit unit) {
    closedNext = unit.endOffset + 1;
  }

  /**
   * Runs {@code commit} on {@code pool} once this partition's previous commit has ended (committed
   * or failed), so the partition's markers appear in offset order; returns its future.
   */
  CompletableFuture<Void> chain(Runnable commit, Executor pool) {
    lastCommit = lastCommit.handle((ignored, failure) -> null).thenRunAsync(commit, pool);
    return lastCommit;
  }

  /**
   * The partition's last commit so far (done when none runs): a partition closed while its commit
   * still runs hands it to the writer that takes it over ({@link #after}).
   */
  CompletableFuture<Void> lastCommit() {
    return lastCommit;
  }

  /**
   * Makes this partition's first commit wait for {@code previous}, the last commit of the writer
   * the task had for it before a rebalance took it away and gave it back: the partition's markers
   * stay in offset order.
   */
  void after(CompletableFuture<Void> previous) {
    lastCommit = previous;
  }

  /** A unit was handed to the background commits. */
  void submitted() {
    unsettled++;
  }

  /** A unit handed to the background commits was settled or dropped there. */
  void settled() {
    unsettled--;
  }

  /** True while a unit of this partition is in the background commits, running or queued. */
  boolean committing() {
    return unsettled > 0;
  }

  /** A commit of this partition failed (on its commit thread). */
  void commitFailed() {
    commitFailed = true;
  }

  /**
   * False after a commit of this partition failed, until its rewind: a later unit of it must not
   * commit past the failed one (read on the commit threads).
   */
  boolean mayCommit() {
    return !commitFailed;
  }

  /**
   * A unit of this partition committed (called in commit order, on the task thread). One that ends
   * after the partition's units were dropped (it was running when they were) moves the closed end
   * too: the replay starts after it, and its units must not start before it.
   */
  void committed(CommitUnit unit) {
    failuresSinceCommit = 0;
    attemptFailed = false;
    committedNext = Math.max(committedNext, unit.endOffset + 1);
    closedNext = Math.max(closedNext, committedNext);
  }

  /** Forgets the units closed since the last commit (they are dropped). */
  void abort() {
    closedNext = committedNext;
  }

  /**
   * An S3 failure of this partition's commit or open file; counted once until the partition is
   * rewound or commits a unit, as the task's limit counts attempts. One failure can come here
   * twice: the task thread finds a failed part of a unit's file ({@code PartUploads#takeFailure})
   * while that unit's commit, already running, still owns the file (it waits for a build slot, or
   * builds another file first); the rewind cannot take the file from it, and the commit meets the
   * same part and fails after the rewind dropped it. Counted twice, a partition stopped the task
   * after three such failures instead of five. Returns the failures since it last committed.
   */
  int failed() {
    if (!attemptFailed) {
      attemptFailed = true;
      failuresSinceCommit++;
    }
    return failuresSinceCommit;
  }

  int failuresSinceCommit() {
    return failuresSinceCommit;
  }

  /**
   * Rewinds the partition, once none of its commits runs: its later units may commit again, and its
   * next failure is another attempt's; returns where it is delivered again from ({@link
   * #rewindTo}).
   */
  long rewind() {
    commitFailed = false;
    attemptFailed = false;
    return rewindTo();
  }

  /**
   * Where a rewind sends the partition: after its last committed unit, or where it resumed when
   * none committed; -1 when nothing was delivered yet.
   */
  long rewindTo() {
    return committedNext >= 0 ? committedNext : resumedAt;
  }

  /**
   * Offsets delivered but not in a committed unit, given the highest offset seen: what a crash now
   * would deliver again; 0 before anything was delivered.
   */
  long lag(long lastSeen) {
    long from = rewindTo();
    return lastSeen >= 0 && from >= 0 ? lastSeen + 1 - from : 0;
  }
}
