package io.redstage.loader.load;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * One cycle's turn of its tables (load.table-turn, in 'run'): how long into the cycle a table
 * starts the batches planned for it, the rest being left for the next cycle, which starts at once.
 *
 * <p>The turn starts when the tables are handed their batches, not when the cycle lists S3: a slow
 * listing or plan would otherwise leave each table one batch per cycle. Past the turn a table still
 * starts batches while a batch another table began before the turn runs: the cycle ends only when
 * that batch does, and a table that stopped at the turn would idle until then. Batches begun after
 * the turn do not keep the turn going, so two slow tables cannot hold a cycle open for each other,
 * and none does while a table of the cycle still waits for a thread (more tables than threads):
 * that table would wait for the long batch too. Measured on the monotonic clock: a wall clock
 * stepped forward would end every turn at once.
 */
final class TableTurn {
  private final long endsNanos;
  private final boolean endless;

  /** Tables of the cycle still waiting for a thread. */
  private final IntSupplier waitingForAThread;

  private final LongSupplier nanoTime;

  /** Batches begun before the turn ended that still run. */
  private final AtomicInteger runningFromBefore = new AtomicInteger();

  /** Batches a table left for the next cycle when its turn was over. */
  private final AtomicInteger leftForNextCycle = new AtomicInteger();

  /**
   * A turn of {@code length} from now; null: endless ('once', whose one cycle loads all it
   * planned).
   */
  TableTurn(Duration length, IntSupplier waitingForAThread) {
    this(length, waitingForAThread, System::nanoTime);
  }

  /** With the monotonic clock a test steps. */
  TableTurn(Duration length, IntSupplier waitingForAThread, LongSupplier nanoTime) {
    this.waitingForAThread = waitingForAThread;
    this.nanoTime = nanoTime;
    this.endless = length == null;
    this.endsNanos = endless ? 0 : nanoTime.getAsLong() + length.toNanos();
  }

  private boolean ended() {
    return !endless && nanoTime.getAsLong() - endsNanos >= 0;
  }

  /** Whether a table may start no more of its planned batches, nor top-ups. */
  boolean over() {
    return ended() && (runningFromBefore.get() == 0 || waitingForAThread.getAsInt() > 0);
  }

  /**
   * Notes a batch that starts now; returns whether it counts as begun before the turn ended, to be
   * passed to {@link #ended(boolean)} when it ends.
   */
  boolean started() {
    if (ended()) {
      return false;
    }
    runningFromBefore.incrementAndGet();
    return true;
  }

  /** Notes the end of a batch {@link #started()} returned {@code beganBefore} for. */
  void ended(boolean beganBefore) {
    if (beganBefore) {
      runningFromBefore.decrementAndGet();
    }
  }

  /** Notes batches a table left for the next cycle. */
  void left(int batches) {
    leftForNextCycle.addAndGet(batches);
  }

  /** Batches the tables left for the next cycle. */
  int leftForNextCycle() {
    return leftForNextCycle.get();
  }
}
