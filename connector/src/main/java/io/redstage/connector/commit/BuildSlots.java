package io.redstage.connector.commit;

import io.redstage.connector.storage.S3UploadStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.Semaphore;

/**
 * How many files a task builds at once, across its commit threads. Building a file from its held
 * rows is CPU-bound, while the commit threads are many so that the uploads and markers of many
 * units can wait on S3 together; letting every commit thread encode at once made the same files
 * cost more CPU (peer harness, 6 partitions, Parquet, 2-core machine: 1.2-1.8 s less process CPU
 * per 1M records in each of three alternating pairs with one slot per processor than with a build
 * on each of the 8 commit threads). So a build takes one of a fixed number of slots, one per
 * processor by default, and uploads take none: a build that waits for S3 gives its slot back until
 * S3 answers ({@link #waitsWithoutSlot}), unless as many builds as there are slots wait so already.
 */
final class BuildSlots {
  /** One file's build: encoding its held rows and writing the file's bytes. */
  interface Build {
    void run() throws IOException;
  }

  private final Semaphore slots;

  /**
   * Builds that gave their slot back to wait for S3 and have not taken one again, as many at once
   * as there are slots. A build part-way holds its encoder's row group and a full part besides the
   * rows the memory budget counts for its unit; without this bound every commit thread could hold
   * one while the slots kept starting more.
   */
  private final Semaphore waitsWithoutSlot;

  /**
   * Whether the current thread holds one of the slots. Only the holder reads and writes its own
   * value, so a thread-local needs no lock, and a build that gave its slot back and could not take
   * one again (interrupted) leaves none to release.
   */
  private final ThreadLocal<Boolean> held = new ThreadLocal<>();

  BuildSlots(int slots) {
    if (slots < 1) {
      throw new IllegalArgumentException("Cannot limit file builds to " + slots + " at once");
    }
    this.slots = new Semaphore(slots);
    this.waitsWithoutSlot = new Semaphore(slots);
  }

  /** One slot per processor the JVM may use (which honours container CPU limits). */
  static BuildSlots perProcessor() {
    return new BuildSlots(Runtime.getRuntime().availableProcessors());
  }

  /** About how many builds wait for a slot: a test sees a commit reach its build. */
  int waiting() {
    return slots.getQueueLength();
  }

  /** Runs {@code build} of the file {@code key} once a slot is free. */
  void build(String key, Build build) throws IOException {
    acquire(key);
    held.set(true);
    try {
      build.run();
    } finally {
      if (Boolean.TRUE.equals(held.get())) {
        slots.release();
      }
      held.remove();
    }
  }

  /**
   * How the stream of the file {@code key} waits for S3 during its build: without the slot. A file
   * that streamed parts while open can fill a part as it finishes, and then waits for the part
   * before it to be sent (at most one in flight, so that a build holds no more memory than an open
   * file). S3 may take minutes; with the slot held, every other unit's build, small files too,
   * waited for S3 as well. The slot is taken again before encoding goes on, so builds still never
   * encode more at once than there are slots. Builds part-way stay bounded too: while as many
   * builds wait without their slot as there are slots, a build that waits for S3 keeps its slot, so
   * at most twice as many builds as slots are part-way at once. A wait outside a build keeps
   * nothing to give back.
   */
  S3UploadStream.OwnerWait waitsWithoutSlot(String key) {
    return partsSent -> {
      if (!Boolean.TRUE.equals(held.get()) || !waitsWithoutSlot.tryAcquire()) {
        partsSent.await();
        return;
      }
      held.set(false);
      slots.release();
      try {
        // a failed wait fails the build, which needs no slot to unwind
        partsSent.await();
        acquire(key);
        held.set(true);
      } finally {
        // only once the slot is back (or the build fails): a build queued for its slot after the
        // wait still holds its row group and part
        waitsWithoutSlot.release();
      }
    };
  }

  private void acquire(String key) throws InterruptedIOException {
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(
          "Cannot build the file "
              + key
              + ": interrupted while waiting for a build slot (the task is stopping). The unit is"
              + " written again.");
    }
  }
}
