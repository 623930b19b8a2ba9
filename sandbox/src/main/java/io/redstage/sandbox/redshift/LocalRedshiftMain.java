package io.redstage.sandbox.redshift;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs {@link LocalRedshift} as a standalone process (quickstart, pipeline tests of other tools):
 * prints the Data API endpoint and the JDBC URL, then serves until interrupted (Ctrl+C / SIGTERM).
 */
@Command(
    name = "local-redshift",
    mixinStandardHelpOptions = true,
    description =
        "A local Amazon Redshift Data API endpoint over an embedded PostgreSQL, with COPY from S3.")
public final class LocalRedshiftMain implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "0",
      description = "Data API port (0 = a free port). Default: ${DEFAULT-VALUE}")
  private int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on. Default: ${DEFAULT-VALUE}")
  private String host;

  @Option(
      names = "--postgres-port",
      defaultValue = "0",
      description = "PostgreSQL port (0 = a free port). Default: ${DEFAULT-VALUE}")
  private int postgresPort;

  @Option(
      names = "--data-dir",
      description =
          "PostgreSQL data directory, kept across runs. Default: a temporary cluster deleted on exit")
  private Path dataDir;

  @Option(
      names = "--database",
      defaultValue = "dev",
      description = "Database name clients use. Default: ${DEFAULT-VALUE}")
  private String database;

  @Option(
      names = "--s3-endpoint",
      description =
          "S3-compatible endpoint COPY reads from (path-style), e.g. http://127.0.0.1:9000")
  private URI s3Endpoint;

  @Option(names = "--s3-access-key", description = "Access key for the S3 endpoint")
  private String s3AccessKey;

  @Option(names = "--s3-secret-key", description = "Secret key for the S3 endpoint")
  private String s3SecretKey;

  @Option(
      names = "--s3-region",
      defaultValue = "us-east-1",
      description = "Region for S3 request signing. Default: ${DEFAULT-VALUE}")
  private String s3Region;

  @Option(
      names = "--max-active-statements",
      defaultValue = "200",
      description = "Active statement quota. Default: ${DEFAULT-VALUE}")
  private int maxActiveStatements;

  @Option(
      names = "--workers",
      defaultValue = "4",
      description = "Statements run in parallel. Default: ${DEFAULT-VALUE}")
  private int workers;

  @Option(
      names = "--pick-delay-ms",
      defaultValue = "0",
      description =
          "Time spent in SUBMITTED and in PICKED per statement. Default: ${DEFAULT-VALUE}")
  private long pickDelayMs;

  private final CountDownLatch stop = new CountDownLatch(1);

  public static void main(String[] args) {
    System.exit(new CommandLine(new LocalRedshiftMain()).execute(args));
  }

  @Override
  public Integer call() {
    if ((s3AccessKey == null) != (s3SecretKey == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "Cannot start: give both --s3-access-key and --s3-secret-key, or neither (anonymous S3 access)");
    }
    LocalRedshift.Options options =
        new LocalRedshift.Options()
            .port(port)
            .host(host)
            .postgresPort(postgresPort)
            .dataDir(dataDir)
            .database(database)
            .s3Endpoint(s3Endpoint)
            .s3AccessKey(s3AccessKey)
            .s3SecretKey(s3SecretKey)
            .s3Region(s3Region)
            .maxActiveStatements(maxActiveStatements)
            .workerThreads(workers)
            .pickDelay(Duration.ofMillis(pickDelayMs));
    LocalRedshift redshift = LocalRedshift.start(options);
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              redshift.close();
            },
            "local-redshift-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    PrintWriter out = spec.commandLine().getOut();
    out.println("Local Redshift is running.");
    out.println("  Data API endpoint: " + redshift.endpoint());
    out.println("  Database:          " + database);
    out.println(
        "  JDBC URL:          " + redshift.jdbcUrl() + " (user " + redshift.jdbcUser() + ")");
    out.println(
        "  COPY reads S3 at:  "
            + (s3Endpoint == null
                ? "(none: COPY fails until --s3-endpoint is given)"
                : s3Endpoint));
    out.println(
        "Use it with: RedshiftDataClient.builder().endpointOverride(URI.create(\""
            + redshift.endpoint()
            + "\"))");
    out.println("Press Ctrl+C to stop.");
    out.flush();
    boolean interrupted = false;
    try {
      stop.await();
    } catch (InterruptedException e) {
      // stop serving; the flag is restored after closing, which waits for PostgreSQL to stop
      interrupted = true;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook closes it
      }
      redshift.close();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
