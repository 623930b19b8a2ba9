package io.redstage.connector.commit;

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
 * processor by default, and uploads take none.
 */
final class BuildSlots {
  /** One file's build: encoding its held rows and writing the file's bytes. */
  interface Build {
    void run() throws IOException;
  }

  private final Semaphore slots;

  BuildSlots(int slots) {
    if (slots < 1) {
      throw new IllegalArgumentException("Cannot limit file builds to " + slots + " at once");
    }
    this.slots = new Semaphore(slots);
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
    try {
      build.run();
    } finally {
      slots.release();
    }
  }
}
