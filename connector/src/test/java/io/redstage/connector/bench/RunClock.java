package io.redstage.connector.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Wall time of a timed section, plus where it went: CPU of the calling thread (the task's thread: encoding, SDK
 * signing and checksums, HTTP client), CPU of the whole process (adds S3Proxy's server threads and the GC) and
 * time the collectors report. On a shared 2-core machine these separate "our code is slower" from "we waited".
 */
final class RunClock {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final long wall0 = System.nanoTime();
  private final long thread0 = THREADS.getCurrentThreadCpuTime();
  private final long process0 = OS.getProcessCpuTime();
  private final long gc0 = gcMillis();

  /** Ends the section; call from the thread that started it. */
  Times stop() {
    return new Times(System.nanoTime() - wall0, THREADS.getCurrentThreadCpuTime() - thread0,
        OS.getProcessCpuTime() - process0, gcMillis() - gc0);
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
    final long processCpuNanos;
    final long gcMillis;

    Times(long wallNanos, long threadCpuNanos, long processCpuNanos, long gcMillis) {
      this.wallNanos = wallNanos;
      this.threadCpuNanos = threadCpuNanos;
      this.processCpuNanos = processCpuNanos;
      this.gcMillis = gcMillis;
    }
  }
}
