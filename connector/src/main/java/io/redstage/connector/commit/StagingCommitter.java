package io.redstage.connector.commit;

import io.redstage.connector.config.SinkConfig;
import io.redstage.connector.format.KafkaCoordinates;
import io.redstage.connector.storage.PartUploads;
import io.redstage.connector.storage.S3ClientFactory;
import io.redstage.connector.storage.S3Settings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Everything the task does: one {@link PartitionWriter} per assigned topic-partition, time-based
 * rotation on every put, the task-wide memory budget, and offsets that cover committed units only.
 * Closed units commit on background threads ({@link BackgroundCommits}); {@link
 * #committedOffsets()} reports the units committed so far without waiting for the others, so what
 * Connect commits is always backed by markers and puts go on while commits run.
 *
 * <p>When S3 fails while a unit is written or committed (after the SDK's own retries), the open and
 * pending units are dropped and Connect is asked to rewind every partition to its last committed
 * offset; the records are then redelivered and written again, producing the same files where the
 * boundaries are the same. {@link TaskRewinds} counts the failures and says where to rewind; a
 * partition whose commit still runs is paused and rewound once it ends, never waited for here.
 */
public final class StagingCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(StagingCommitter.class);

  /**
   * Longest the worker may block in poll while a unit is open, so time-based rotation fires on
   * time.
   */
  static final long MAX_TICK_WAIT_MS = 1000;

  /** How often put reports the committed-offset lag at most (preCommit reports it every time). */
  static final long LAG_REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Components c;
  private final SinkTaskContext context;

  /** The heap of open and committing units against memory.buffer.max.bytes. */
  private final MemoryBudget memory;

  /** The partitions paused by the memory budget or a rewind. */
  private final PartitionPauses pauses;

  private final Map<TopicPartition, PartitionWriter> writers = new HashMap<>();

  /**
   * The last commit of each partition closed while that commit still ran: if the partition comes
   * back to this task, its first commit waits for it (see {@link #close}).
   */
  private final Map<TopicPartition, CompletableFuture<Void>> stillCommitting = new HashMap<>();

  /** What a record of a partition without a writer means (see {@link #put}). */
  private final UnheldPartitions unheld = new UnheldPartitions();

  private final AutoCloseable resources;
  private final TaskRewinds rewinds;
  private final TaskTicks ticks;

  /**
   * Told of each partition whose unit a time rule closed (one instance: tickAll runs every put).
   */
  private final Consumer<PartitionWriter> recountClosed;

  /**
   * When put may next report the committed-offset lag, which visits every partition
   * (System.nanoTime, so a wall clock set back does not stop the reports).
   */
  private long nextLagReportNanos = System.nanoTime();

  StagingCommitter(
      Components components,
      SinkTaskContext context,
      MemoryBudget memory,
      PartitionPauses pauses,
      AutoCloseable resources) {
    this.c = components;
    this.context = context;
    this.memory = memory;
    this.pauses = pauses;
    this.rewinds = new TaskRewinds(pauses);
    this.recountClosed = w -> memory.opened(w.recountOpenBytes());
    this.resources = resources;
    this.ticks = new TaskTicks(components.rotation, System::currentTimeMillis);
  }

  /** Lets a test step the wall clock. */
  void useClock(LongSupplier clock) {
    ticks.useClock(clock);
  }

  /**
   * Lets a test take the checks of a worker of {@code kafkaVersion}, which keeps consumed
   * coordinates from 3.6 on.
   */
  void assumeWorker(String kafkaVersion, boolean consumedCoordinatesKnown) {
    unheld.assumeWorker(kafkaVersion, consumedCoordinatesKnown);
  }

  private long now() {
    return ticks.now(writers.values());
  }

  public static StagingCommitter create(SinkConfig config, SinkTaskContext context) {
    return create(config, context, S3ClientFactory::create);
  }

  public static StagingCommitter create(
      SinkConfig config, SinkTaskContext context, Function<S3Settings, S3Client> clients) {
    return ComponentsFactory.committer(config, context, clients);
  }

  public void open(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      writers.computeIfAbsent(tp, this::newWriter);
    }
    unheld.opened(partitions, context::assignment);
    pauses.reopened(partitions);
  }

  private PartitionWriter newWriter(TopicPartition tp) {
    PartitionWriter w = new PartitionWriter(tp.topic(), tp.partition(), c);
    CompletableFuture<Void> previous = stillCommitting.remove(tp);
    if (previous != null) {
      w.commits().after(previous);
    }
    return w;
  }

  /**
   * Drops the partitions' open units and the commits of theirs that have not started, without
   * waiting for commits (see {@link BackgroundCommits#release}); other partitions' commits go on.
   * Connect calls preCommit just before this and commits what it returned: no offset of a unit that
   * committed here could be reported, the partitions' next owner writes their records again (the
   * loader loads each offset once). Waiting here held every rebalance, and with it every partition
   * of the task, for as long as S3 took.
   */
  public void close(Collection<TopicPartition> partitions) {
    stillCommitting.values().removeIf(CompletableFuture::isDone);
    List<PartitionWriter> closing = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      PartitionWriter w = writers.remove(tp);
      if (w != null) {
        closing.add(w);
        unheld.closed(tp);
      }
    }
    c.commits.release(closing);
    pauses.forget(partitions);
    rewinds.forget(partitions);
    for (PartitionWriter w : closing) {
      w.abort();
      memory.opened(w.recountOpenBytes());
      CompletableFuture<Void> last = w.commits().lastCommit();
      if (!last.isDone()) {
        stillCommitting.put(new TopicPartition(w.topic(), w.partition()), last);
      }
    }
  }

  public void put(Collection<SinkRecord> records) {
    rewinds.throwIfGaveUp();
    long now = now();
    Map<TopicPartition, Long> skipping = askPendingRewind();
    try {
      c.commits.collect();
      Set<TopicPartition> waited = rewinds.finishWaiting(context);
      // Consecutive records mostly share a partition: look the writer up only when the partition
      // changes.
      String topic = null;
      int partition = -1;
      PartitionWriter writer = null;
      boolean skip = false;
      for (SinkRecord r : records) {
        String t = KafkaCoordinates.topic(r);
        int p = KafkaCoordinates.partition(r);
        if (topic == null || p != partition || !t.equals(topic)) {
          if (writer != null) {
            written(writer, now);
          }
          TopicPartition tp = new TopicPartition(t, p);
          topic = t;
          partition = p;
          skip = skipping.containsKey(tp) || waited.contains(tp);
          if (skip) {
            writer = null;
            continue;
          }
          writer = writers.get(tp);
          if (writer == null) {
            unheld.admit(r, tp, writers.keySet());
            writer = newWriter(tp);
            writers.put(tp, writer);
          }
          writer.commits().delivered(KafkaCoordinates.offset(r));
        }
        if (skip) {
          continue; // fetched before the seek the rewind asked for: it delivers them again
        }
        writer.write(r, now);
      }
      if (writer != null) {
        written(writer, now);
      }
      // Only an empty put says the consumer found nothing: preCommit, or a put that waited on the
      // memory budget, may come long after the last records while a backlog is still there.
      // nor does an empty put while the task is paused for the memory budget: the backlog is there
      long wait = tickAll(now(), records.isEmpty() && !memory.paused());
      memory.enforce(writers.values());
      c.commits.collect();
      long nowNanos = System.nanoTime();
      if (nowNanos - nextLagReportNanos >= 0) {
        c.metrics.committedOffsetLag(committedOffsetLag());
        nextLagReportNanos = nowNanos + LAG_REPORT_EVERY_NANOS;
      }
      rewinds.sawCommittedUnits(c.commits.committedUnits());
      long end = now();
      if (!records.isEmpty()) {
        ticks.recordsDelivered(end);
      }
      if (wait < Long.MAX_VALUE) {
        // units are open: the next empty put must come in time for the task-idle rule too
        wait = ticks.waitWithTaskIdle(wait, end);
      }
      if (memory.paused() || rewinds.anyWaiting()) {
        // paused: the next empty put looks whether the commits fit again, or have ended
        wait = Math.min(wait, MemoryBudget.PAUSED_CHECK_MS);
      }
      if (wait < Long.MAX_VALUE) {
        context.timeout(Math.max(1, Math.min(wait, MAX_TICK_WAIT_MS)));
      }
    } catch (IOException e) {
      // Connect seeks at its next poll, before it delivers again: nothing of this batch gets in
      // first.
      context.offset(rewindAfter(e, records));
      c.metrics.rewound();
      if (memory.paused() || rewinds.anyWaiting()) {
        // the rewind dropped the pending units: the next put resumes the partitions, or rewinds
        // those that wait for their running commit once it ends
        context.timeout(MemoryBudget.PAUSED_CHECK_MS);
      }
    }
  }

  /**
   * Asks Connect for the rewind found outside put(), for the partitions this task still holds;
   * returns it: this put() skips their records.
   */
  private Map<TopicPartition, Long> askPendingRewind() {
    Map<TopicPartition, Long> held = rewinds.takeDeferred(writers.keySet());
    if (!held.isEmpty()) {
      context.offset(held); // counted in rewinds-total when found
    }
    return held;
  }

  /**
   * Offsets Connect may commit: the end of each partition's last committed unit (its marker
   * written), plus one. Does not wait for units still committing: when a schedule closes thousands
   * of units at once, waiting here held put() for seconds. Their offsets are reported by a later
   * call; what they hold counts in the memory budget meanwhile, which is what slows put() when
   * commits fall behind.
   */
  public Map<TopicPartition, OffsetAndMetadata> committedOffsets() {
    try {
      tickAll(now(), false);
      c.commits.collect();
    } catch (IOException e) {
      rewinds.defer(rewindAfter(e, List.of()));
      c.metrics.rewound();
    }
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (Map.Entry<TopicPartition, PartitionWriter> e : writers.entrySet()) {
      long next = e.getValue().commits().committedNext();
      if (next >= 0) {
        out.put(e.getKey(), new OffsetAndMetadata(next));
      }
    }
    c.metrics.committedOffsetLag(committedOffsetLag());
    return out;
  }

  /** The part pool of open files, for tests that wait for a part's failure. */
  PartUploads partUploads() {
    return c.commits.parts();
  }

  /** How many partitions it keeps as closed and not opened again (for tests). */
  int closedNotReopenedCount() {
    return unheld.closedNotReopened();
  }

  /** The S3 failures counted against {@code tp} since its last unit committed (for tests). */
  int failuresSinceCommit(TopicPartition tp) {
    return writers.get(tp).commits().failuresSinceCommit();
  }

  /**
   * Units closed whose commit {@link #committedOffsets()} has not yet seen end: when 0 after it,
   * its offsets cover every closed unit.
   */
  int pendingCommits() {
    return c.commits.pendingUnits();
  }

  /**
   * The largest count, over the assigned partitions, of offsets delivered to the task but not yet
   * in a committed unit: the highest offset seen + 1 - the offset after the last committed unit
   * (or, before one commits, the offset the partition resumed at). What a crash now would deliver
   * again.
   */
  private long committedOffsetLag() {
    long lag = 0;
    for (PartitionWriter w : writers.values()) {
      lag = Math.max(lag, w.commits().lag(w.lastSeen()));
    }
    return lag;
  }

  public void stop() {
    // metrics first: waiting for commits can outlast Connect's stop timeout, and the MBean should
    // not
    // show this task's values meanwhile (a replacement that registered the same name keeps it:
    // TaskMetrics#close leaves it alone)
    c.metrics.close();
    // open units before the pools: an open file hands its upload's abort to the abort pool, to run
    // once the part being sent, if any, has ended (StreamParts#drop), never at once, which
    // could race a part that is running, whose storage S3 may then keep. Parts the part pool has
    // not run when it shuts down are dropped (QueuedPart#drop), and the abort pool finishes the
    // aborts (BackgroundCommits#close)
    for (PartitionWriter w : writers.values()) {
      w.abort();
    }
    writers.clear();
    unheld.clear();
    c.commits.close();
    memory.clear();
    try {
      resources.close();
    } catch (Exception e) {
      LOG.warn("Cannot close the S3 client cleanly: {}", e.getMessage());
    }
  }

  /** After a run of records of one partition: its open unit's heap and time rules. */
  private void written(PartitionWriter w, long now) {
    memory.opened(w.recountOpenBytes());
    ticks.written(w, now);
  }

  private long tickAll(long now, boolean emptyPut) throws IOException {
    return ticks.tickAll(now, emptyPut, writers.values(), recountClosed);
  }

  /**
   * Drops pending commits and open units after an S3 failure and returns where each partition must
   * be delivered again from ({@link TaskRewinds#rewindPoints}); throws when the task gives up. Does
   * not wait for commits still running: their partitions are rewound once they end.
   */
  private Map<TopicPartition, Long> rewindAfter(IOException e, Collection<SinkRecord> batch) {
    ConnectException giveUp = rewinds.failed(e, writers.values(), c.commits.committedUnits());
    c.commits.dropAll();
    // units that landed while the others were dropped end the run too, for the next failure
    rewinds.sawCommittedUnits(c.commits.committedUnits());
    for (PartitionWriter w : writers.values()) {
      w.abort();
      w.recountOpenBytes();
    }
    memory.clear();
    if (giveUp != null) {
      throw giveUp;
    }
    return rewinds.rewindPoints(e, writers, batch);
  }
}
