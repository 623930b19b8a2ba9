package io.redstage.connector.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Heap use seen three ways, because "peak heap" means different things:
 *
 * <ul>
 *   <li><b>live</b>: used heap right after a full {@code System.gc()}, sampled by the caller: the
 *       live set;
 *   <li><b>after any GC</b>: the highest heap use the collectors report right after any collection
 *       (young or full; a young collection leaves old-generation garbage in place, so this is an
 *       upper bound of live data);
 *   <li><b>pool peaks</b>: the sum of each heap pool's peak usage (includes garbage; the peaks need
 *       not coincide).
 * </ul>
 */
final class HeapMonitor implements AutoCloseable {
  private final AtomicLong maxAfterAnyGc = new AtomicLong();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onGc;
  private long maxLive;

  HeapMonitor() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter) {
        NotificationEmitter emitter = (NotificationEmitter) gc;
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  /** Clears the pool peaks and the maxima, e.g. after loading classes and starting the stand-in. */
  void reset() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
    maxAfterAnyGc.set(0);
    maxLive = 0;
  }

  /** Full GC, then the heap in use: the live set now. Also raises {@link #maxLive()}. */
  long sampleLive() {
    System.gc();
    long used = heapUsed();
    maxLive = Math.max(maxLive, used);
    return used;
  }

  long maxLive() {
    return maxLive;
  }

  long maxAfterAnyGc() {
    return maxAfterAnyGc.get();
  }

  long sumOfPoolPeaks() {
    long total = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        total += pool.getPeakUsage().getUsed();
      }
    }
    return total;
  }

  static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private void onGc(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    Set<String> heapPools = heapPoolNames();
    long used = 0;
    for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(e.getKey())) {
        used += e.getValue().getUsed();
      }
    }
    maxAfterAnyGc.accumulateAndGet(used, Math::max);
  }

  private static Set<String> heapPoolNames() {
    Set<String> names = new java.util.HashSet<>();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        names.add(pool.getName());
      }
    }
    return names;
  }

  @Override
  public void close() {
    for (NotificationEmitter e : emitters) {
      try {
        e.removeNotificationListener(listener);
      } catch (javax.management.ListenerNotFoundException ignored) {
        // already removed
      }
    }
  }
}
