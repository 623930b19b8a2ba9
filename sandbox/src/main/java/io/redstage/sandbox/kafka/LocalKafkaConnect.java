package io.redstage.sandbox.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;

/**
 * A KRaft broker and a distributed Connect worker in one JVM, loading connectors from {@code
 * plugin.path} exactly as a user's worker does. Connectors are created by posting config JSON to
 * the REST API.
 */
public final class LocalKafkaConnect implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final EmbeddedConnectCluster cluster;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private LocalKafkaConnect(EmbeddedConnectCluster cluster) {
    this.cluster = cluster;
  }

  /**
   * Starts one broker and {@code workers} workers.
   *
   * @param pluginPath directory holding unpacked connector plugins (e.g. the unzipped plugin ZIP)
   * @param extraWorkerProps worker settings added to the defaults (service_load discovery, 1 s
   *     offset flush)
   */
  public static LocalKafkaConnect start(
      Path pluginPath, int workers, Map<String, String> extraWorkerProps) {
    Map<String, String> worker = new HashMap<>();
    worker.put("plugin.path", pluginPath.toAbsolutePath().toString());
    // Service-loader discovery starts the worker in seconds instead of scanning the whole
    // classpath.
    worker.put("plugin.discovery", "service_load");
    worker.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    worker.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    worker.put("offset.flush.interval.ms", "1000");
    worker.putAll(extraWorkerProps);
    Properties broker = new Properties();
    broker.put("auto.create.topics.enable", "false");
    EmbeddedConnectCluster cluster =
        new EmbeddedConnectCluster.Builder()
            .name("redstage-connect")
            .numWorkers(workers)
            .numBrokers(1)
            .workerProps(worker)
            .brokerProps(broker)
            .maskExitProcedures(true)
            .build();
    try {
      cluster.start();
    } catch (RuntimeException e) {
      cluster.stop();
      throw e;
    }
    return new LocalKafkaConnect(cluster);
  }

  public String bootstrapServers() {
    return cluster.kafka().bootstrapServers();
  }

  /** The worker's REST base URL, e.g. http://localhost:8083/. */
  public String restUrl() {
    String connectors = cluster.endpointForResource("connectors");
    return connectors.substring(0, connectors.length() - "connectors".length());
  }

  public void createTopic(String topic, int partitions) {
    cluster.kafka().createTopic(topic, partitions);
  }

  public KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    // One request in flight keeps per-partition order without the idempotent producer, whose
    // sequence
    // numbers got stuck (OutOfOrderSequenceException retried forever) when sending right after
    // topic creation.
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return cluster.kafka().createProducer(props);
  }

  /** POST /connectors with {"name": ..., "config": {...}}; returns the HTTP status. */
  public int createConnector(String name, Map<String, String> config) {
    Map<String, Object> body = new HashMap<>();
    body.put("name", name);
    body.put("config", config);
    return send("POST", "connectors", body).statusCode();
  }

  /** PUT /connector-plugins/{class}/config/validate; returns the response JSON. */
  public JsonNode validate(String connectorClass, Map<String, String> config) {
    String simple = connectorClass.substring(connectorClass.lastIndexOf('.') + 1);
    return readJson(send("PUT", "connector-plugins/" + simple + "/config/validate", config));
  }

  public JsonNode status(String name) {
    HttpResponse<String> r = send("GET", "connectors/" + name + "/status", null);
    return r.statusCode() == 200 ? readJson(r) : null;
  }

  public int deleteConnector(String name) {
    return send("DELETE", "connectors/" + name, null).statusCode();
  }

  public int restartTask(String name, int task) {
    return send("POST", "connectors/" + name + "/tasks/" + task + "/restart", null).statusCode();
  }

  /** Waits until the connector and {@code tasks} tasks report RUNNING. */
  public void awaitRunning(String name, int tasks, Duration timeout) {
    waitFor(
        timeout,
        () -> {
          JsonNode s = status(name);
          if (s == null || !"RUNNING".equals(s.path("connector").path("state").asText())) {
            return false;
          }
          int running = 0;
          for (JsonNode t : s.path("tasks")) {
            if ("RUNNING".equals(t.path("state").asText())) {
              running++;
            }
          }
          return running >= tasks;
        },
        "connector " + name + " to run " + tasks + " task(s)");
  }

  /**
   * Stops one worker (its tasks stop without a clean commit being guaranteed) and starts a new one.
   */
  public void restartWorker() {
    WorkerHandle w = cluster.workers().iterator().next();
    cluster.removeWorker(w);
    cluster.addWorker();
  }

  public EmbeddedConnectCluster cluster() {
    return cluster;
  }

  private HttpResponse<String> send(String method, String path, Object body) {
    try {
      HttpRequest.BodyPublisher pub =
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(restUrl() + path))
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json")
              .header("Accept", "application/json")
              .method(method, pub)
              .build();
      return http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot call the Connect REST API " + method + " " + path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted calling the Connect REST API", e);
    }
  }

  private static JsonNode readJson(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot parse the Connect REST response (HTTP " + r.statusCode() + "): " + r.body(), e);
    }
  }

  /** Polls a condition every 100 ms until it holds or the timeout passes. */
  static void waitFor(Duration timeout, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted waiting for " + what, e);
      }
    }
  }

  @Override
  public void close() {
    cluster.stop();
  }
}
