package io.redstage.loader.discovery;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Thread pools for S3 calls made many at once (marker reads, marker moves): daemon threads that end
 * after 30 s idle, so an owner needs no closing and a CLI command exits when it is done.
 */
final class DaemonPools {
  private DaemonPools() {}

  static ExecutorService endingWhenIdle(String threadName, int threads) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }
}
