package io.redstage.connector.commit;

import static io.redstage.connector.commit.PartitionPauses.Reason.REWIND;

import io.redstage.connector.format.KafkaCoordinates;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the task answers S3 failures (after the SDK's own retries): it counts them, says where each
 * partition must be delivered again from, keeps a rewind found outside put() for the next put(),
 * and gives up after {@link #MAX_CONSECUTIVE_FAILURES} failures in a row, or when one partition's
 * own unit failed that often. Dropping the open and pending units is the committer's part. Owned by
 * the task thread.
 *
 * <p>A partition whose commit is still running on S3 when the task rewinds is rewound only once
 * that commit has ended ({@link #finishWaiting}): where it goes again from depends on whether the
 * commit lands, and a replay started before it ended could commit units of the partition out of
 * offset order beside it. Until then the partition is paused and its records are skipped; the
 * others are rewound at once. Waiting for those commits on the task thread, as before, held every
 * partition of the task for as long as S3 took one call, up to the SDK's call timeout.
 */
final class TaskRewinds {
  private static final Logger LOG = LoggerFactory.getLogger(TaskRewinds.class);

  private final PartitionPauses pauses;

  /** Partitions whose rewind waits for their running commit, with their writers. */
  private final Map<TopicPartition, PartitionWriter> waiting = new HashMap<>();

  TaskRewinds(PartitionPauses pauses) {
    this.pauses = pauses;
  }

  /** Consecutive S3 failures after which the task fails instead of rewinding again. */
  static final int MAX_CONSECUTIVE_FAILURES = 5;

  private int consecutiveFailures;

  /**
   * What {@link #consecutiveFailures} was when the last failure was counted, for its log line:
   * units that commit while the failed ones are dropped reset the count before the line is written.
   */
  private int failureAttempt;

  /** Units committed by the task when put() last looked: a new one ends a run of failures. */
  private long committedUnitsSeen;

  /** Set when the task gave up on S3; every later put throws it. */
  private ConnectException failed;

  /**
   * A rewind found outside put() (preCommit, close): asked for at the start of the next put(),
   * which skips that put's records of these partitions. Connect seeks at the start of its next
   * poll, so a rewind asked inside a rebalance callback (where preCommit and close run) would let
   * the records that poll already fetched in first, past the rewind point, and could name
   * partitions being revoked, whose seek fails the task. Asked at put(), it names only partitions
   * still held, and whatever the skipped records were, the seek delivers them again.
   */
  private Map<TopicPartition, Long> deferred;

  /**
   * Throws the failure the task gave up with, if it did: Connect only logs what preCommit throws.
   */
  void throwIfGaveUp() {
    if (failed != null) {
      throw failed;
    }
  }

  /**
   * Notes the units the task has committed so far. Only a committed unit ends a run of failures: a
   * put whose records all stay in open units proves nothing.
   */
  void sawCommittedUnits(long committedUnits) {
    if (committedUnits > committedUnitsSeen) {
      consecutiveFailures = 0;
    }
    committedUnitsSeen = committedUnits;
  }

  /**
   * Counts a failure, before the partitions' units are dropped (their own failure counts are read
   * here); returns the exception the task gives up with, latched, or null when it may rewind.
   * {@code committedUnits}, the units the task has committed so far, is looked at first: the check
   * that found the failure may have settled units of other partitions too, and they end the run
   * (only the end of a put that failed nowhere looked at them, so failures found in consecutive
   * calls added up while S3 took other units all along).
   */
  ConnectException failed(IOException e, Collection<PartitionWriter> writers, long committedUnits) {
    sawCommittedUnits(committedUnits);
    consecutiveFailures++;
    failureAttempt = consecutiveFailures;
    // Commits of other partitions reset the task's count; a partition whose own unit fails every
    // time (a prefix the credentials may not write, an object S3 refuses) must still stop the task.
    String stuck = null;
    for (PartitionWriter w : writers) {
      if (w.commits().failuresSinceCommit() >= MAX_CONSECUTIVE_FAILURES) {
        stuck = w.where();
      }
    }
    if (consecutiveFailures < MAX_CONSECUTIVE_FAILURES && stuck == null) {
      return null;
    }
    failed =
        new ConnectException(
            "Cannot write to S3 after "
                + Math.max(consecutiveFailures, MAX_CONSECUTIVE_FAILURES)
                + " attempts"
                + (stuck == null ? "" : " for partition " + stuck)
                + ": "
                + withoutPeriod(e.getMessage())
                + ". Check the bucket, credentials and network; restart the task when S3 is reachable again.",
            e);
    return failed;
  }

  /**
   * Where each partition must be delivered again from, once its units are dropped: after its last
   * committed unit, or where it resumed; a partition first seen in {@code batch} (the put that
   * failed) from its first offset there, since that put may have failed before noting it. A
   * partition whose commit still runs is left out: paused, it waits for that commit ({@link
   * #finishWaiting}).
   */
  Map<TopicPartition, Long> rewindPoints(
      IOException e, Map<TopicPartition, PartitionWriter> writers, Collection<SinkRecord> batch) {
    Map<TopicPartition, Long> rewind = new HashMap<>();
    List<TopicPartition> nowWaiting = new ArrayList<>();
    for (Map.Entry<TopicPartition, PartitionWriter> entry : writers.entrySet()) {
      PartitionCommits commits = entry.getValue().commits();
      if (commits.committing()) {
        if (waiting.put(entry.getKey(), entry.getValue()) == null) {
          nowWaiting.add(entry.getKey());
        }
        continue;
      }
      if (waiting.remove(entry.getKey()) != null) {
        pauses.resume(List.of(entry.getKey()), REWIND);
      }
      rewind(entry.getKey(), commits, rewind);
    }
    pauses.pause(nowWaiting, REWIND);
    for (SinkRecord r : batch) {
      TopicPartition tp =
          new TopicPartition(KafkaCoordinates.topic(r), KafkaCoordinates.partition(r));
      PartitionWriter w = writers.get(tp);
      if (w == null || (!w.commits().committing() && w.commits().rewindTo() < 0)) {
        rewind.merge(tp, KafkaCoordinates.offset(r), Math::min);
      }
    }
    LOG.warn(
        "Cannot write to S3 ({}); aborted open units and rewinding {} partitions to their last committed "
            + "offsets ({}) (attempt {} of {}){}",
        e.getMessage(),
        rewind.size(),
        firstRewinds(rewind),
        failureAttempt(),
        MAX_CONSECUTIVE_FAILURES,
        waiting.isEmpty()
            ? ""
            : "; "
                + waiting.size()
                + " partition(s) paused until their commit running on S3 ends, then rewound ("
                + firstPartitions(waiting.keySet())
                + ")");
    return rewind;
  }

  /**
   * Rewinds the waiting partitions whose running commit has been settled (called by put() after
   * collecting the commits that ended): asks Connect for their offsets and resumes them. Returns
   * them, with every partition still waiting: put() skips their records (fetched before the seek,
   * or while the partition waited).
   */
  Set<TopicPartition> finishWaiting(SinkTaskContext context) {
    if (waiting.isEmpty()) {
      return Set.of();
    }
    Map<TopicPartition, Long> rewind = new HashMap<>();
    Set<TopicPartition> skip = new HashSet<>(waiting.keySet());
    List<TopicPartition> ended = new ArrayList<>();
    Iterator<Map.Entry<TopicPartition, PartitionWriter>> it = waiting.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<TopicPartition, PartitionWriter> entry = it.next();
      PartitionCommits commits = entry.getValue().commits();
      if (!commits.committing()) {
        it.remove();
        ended.add(entry.getKey());
        rewind(entry.getKey(), commits, rewind);
      }
    }
    if (!rewind.isEmpty()) {
      context.offset(rewind);
      LOG.info(
          "Rewinding {} partition(s) whose commit was running on S3 at the last rewind, now that it has "
              + "ended ({}); {} still wait",
          rewind.size(),
          firstRewinds(rewind),
          waiting.size());
    }
    // only a rewind's own pause ends: one the memory budget holds stays
    pauses.resume(ended, REWIND);
    return skip;
  }

  /**
   * Rewinds a partition none of whose commits runs, adding where it goes again from to {@code
   * rewind} (nothing when nothing was delivered to it yet).
   */
  private static void rewind(
      TopicPartition tp, PartitionCommits commits, Map<TopicPartition, Long> rewind) {
    long to = commits.rewind();
    if (to >= 0) {
      rewind.put(tp, to);
    }
  }

  /** The attempt the last failure's log line names. */
  int failureAttempt() {
    return failureAttempt;
  }

  /** True while a partition waits for its running commit to be rewound. */
  boolean anyWaiting() {
    return !waiting.isEmpty();
  }

  /** Partitions the task no longer holds: their rewind is the next owner's. */
  void forget(Collection<TopicPartition> closed) {
    waiting.keySet().removeAll(closed);
  }

  /** Partitions the log names at most, so that a task with thousands writes one readable line. */
  static final int LOGGED_PARTITIONS = 10;

  /**
   * {@code topic-partition to offset}, in partition order, the first {@link #LOGGED_PARTITIONS}.
   */
  static String firstRewinds(Map<TopicPartition, Long> rewind) {
    return first(rewind.keySet(), tp -> tp + " to " + rewind.get(tp));
  }

  /** The first {@link #LOGGED_PARTITIONS} of {@code partitions}, in partition order. */
  static String firstPartitions(Collection<TopicPartition> partitions) {
    return first(partitions, TopicPartition::toString);
  }

  private static String first(
      Collection<TopicPartition> partitions, Function<TopicPartition, String> shown) {
    StringBuilder b = new StringBuilder();
    partitions.stream()
        .sorted(
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition))
        .limit(LOGGED_PARTITIONS)
        .forEach(tp -> b.append(b.length() == 0 ? "" : ", ").append(shown.apply(tp)));
    if (partitions.size() > LOGGED_PARTITIONS) {
      b.append(", and ").append(partitions.size() - LOGGED_PARTITIONS).append(" more");
    }
    return b.toString();
  }

  /** Keeps a rewind found outside put() for the next put(). */
  void defer(Map<TopicPartition, Long> rewind) {
    if (deferred == null) {
      deferred = new HashMap<>();
    }
    // a later failure rewinds no further than an earlier one asked: keep the lower offset
    rewind.forEach((tp, offset) -> deferred.merge(tp, offset, Math::min));
  }

  /** Takes the deferred rewind, limited to the partitions the task still holds; empty if none. */
  Map<TopicPartition, Long> takeDeferred(Set<TopicPartition> held) {
    if (deferred == null) {
      return Map.of();
    }
    Map<TopicPartition, Long> out = new HashMap<>(deferred);
    out.keySet().retainAll(held);
    deferred = null;
    return out;
  }

  private static String withoutPeriod(String message) {
    return message != null && message.endsWith(".")
        ? message.substring(0, message.length() - 1)
        : message;
  }
}
