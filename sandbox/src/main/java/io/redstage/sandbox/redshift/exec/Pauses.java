package io.redstage.sandbox.redshift.exec;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits that a statement's cancellation can cut short (the pick delay, the slow-statement fault).
 */
final class Pauses {
  private Pauses() {}

  /**
   * Waits {@code delay}, looking at {@code stop} every 10 ms at most; returns false as soon as it
   * holds, true once the delay has passed.
   */
  static boolean pause(Duration delay, BooleanSupplier stop) throws InterruptedException {
    long end = System.nanoTime() + delay.toNanos();
    while (System.nanoTime() < end) {
      if (stop.getAsBoolean()) {
        return false;
      }
      Thread.sleep(Math.min(10, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
    }
    return true;
  }
}
