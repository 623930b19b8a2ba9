package io.redstage.examples.quickstart;

import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.load.Loader;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copy-loader as a library, cycling on its own thread as {@code run} would in its own process.
 */
final class LoaderService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoaderService.class);
  private final Loader loader;
  private final Thread thread;

  LoaderService(Map<String, String> config) {
    this.loader = new Loader(LoaderConfig.of(config));
    this.thread = new Thread(this::loop, "redstage-loader");
    this.thread.setDaemon(true);
  }

  void start() throws InterruptedException {
    loader.ensureControlTables();
    thread.start();
  }

  private void loop() {
    try {
      loader.runLoop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("The loader stopped: {}", e.getMessage(), e);
    }
  }

  /** COPY statements issued so far: the loader writes one manifest per COPY. */
  long copies() {
    return loader.clients().counter().snapshot().getOrDefault("S3.PutObject", 0L);
  }

  /** Load transactions (one BatchExecuteStatement each) submitted so far. */
  long transactions() {
    return loader
        .clients()
        .counter()
        .snapshot()
        .getOrDefault("RedshiftData.BatchExecuteStatement", 0L);
  }

  @Override
  public void close() throws InterruptedException {
    loader.stop();
    if (thread.isAlive() && !loader.awaitStopped(Duration.ofSeconds(30))) {
      LOG.warn("The loader did not stop within 30 s; closing it anyway");
    }
    loader.close();
  }
}
