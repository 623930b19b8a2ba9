package io.redstage.connector.commit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * The partitions the task paused, and why. Two things pause a partition: the memory budget (units
 * waiting for S3 do not fit) and a rewind that waits for the partition's running commit. A
 * partition paused for both resumes only when neither holds it any more; without one home for this,
 * the budget resumed partitions a rewind still held. Only partitions Connect has assigned are
 * paused (it refuses the others). Reports the paused-partitions metric. Owned by the task thread.
 */
final class PartitionPauses {
  enum Reason {
    /** The units and parts waiting for S3 hold more than memory.buffer.max.bytes. */
    MEMORY,
    /** A rewind waits for the partition's commit still running on S3. */
    REWIND
  }

  private final SinkTaskContext context;

  /** Told how many partitions are paused, for any reason, after each change (the metric). */
  private final IntConsumer reportPaused;

  private final Map<TopicPartition, Set<Reason>> reasons = new HashMap<>();
  private final Map<Reason, Integer> counts = new EnumMap<>(Reason.class);

  /**
   * Partitions revoked while paused here: Connect keeps them in its own set of paused partitions
   * and pauses them again if they are given back (see {@link #reopened}), until its next
   * assignment, which keeps in that set only the partitions assigned. So are they kept here: a task
   * on topics.regex that sees topics come and go would otherwise keep every partition it ever gave
   * up while paused.
   */
  private final Set<TopicPartition> pausedWhenClosed = new HashSet<>();

  PartitionPauses(SinkTaskContext context, IntConsumer reportPaused) {
    this.context = context;
    this.reportPaused = reportPaused;
    for (Reason r : Reason.values()) {
      counts.put(r, 0);
    }
  }

  /**
   * Pauses those of {@code partitions} Connect has assigned, for {@code reason}; returns how many
   * were not paused for it yet.
   */
  int pause(Collection<TopicPartition> partitions, Reason reason) {
    Set<TopicPartition> assigned = context.assignment();
    List<TopicPartition> newly = new ArrayList<>();
    int added = 0;
    for (TopicPartition tp : partitions) {
      if (!assigned.contains(tp)) {
        continue;
      }
      Set<Reason> why = reasons.computeIfAbsent(tp, k -> EnumSet.noneOf(Reason.class));
      if (why.isEmpty()) {
        newly.add(tp);
      }
      if (why.add(reason)) {
        counts.merge(reason, 1, Integer::sum);
        added++;
      }
    }
    if (!newly.isEmpty()) {
      context.pause(newly.toArray(new TopicPartition[0]));
    }
    reportPaused.accept(reasons.size());
    return added;
  }

  /**
   * Pauses every partition assigned to the task for {@code reason}, new ones included (Connect does
   * not pause a partition assigned while others are paused); returns how many were not paused for
   * it yet.
   */
  int pauseAssigned(Reason reason) {
    return pause(context.assignment(), reason);
  }

  /**
   * Ends {@code reason}'s pause of {@code partitions}; those no other reason holds resume. Returns
   * how many resumed.
   */
  int resume(Collection<TopicPartition> partitions, Reason reason) {
    List<TopicPartition> free = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      Set<Reason> why = reasons.get(tp);
      if (why != null && why.remove(reason)) {
        counts.merge(reason, -1, Integer::sum);
        if (why.isEmpty()) {
          reasons.remove(tp);
          free.add(tp);
        }
      }
    }
    // only partitions still assigned: Connect refuses to resume any other
    free.retainAll(context.assignment());
    if (!free.isEmpty()) {
      context.resume(free.toArray(new TopicPartition[0]));
    }
    reportPaused.accept(reasons.size());
    return free.size();
  }

  /** How many partitions revoked while paused it keeps until the next assignment (for tests). */
  int revokedWhilePaused() {
    return pausedWhenClosed.size();
  }

  /** The partitions paused for {@code reason}. */
  Set<TopicPartition> pausedFor(Reason reason) {
    Set<TopicPartition> out = new HashSet<>();
    reasons.forEach(
        (tp, why) -> {
          if (why.contains(reason)) {
            out.add(tp);
          }
        });
    return out;
  }

  /** How many partitions are paused for {@code reason}. */
  int count(Reason reason) {
    return counts.get(reason);
  }

  /**
   * Partitions the task no longer holds: what paused them here no longer applies (their units are
   * dropped, their rewind is the next owner's); one given back is paused again when needed.
   */
  void forget(Collection<TopicPartition> closed) {
    for (TopicPartition tp : closed) {
      Set<Reason> why = reasons.remove(tp);
      if (why != null) {
        for (Reason r : why) {
          counts.merge(r, -1, Integer::sum);
        }
        pausedWhenClosed.add(tp);
      }
    }
    reportPaused.accept(reasons.size());
  }

  /**
   * Partitions given to the task: those revoked while paused here are resumed, unless paused here
   * again meanwhile. Connect keeps a revoked partition in its own set of paused partitions and, if
   * it is given back, pauses it again before or after open(); resuming through the context takes it
   * out of that set, so the partition is fetched again in either order. Without this, a partition
   * paused when an eager rebalance revoked it stayed paused for good.
   */
  void reopened(Collection<TopicPartition> opened) {
    List<TopicPartition> resume = new ArrayList<>();
    for (TopicPartition tp : opened) {
      if (pausedWhenClosed.contains(tp) && !reasons.containsKey(tp)) {
        resume.add(tp);
      }
    }
    // Connect has just dropped the others from its paused set (WorkerSinkTask retains the
    // consumer's assignment in it before it calls open()): given back later, they are not paused
    pausedWhenClosed.clear();
    if (!resume.isEmpty()) {
      context.resume(resume.toArray(new TopicPartition[0]));
    }
  }
}
