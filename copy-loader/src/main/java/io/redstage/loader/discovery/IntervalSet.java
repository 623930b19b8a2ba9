package io.redstage.loader.discovery;

import java.util.Map;
import java.util.TreeMap;

/**
 * Disjoint, merged closed offset intervals of one topic-partition: the offsets already loaded into
 * a table.
 */
public final class IntervalSet {
  // start -> end, disjoint and non-adjacent after every add
  private final TreeMap<Long, Long> ranges = new TreeMap<>();

  public void add(long start, long end) {
    long s = start;
    long e = end;
    Map.Entry<Long, Long> before = ranges.floorEntry(s);
    // s - 1 and e + 1 compared without overflow at the ends of the offset range
    if (before != null && (s == Long.MIN_VALUE || before.getValue() >= s - 1)) {
      s = before.getKey();
      e = Math.max(e, before.getValue());
    }
    Map.Entry<Long, Long> next = ranges.ceilingEntry(s);
    while (next != null && (e == Long.MAX_VALUE || next.getKey() <= e + 1)) {
      e = Math.max(e, next.getValue());
      ranges.remove(next.getKey());
      next = ranges.ceilingEntry(s);
    }
    ranges.put(s, e);
  }

  /** True when every offset in {@code [start, end]} is in the set. */
  public boolean covers(long start, long end) {
    Map.Entry<Long, Long> r = ranges.floorEntry(start);
    return r != null && r.getValue() >= end;
  }

  public IntervalSet copy() {
    IntervalSet c = new IntervalSet();
    c.ranges.putAll(ranges);
    return c;
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  @Override
  public String toString() {
    return ranges.toString();
  }
}
