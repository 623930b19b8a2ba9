package io.redstage.loader.load;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.loader.aws.AwsClients;
import io.redstage.loader.batch.BatchPlanner;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.discovery.MarkerRetention;
import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.manifest.ManifestStore;
import io.redstage.loader.metrics.LoaderMetrics;
import io.redstage.loader.redshift.Backoff;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.sql.ControlTables;
import io.redstage.loader.sql.CopySql;
import io.redstage.loader.sql.ExistingSchemas;
import io.redstage.loader.sql.LoadSqlBuilder;
import io.redstage.loader.sql.SchemaEvolution;
import io.redstage.loader.sql.TableMapper;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TypeMapping;
import io.redstage.loader.sweep.OrphanSweeper;
import io.redstage.loader.sweep.SweepReport;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader as a library: build it from a {@link LoaderConfig}, then {@link #runOnce()}, {@link
 * #runLoop()}, {@link #dryRun}, {@link #status} or {@link #release}. Thread-safe for one loop plus
 * {@link #stop()} from another thread.
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
  private final TableClaims claims;
  private final CyclePlanner planner;
  private final MarkerScanner scanner;
  private final TableSettingsResolver settings;
  private final FailureTracker failures;
  private final FailureLog failureLog;
  private final SchemaEvolution evolution;
  private final Preflight preflight;
  private final RejectsRecovery rejectsRecovery;
  private final OrphanSweeper sweeper;
  private final LoaderMetrics metrics;
  private final Clock clock;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean controlTablesReady;
  private volatile boolean checked;

  public Loader(LoaderConfig config) {
    this(config, new AwsClients(config), Clock.systemUTC(), DataApi.Sleeper.THREAD);
  }

  /** For tests: inject clients, clock and the poll sleeper. */
  public Loader(LoaderConfig c, AwsClients clients, Clock clock, DataApi.Sleeper sleeper) {
    this.config = c;
    this.clients = clients;
    this.clock = clock;
    this.metrics = new LoaderMetrics(clock);
    this.api = DataApi.of(c, clients.redshiftData(), sleeper);
    this.control =
        new ControlTables(
            TableRef.of(c.string(CONTROL_SCHEMA), c.string(CONTROL_MARKERS_TABLE)),
            TableRef.of(c.string(CONTROL_SCHEMA), c.string(CONTROL_QUARANTINE_TABLE)),
            TableRef.of(c.string(CONTROL_SCHEMA), c.string(CONTROL_FAILURES_TABLE)));
    String bucket = c.string(S3_BUCKET);
    TypeMapping types = new TypeMapping(c.integer(TABLES_VARCHAR_LENGTH));
    this.scanner =
        new MarkerScanner(
            clients.s3(),
            bucket,
            c.string(MARKERS_DIR),
            c.list(TOPICS),
            Pattern.compile(c.string(TOPICS_REGEX)));
    TableMapper mapper =
        new TableMapper(
            c.string(TARGET_SCHEMA),
            c.list(TABLES_MAP),
            c.string(TABLES_REGEX),
            c.string(TABLES_REPLACEMENT));
    this.settings = new TableSettingsResolver(c);
    this.failures =
        new FailureTracker(
            new Backoff(c.duration(RETRY_BACKOFF), c.duration(RETRY_BACKOFF_MAX)),
            c.integer(RETRY_MAX_ATTEMPTS),
            c.integer(RETRY_MAX_DEFERRALS));
    BatchPlanner batches =
        new BatchPlanner(
            c.size(BATCH_MAX_BYTES),
            c.integer(BATCH_MAX_FILES),
            c.integer(BATCH_MAX_SCHEMAS),
            c.integer(BATCH_MAX_UNITS),
            c.integer(JSON_MAX_ERRORS) > 0,
            UUID::randomUUID);
    this.planner = new CyclePlanner(mapper, settings, batches, failures);
    this.reader = new ControlReader(api, control);
    this.claims = new TableClaims(api, control, c.duration(CLAIM_LEASE), clock);
    this.failureLog = new FailureLog(api, control);
    ManifestStore manifests = new ManifestStore(clients.s3(), bucket, c.string(MANIFESTS_DIR));
    LoadErrorReader loadErrors = new LoadErrorReader(api, clock);
    BatchExecutor executor =
        new BatchExecutor(
            api,
            manifests,
            new LoadSqlBuilder(
                control,
                new CopySql(c.string(COPY_IAM_ROLE), c.integer(JSON_MAX_ERRORS)),
                types,
                c.integer(JSON_MAX_ERRORS) > 0,
                c.duration(UPSERT_TOMBSTONE_RETENTION)),
            loadErrors,
            c.bool(MANIFESTS_DELETE_AFTER_LOAD),
            clock);
    this.quarantine = new Quarantine(api, control, clients.s3(), bucket, c.string(QUARANTINE_DIR));
    MarkerRetention retention =
        new MarkerRetention(
            clients.s3(),
            bucket,
            c.string(MARKERS_DIR),
            c.string(MARKERS_LOADED_DIR),
            c.duration(MARKERS_RETENTION),
            MarkerRetention.Action.valueOf(
                c.string(MARKERS_LOADED_ACTION).toUpperCase(Locale.ROOT)));
    this.evolution =
        new SchemaEvolution(
            types,
            c.bool(TABLES_AUTO_CREATE),
            c.bool(TABLES_AUTO_EVOLVE),
            c.integer(JSON_MAX_ERRORS) > 0,
            new ExistingSchemas());
    Rejects rejects =
        new Rejects(
            clients.s3(),
            bucket,
            c.string(REJECTS_DIR),
            loadErrors,
            metrics,
            c.integer(JSON_MAX_ERRORS),
            new RepeatedRejects(api::query, control.markers()));
    this.rejectsRecovery = new RejectsRecovery(rejects, loadErrors, api, control, metrics, clock);
    this.cycle =
        new LoadCycle(
            new LoadCycle.Parts(
                scanner,
                reader,
                planner,
                batches,
                evolution,
                settings,
                executor,
                quarantine,
                failures,
                failureLog,
                rejects,
                new CopyRowCounts(metrics),
                retention,
                metrics,
                clients.counter(),
                clock,
                c.integer(REDSHIFT_MAX_IN_FLIGHT),
                claims,
                c.duration(LOOP_INTERVAL)));
    this.preflight = new Preflight(c, clients.s3(), scanner, settings);
    this.sweeper =
        new OrphanSweeper(
            clients.s3(),
            api,
            control.markers(),
            new OrphanSweeper.Settings(
                bucket,
                c.string(TOPICS_DIR),
                c.string(MARKERS_DIR),
                c.string(MARKERS_LOADED_DIR),
                c.string(SWEEP_MOVED_DIR),
                c.string(SWEEP_CURSOR_KEY),
                c.duration(SWEEP_GRACE),
                c.integer(SWEEP_MAX_REQUESTS),
                OrphanSweeper.Action.valueOf(c.string(SWEEP_ACTION).toUpperCase(Locale.ROOT)),
                c.list(TOPICS),
                Pattern.compile(c.string(TOPICS_REGEX))),
            clock);
    metrics.apiCalls(clients.counter()::snapshot);
    LOG.info(
        "Loader configured: bucket {}, markers {}, Redshift {}",
        bucket,
        c.string(MARKERS_DIR),
        api.target().mode());
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

  /**
   * Creates the control schema if missing and the load-marker, quarantine and failure tables if
   * missing. Called by the cycle methods; idempotent.
   */
  public void ensureControlTables() throws InterruptedException {
    if (!controlTablesReady) {
      ExistingSchemas existing = evolution.existingSchemas();
      reader.readSchemas(control.schemas(), existing);
      for (String sql : control.createStatements(existing)) {
        try {
          try {
            api.execute(sql, "redstage-control-ddl");
          } catch (StatementFailedException e) {
            // loaders starting together: one may lose the race on the catalog, and then the
            // schema or table exists; a real problem (no privilege) fails again
            api.execute(sql, "redstage-control-ddl");
          }
        } catch (StatementFailedException e) {
          String schema = config.string(CONTROL_SCHEMA);
          throw new ConfigException(
              ExistingSchemas.isCreate(sql)
                  ? "Cannot create the loader's control schema '"
                      + schema
                      + "' ("
                      + CONTROL_SCHEMA
                      + "): "
                      + e.error()
                      + ". "
                      + ExistingSchemas.whenMissing(schema)
                      + "."
                  : "Cannot create the loader's control tables in schema '"
                      + schema
                      + "' ("
                      + CONTROL_SCHEMA
                      + "): "
                      + e.error()
                      + ". Grant the loader's database user USAGE and CREATE on that schema, or"
                      + " set "
                      + CONTROL_SCHEMA
                      + " to a schema it may create tables in.",
              e);
        }
      }
      controlTablesReady = true;
    }
  }

  /**
   * Checks the configuration against the real bucket and markers once per loader: the S3 prefixes
   * it writes to ({@code manifests.dir}, {@code quarantine.dir}, {@code rejects.dir}) take a probe
   * object, and the metadata column names appear in the listed markers' column lists. The cycle
   * methods call it; idempotent.
   *
   * @throws ConfigException naming the key and what to do
   */
  public void preflight() {
    if (!checked) {
      preflight.check();
      checked = true;
    }
  }

  /** A sweep of the loop: one that fails is not a failed cycle, the loads went on. */
  private void sweepInLoop(Duration interval) throws InterruptedException {
    try {
      sweep(false);
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.error("Sweep failed, next in {}: {}", interval, e.getMessage(), e);
    }
  }

  /** One cycle, which loads all it plans ('once'). */
  public CycleReport runOnce() throws InterruptedException {
    return runCycle(null);
  }

  /** One cycle; {@code tableTurn} as in {@link LoadCycle#run}. */
  private CycleReport runCycle(Duration tableTurn) throws InterruptedException {
    preflight();
    ensureControlTables();
    // before planning: batches of an earlier process that committed without their rejects object
    // get it now
    try {
      rejectsRecovery.recover();
    } catch (RuntimeException e) {
      LOG.error(
          "Cannot settle the pending rejects intents this cycle; the next cycle tries again: {}",
          e.getMessage(),
          e);
    }
    return cycle.run(stopping::get, tableTurn);
  }

  /**
   * Cycles until {@link #stop()}: a stop lets the running batch finish, then returns. A cycle that
   * loaded nothing is followed by a pause of {@code loop.interval}; a failing cycle (for example
   * the Data API unreachable) is logged and retried after the interval.
   */
  public void runLoop() throws InterruptedException {
    Duration interval = config.duration(LOOP_INTERVAL);
    Duration sweepInterval = config.duration(SWEEP_INTERVAL);
    Instant nextSweep = clock.instant().plus(sweepInterval);
    try {
      // a configuration error stops the loop at start instead of failing every cycle
      preflight();
      // an outage fails every cycle alike: its stack trace is logged once, then a count
      String lastFailure = null;
      int sameFailures = 0;
      while (!stopping.get()) {
        boolean loadedSome = false;
        try {
          // a cycle that loaded something starts the next at once: units committed during it wait
          // for nothing more (loop.interval is the pause once a cycle finds nothing to load)
          CycleReport r = runCycle(config.duration(TABLE_TURN));
          loadedSome = r.batchesLoaded() > 0 || r.batchesLeftForNextCycle() > 0;
          lastFailure = null;
          // not after a stop: a sweep may take many requests, and the stop waits for it
          if (!stopping.get() && !sweepInterval.isZero() && !clock.instant().isBefore(nextSweep)) {
            nextSweep = clock.instant().plus(sweepInterval);
            sweepInLoop(sweepInterval);
          }
        } catch (ConfigException e) {
          throw e;
        } catch (RuntimeException e) {
          metrics.cycleFailed();
          if (String.valueOf(e.getMessage()).equals(lastFailure)) {
            sameFailures++;
            LOG.error(
                "Cycle failed again ({} in a row), retrying in {}: {}",
                sameFailures + 1,
                StatusReport.format(interval),
                e.getMessage());
          } else {
            lastFailure = String.valueOf(e.getMessage());
            sameFailures = 0;
            LOG.error(
                "Cycle failed, retrying in {}: {}",
                StatusReport.format(interval),
                e.getMessage(),
                e);
          }
        }
        long waitUntil = System.nanoTime() + (loadedSome ? 0 : interval.toNanos());
        while (!stopping.get() && System.nanoTime() < waitUntil) {
          synchronized (stopping) {
            stopping.wait(Math.max(1, Math.min(500, (waitUntil - System.nanoTime()) / 1_000_000)));
          }
        }
      }
    } finally {
      releaseClaims();
      stopped.countDown();
    }
  }

  /**
   * Gives this loader's table claims up, so that other loaders (or the next 'once' from cron) take
   * its tables without waiting for the lease.
   */
  private void releaseClaims() {
    try {
      claims.release();
    } catch (RuntimeException e) {
      LOG.warn("Cannot give up this loader's table claims ({}); they expire", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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

  /**
   * Prints the manifests and SQL of the next cycle; writes nothing to the warehouse and only the
   * preflight probes to S3.
   */
  public void dryRun(PrintStream out) throws InterruptedException {
    preflight();
    cycle.dryRun(out);
  }

  /**
   * Removes (or, in a dry run, lists) orphan data files under topics.dir: files of no known unit
   * whose offsets other units loaded, older than sweep.grace; at most sweep.max-requests S3
   * requests, resuming where the last run stopped.
   */
  public SweepReport sweep(boolean dryRun) throws InterruptedException {
    preflight();
    if (!reader.controlTablesExist()) {
      LOG.info(
          "Sweep skipped: the load-marker table does not exist yet, so no offsets are loaded and no file is an orphan");
      return new SweepReport(dryRun, List.of(), 0, 0, 0, 0, 0, 0, null, 0, true, "");
    }
    return sweeper.sweep(dryRun);
  }

  /**
   * What 'status' shows: the backlog per table, tables loading now, waiting for their settings or
   * stopped by their environment, unreadable markers, units failing alone and quarantined batches.
   * Reads, creates nothing.
   */
  public Status status() throws InterruptedException {
    preflight();
    return new StatusReport(scanner, reader, planner, failures, failureLog, settings, clock)
        .collect();
  }

  /**
   * What {@link #release} did: units released, and units refused with the reason (a schema the
   * table cannot take).
   *
   * @param refused units not released because the table would quarantine them again (--force
   *     releases them)
   * @param gone units whose marker is gone from the bucket: never released, skip records them
   * @param leftToOtherLoaders with every batch asked for: the quarantined units of topics outside
   *     this configuration (another loader's, sharing the control tables), left for that loader's
   *     release
   */
  public record ReleaseResult(
      List<String> released,
      Map<String, String> refused,
      Map<String, String> gone,
      int leftToOtherLoaders) {}

  /**
   * Releases a quarantined batch, or all of this configuration's topics when {@code batchId} is
   * null: units whose files the table cannot take (the check a cycle makes) are refused with the
   * reason unless {@code force}; released units load alone.
   */
  public ReleaseResult release(String batchId, boolean force) throws InterruptedException {
    ensureControlTables();
    return releaser().release(batchId, force, clock.instant());
  }

  private Releaser releaser() {
    return new Releaser(
        api, control, reader, scanner, planner, settings, new SchemaScreen(evolution), quarantine);
  }

  /**
   * What {@link #skip} did: the units given up, and the load-marker batch id under which each table
   * records them.
   */
  public record SkipResult(
      List<String> skipped, List<SkippedUnit> units, Map<String, String> recordedAs) {}

  /** A unit skip gives up (or would, with a dry run), and why it was quarantined. */
  public record SkippedUnit(
      String table,
      String topic,
      int partition,
      long start,
      long end,
      String markerKey,
      String reason) {}

  /**
   * Gives up the units of one quarantined batch: their offsets are recorded as handled (0 rows) so
   * the later units of their partitions load, and their records never do.
   */
  public SkipResult skip(String batchId) throws InterruptedException {
    return skip(List.of(batchId));
  }

  /**
   * As {@link #skip(String)}, for several batches at once: units quarantined in different batches
   * that overlap (a zombie task's and its replay's) can only be given up together.
   */
  public SkipResult skip(List<String> batchIds) throws InterruptedException {
    return skip(batchIds, false);
  }

  /**
   * As {@link #skip(List)}; with {@code dryRun}, lists the units and runs every check (unknown
   * batch, another table mapping, an overlapping unit not loaded) but records and releases nothing.
   */
  public SkipResult skip(List<String> batchIds, boolean dryRun) throws InterruptedException {
    ensureControlTables();
    Releaser.Skipped s = releaser().skip(batchIds, clock.instant(), dryRun);
    Map<String, String> recorded = new LinkedHashMap<>();
    s.recordedAs().forEach((t, id) -> recorded.put(t.name(), id));
    return new SkipResult(s.units(), s.listing(), recorded);
  }

  @Override
  public void close() {
    stop();
    releaseClaims();
    cycle.close();
    clients.close();
  }
}
