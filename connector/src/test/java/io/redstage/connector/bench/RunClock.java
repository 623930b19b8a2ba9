package io.redstage.connector.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Wall time of a timed section, plus where it went: CPU of the calling thread (the task's thread:
 * conversion and encoding), CPU of the task's background threads ("redstage-commits-*" and
 * "redstage-parts-*": finishing files, SDK signing and checksums, HTTP client), CPU of the whole
 * process (adds S3Proxy's server threads, the JIT and the GC) and time the collectors report. On a
 * shared 2-core machine these separate "our code is slower" from "we waited".
 */
final class RunClock {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final long wall0 = System.nanoTime();
  private final long thread0 = THREADS.getCurrentThreadCpuTime();
  private final long process0 = OS.getProcessCpuTime();
  private final long gc0 = gcMillis();
  private final java.util.Map<Long, Long> commitThreads0 = commitThreadCpu();

  /** Ends the section; call from the thread that started it, before the task stops. */
  Times stop() {
    long commits = 0;
    for (java.util.Map.Entry<Long, Long> e : commitThreadCpu().entrySet()) {
      commits += e.getValue() - commitThreads0.getOrDefault(e.getKey(), 0L);
    }
    return new Times(
        System.nanoTime() - wall0,
        THREADS.getCurrentThreadCpuTime() - thread0,
        commits,
        OS.getProcessCpuTime() - process0,
        gcMillis() - gc0);
  }

  /** CPU nanoseconds of each live commit or part-upload thread, by thread id. */
  private static java.util.Map<Long, Long> commitThreadCpu() {
    java.util.Map<Long, Long> cpu = new java.util.HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("redstage-commits-")
          || t.getName().startsWith("redstage-parts-")) {
        long nanos = THREADS.getThreadCpuTime(t.getId());
        if (nanos >= 0) {
          cpu.put(t.getId(), nanos);
        }
      }
    }
    return cpu;
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }

  static final class Times {
    final long wallNanos;
    final long threadCpuNanos;
    final long commitThreadCpuNanos;
    final long processCpuNanos;
    final long gcMillis;

    Times(
        long wallNanos,
        long threadCpuNanos,
        long commitThreadCpuNanos,
        long processCpuNanos,
        long gcMillis) {
      this.wallNanos = wallNanos;
      this.threadCpuNanos = threadCpuNanos;
      this.commitThreadCpuNanos = commitThreadCpuNanos;
      this.processCpuNanos = processCpuNanos;
      this.gcMillis = gcMillis;
    }
  }
}
