package io.redstage.sandbox.redshift;

import io.redstage.sandbox.redshift.api.DataApiOperations;
import io.redstage.sandbox.redshift.api.DataApiServer;
import io.redstage.sandbox.redshift.copy.CopyEngine;
import io.redstage.sandbox.redshift.exec.StatementExecutor;
import io.redstage.sandbox.redshift.exec.StatementRecord;
import io.redstage.sandbox.redshift.exec.StatementRegistry;
import io.redstage.sandbox.redshift.fault.FaultInjector;
import io.redstage.sandbox.redshift.pg.ConnectionPool;
import io.redstage.sandbox.redshift.pg.PostgresServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Amazon Redshift for tests and the quickstart: a Redshift Data API endpoint (what the AWS
 * SDK's {@code RedshiftDataClient} talks to through {@code endpointOverride}) executing Redshift
 * SQL on a real embedded PostgreSQL, with COPY from S3 (Parquet, Avro, JSON) read from an
 * S3-compatible endpoint.
 *
 * <pre>{@code
 * try (LocalRedshift redshift = LocalRedshift.start(new LocalRedshift.Options()
 *         .s3Endpoint(URI.create("http://127.0.0.1:9000")).s3AccessKey("id").s3SecretKey("secret"))) {
 *   RedshiftDataClient client = RedshiftDataClient.builder().endpointOverride(redshift.endpoint())
 *       .region(Region.US_EAST_1).credentialsProvider(AnonymousCredentialsProvider.create()).build();
 *   ...
 * }
 * }</pre>
 */
public final class LocalRedshift implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalRedshift.class);

  /** Settings; every one has a usable default. Fluent setters return {@code this}. */
  public static final class Options {
    private int port = 0;
    private String host = "127.0.0.1";
    private String database = "dev";
    private URI s3Endpoint;
    private String s3AccessKey;
    private String s3SecretKey;
    private String s3Region = "us-east-1";
    private Path dataDir;
    private int postgresPort = 0;
    private int maxActiveStatements = 200;
    private int workerThreads = 4;
    private Duration pickDelay = Duration.ZERO;
    private int resultPageSize = 1000;

    /** Data API port; 0 (default) picks a free one. */
    public Options port(int port) {
      this.port = port;
      return this;
    }

    /** Address the Data API listens on; default 127.0.0.1 ({@code 0.0.0.0} for all interfaces). */
    public Options host(String host) {
      this.host = host;
      return this;
    }

    /** The database name clients pass in {@code Database}; default {@code dev}. */
    public Options database(String database) {
      this.database = database;
      return this;
    }

    /** The S3-compatible endpoint COPY reads from (path-style), e.g. an S3Proxy. */
    public Options s3Endpoint(URI s3Endpoint) {
      this.s3Endpoint = s3Endpoint;
      return this;
    }

    public Options s3AccessKey(String s3AccessKey) {
      this.s3AccessKey = s3AccessKey;
      return this;
    }

    public Options s3SecretKey(String s3SecretKey) {
      this.s3SecretKey = s3SecretKey;
      return this;
    }

    public Options s3Region(String s3Region) {
      this.s3Region = s3Region;
      return this;
    }

    /**
     * PostgreSQL data directory to use and keep; null (default) = a fresh temporary cluster deleted
     * on close.
     */
    public Options dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** PostgreSQL port; 0 (default) picks a free one. */
    public Options postgresPort(int postgresPort) {
      this.postgresPort = postgresPort;
      return this;
    }

    /**
     * Statements SUBMITTED/PICKED/STARTED at once before ActiveStatementsExceededException; default
     * 200.
     */
    public Options maxActiveStatements(int maxActiveStatements) {
      this.maxActiveStatements = maxActiveStatements;
      return this;
    }

    /** Statements running in parallel (each on its own PostgreSQL session); default 4. */
    public Options workerThreads(int workerThreads) {
      this.workerThreads = workerThreads;
      return this;
    }

    /**
     * Time a statement spends in SUBMITTED and again in PICKED, so tests can observe them; default
     * 0.
     */
    public Options pickDelay(Duration pickDelay) {
      this.pickDelay = pickDelay;
      return this;
    }

    /** Rows per GetStatementResult page; default 1000. */
    public Options resultPageSize(int resultPageSize) {
      this.resultPageSize = resultPageSize;
      return this;
    }

    public int port() {
      return port;
    }

    public String host() {
      return host;
    }

    public String database() {
      return database;
    }

    public URI s3Endpoint() {
      return s3Endpoint;
    }

    public String s3AccessKey() {
      return s3AccessKey;
    }

    public String s3SecretKey() {
      return s3SecretKey;
    }

    public String s3Region() {
      return s3Region;
    }

    public Path dataDir() {
      return dataDir;
    }

    public int postgresPort() {
      return postgresPort;
    }

    public int maxActiveStatements() {
      return maxActiveStatements;
    }

    public int workerThreads() {
      return workerThreads;
    }

    public Duration pickDelay() {
      return pickDelay;
    }

    public int resultPageSize() {
      return resultPageSize;
    }

    void validate() {
      if (workerThreads < 1) {
        throw new IllegalArgumentException(
            "Cannot start LocalRedshift: workerThreads must be >= 1, got " + workerThreads);
      }
      if (maxActiveStatements < 1) {
        throw new IllegalArgumentException(
            "Cannot start LocalRedshift: maxActiveStatements must be >= 1, got "
                + maxActiveStatements);
      }
      if (resultPageSize < 1) {
        throw new IllegalArgumentException(
            "Cannot start LocalRedshift: resultPageSize must be >= 1, got " + resultPageSize);
      }
      if (database == null || !database.matches("[a-z_][a-z0-9_$]*")) {
        throw new IllegalArgumentException(
            "Cannot start LocalRedshift: database '"
                + database
                + "' is not a valid Redshift database name (lowercase letters, digits, _ and $)");
      }
      if (pickDelay == null || pickDelay.isNegative()) {
        throw new IllegalArgumentException(
            "Cannot start LocalRedshift: pickDelay must be zero or positive");
      }
    }
  }

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final PostgresServer postgres;
  private final DataApiServer server;
  private final Faults faults;
  private final StatementRegistry registry;

  private LocalRedshift(Options options) {
    options.validate();
    try {
      postgres =
          register(PostgresServer.start(options.dataDir, options.database, options.postgresPort));
      ConnectionPool pool = register(new ConnectionPool(postgres, options.workerThreads));
      registry = new StatementRegistry();
      FaultInjector injector = new FaultInjector();
      faults = new Faults(injector);
      CopyEngine copy =
          register(
              new CopyEngine(
                  options.s3Endpoint,
                  options.s3AccessKey,
                  options.s3SecretKey,
                  options.s3Region,
                  postgres));
      StatementExecutor executor =
          register(
              new StatementExecutor(
                  pool,
                  registry,
                  copy,
                  injector,
                  options.database,
                  options.workerThreads,
                  options.maxActiveStatements,
                  options.pickDelay));
      DataApiOperations operations =
          new DataApiOperations(registry, executor, options.resultPageSize, injector);
      server = register(new DataApiServer(options.host, options.port, operations, injector));
    } catch (RuntimeException e) {
      closeResources();
      throw e;
    }
    LOG.info(
        "Local Redshift Data API at {} (PostgreSQL {})", server.endpoint(), postgres.jdbcUrl());
  }

  /**
   * Starts PostgreSQL and the Data API endpoint. Close it to stop both (and delete a temporary
   * cluster).
   */
  public static LocalRedshift start(Options options) {
    return new LocalRedshift(options == null ? new Options() : options);
  }

  /** For {@code RedshiftDataClient.builder().endpointOverride(...)}. */
  public URI endpoint() {
    return server.endpoint();
  }

  /** Direct PostgreSQL access to the same database (tests, quickstart summaries). */
  public String jdbcUrl() {
    return postgres.jdbcUrl();
  }

  public String jdbcUser() {
    return PostgresServer.USER;
  }

  public String jdbcPassword() {
    return PostgresServer.PASSWORD;
  }

  /** Fault injection for reliability tests. */
  public Faults faults() {
    return faults;
  }

  /**
   * The statements submitted so far (kept 24 h, as the Data API keeps them), newest first: what a
   * test awaits when it must act while one client's statement runs in the warehouse.
   */
  public List<StatementRecord> statements() {
    return registry.newestFirst();
  }

  private <T extends AutoCloseable> T register(T resource) {
    resources.push(resource);
    return resource;
  }

  @Override
  public void close() {
    closeResources();
    LOG.info("Local Redshift stopped");
  }

  private void closeResources() {
    while (!resources.isEmpty()) {
      AutoCloseable r = resources.pop();
      try {
        r.close();
      } catch (Exception e) {
        LOG.warn("Cannot close {} cleanly: {}", r.getClass().getSimpleName(), e.getMessage());
      }
    }
  }
}
