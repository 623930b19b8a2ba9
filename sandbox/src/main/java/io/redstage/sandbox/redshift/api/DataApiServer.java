package io.redstage.sandbox.redshift.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.redstage.sandbox.redshift.fault.FaultInjector;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the Data API: {@code POST /} with {@code X-Amz-Target: RedshiftData.<Operation>}
 * and an {@code application/x-amz-json-1.1} body (AWS JSON 1.1). Requests are not
 * signature-checked: the SDK signs them, the stand-in has no credentials to check against.
 */
public final class DataApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataApiServer.class);
  private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
  private static final String TARGET_PREFIX = "RedshiftData.";

  static {
    // The JDK server writes headers and body separately; without TCP_NODELAY each response waits
    // for the
    // client's delayed ACK (~40 ms per call). Read once by the JDK when the first server is
    // created.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer server;
  private final ExecutorService threads;
  private final DataApiOperations operations;
  private final FaultInjector faults;
  private final ObjectMapper json = new ObjectMapper();
  private final URI endpoint;

  public DataApiServer(String host, int port, DataApiOperations operations, FaultInjector faults) {
    this.operations = operations;
    this.faults = faults;
    try {
      this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot listen on "
              + host
              + ":"
              + port
              + " for the Redshift Data API: "
              + e.getMessage()
              + ". Choose another port (0 picks a free one)",
          e);
    }
    AtomicInteger n = new AtomicInteger();
    this.threads =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "redshift-sandbox-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
    String shownHost = host.equals("0.0.0.0") ? "127.0.0.1" : host;
    this.endpoint = URI.create("http://" + shownHost + ":" + server.getAddress().getPort());
  }

  public URI endpoint() {
    return endpoint;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String requestId = UUID.randomUUID().toString();
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      if (!"POST".equals(exchange.getRequestMethod())
          || target == null
          || !target.startsWith(TARGET_PREFIX)) {
        sendError(
            exchange,
            requestId,
            new DataApiException(
                "UnknownOperationException",
                400,
                "Cannot route the request: expected POST / with header X-Amz-Target: RedshiftData.<Operation>",
                null));
        return;
      }
      String operation = target.substring(TARGET_PREFIX.length());
      Optional<FaultInjector.ApiFault> fault = faults.onOperation(operation);
      if (fault.isPresent()) {
        sendFault(exchange, requestId, fault.get(), operation);
        return;
      }
      JsonNode request;
      try {
        request = body.length == 0 ? json.createObjectNode() : json.readTree(body);
      } catch (IOException e) {
        sendError(
            exchange,
            requestId,
            new DataApiException(
                "SerializationException",
                400,
                "Cannot parse the request body as JSON: " + e.getMessage(),
                null));
        return;
      }
      try {
        ObjectNode response = operations.handle(operation, request);
        send(exchange, requestId, 200, json.writeValueAsBytes(response), CONTENT_TYPE);
      } catch (DataApiException e) {
        sendError(exchange, requestId, e);
      } catch (RuntimeException e) {
        LOG.warn(
            "Data API {} failed inside the Redshift sandbox (request {})", operation, requestId, e);
        sendError(
            exchange,
            requestId,
            DataApiException.internal("Internal error in the Redshift sandbox: " + e));
      }
    }
  }

  private void sendFault(
      HttpExchange exchange, String requestId, FaultInjector.ApiFault fault, String operation)
      throws IOException {
    LOG.debug("Injecting HTTP {} {} into {}", fault.httpStatus(), fault.errorType(), operation);
    if (fault.errorType() == null) {
      send(
          exchange,
          requestId,
          fault.httpStatus(),
          fault.message().getBytes(StandardCharsets.UTF_8),
          "text/plain");
      return;
    }
    sendError(
        exchange,
        requestId,
        new DataApiException(fault.errorType(), fault.httpStatus(), fault.message(), null));
  }

  private void sendError(HttpExchange exchange, String requestId, DataApiException e)
      throws IOException {
    ObjectNode body = json.createObjectNode();
    body.put("__type", e.type());
    body.put("message", e.getMessage());
    e.extra().forEach(body::put);
    exchange.getResponseHeaders().set("x-amzn-ErrorType", e.type());
    send(exchange, requestId, e.httpStatus(), json.writeValueAsBytes(body), CONTENT_TYPE);
  }

  private static void send(
      HttpExchange exchange, String requestId, int status, byte[] body, String contentType)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
