package io.redstage.connector.commit;

import io.redstage.connector.rotate.RotationPolicy;
import java.io.IOException;
import java.util.Collection;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The task's time-based rules across its partitions: when a partition's idle or schedule rule can
 * next fire, so that put need not visit every partition before then (with 10,000 partitions that
 * visit was the largest of the task's own costs in put), and the task-idle rule, which closes every
 * open unit once no record reached the task for rotate.task.idle.ms. Task thread only.
 */
final class TaskTicks {
  private final RotationPolicy rotation;

  /** The wall clock the rules read (tests step it). */
  private TaskClock clock;

  /**
   * No open unit's time-based rule can fire before this (see {@link PartitionWriter#nextTickAtMs}).
   * Lowered by the units a batch opened; recomputed whenever every partition is ticked. 0: tick at
   * the next chance.
   */
  private long nextTickAtMs;

  /** When a put last delivered records: the task-idle rule counts from here. */
  private long lastRecordAtMs;

  /** When the task-idle rule last closed units, or {@link RotationPolicy#NEVER}. */
  private long taskIdleFiredAtMs = RotationPolicy.NEVER;

  TaskTicks(RotationPolicy rotation, LongSupplier wallClock) {
    this.rotation = rotation;
    useClock(wallClock);
  }

  /** Reads time from {@code wallClock} from now on (tests step it). */
  void useClock(LongSupplier wallClock) {
    clock = new TaskClock(wallClock);
    lastRecordAtMs = wallClock.getAsLong();
  }

  /**
   * The wall clock. Set back, the times the rules keep that now lie ahead (here and in the open
   * units of {@code writers}) become now, so the rules fire within their own periods.
   */
  long now(Collection<PartitionWriter> writers) {
    long now = clock.now();
    if (clock.setBack()) {
      for (PartitionWriter w : writers) {
        w.clockSetBack(now);
      }
      lastRecordAtMs = Math.min(lastRecordAtMs, now);
      if (taskIdleFiredAtMs != RotationPolicy.NEVER) {
        taskIdleFiredAtMs = Math.min(taskIdleFiredAtMs, now);
      }
      nextTickAtMs = Math.min(nextTickAtMs, now);
    }
    return now;
  }

  /** After a run of records of one partition: when its open unit's rules could fire. */
  void written(PartitionWriter w, long now) {
    nextTickAtMs = Math.min(nextTickAtMs, w.nextTickAtMs(now));
  }

  /**
   * A put delivered records, ending at {@code endMs}: time spent writing the batch or waiting on
   * commits is no sign of idleness.
   */
  void recordsDelivered(long endMs) {
    lastRecordAtMs = endMs;
  }

  /** {@code wait}, or less when the task-idle rule could fire sooner. */
  long waitWithTaskIdle(long wait, long nowMs) {
    return Math.min(wait, rotation.millisUntilTaskIdle(lastRecordAtMs, taskIdleFiredAtMs, nowMs));
  }

  /**
   * Lets every partition's time-based rules close units that are due, and on an empty put the
   * task-idle rule close them all, telling {@code unitClosed} of each partition whose unit closed;
   * returns the wait until a partition's next rule could fire (Long.MAX_VALUE: no unit is open).
   * Before that time the partitions are not visited.
   */
  long tickAll(
      long now,
      boolean emptyPut,
      Collection<PartitionWriter> writers,
      Consumer<PartitionWriter> unitClosed)
      throws IOException {
    // Only an open unit makes nextTickAtMs finite while rotate.idle.ms is on, which the task-idle
    // rule needs.
    boolean taskIdle =
        emptyPut
            && nextTickAtMs != Long.MAX_VALUE
            && rotation.millisUntilTaskIdle(lastRecordAtMs, taskIdleFiredAtMs, now) == 0;
    if (taskIdle || now >= nextTickAtMs) {
      long next = Long.MAX_VALUE;
      boolean closed = false;
      for (PartitionWriter w : writers) {
        boolean wasOpen = w.hasOpenUnit();
        next = Math.min(next, w.tick(now, taskIdle));
        if (wasOpen && !w.hasOpenUnit()) {
          unitClosed.accept(w);
          closed = true;
        }
      }
      if (taskIdle && closed) {
        taskIdleFiredAtMs = now;
      }
      nextTickAtMs = next;
    }
    return nextTickAtMs == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, nextTickAtMs - now);
  }
}
