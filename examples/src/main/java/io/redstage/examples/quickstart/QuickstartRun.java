package io.redstage.examples.quickstart;

import io.redstage.examples.data.AdEvents;
import io.redstage.examples.data.CustomerCdc;
import io.redstage.examples.data.PageViews;
import io.redstage.examples.data.Scenario;
import io.redstage.examples.measure.LatencyTracker;
import io.redstage.examples.measure.StagingWatcher;
import io.redstage.examples.measure.WarehouseWatcher;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One quickstart run: starts the sandbox, posts the example connector configs to the worker's REST
 * API, starts the loader, produces the sample streams, waits until every record is queryable, then
 * checks and summarises. {@link #close()} stops everything; until then the sandbox stays up for
 * queries.
 */
final class QuickstartRun implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QuickstartRun.class);
  static final String MARKERS_TABLE = "public._redstage_load_markers";

  /**
   * Settings the quickstart changes in the example connector files: sandbox endpoint, keys, fast
   * rotation.
   */
  static final Map<String, String> FRESHNESS_OVERRIDES =
      Map.of("rotate.schedule.interval.ms", "2000", "rotate.idle.ms", "1000");

  private final Settings settings;
  private final PrintStream out;
  private final Path workDir;
  private final List<Scenario> scenarios;
  private final CustomerCdc customers;
  private final LatencyTracker tracker = new LatencyTracker();
  private final Map<String, String> formats = new LinkedHashMap<>();
  private SandboxStack sandbox;
  private LoaderService loader;
  private WarehouseWatcher warehouse;
  private StagingWatcher staging;
  private KafkaProducer<byte[], byte[]> kafkaProducer;
  private ScheduledExecutorService progress;

  QuickstartRun(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
    try {
      this.workDir = Files.createTempDirectory("redstage-quickstart");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot create a work directory under java.io.tmpdir: " + e.getMessage(), e);
    }
    long cdcRecords = settings.records() / 5;
    this.customers =
        new CustomerCdc(settings.seed() + 3, (int) Math.max(10, Math.min(500, cdcRecords / 4)));
    this.scenarios =
        List.of(new AdEvents(settings.seed() + 1), new PageViews(settings.seed() + 2), customers);
  }

  /** Everything up to the summary; returns it (printed already). */
  Summary execute() throws InterruptedException, SQLException {
    ProgressPrinter printer = new ProgressPrinter(out);
    start();
    out.printf(
        "Producing %,d records at %,d/s: ad events (50%%), page views (30%%), customer changes (20%%)...%n",
        settings.records(), settings.ratePerSecond());
    SampleProducer producer =
        new SampleProducer(
            kafkaProducer, scenarios, new double[] {0.5, 0.3, 0.2}, tracker, settings.seed());
    startProgress(printer, producer);
    producer.produce(settings.records(), settings.ratePerSecond());
    boolean complete = awaitQueryable();
    progress.shutdown(); // lets a progress line being printed finish
    progress.awaitTermination(30, TimeUnit.SECONDS);
    warehouse.pollMarkers();
    warehouse.countRows();
    staging.poll();
    Map<String, Long> produced = new LinkedHashMap<>();
    scenarios.forEach(s -> produced.put(s.topic(), producer.acked(s.topic())));
    List<ExactlyOnceCheck.Check> checks =
        ExactlyOnceCheck.run(
            sandbox.redshift.jdbcUrl(),
            sandbox.redshift.jdbcUser(),
            sandbox.redshift.jdbcPassword(),
            scenarios,
            produced);
    if (!complete) {
      checks = new ArrayList<>(checks);
      checks.add(
          0,
          new ExactlyOnceCheck.Check(
              "(all)", false, "not every record became queryable within " + settings.timeout()));
    }
    Summary summary =
        new Summary(
            printer.elapsedSeconds(),
            streams(produced),
            staging.totals(),
            loader.copies(),
            loader.transactions(),
            warehouse.rowCounts(),
            tracker.freshness(),
            checks,
            sandbox.redshift.jdbcUrl(),
            sandbox.psqlUrl(),
            sandbox.redshift.jdbcUser(),
            sandbox.redshift.jdbcPassword());
    summary.print(out);
    return summary;
  }

  private void start() throws InterruptedException {
    long t0 = System.nanoTime();
    out.println(
        "Starting the sandbox: S3 (S3Proxy), Redshift Data API over PostgreSQL, Kafka broker + Connect worker...");
    Path pluginPath = PluginLocator.pluginPath(settings.plugin(), workDir);
    sandbox = SandboxStack.start(pluginPath, settings.postgresPort());
    out.printf(
        "  S3 %s | Redshift Data API %s | Kafka %s | Connect REST %s (%.1f s)%n",
        sandbox.s3.endpoint(),
        sandbox.redshift.endpoint(),
        sandbox.connect.bootstrapServers(),
        sandbox.connect.restUrl(),
        (System.nanoTime() - t0) / 1e9);
    for (Scenario s : scenarios) {
      sandbox.connect.createTopic(s.topic(), s.partitions());
    }
    Map<String, String> variables =
        Map.of("STAGING_BUCKET", SandboxStack.BUCKET, "AWS_REGION", sandbox.s3.region());
    Map<String, Integer> partitionsByConnector = new LinkedHashMap<>();
    for (Scenario s : scenarios) {
      partitionsByConnector.put(postConnector(s, variables), s.partitions());
    }
    long t1 = System.nanoTime();
    SinkGroups.awaitAssigned(
        sandbox.connect.bootstrapServers(), partitionsByConnector, Duration.ofSeconds(90));
    out.printf(
        "  sink tasks joined their consumer groups, every partition assigned (%.1f s)%n",
        (System.nanoTime() - t1) / 1e9);
    Map<String, String> loaderConfig =
        ExampleFiles.loaderConfig("quickstart.yaml", variables, workDir);
    loaderConfig.putAll(sandbox.loaderEndpointKeys());
    loader = new LoaderService(loaderConfig);
    loader.start();
    out.println(
        "  loader started with examples/loader/quickstart.yaml (cycle every "
            + loaderConfig.get("loop.interval")
            + ")");
    warehouse =
        new WarehouseWatcher(
            sandbox.redshift.jdbcUrl(),
            sandbox.redshift.jdbcUser(),
            sandbox.redshift.jdbcPassword(),
            MARKERS_TABLE,
            scenarios.stream()
                .collect(
                    Collectors.toMap(
                        Scenario::table, Scenario::topic, (a, b) -> a, LinkedHashMap::new)),
            tracker);
    warehouse.start(100);
    staging =
        new StagingWatcher(
            sandbox.s3.client(),
            SandboxStack.BUCKET,
            "_redstage/markers",
            "_redstage/markers-loaded");
    kafkaProducer = sandbox.connect.producer();
  }

  /** Posts the scenario's example connector config; returns the connector name. */
  private String postConnector(Scenario s, Map<String, String> variables) {
    ExampleFiles.ConnectorRequest request = ExampleFiles.connector(s.connectorFile(), variables);
    Map<String, String> config = new LinkedHashMap<>(request.config());
    config.putAll(sandboxOverrides());
    int status = sandbox.connect.createConnector(request.name(), config);
    if (status != 201) {
      throw new IllegalStateException(
          "Cannot create connector "
              + request.name()
              + " from examples/connect/"
              + s.connectorFile()
              + ": POST /connectors answered HTTP "
              + status
              + ". See the worker log above.");
    }
    sandbox.connect.awaitRunning(request.name(), 1, Duration.ofSeconds(60));
    formats.put(s.topic(), config.get("format.class"));
    out.printf(
        "  POST %sconnectors  %s (examples/connect/%s) -> RUNNING%n",
        sandbox.connect.restUrl(), request.name(), s.connectorFile());
    return request.name();
  }

  /** Keys the quickstart sets on top of an example connector file. */
  Map<String, String> sandboxOverrides() {
    Map<String, String> o = new LinkedHashMap<>(sandbox.connectorS3Keys());
    o.putAll(FRESHNESS_OVERRIDES);
    return o;
  }

  private void startProgress(ProgressPrinter printer, SampleProducer producer) {
    progress =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "quickstart-progress");
              t.setDaemon(true);
              return t;
            });
    long every = settings.progressInterval().toMillis();
    progress.scheduleWithFixedDelay(
        () -> {
          try {
            staging.poll();
            StagingWatcher.Totals t = staging.totals();
            LatencyTracker.Freshness f = tracker.freshness();
            printer.line(
                producer.ackedTotal(),
                settings.records(),
                t.records(),
                t.units(),
                t.files(),
                loader.copies(),
                warehouse.rowCounts(),
                f.records(),
                f.p50Millis());
          } catch (RuntimeException e) {
            LOG.warn("Cannot print progress: {}", e.getMessage());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
  }

  /** Waits until every produced record is queryable; false on timeout. */
  private boolean awaitQueryable() throws InterruptedException {
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    while (System.nanoTime() < deadline) {
      if (scenarios.stream().allMatch(s -> tracker.pending(s.topic()) == 0)) {
        return true;
      }
      // polling the tracker the warehouse watcher fills; not a test
      Thread.sleep(100);
    }
    String pending =
        scenarios.stream()
            .map(s -> s.topic() + " " + tracker.pending(s.topic()))
            .collect(Collectors.joining(", "));
    out.println(
        "Cannot confirm every record in Redshift within "
            + settings.timeout()
            + ": still pending "
            + pending
            + ". Look for loader or connector errors above.");
    return false;
  }

  private List<Summary.Produced> streams(Map<String, Long> produced) {
    List<Summary.Produced> out = new ArrayList<>();
    for (Scenario s : scenarios) {
      String details = "";
      if (s == customers) {
        details =
            customers.operations().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", "))
                + "; source rows now "
                + customers.finalState().size();
      }
      out.add(
          new Summary.Produced(
              s.name(),
              s.topic(),
              formats.getOrDefault(s.topic(), "?"),
              s.mode(),
              s.table(),
              produced.getOrDefault(s.topic(), 0L),
              details));
    }
    return out;
  }

  /** Prints where the running sandbox can be reached. */
  void printEndpoints() {
    out.println("The sandbox keeps running; press Enter (or Ctrl-C) to stop it:");
    out.printf(
        "  Kafka bootstrap %s | Connect REST %s | S3 %s (keys %s / %s)%n",
        sandbox.connect.bootstrapServers(),
        sandbox.connect.restUrl(),
        sandbox.s3.endpoint(),
        sandbox.s3.accessKey(),
        sandbox.s3.secretKey());
    out.printf("  psql \"%s\"%n", sandbox.psqlUrl());
  }

  List<Scenario> scenarios() {
    return scenarios;
  }

  SandboxStack sandbox() {
    return sandbox;
  }

  @Override
  public void close() {
    if (progress != null) {
      progress.shutdownNow();
    }
    if (warehouse != null) {
      warehouse.close();
    }
    if (kafkaProducer != null) {
      kafkaProducer.close(Duration.ofSeconds(5));
    }
    if (loader != null) {
      try {
        loader.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (sandbox != null) {
      sandbox.close();
    }
    deleteWorkDir();
  }

  /**
   * The unpacked plugin and config copies; the sandbox's own data lived in memory or was removed on
   * close.
   */
  private void deleteWorkDir() {
    try (Stream<Path> paths = Files.walk(workDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warn("Cannot delete the work directory {}: {}", workDir, e.getMessage());
    }
  }
}
