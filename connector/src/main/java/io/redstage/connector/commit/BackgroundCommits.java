package io.redstage.connector.commit;

import io.redstage.connector.metrics.TaskMetrics;
import io.redstage.connector.rotate.RotationReason;
import io.redstage.connector.storage.PartUploads;
import io.redstage.connector.storage.QueuedPart;
import io.redstage.connector.storage.S3StorageException;
import io.redstage.contract.CommitMarker;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits closed units in the background while the task thread goes on encoding: finishing the
 * files (Parquet writes its last row group here), completing their uploads and writing the marker
 * take as long as S3 takes, and the encoder need not wait for them.
 *
 * <p>Two pools of {@code s3.upload.threads} threads each: one commits units, the other sends full
 * parts of open multipart files. Parts have their own pool because a commit waits for its files'
 * last parts; a part queued behind waiting commits in one shared pool could never run. A third,
 * small pool aborts the uploads of dropped files, which stop() lets finish. A partition's units
 * commit one after the other, in the order they closed (each waits for the previous one of its
 * partition), so its markers appear in offset order, which upsert loads rely on; units of different
 * partitions commit in parallel, which matters against a distant S3 when many partitions close
 * units at once.
 *
 * <p>Only the task thread calls this class. A partition's committed offset advances when the task
 * thread collects a finished commit ({@link #collect}): without waiting, so the offsets reported
 * while other partitions' commits still run are those of the markers written so far. After a
 * failure the partition's commits not yet started abort their uploads instead of running, so
 * nothing commits past a failed unit; the task then drops every commit not yet started ({@link
 * #dropAll}) and rewinds, each partition once its running commit, if any, has ended.
 *
 * <p>Units waiting here still hold their buffers: {@link #pendingBytes()} counts them in the task's
 * memory budget, and {@link #awaitBelow} lets the task wait for commits instead of closing more
 * units.
 */
final class BackgroundCommits implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundCommits.class);
  private static final AtomicInteger POOLS = new AtomicInteger();
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  /**
   * How long stop() waits for the commits in progress to abort before leaving their threads behind.
   */
  static final long STOP_WAIT_MS = 30_000;

  /** Threads that abort the multipart uploads of dropped files (a rebalance, a rewind, a stop). */
  static final int ABORT_THREADS = 4;

  /** How long a pool thread without work stays before it ends. */
  static final long IDLE_THREAD_MS = 60_000;

  private final UnitCommitter committer;
  private final TaskMetrics metrics;
  private final ExecutorService commitPool;
  private final ExecutorService partPool;

  /** Aborts of dropped files: stop() lets them end, unlike the parts it interrupts. */
  private final ExecutorService abortPool;

  private final PartUploads parts;
  private final Deque<Pending> pending = new ArrayDeque<>();

  /** Set on stop: commits not yet started abort their uploads instead of committing. */
  private volatile boolean closed;

  private long pendingBytes;
  private long committedUnits;

  /**
   * A failure that is not an S3 failure (an encoder bug, an Error), or an interrupted wait: the
   * task must stop. Latched because Connect only logs what preCommit throws; {@link #collect()}
   * throws it again on the next put.
   */
  private RuntimeException fatal;

  BackgroundCommits(UnitCommitter committer, int threads, TaskMetrics metrics) {
    this.committer = committer;
    this.metrics = metrics;
    int pool = POOLS.incrementAndGet();
    this.commitPool = idleEnding(threads, named("redstage-commits-" + pool + "-"));
    this.partPool = idleEnding(threads, named("redstage-parts-" + pool + "-"));
    this.abortPool = idleEnding(ABORT_THREADS, named("redstage-aborts-" + pool + "-"));
    this.parts = new PartUploads(partPool, abortPool);
  }

  /**
   * The S3 connections these pools can use at once: a call from every thread of the commit and part
   * pools and of the abort pool, plus the task thread's own (cleaning up stale uploads at start)
   * and one spare.
   */
  static int connectionsFor(int threads) {
    return 2 * threads + ABORT_THREADS + 2;
  }

  /**
   * A pool of up to {@code threads} threads that end after {@link #IDLE_THREAD_MS} without work.
   * Most of a commit is waiting for S3, so the pools are sized for the bursts when many partitions
   * close units at once (a schedule boundary) against S3's round trips; between bursts their
   * threads do not stay around.
   */
  private static ExecutorService idleEnding(int threads, ThreadFactory factory) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            IDLE_THREAD_MS,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            factory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Hands a closed unit to the commit pool, to run once the partition's previous unit has committed
   * (or failed); {@code bytes} is the heap it holds until then.
   */
  void submit(PartitionWriter writer, CommitUnit unit, RotationReason reason, long bytes) {
    Pending p = new Pending(writer, unit, bytes);
    metrics.unitClosed();
    p.done = writer.commits().chain(() -> run(p, reason), commitPool);
    pending.addLast(p);
    pendingBytes += bytes;
    writer.commits().submitted();
  }

  private void run(Pending p, RotationReason reason) {
    try {
      if (!p.started.compareAndSet(false, true)) {
        return; // the task thread claimed it and aborted its uploads (a rewind, rebalance or stop)
      }
      if (closed || !p.writer.commits().mayCommit()) {
        p.unit.abort();
        return;
      }
      CommitMarker marker =
          committer.commit(p.writer.topic(), p.writer.partition(), p.unit, reason);
      metrics.unitCommitted(
          marker.recordCount(),
          marker.files().size(),
          marker.totalBytes(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - p.closedAtNanos));
    } catch (IOException e) {
      // Set before this future completes, so the partition's next unit, which waits for it, sees
      // it.
      p.writer.commits().commitFailed();
      throw new CompletionException(e);
    } catch (RuntimeException | Error e) {
      p.writer.commits().commitFailed();
      throw e;
    } finally {
      metrics.unitSettled();
    }
  }

  /** The pool for part uploads of open files (see the class comment), and their bytes. */
  PartUploads parts() {
    return parts;
  }

  long pendingBytes() {
    return pendingBytes;
  }

  /** Units closed but not yet settled by {@link #collect}: committing or waiting to. */
  int pendingUnits() {
    return pending.size();
  }

  /** Units committed so far (collected), a sign of progress after failures. */
  long committedUnits() {
    return committedUnits;
  }

  /**
   * Applies every commit that has finished, whether or not older ones (of other partitions) still
   * run: each advances its partition's committed offset. A partition's commits end in order (each
   * waits for the previous one), so its finished ones are settled in that order too.
   *
   * @throws IOException when a commit, or a part of an open file, failed on S3; the failed
   *     partition's queued commits then abort (see the class comment), the caller drops the rest
   */
  void collect() throws IOException {
    if (fatal != null) {
      throw fatal;
    }
    Iterator<Pending> it = pending.iterator();
    while (it.hasNext()) {
      Pending p = it.next();
      if (p.done.isDone()) {
        it.remove();
        settle(p);
      }
    }
    // after the commits that ended: they count as progress before this failure
    S3StorageException partFailed = parts.takeFailure();
    if (partFailed != null) {
      throw partFailed; // a part of an open file: the caller drops the open units and rewinds
    }
  }

  /**
   * Waits, oldest first, until the bytes held by pending commits are at most {@code bytes} or none
   * is pending, or until {@code deadlineNanos} ({@link System#nanoTime}) passes; returns false when
   * the deadline came first.
   */
  boolean awaitBelow(long bytes, long deadlineNanos) throws IOException {
    collect();
    while (!pending.isEmpty() && pendingBytes > bytes) {
      if (!settleOldest(deadlineNanos)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Gives up the commits of partitions the task no longer holds: those not yet started abort their
   * uploads and never run; one already running goes on and is settled by a later {@link #collect}
   * as dropped, and a part of its files that fails is its failure, not the task's. Connect asks for
   * the offsets to commit (preCommit) before it closes partitions, so nothing these commits would
   * write could be reported: the next owner writes their records again, and waiting for them would
   * only hold up the rebalance.
   */
  void release(Collection<PartitionWriter> revoked) {
    Set<PartitionWriter> gone = Collections.newSetFromMap(new IdentityHashMap<>());
    gone.addAll(revoked);
    drop(p -> gone.contains(p.writer));
  }

  /**
   * Drops every pending commit before a rewind, without waiting for S3: those not yet started abort
   * their uploads and never run; a running one goes on and is settled by a later {@link #collect}
   * as dropped (its partition's rewind waits for it, see {@link TaskRewinds}); one that has ended
   * is settled now. Never throws.
   */
  void dropAll() {
    drop(p -> true);
  }

  /**
   * Drops the pending commits {@code which} selects: see {@link #dropAll}. A dropped commit that
   * ends committed still advances its partition; one that fails rewinds nothing more (its partition
   * is rewound, or no longer held), but counts against its partition, unless the rewind's own
   * failure was counted against it already ({@link PartitionCommits#failed}).
   */
  private void drop(Predicate<Pending> which) {
    Iterator<Pending> it = pending.iterator();
    while (it.hasNext()) {
      Pending p = it.next();
      if (!which.test(p)) {
        continue;
      }
      if (p.started.compareAndSet(false, true)) {
        it.remove();
        forget(p);
        p.unit.abort();
        continue;
      }
      p.dropped = true;
      for (UnitFile f : p.files) {
        f.upload.disown(); // its parts' failures are the running commit's now, not the task's
      }
      if (p.done.isDone()) {
        it.remove();
        settleDropped(p);
      }
    }
  }

  /**
   * Stops the pools: running commits and part uploads are interrupted; commits that never started
   * abort their units' uploads here, and the aborts of dropped files are let run to their end. All
   * of it gets {@link #STOP_WAIT_MS} in all. Their offsets were never reported, so the records are
   * delivered again.
   */
  @Override
  public void close() {
    closed = true;
    // Commits first: one waiting for a part is interrupted rather than left waiting for a part that
    // never runs.
    commitPool.shutdownNow();
    for (Pending p : pending) {
      // Only commits that never started (they never will now); one still running owns its unit.
      // Before the part pool stops: their aborts wait for their parts, dropped just below.
      if (p.started.compareAndSet(false, true)) {
        p.unit.abort();
      }
    }
    // A part that never runs would hold back its upload's abort (which waits for the part) until
    // the stale-upload cleanup: end them unsent, so the aborts happen now. A drop only completes
    // futures; the aborts it lets go run on the abort pool, still open until the end of this
    // method.
    for (Runnable r : partPool.shutdownNow()) {
      if (r instanceof QueuedPart) {
        ((QueuedPart) r).drop();
      }
    }
    // one deadline for the whole stop: Connect's member stays in the group until stop() returns
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MS);
    try {
      boolean commitsEnded = commitPool.awaitTermination(left(deadline), TimeUnit.NANOSECONDS);
      boolean partsEnded = partPool.awaitTermination(left(deadline), TimeUnit.NANOSECONDS);
      if (!commitsEnded || !partsEnded) {
        List<String> running = new ArrayList<>();
        for (Pending p : pending) {
          if (p.started.get() && !p.done.isDone() && running.size() < 10) {
            running.add(p.writer.where() + " unit " + p.unit.startOffset);
          }
        }
        LOG.warn(
            "A unit commit was still running {} ms after stop ({}); leaving it. Its offsets were not "
                + "reported, so its records are delivered again.",
            STOP_WAIT_MS,
            running.isEmpty() ? "a part upload" : String.join(", ", running));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      // the aborts run to their end, not interrupted: a stop should not leave uploads S3 bills for
      abortPool.shutdown();
      try {
        if (!abortPool.awaitTermination(left(deadline), TimeUnit.NANOSECONDS)) {
          LOG.warn(
              "Multipart uploads of dropped files were still being aborted {} ms after stop; leaving "
                  + "them to the next task's stale-upload cleanup or a bucket lifecycle rule.",
              STOP_WAIT_MS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Pending p : pending) {
      p.writer.commits().settled();
    }
    pending.clear();
    pendingBytes = 0;
  }

  private static long left(long deadlineNanos) {
    return Math.max(0, deadlineNanos - System.nanoTime());
  }

  /** Settles the oldest pending commit once it ends; false when the deadline passes first. */
  private boolean settleOldest(long deadlineNanos) throws IOException {
    Pending p = pending.peekFirst();
    try {
      p.done.get(left(deadlineNanos), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      // settled below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fatal =
          new ConnectException(
              "Cannot wait for the commit of unit "
                  + p.unit.startOffset
                  + " of "
                  + p.writer.where()
                  + ": the task thread was interrupted. The task stops; its records are delivered again.",
              e);
      throw fatal;
    }
    pending.pollFirst();
    settle(p);
    return true;
  }

  /** A commit taken out of {@link #pending}: its bytes and its partition's count. */
  private void forget(Pending p) {
    pendingBytes -= p.bytes;
    p.writer.commits().settled();
  }

  /**
   * Applies the outcome of a finished commit already taken out of {@link #pending}: a committed
   * unit advances its partition; a failure throws, unless the commit was dropped.
   */
  private void settle(Pending p) throws IOException {
    if (p.dropped) {
      settleDropped(p);
      return;
    }
    Throwable failure = applyOutcome(p);
    if (failure == null) {
      return;
    }
    if (failure instanceof IOException) {
      p.writer.commits().failed();
      throw (IOException) failure; // S3 failed: the caller drops the rest and rewinds
    }
    fatal =
        failure instanceof ConnectException
            ? (ConnectException) failure
            : new ConnectException(
                "Cannot commit unit "
                    + p.unit.startOffset
                    + " of "
                    + p.writer.where()
                    + ": "
                    + failure
                    + ". The task stops; its records are delivered again.",
                failure);
    throw fatal;
  }

  /**
   * Applies a finished commit's outcome (see {@link #drop}); never throws: a failure other than
   * S3's is logged, the replay meets it again.
   */
  private void settleDropped(Pending p) {
    Throwable failure = applyOutcome(p);
    if (failure instanceof IOException) {
      p.writer.commits().failed();
      LOG.debug(
          "Dropped commit of unit {} of {}: {}",
          p.unit.startOffset,
          p.writer.where(),
          failure.toString());
    } else if (failure != null) {
      // Not S3: a bug in building the file. The rewind replays the unit, which meets it again and
      // stops the task then; say it now, with its trace.
      LOG.warn(
          "Dropped commit of unit {} of {}, which failed for a reason other than S3:",
          p.unit.startOffset,
          p.writer.where(),
          failure);
    }
  }

  /**
   * Takes a finished commit out of the counts; when it committed (its marker exists), advances its
   * partition. Returns its failure, or null.
   */
  private Throwable applyOutcome(Pending p) {
    forget(p);
    try {
      p.done.getNow(null);
      if (!p.unit.aborted()) {
        p.writer.commits().committed(p.unit);
        committedUnits++;
      }
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    } catch (CancellationException e) {
      return e;
    }
  }

  private static final class Pending {
    final PartitionWriter writer;
    final CommitUnit unit;
    final long bytes;

    /**
     * The unit's files, taken on the task thread when the unit closed: a commit that fails clears
     * the unit's own list on its thread.
     */
    final Collection<UnitFile> files;

    /** When the unit closed: its commit latency runs from here to its marker. */
    final long closedAtNanos = System.nanoTime();

    /** Claimed by the job when it starts, or by the task thread for a job that never will. */
    final AtomicBoolean started = new AtomicBoolean();

    /**
     * Set by the task thread when the commit was dropped while running (a rewind or a rebalance):
     * its outcome is applied when it ends, but a failure rewinds nothing.
     */
    boolean dropped;

    CompletableFuture<Void> done;

    Pending(PartitionWriter writer, CommitUnit unit, long bytes) {
      this.writer = writer;
      this.unit = unit;
      this.bytes = bytes;
      this.files = unit.files(); // a copy already
    }
  }
}
