package io.redstage.connector.commit;

import io.redstage.connector.format.KafkaCoordinates;
import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the task answers S3 failures (after the SDK's own retries): it counts them, says where each
 * partition must be delivered again from, keeps a rewind found outside put() for the next put(),
 * and gives up after {@link #MAX_CONSECUTIVE_FAILURES} failures in a row, or when one partition's
 * own unit failed that often. Dropping the open and pending units is the committer's part. Owned by
 * the task thread.
 */
final class TaskRewinds {
  private static final Logger LOG = LoggerFactory.getLogger(TaskRewinds.class);

  /** Consecutive S3 failures after which the task fails instead of rewinding again. */
  static final int MAX_CONSECUTIVE_FAILURES = 5;

  private int consecutiveFailures;

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
   * failed) from its first offset there, since that put may have failed before noting it.
   */
  Map<TopicPartition, Long> rewindPoints(
      IOException e, Map<TopicPartition, PartitionWriter> writers, Collection<SinkRecord> batch) {
    Map<TopicPartition, Long> rewind = new HashMap<>();
    for (Map.Entry<TopicPartition, PartitionWriter> entry : writers.entrySet()) {
      long to = entry.getValue().commits().rewindTo();
      if (to >= 0) {
        rewind.put(entry.getKey(), to);
      }
    }
    for (SinkRecord r : batch) {
      TopicPartition tp =
          new TopicPartition(KafkaCoordinates.topic(r), KafkaCoordinates.partition(r));
      PartitionWriter w = writers.get(tp);
      if (w == null || w.commits().rewindTo() < 0) {
        rewind.merge(tp, KafkaCoordinates.offset(r), Math::min);
      }
    }
    LOG.warn(
        "Cannot write to S3 ({}); aborted open units and rewinding {} partitions to their last committed "
            + "offsets ({}) (attempt {} of {})",
        e.getMessage(),
        rewind.size(),
        firstRewinds(rewind),
        consecutiveFailures,
        MAX_CONSECUTIVE_FAILURES);
    return rewind;
  }

  /** Partitions the log names at most, so that a task with thousands writes one readable line. */
  static final int LOGGED_PARTITIONS = 10;

  /**
   * {@code topic-partition to offset}, in partition order, the first {@link #LOGGED_PARTITIONS}.
   */
  static String firstRewinds(Map<TopicPartition, Long> rewind) {
    StringBuilder b = new StringBuilder();
    rewind.entrySet().stream()
        .sorted(
            java.util.Comparator.comparing(
                    (Map.Entry<TopicPartition, Long> en) -> en.getKey().topic())
                .thenComparingInt(en -> en.getKey().partition()))
        .limit(LOGGED_PARTITIONS)
        .forEach(
            en ->
                b.append(b.length() == 0 ? "" : ", ")
                    .append(en.getKey())
                    .append(" to ")
                    .append(en.getValue()));
    if (rewind.size() > LOGGED_PARTITIONS) {
      b.append(", and ").append(rewind.size() - LOGGED_PARTITIONS).append(" more");
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
