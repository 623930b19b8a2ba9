package io.redstage.loader.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;

/** Serves {@link LoaderMetrics} at {@code /metrics} with the Prometheus client's HTTP server. */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;

  public MetricsServer(LoaderMetrics metrics, String host, int port) throws IOException {
    server =
        HTTPServer.builder().hostname(host).port(port).registry(metrics.registry()).buildAndStart();
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
