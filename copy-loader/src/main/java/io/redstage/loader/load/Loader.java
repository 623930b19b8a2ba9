package io.redstage.loader.load;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.loader.aws.AwsClients;
import io.redstage.loader.batch.BatchPlanner;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.discovery.MarkerRetention;
import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.manifest.ManifestStore;
import io.redstage.loader.metrics.LoaderMetrics;
import io.redstage.loader.redshift.Backoff;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiTarget;
import io.redstage.loader.sql.ControlTables;
import io.redstage.loader.sql.CopySql;
import io.redstage.loader.sql.LoadSqlBuilder;
import io.redstage.loader.sql.SchemaEvolution;
import io.redstage.loader.sql.TableMapper;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TypeMapping;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader as a library: build it from a {@link LoaderConfig}, then {@link #runOnce()}, {@link #runLoop()},
 * {@link #dryRun}, {@link #status} or {@link #release}. Thread-safe for one loop plus {@link #stop()} from another thread.
 */
public final class Loader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Loader.class);

  private final LoaderConfig config;
  private final AwsClients clients;
  private final DataApi api;
  private final ControlTables control;
  private final LoadCycle cycle;
  private final Quarantine quarantine;
  private final ControlReader reader;
  private final CyclePlanner planner;
  private final MarkerScanner scanner;
  private final LoaderMetrics metrics = new LoaderMetrics();
  private final Clock clock;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean controlTablesReady;

  public Loader(LoaderConfig config) {
    this(config, new AwsClients(config), Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
  }

  /** For tests: inject clients, clock and the poll sleeper. */
  public Loader(LoaderConfig c, AwsClients clients, Clock clock, DataApi.Sleeper sleeper) {
    this.config = c;
    this.clients = clients;
    this.clock = clock;
    DataApiTarget target = new DataApiTarget(c.string(REDSHIFT_CLUSTER), c.string(REDSHIFT_WORKGROUP), c.string(REDSHIFT_DATABASE),
        c.string(REDSHIFT_DB_USER), c.string(REDSHIFT_SECRET_ARN));
    this.api = new DataApi(clients.redshiftData(), target, c.integer(REDSHIFT_MAX_IN_FLIGHT),
        new Backoff(c.duration(REDSHIFT_POLL_INITIAL), c.duration(REDSHIFT_POLL_MAX)), c.duration(REDSHIFT_STATEMENT_TIMEOUT), sleeper);
    this.control = new ControlTables(TableRef.of(c.string(CONTROL_SCHEMA), c.string(CONTROL_MARKERS_TABLE)),
        TableRef.of(c.string(CONTROL_SCHEMA), c.string(CONTROL_QUARANTINE_TABLE)));
    String bucket = c.string(S3_BUCKET);
    TypeMapping types = new TypeMapping(c.integer(TABLES_VARCHAR_LENGTH));
    this.scanner = new MarkerScanner(clients.s3(), bucket, c.string(MARKERS_DIR), c.list(TOPICS), Pattern.compile(c.string(TOPICS_REGEX)));
    TableMapper mapper = new TableMapper(c.string(TARGET_SCHEMA), c.list(TABLES_MAP), c.string(TABLES_REGEX), c.string(TABLES_REPLACEMENT));
    TableSettingsResolver settings = new TableSettingsResolver(c);
    FailureTracker failures = new FailureTracker(new Backoff(c.duration(RETRY_BACKOFF), c.duration(RETRY_BACKOFF_MAX)),
        c.integer(RETRY_MAX_ATTEMPTS));
    this.planner = new CyclePlanner(mapper, settings,
        new BatchPlanner(c.size(BATCH_MAX_BYTES), c.integer(BATCH_MAX_FILES), c.integer(BATCH_MAX_SCHEMAS), c.integer(BATCH_MAX_UNITS), UUID::randomUUID), failures);
    this.reader = new ControlReader(api, control);
    ManifestStore manifests = new ManifestStore(clients.s3(), bucket, c.string(MANIFESTS_DIR));
    BatchExecutor executor = new BatchExecutor(api, manifests, new LoadSqlBuilder(control, new CopySql(c.string(COPY_IAM_ROLE)), types),
        new LoadErrorReader(api), c.bool(MANIFESTS_DELETE_AFTER_LOAD), clock);
    this.quarantine = new Quarantine(api, control, clients.s3(), bucket, c.string(QUARANTINE_DIR));
    MarkerRetention retention = new MarkerRetention(clients.s3(), bucket, c.string(MARKERS_DIR), c.string(MARKERS_LOADED_DIR),
        c.duration(MARKERS_RETENTION), MarkerRetention.Action.valueOf(c.string(MARKERS_LOADED_ACTION).toUpperCase(Locale.ROOT)));
    this.cycle = new LoadCycle(new LoadCycle.Parts(scanner, reader, planner,
        new SchemaEvolution(types, c.bool(TABLES_AUTO_CREATE), c.bool(TABLES_AUTO_EVOLVE)), settings, executor, quarantine, failures,
        retention, metrics, clients.counter(), clock, c.integer(REDSHIFT_MAX_IN_FLIGHT)));
    metrics.apiCalls(clients.counter()::snapshot);
    LOG.info("Loader configured: bucket {}, markers {}, Redshift {}", bucket, c.string(MARKERS_DIR), target.mode());
  }

  public LoaderMetrics metrics() {
    return metrics;
  }

  public AwsClients clients() {
    return clients;
  }

  public DataApi dataApi() {
    return api;
  }

  /** Creates the load-marker and quarantine tables if missing. Called by the cycle methods; idempotent. */
  public void ensureControlTables() throws InterruptedException {
    if (!controlTablesReady) {
      for (String sql : control.createStatements()) {
        api.execute(sql, "redstage-control-ddl");
      }
      controlTablesReady = true;
    }
  }

  /** One cycle. */
  public CycleReport runOnce() throws InterruptedException {
    ensureControlTables();
    return cycle.run(stopping::get);
  }

  /**
   * Cycles until {@link #stop()}: a stop lets the running batch finish, then returns. A failing cycle (for
   * example the Data API unreachable) is logged and retried after the interval.
   */
  public void runLoop() throws InterruptedException {
    Duration interval = config.duration(LOOP_INTERVAL);
    try {
      while (!stopping.get()) {
        try {
          runOnce();
        } catch (RuntimeException e) {
          LOG.error("Cycle failed, retrying in {}: {}", interval, e.getMessage(), e);
        }
        long waitUntil = System.nanoTime() + interval.toNanos();
        while (!stopping.get() && System.nanoTime() < waitUntil) {
          synchronized (stopping) {
            stopping.wait(Math.max(1, Math.min(500, (waitUntil - System.nanoTime()) / 1_000_000)));
          }
        }
      }
    } finally {
      stopped.countDown();
    }
  }

  /** Asks a running loop to stop after the current batch. */
  public void stop() {
    stopping.set(true);
    synchronized (stopping) {
      stopping.notifyAll();
    }
  }

  /** Waits for {@link #runLoop()} to return after {@link #stop()}. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Prints the manifests and SQL of the next cycle; writes nothing to S3 or the warehouse (reads only). */
  public void dryRun(PrintStream out) throws InterruptedException {
    cycle.dryRun(out);
  }

  public void status(PrintStream out) throws InterruptedException {
    new StatusReport(scanner, reader, planner, clock).print(out);
  }

  /** Releases a quarantined batch, or all when {@code batchId} is null. */
  public void release(String batchId) throws InterruptedException {
    ensureControlTables();
    quarantine.release(batchId, clock.instant());
  }

  @Override
  public void close() {
    stop();
    cycle.close();
    clients.close();
  }
}
