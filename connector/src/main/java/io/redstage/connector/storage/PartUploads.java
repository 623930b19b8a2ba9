package io.redstage.connector.storage;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the full parts of a task's streamed files go to be sent, and how many bytes they hold until
 * they are: a part leaves its stream's owner once handed over, so the task's memory budget counts
 * it here rather than in the open file. The owner never waits for a part (see {@link
 * S3UploadStream}); the budget waits here instead, for no longer than it may ({@link #awaitBelow}).
 *
 * <p>Also runs the aborts of streams dropped on the owner's thread, so that a rebalance or a rewind
 * makes no S3 call on the task thread, and keeps the first part that failed for the task to see
 * ({@link #takeFailure()}). Thread-safe.
 */
public final class PartUploads implements Executor {
  private final Executor pool;

  /** Bytes of parts handed over and not yet ended (sent, failed or dropped); guarded by this. */
  private long bytes;

  /**
   * The first part that failed since the task last looked: the file it belongs to may stay open for
   * long, and its writer learns of the failure only when it hands over its next part or completes,
   * so the task looks here at every put().
   */
  private final AtomicReference<S3StorageException> failure = new AtomicReference<>();

  public PartUploads(Executor pool) {
    this.pool = pool;
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
      pool.execute(cleanUp);
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

  /** A part failed once the SDK's retries were used up (not a part dropped unsent). */
  void failed(S3StorageException e) {
    failure.compareAndSet(null, e);
  }

  /** Whether a part failed since the last {@link #takeFailure()}. */
  public boolean failed() {
    return failure.get() != null;
  }

  /** The first part failure since the last call, or null; clears it. */
  public S3StorageException takeFailure() {
    return failure.getAndSet(null);
  }

  synchronized void handedOver(long partBytes) {
    bytes += partBytes;
  }

  synchronized void ended(long partBytes) {
    bytes -= partBytes;
    notifyAll();
  }
}
