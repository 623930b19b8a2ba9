package io.redstage.connector.commit;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How many lines of one kind a thread logs per window (a minute): the first {@code perWindow} one
 * by one, the rest counted and told in one line when the next window starts. Not thread-safe: one
 * owner thread.
 */
final class LogBudget {
  private final int perWindow;
  private final long windowNanos;
  private final LongSupplier nanoTime;
  private long windowStart;
  private long inWindow;

  LogBudget(int perWindow, Duration window, LongSupplier nanoTime) {
    this.perWindow = perWindow;
    this.windowNanos = window.toNanos();
    this.nanoTime = nanoTime;
    this.windowStart = nanoTime.getAsLong();
  }

  /**
   * Starts a new window if the last one ended, and returns how many lines it did not log (0 when it
   * has not ended, or logged them all). Call before {@link #take}.
   */
  long skippedInEndedWindow() {
    long now = nanoTime.getAsLong();
    if (now - windowStart < windowNanos) {
      return 0;
    }
    long skipped = Math.max(0, inWindow - perWindow);
    windowStart = now;
    inWindow = 0;
    return skipped;
  }

  /** Whether this line may be logged in the current window; counts it either way. */
  boolean take() {
    return ++inWindow <= perWindow;
  }
}
