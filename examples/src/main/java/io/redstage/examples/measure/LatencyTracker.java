package io.redstage.examples.measure;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * End-to-end freshness: when each record was produced (by topic, partition and offset, from the
 * producer's acknowledgement), when it was first seen queryable in the warehouse, and whether a
 * load marker confirms it. Thread-safe.
 */
public final class LatencyTracker {
  private final Map<String, Partition> partitions = new HashMap<>();
  private long[] latencies = new long[1024];
  private int latencyCount;

  /** A produced record: its send time in epoch milliseconds. */
  public synchronized void produced(String topic, int partition, long offset, long sentAtMillis) {
    partitions
        .computeIfAbsent(topic + "\u0000" + partition, k -> new Partition())
        .produced(offset, sentAtMillis);
  }

  /**
   * Offsets {@code [start, end]} of a partition are queryable, first seen at {@code seenAtMillis}.
   * Offsets seen before keep their first time.
   */
  public synchronized void queryable(
      String topic, int partition, long start, long end, long seenAtMillis) {
    Partition p = partitions.computeIfAbsent(topic + "\u0000" + partition, k -> new Partition());
    for (long o = start; o <= end; o++) {
      int i = Math.toIntExact(o);
      if (p.loaded.get(i)) {
        continue;
      }
      p.loaded.set(i);
      if (i < p.size && p.sentAt[i] > 0) {
        record(Math.max(0, seenAtMillis - p.sentAt[i]));
      }
    }
  }

  private void record(long millis) {
    if (latencyCount == latencies.length) {
      latencies = Arrays.copyOf(latencies, latencies.length * 2);
    }
    latencies[latencyCount++] = millis;
  }

  /**
   * Offsets {@code [start, end]} of a partition are recorded as loaded by the loader's own load
   * markers.
   */
  public synchronized void confirmed(String topic, int partition, long start, long end) {
    partitions
        .computeIfAbsent(topic + "\u0000" + partition, k -> new Partition())
        .confirmed
        .set(Math.toIntExact(start), Math.toIntExact(end) + 1);
  }

  /** Produced records of a topic that no load marker covers yet. */
  public synchronized long pending(String topic) {
    long pending = 0;
    for (Map.Entry<String, Partition> e : partitions.entrySet()) {
      if (e.getKey().startsWith(topic + "\u0000")) {
        Partition p = e.getValue();
        for (int i = 0; i < p.size; i++) {
          if (p.sentAt[i] > 0 && !p.confirmed.get(i)) {
            pending++;
          }
        }
      }
    }
    return pending;
  }

  public synchronized Freshness freshness() {
    long[] sorted = Arrays.copyOf(latencies, latencyCount);
    Arrays.sort(sorted);
    return new Freshness(
        sorted.length,
        percentile(sorted, 50),
        percentile(sorted, 99),
        sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
  }

  /** Nearest-rank percentile, in milliseconds; 0 when nothing was measured. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** Produce-to-queryable latency over {@code records} records, in milliseconds. */
  public record Freshness(long records, long p50Millis, long p99Millis, long maxMillis) {}

  private static final class Partition {
    long[] sentAt = new long[256];
    int size;
    final BitSet loaded = new BitSet();
    final BitSet confirmed = new BitSet();

    void produced(long offset, long at) {
      int i = Math.toIntExact(offset);
      if (i >= sentAt.length) {
        sentAt = Arrays.copyOf(sentAt, Math.max(sentAt.length * 2, i + 1));
      }
      sentAt[i] = at;
      size = Math.max(size, i + 1);
    }
  }
}
