package io.redstage.connector.storage;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Where the full parts of a task's streamed files go to be sent, and how many bytes they hold until
 * they are: a part leaves its stream's owner once handed over, so the task's memory budget counts
 * it here rather than in the open file. The owner never waits for a part (see {@link
 * S3UploadStream}); the budget waits here instead, for no longer than it may ({@link #awaitBelow}).
 *
 * <p>Also runs the aborts of streams dropped on the owner's thread (on a pool of their own, which
 * the task's stop lets finish), so that a rebalance or a rewind makes no S3 call on the task
 * thread, and keeps the parts that failed for the task to see ({@link #takeFailure()}).
 * Thread-safe.
 */
public final class PartUploads implements Executor {
  private final Executor pool;

  /** Bytes of parts handed over and not yet ended (sent, failed or dropped); guarded by this. */
  private long bytes;

  /**
   * Parts queued behind a part of the same file still being sent; guarded by this. A file sends one
   * part at a time, so these wait for S3 only: the task waits for them to go out before it takes
   * more records ({@link #awaitNoneWaiting}), which keeps a file to the part it fills and the one
   * being sent while S3 is the slower side, instead of queuing parts up to the memory budget
   * (hundreds of MiB of young arrays the garbage collector then copies, for no more throughput).
   */
  private int waiting;

  /**
   * Parts that failed, oldest first, until the task looks: the file a part belongs to may stay open
   * for long, and its writer learns of the failure only when it hands over its next part or
   * completes, so the task looks here at every put() ({@link #takeFailure()}).
   */
  private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();

  /** Where the aborts of dropped streams run: a pool stop() does not interrupt. */
  private final Executor cleanUpPool;

  /** Parts and clean-up on one pool (tests, and streams sent on the writing thread). */
  public PartUploads(Executor pool) {
    this(pool, pool);
  }

  public PartUploads(Executor pool, Executor cleanUpPool) {
    this.pool = pool;
    this.cleanUpPool = cleanUpPool;
  }

  /** Runs {@code task} on the pool; throws RejectedExecutionException once it is shut down. */
  @Override
  public void execute(Runnable task) {
    pool.execute(task);
  }

  /**
   * Runs {@code cleanUp} on the pool, or on the calling thread when the pool no longer takes work
   * (the task stopping): best-effort clean-up must still happen.
   */
  void runCleanUp(Runnable cleanUp) {
    try {
      cleanUpPool.execute(cleanUp);
    } catch (RejectedExecutionException e) {
      cleanUp.run();
    }
  }

  /** Bytes of the parts handed over and not yet ended. */
  public synchronized long bytes() {
    return bytes;
  }

  /**
   * Waits until the parts hold at most {@code limit} bytes, or until {@code deadlineNanos} ({@link
   * System#nanoTime}) passes; returns false when the deadline came first.
   */
  public synchronized boolean awaitBelow(long limit, long deadlineNanos)
      throws InterruptedException {
    while (bytes > limit) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /**
   * A part of a stream failed once the SDK's retries were used up (not a part dropped unsent):
   * {@code charge} counts it against the stream's partition, on the task thread; {@code
   * concernsNobody} says whether the stream was dropped, or is no longer the task's (see {@link
   * S3UploadStream#disown}), after which its failures are not the task's to act on.
   */
  void failed(S3StorageException e, Runnable charge, BooleanSupplier concernsNobody) {
    if (!concernsNobody.getAsBoolean()) {
      failures.add(new Failure(e, charge, concernsNobody));
    }
  }

  /** Whether a part of a stream still open failed since the last {@link #takeFailure()}. */
  public boolean failed() {
    return failures.stream().anyMatch(f -> !f.concernsNobody.getAsBoolean());
  }

  /**
   * The oldest failure of a part whose stream was neither dropped nor disowned since, or null.
   * Every such failure taken now is charged, once per charge (a partition's writer passes the same
   * one to all its files): the rewind that follows drops all their files, and a partition whose
   * parts always fail must reach the task's limit as fast as one alone would. A file whose unit's
   * commit is running is not dropped by the rewind: that commit meets the failure again, and the
   * partition counts both as one (PartitionCommits#failed). Forgets the failures of dropped and
   * disowned streams. Runs on the task thread.
   */
  public S3StorageException takeFailure() {
    if (failures.isEmpty()) {
      return null; // every collect(), twice a put: no allocation then
    }
    S3StorageException first = null;
    Set<Runnable> charged = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Failure f = failures.poll(); f != null; f = failures.poll()) {
      if (f.concernsNobody.getAsBoolean()) {
        continue;
      }
      if (charged.add(f.charge)) {
        f.charge.run();
      }
      if (first == null) {
        first = f.error;
      }
    }
    return first;
  }

  /** Parts queued behind a part of their file still being sent. */
  public synchronized int waiting() {
    return waiting;
  }

  /**
   * Waits until no part is queued behind another of its file, or until {@code deadlineNanos}
   * ({@link System#nanoTime}) passes; returns false when the deadline came first.
   */
  public synchronized boolean awaitNoneWaiting(long deadlineNanos) throws InterruptedException {
    while (waiting > 0) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  synchronized void waitingBehind() {
    waiting++;
  }

  synchronized void stoppedWaiting() {
    waiting--;
    notifyAll();
  }

  synchronized void handedOver(long partBytes) {
    bytes += partBytes;
  }

  synchronized void ended(long partBytes) {
    bytes -= partBytes;
    notifyAll();
  }

  private static final class Failure {
    final S3StorageException error;
    final Runnable charge;
    final BooleanSupplier concernsNobody;

    Failure(S3StorageException error, Runnable charge, BooleanSupplier concernsNobody) {
      this.error = error;
      this.charge = charge;
      this.concernsNobody = concernsNobody;
    }
  }
}
