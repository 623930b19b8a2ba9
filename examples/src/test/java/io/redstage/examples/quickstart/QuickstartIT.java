package io.redstage.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerCodec;
import io.redstage.examples.data.Customer;
import io.redstage.examples.data.CustomerCdc;
import io.redstage.examples.data.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The quickstart end to end, as {@code ./quickstart.sh --exit-when-done} runs it (same command
 * object, minus System.exit): the sandbox, the connector from its plugin ZIP, the loader, sample
 * data. Then, before the sandbox stops, the warehouse is queried independently of the quickstart's
 * own checks, and the Confluent S3 sink example config is run with only connector.class changed.
 */
class QuickstartIT {
  private static final String MIGRATION_BUCKET = "redstage-migration";

  /** What the test reads from the running sandbox, asserted after the command returns. */
  private static final class Observed {
    final Map<String, long[]> appendTables =
        new LinkedHashMap<>(); // table -> {rows, distinct offsets, produced}
    Map<Long, Customer> customersInWarehouse;
    Map<Long, Customer> customersAtSource;
    Map<String, Long> cdcOperations;
    List<CommitMarker> migrationMarkers = new ArrayList<>();
    long adEventsProduced;
    Throwable failure;
  }

  @Test
  void everyProducedRecordIsInRedshiftExactlyOnceAndTheSummaryShowsFreshness() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(new Tee(System.out, captured), true, StandardCharsets.UTF_8);
    Quickstart quickstart = new Quickstart(out);
    Observed seen = new Observed();
    quickstart.beforeStop =
        run -> {
          try {
            observe(run, seen);
          } catch (Throwable t) {
            seen.failure = t;
          }
        };

    List<String> args =
        new ArrayList<>(
            List.of(
                "--exit-when-done",
                "--records",
                "1500",
                "--rate",
                "300",
                "--timeout",
                "150s",
                "--progress-interval",
                "3s"));
    if (System.getProperty("redstage.plugin.zip")
        != null) { // set by the build; else the quickstart looks in connector/target
      args.addAll(List.of("--plugin", System.getProperty("redstage.plugin.zip")));
    }
    int exit = Quickstart.command(quickstart).execute(args.toArray(String[]::new));

    String output = captured.toString(StandardCharsets.UTF_8);
    assertThat(seen.failure).as("querying the running sandbox").isNull();
    assertThat(exit).as("exit code; output:%n%s", output).isZero();

    // append tables: one row per produced record, no (partition, offset) twice
    assertThat(seen.appendTables).containsOnlyKeys("public.ad_events", "public.page_views");
    seen.appendTables.forEach(
        (table, counts) -> {
          assertThat(counts[2]).as("records produced to %s", table).isPositive();
          assertThat(counts[0]).as("rows in %s", table).isEqualTo(counts[2]);
          assertThat(counts[1])
              .as("distinct (partition, offset) in %s", table)
              .isEqualTo(counts[2]);
        });

    // CDC table: the source's final state, after inserts, updates and deletes
    assertThat(seen.cdcOperations).containsKeys("r", "c", "u", "d", "tombstone");
    assertThat(seen.customersAtSource).isNotEmpty();
    assertThat(seen.customersInWarehouse.keySet()).isEqualTo(seen.customersAtSource.keySet());
    seen.customersAtSource.forEach(
        (id, expected) ->
            assertThat(ExactlyOnceCheck.same(expected, seen.customersInWarehouse.get(id)))
                .as(
                    "customer %d: expected %s, got %s",
                    id, expected, seen.customersInWarehouse.get(id))
                .isTrue());

    // the summary a person reads
    assertThat(output)
        .contains("every record loaded exactly once")
        .contains("COPYs in")
        .contains("psql \"postgresql://");
    assertThat(output)
        .containsPattern(
            "Freshness +produce -> queryable: p50 \\d+\\.\\d\\d s, p99 \\d+\\.\\d\\d s");

    // Confluent S3 sink config with only connector.class changed: its markers cover every ad event
    // once
    long covered =
        seen.migrationMarkers.stream().mapToLong(m -> m.endOffset() - m.startOffset() + 1).sum();
    assertThat(covered).isEqualTo(seen.adEventsProduced);
    assertThat(seen.migrationMarkers)
        .allSatisfy(
            m ->
                assertThat(m.files())
                    .allSatisfy(
                        f ->
                            assertThat(f.key())
                                .matches(
                                    "topics/ad-events/year=\\d{4}/month=\\d\\d/day=\\d\\d/hour=\\d\\d/ad-events\\+\\d+\\+\\d+\\+\\d+\\.snappy\\.parquet")));
  }

  private static void observe(QuickstartRun run, Observed seen) throws SQLException {
    SandboxStack sandbox = run.sandbox();
    try (Connection c =
        DriverManager.getConnection(
            sandbox.redshift.jdbcUrl(),
            sandbox.redshift.jdbcUser(),
            sandbox.redshift.jdbcPassword())) {
      for (Scenario s : run.scenarios()) {
        if (s instanceof CustomerCdc cdc) {
          seen.customersInWarehouse = ExactlyOnceCheck.readCustomers(c, cdc.table());
          seen.customersAtSource = new HashMap<>(cdc.finalState());
          seen.cdcOperations = new HashMap<>(cdc.operations());
        } else {
          long rows = count(c, "SELECT count(*) FROM " + s.table());
          long distinct =
              count(c, "SELECT count(DISTINCT (kafka_partition, kafka_offset)) FROM " + s.table());
          seen.appendTables.put(s.table(), new long[] {rows, distinct, s.expectedRows()});
        }
      }
    }
    seen.adEventsProduced = run.scenarios().get(0).expectedRows();
    runConfluentMigrationExample(run, seen);
  }

  private static void runConfluentMigrationExample(QuickstartRun run, Observed seen) {
    SandboxStack sandbox = run.sandbox();
    S3Client s3 = sandbox.s3.client();
    s3.createBucket(b -> b.bucket(MIGRATION_BUCKET));
    ExampleFiles.ConnectorRequest confluent =
        ExampleFiles.connector(
            "confluent-s3-sink.json",
            Map.of("STAGING_BUCKET", MIGRATION_BUCKET, "AWS_REGION", sandbox.s3.region()));
    assertThat(confluent.config())
        .containsEntry("connector.class", "io.confluent.connect.s3.S3SinkConnector");
    Map<String, String> config = new LinkedHashMap<>(confluent.config());
    config.put(
        "connector.class", "io.redstage.connector.RedstageS3SinkConnector"); // the one change
    // where the sandbox's S3 is and its keys: environment, not part of the migration
    config.put("store.url", sandbox.s3.endpoint().toString());
    config.put("aws.access.key.id", sandbox.s3.accessKey());
    config.put("aws.secret.access.key", sandbox.s3.secretKey());
    assertThat(sandbox.connect.createConnector(confluent.name(), config)).isEqualTo(201);
    sandbox.connect.awaitRunning(confluent.name(), 1, Duration.ofSeconds(60));
    // its schedule rotates every 60 s; our task-idle rotation (default 1 s) commits once the task
    // has caught up with the topic
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              List<CommitMarker> markers = new ArrayList<>();
              for (S3Object o :
                  s3.listObjectsV2Paginator(
                          b -> b.bucket(MIGRATION_BUCKET).prefix("_redstage/markers/"))
                      .contents()) {
                markers.add(
                    MarkerCodec.fromJson(
                        s3.getObjectAsBytes(b -> b.bucket(MIGRATION_BUCKET).key(o.key()))
                            .asByteArray(),
                        o.key()));
              }
              seen.migrationMarkers = markers;
              return markers.stream().mapToLong(CommitMarker::recordCount).sum()
                  >= seen.adEventsProduced;
            });
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Writes to the console and keeps a copy for assertions. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws java.io.IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }
}
