package io.redstage.sandbox.redshift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;

/**
 * The standalone entry point: options, printed endpoint and JDBC URL, a persistent data directory.
 */
class LocalRedshiftMainTest {

  @Test
  void runsStandaloneAndKeepsItsDataDirectoryAcrossRestarts() throws Exception {
    Path dataDir = Files.createTempDirectory("local-redshift-main");
    dataDir.toFile().setWritable(true, false);
    String first = runOnce(dataDir, "CREATE TABLE kept (a INT); INSERT INTO kept VALUES (41)");
    assertThat(first)
        .contains("Data API endpoint: http://127.0.0.1:")
        .contains("JDBC URL:          jdbc:postgresql://");
    runOnce(dataDir, "INSERT INTO kept VALUES (1)");
    String count = runOnce(dataDir, null);
    assertThat(count).as("the data directory survives restarts").isEqualTo("1,41");
  }

  @Test
  void copyWithoutAnS3EndpointFailsClearly() {
    try (LocalRedshift redshift = LocalRedshift.start(new LocalRedshift.Options());
        RedshiftDataClient client =
            RedshiftDataClient.builder()
                .endpointOverride(redshift.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
      String id =
          client
              .batchExecuteStatement(
                  b ->
                      b.clusterIdentifier("c")
                          .database("dev")
                          .dbUser("u")
                          .sqls(
                              "CREATE TEMP TABLE s (a INT)",
                              "COPY s FROM 's3://b/k.json' IAM_ROLE 'arn:aws:iam::1:role/r' JSON 'auto'"))
              .id();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.describeStatement(b -> b.id(id)).status() == StatusString.FAILED);
      assertThat(client.describeStatement(b -> b.id(id)).error())
          .isEqualTo(
              "ERROR: Cannot COPY from S3: the Redshift sandbox has no S3 endpoint configured. "
                  + "Start LocalRedshift with Options.s3Endpoint(...) (CLI: --s3-endpoint).");
    }
  }

  @Test
  void helpListsTheOptions() {
    StringWriter out = new StringWriter();
    int code =
        new CommandLine(new LocalRedshiftMain()).setOut(new PrintWriter(out)).execute("--help");
    assertThat(code).isZero();
    assertThat(out.toString())
        .contains(
            "--port",
            "--data-dir",
            "--s3-endpoint",
            "--s3-access-key",
            "--s3-secret-key",
            "--database");
  }

  @Test
  void halfGivenS3CredentialsAreRefused() {
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new LocalRedshiftMain())
            .setErr(new PrintWriter(err))
            .execute("--s3-access-key", "only");
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("give both --s3-access-key and --s3-secret-key");
  }

  /**
   * Starts the main in a thread, runs SQL through the Data API, checks the data over JDBC, stops
   * it.
   */
  private static String runOnce(Path dataDir, String sql) throws Exception {
    StringWriter out = new StringWriter();
    AtomicInteger exit = new AtomicInteger(-1);
    Thread main =
        new Thread(
            () ->
                exit.set(
                    new CommandLine(new LocalRedshiftMain())
                        .setOut(new PrintWriter(out, true))
                        .execute("--data-dir", dataDir.toString(), "--database", "pipeline")));
    main.start();
    Pattern endpoint = Pattern.compile("Data API endpoint: (\\S+)");
    Pattern jdbc = Pattern.compile("JDBC URL:\\s+(\\S+)");
    await().atMost(Duration.ofSeconds(60)).until(() -> endpoint.matcher(out.toString()).find());
    Matcher m = endpoint.matcher(out.toString());
    m.find();
    Matcher j = jdbc.matcher(out.toString());
    j.find();
    try (RedshiftDataClient client =
        RedshiftDataClient.builder()
            .endpointOverride(URI.create(m.group(1)))
            .region(Region.US_EAST_1)
            .credentialsProvider(AnonymousCredentialsProvider.create())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build()) {
      if (sql != null) {
        String id =
            client.executeStatement(b -> b.workgroupName("wg").database("pipeline").sql(sql)).id();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> client.describeStatement(b -> b.id(id)).status() == StatusString.FINISHED);
      }
    }
    String rows;
    try (Connection c = DriverManager.getConnection(j.group(1), "postgres", "postgres");
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT string_agg(a::text, ',' ORDER BY a) FROM kept")) {
      rs.next();
      rows = rs.getString(1);
    }
    main.interrupt();
    main.join(30_000);
    assertThat(exit.get()).isZero();
    return sql == null ? rows : out.toString();
  }
}
