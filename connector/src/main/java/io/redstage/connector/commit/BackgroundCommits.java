package io.redstage.connector.commit;

import io.redstage.connector.rotate.RotationReason;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits closed units on one background thread while the task thread goes on encoding: finishing the files
 * (Parquet compresses its last row group here), completing their uploads and writing the marker take as long
 * as S3 takes, and the encoder need not wait for them.
 *
 * <p>One thread, so units commit strictly in the order they closed: a partition's markers appear in offset
 * order, which upsert loads rely on. Only the task thread calls this class; the commit thread only runs the
 * submitted jobs. A partition's committed offset advances when the task thread collects a finished commit
 * ({@link #collect}), in submission order. After a failure every queued commit aborts its uploads instead of
 * running, so nothing commits past a failed unit; the task then rewinds to the committed offsets.
 *
 * <p>Units waiting here still hold their buffers: {@link #pendingBytes()} counts them in the task's memory
 * budget, and {@link #awaitBelow} lets the task wait for commits instead of closing more units.
 */
final class BackgroundCommits implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundCommits.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  /** How long stop() waits for the commit in progress to abort before leaving the thread behind. */
  static final long STOP_WAIT_MS = 30_000;

  private final UnitCommitter committer;
  private final ExecutorService thread;
  private final Executor partUploader = this::uploadPart;
  private final Deque<Pending> pending = new ArrayDeque<>();
  /** Set after a failure or on stop: queued commits abort their uploads instead of committing. */
  private volatile boolean dropQueued;
  private long pendingBytes;
  private long committedUnits;
  /** The thread running the jobs, once started. */
  private volatile Thread commitThread;
  /**
   * A failure that is not an S3 failure (an encoder bug, an Error), or an interrupted wait: the task must stop.
   * Latched because Connect only logs what preCommit throws; {@link #collect()} throws it again on the next put.
   */
  private RuntimeException fatal;

  BackgroundCommits(UnitCommitter committer) {
    this.committer = committer;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "redstage-commits-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      commitThread = t;
      return t;
    });
  }

  /** Hands a closed unit to the commit thread; {@code bytes} is the heap it holds until committed. */
  void submit(PartitionWriter writer, CommitUnit unit, RotationReason reason, long bytes) {
    Future<?> done = thread.submit(() -> {
      if (dropQueued) {
        unit.abort();
        return null;
      }
      try {
        committer.commit(writer.topic(), writer.partition(), unit, reason);
      } catch (Throwable t) {
        // Set here, before the next job starts: no unit may commit after a failed one of the same partition.
        dropQueued = true;
        throw t;
      }
      return null;
    });
    pending.addLast(new Pending(writer, unit, bytes, done));
    pendingBytes += bytes;
  }

  /**
   * The commit thread, for part uploads of open files: a part submitted before a unit's commit is sent before it,
   * so a commit never waits for a part queued behind it.
   */
  Executor executor() {
    return partUploader;
  }

  private void uploadPart(Runnable job) {
    // A part filled on the commit thread itself (finishing a file writes its last row group or block) is sent
    // right there: queued behind the running commit, which then waits for it, it would never run.
    if (Thread.currentThread() == commitThread) {
      job.run();
    } else {
      thread.execute(job);
    }
  }

  long pendingBytes() {
    return pendingBytes;
  }

  /** Units committed so far (collected), a sign of progress after failures. */
  long committedUnits() {
    return committedUnits;
  }

  /**
   * Applies the commits that have finished, oldest first: each advances its partition's committed offset.
   *
   * @throws IOException when a commit failed on S3; queued commits are then dropped (see the class comment)
   */
  void collect() throws IOException {
    if (fatal != null) {
      throw fatal;
    }
    while (!pending.isEmpty() && pending.peekFirst().done.isDone()) {
      settleOldest();
    }
  }

  /** Waits, oldest first, until the bytes held by pending commits are at most {@code bytes}. */
  void awaitBelow(long bytes) throws IOException {
    collect();
    while (!pending.isEmpty() && pendingBytes > bytes) {
      settleOldest();
    }
  }

  /** Waits for every pending commit. */
  void drain() throws IOException {
    awaitBelow(-1);
  }

  /**
   * Drops every pending commit: queued ones abort their uploads, the running one finishes or fails. Used before
   * a rewind, when nothing pending may commit any more. Never throws; if interrupted, queued commits stay dropped
   * and the next {@link #collect()} stops the task.
   */
  void dropAll() {
    dropQueued = true;
    while (!pending.isEmpty()) {
      Pending p = pending.pollFirst();
      pendingBytes -= p.bytes;
      try {
        p.done.get();
        if (!p.unit.aborted()) {
          // It committed before anything failed or was dropped (jobs run in order): its marker exists.
          p.writer.committed(p.unit.endOffset + 1);
          committedUnits++;
        }
      } catch (ExecutionException e) {
        LOG.debug("Dropped commit of unit {} of {}: {}", p.unit.startOffset, p.writer.where(), e.getCause().toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pending.clear();
        pendingBytes = 0;
        // Jobs may still be queued: keep dropping them, or a later unit could commit past a failed one.
        fatal = new ConnectException("Cannot drop the pending unit commits of the task: the task thread was "
            + "interrupted. The task stops; its records are delivered again.", e);
        return;
      }
    }
    pending.clear();
    pendingBytes = 0;
    // Every job submitted so far has ended, so clearing the flag on this thread cannot let one of them commit.
    dropQueued = false;
  }

  /**
   * Stops the commit thread: the running commit or part upload is interrupted and gets {@link #STOP_WAIT_MS} to end;
   * queued ones never run, and their units' uploads are aborted here. Their offsets were never reported, so the
   * records are delivered again.
   */
  @Override
  public void close() {
    dropQueued = true;
    List<Runnable> neverRan = thread.shutdownNow();
    try {
      if (!thread.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS)) {
        LOG.warn("A unit commit was still running {} ms after stop; leaving it. Its offsets were not reported, so "
            + "its records are delivered again.", STOP_WAIT_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Pending p : pending) {
      // Only commits that never started: one still running owns its unit and aborts it when it fails.
      if (neverRan.contains(p.done)) {
        p.unit.abort();
      }
    }
    pending.clear();
    pendingBytes = 0;
  }

  private void settleOldest() throws IOException {
    Pending p = pending.peekFirst();
    Throwable failure;
    try {
      p.done.get();
      pending.pollFirst();
      pendingBytes -= p.bytes;
      if (!p.unit.aborted()) {
        p.writer.committed(p.unit.endOffset + 1);
        committedUnits++;
      }
      return;
    } catch (ExecutionException e) {
      failure = e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fatal = new ConnectException("Cannot wait for the commit of unit " + p.unit.startOffset + " of "
          + p.writer.where() + ": the task thread was interrupted. The task stops; its records are delivered again.", e);
      throw fatal;
    }
    pending.pollFirst();
    pendingBytes -= p.bytes;
    dropQueued = true;
    if (failure instanceof IOException) {
      throw (IOException) failure; // S3 failed: the caller drops the rest and rewinds
    }
    fatal = failure instanceof ConnectException ? (ConnectException) failure
        : new ConnectException("Cannot commit unit " + p.unit.startOffset + " of " + p.writer.where() + ": " + failure
            + ". The task stops; its records are delivered again.", failure);
    throw fatal;
  }

  private static final class Pending {
    final PartitionWriter writer;
    final CommitUnit unit;
    final long bytes;
    final Future<?> done;

    Pending(PartitionWriter writer, CommitUnit unit, long bytes, Future<?> done) {
      this.writer = writer;
      this.unit = unit;
      this.bytes = bytes;
      this.done = done;
    }
  }
}
