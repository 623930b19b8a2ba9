package io.redstage.connector.commit;

import static io.redstage.connector.commit.PartitionPauses.Reason.MEMORY;

import io.redstage.connector.metrics.TaskMetrics;
import io.redstage.connector.rotate.RotationReason;
import io.redstage.connector.storage.PartUploads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task's heap of open units, of units waiting to commit and of full parts of open files waiting
 * to be sent, against memory.buffer.max.bytes, and what put() does when they exceed it: wait for
 * commits and parts, close the largest open units, and when S3 is too slow for either to help in
 * time, pause the partitions.
 *
 * <p>Why a time limit: the consumer must poll within max.poll.interval.ms, or it leaves the group;
 * every task of the connector then rebalances and drops its open units, and a task still waiting on
 * a slow S3 does it again. One S3 call may take five minutes (the SDK's call timeout), as long as
 * the consumer's default interval, so put() waits at most a third of the interval. When the commits
 * still hold more than the budget, the task pauses its partitions (Connect goes on polling and
 * calls put() without records) and resumes them once the commits fit. Owned by the task thread.
 */
final class MemoryBudget {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryBudget.class);

  /** The connector-level override of the consumer's poll interval, if the user set one. */
  static final String MAX_POLL_INTERVAL_OVERRIDE = "consumer.override.max.poll.interval.ms";

  /** The consumer's default max.poll.interval.ms. */
  static final long DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;

  /** How often an empty put() comes to look again while paused. */
  static final long PAUSED_CHECK_MS = 1_000;

  /**
   * The longest a wait for commits goes without looking at the parts of open files, which end on
   * their own (their bytes can fit the budget while the oldest commit still runs).
   */
  private static final long DRAIN_CHECK_NANOS = 100_000_000L;

  private final long budget;
  private final BackgroundCommits commits;
  private final PartUploads parts;
  private final TaskMetrics metrics;
  private final long maxWaitNanos;

  /**
   * Heap of the open units, kept up to date from the partitions a batch wrote or a rule rotated
   * (see {@link PartitionWriter#recountOpenBytes}): open units change only on the task thread, in
   * the calls that recount them. {@link #enforce} still counts every partition again before it
   * closes anything.
   */
  private long openBytes;

  /** The task's paused partitions: here, those paused for {@link PartitionPauses.Reason#MEMORY}. */
  private final PartitionPauses pauses;

  MemoryBudget(
      long budget,
      BackgroundCommits commits,
      TaskMetrics metrics,
      PartitionPauses pauses,
      long maxWaitMs) {
    this.budget = budget;
    this.commits = commits;
    this.parts = commits.parts();
    this.metrics = metrics;
    this.pauses = pauses;
    this.maxWaitNanos = Math.max(1, maxWaitMs) * 1_000_000L;
  }

  /**
   * The longest put() waits for commits: a third of the consumer's poll interval, from the
   * connector's override if set (the worker's own consumer settings cannot be seen from here).
   */
  static long maxWaitMs(Object maxPollIntervalOverride) {
    long interval = DEFAULT_MAX_POLL_INTERVAL_MS;
    if (maxPollIntervalOverride != null) {
      try {
        interval = Long.parseLong(maxPollIntervalOverride.toString().trim());
      } catch (NumberFormatException e) {
        // Connect refuses such a consumer setting itself; keep the default here
      }
    }
    return Math.max(1, interval / 3);
  }

  /** An open unit's heap changed by {@code bytes} (a recount's difference). */
  void opened(long bytes) {
    openBytes += bytes;
  }

  /** Every open and pending unit was dropped. */
  void clear() {
    openBytes = 0;
    metrics.memoryUsed(0);
  }

  boolean paused() {
    return pauses.count(MEMORY) > 0;
  }

  /**
   * Keeps open units plus units waiting to commit and parts waiting to be sent within the budget:
   * first waits for pending commits and parts, which frees memory without closing anything; if the
   * open units alone exceed it, closes the largest until they are back under three quarters of the
   * budget, then waits until the commits and parts fit beside them. It waits no longer than a third
   * of the poll interval in all: when they still do not fit, the partitions pause until they do.
   */
  void enforce(Collection<PartitionWriter> writers) throws IOException {
    boolean partsWaiting = parts.waiting() > 0;
    if (!partsWaiting && openBytes + draining() <= budget) {
      fits();
      return;
    }
    // the clock is read only past the budget: the common put stays a comparison
    long deadline = System.nanoTime() + maxWaitNanos;
    if (partsWaiting) {
      // S3 takes a file's parts slower than the file fills: wait for them to go out, as writing
      // would have without the part pool, but no longer than the poll interval allows
      if (!awaitPartsOut(deadline)) {
        pause();
        return;
      }
      if (openBytes + draining() <= budget) {
        fits();
        return;
      }
    }
    long total = 0;
    List<PartitionWriter> open = new ArrayList<>();
    for (PartitionWriter w : writers) {
      w.recountOpenBytes();
      if (w.hasOpenUnit()) {
        total += w.countedOpenBytes();
        open.add(w);
      }
    }
    openBytes = total;
    if (total + draining() <= budget) {
      fits();
      return;
    }
    if (!drainBelow(Math.max(0, budget - total), deadline)) {
      pause();
      return;
    }
    if (total <= budget) {
      fits();
      return;
    }
    open.sort(Comparator.comparingLong(PartitionWriter::countedOpenBytes).reversed());
    long target = budget / 4 * 3;
    for (PartitionWriter w : open) {
      if (total <= target) {
        break;
      }
      total -= w.countedOpenBytes();
      w.commit(RotationReason.MEMORY);
      openBytes += w.recountOpenBytes();
    }
    LOG.info(
        "Memory budget of {} bytes exceeded: committed the largest open units early, {} bytes remain buffered",
        budget,
        total);
    if (!drainBelow(budget - total, deadline)) {
      pause();
      return;
    }
    fits();
  }

  /** Bytes that free themselves as S3 takes them: units committing, parts of open files. */
  private long draining() {
    return commits.pendingBytes() + parts.bytes();
  }

  /**
   * Waits until commits and parts hold at most {@code limit} bytes; false when {@code
   * deadlineNanos} passes first.
   */
  private boolean drainBelow(long limit, long deadlineNanos) throws IOException {
    while (draining() > limit) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      long until = System.nanoTime() + Math.min(left, DRAIN_CHECK_NANOS);
      if (commits.pendingUnits() > 0) {
        commits.awaitBelow(limit - parts.bytes(), until);
        continue;
      }
      try {
        parts.awaitBelow(limit, until);
      } catch (InterruptedException e) {
        throw interrupted(e);
      }
    }
    return true;
  }

  private boolean awaitPartsOut(long deadlineNanos) {
    try {
      return parts.awaitNoneWaiting(deadlineNanos);
    } catch (InterruptedException e) {
      throw interrupted(e);
    }
  }

  private static ConnectException interrupted(InterruptedException e) {
    Thread.currentThread().interrupt();
    return new ConnectException(
        "Cannot wait for the parts of open files to reach S3: the task thread was interrupted. "
            + "The task stops; its records are delivered again.",
        e);
  }

  /** Within the budget: reports it, and resumes what was paused here. */
  private void fits() {
    metrics.memoryUsed(openBytes + draining());
    if (!paused()) {
      return;
    }
    int resumed = pauses.resume(pauses.pausedFor(MEMORY), MEMORY);
    if (resumed > 0) {
      LOG.info(
          "Resuming {} partition(s): the units waiting for S3 fit memory.buffer.max.bytes again",
          resumed);
    }
  }

  /**
   * Pauses every partition assigned to the task, new ones included (Connect does not pause a
   * partition assigned while others are paused): the commits did not fit the budget in the time
   * put() may wait.
   */
  private void pause() {
    long held = openBytes + draining();
    metrics.memoryUsed(held);
    boolean first = !paused();
    int added = pauses.pauseAssigned(MEMORY);
    if (added == 0) {
      return;
    }
    if (first) {
      LOG.warn(
          "Pausing {} partition(s): units and parts waiting for S3 and open units hold {} bytes, over "
              + "memory.buffer.max.bytes={}, after put() waited {} ms for them. S3 takes the units "
              + "slower than the records arrive; the partitions resume when the commits fit the budget",
          added,
          held,
          budget,
          maxWaitNanos / 1_000_000);
    }
  }
}
