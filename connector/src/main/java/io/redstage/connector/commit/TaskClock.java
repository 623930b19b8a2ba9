package io.redstage.connector.commit;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wall clock a task's time rules read, which notices when it is set back (NTP stepping it, a VM
 * restored from a snapshot). The rules keep times of the past (a unit's last row, the task's last
 * record); set back, those times lie in the future and the idle and schedule rules would wait for
 * the clock to catch up, with the open units' records and offsets uncommitted all that time. So a
 * reading earlier than the previous one is reported, and the task moves those times back to it.
 */
final class TaskClock {
  private static final Logger LOG = LoggerFactory.getLogger(TaskClock.class);

  /** A step back this large is logged (smaller ones are adjusted silently). */
  static final long STEP_REPORTED_MS = 1_000;

  private final LongSupplier wall;
  private long latestMs = Long.MIN_VALUE;
  private boolean setBack;

  TaskClock(LongSupplier wall) {
    this.wall = wall;
  }

  /** The time now, in epoch milliseconds; {@link #setBack} says whether it went back. */
  long now() {
    long now = wall.getAsLong();
    setBack = now < latestMs;
    if (setBack && latestMs - now >= STEP_REPORTED_MS) {
      LOG.warn(
          "The wall clock went back {} ms; the idle and schedule rules of the open units count from now",
          latestMs - now);
    }
    latestMs = now;
    return now;
  }

  /** Whether the last {@link #now} reading was earlier than the one before it. */
  boolean setBack() {
    return setBack;
  }
}
