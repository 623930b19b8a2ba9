package io.redstage.loader.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.loader.aws.AwsClients;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import io.redstage.loader.redshift.DataApi;
import io.redstage.sandbox.redshift.LocalRedshift;
import io.redstage.sandbox.s3.LocalS3;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * The loader's test world: the S3 stand-in, the Redshift stand-in reading from it, config and JDBC
 * helpers.
 */
public final class LoaderStack implements AutoCloseable {
  public static final String BUCKET = "staging";
  public static final String MARKERS = "_redstage/markers";
  private static final ObjectMapper JSON = new ObjectMapper();

  public final LocalS3 s3;
  public final LocalRedshift redshift;
  public final TestFiles files;

  private LoaderStack(LocalS3 s3, LocalRedshift redshift) {
    this.s3 = s3;
    this.redshift = redshift;
    this.files = new TestFiles(s3.client(), BUCKET, MARKERS);
  }

  public static LoaderStack start() {
    return start(o -> o);
  }

  /** Starts the stack with the Redshift stand-in's options adjusted, e.g. its statement slots. */
  public static LoaderStack start(UnaryOperator<LocalRedshift.Options> redshiftOptions) {
    LocalS3 s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
    try {
      LocalRedshift rs =
          LocalRedshift.start(
              redshiftOptions.apply(
                  new LocalRedshift.Options()
                      .s3Endpoint(s3.endpoint())
                      .s3AccessKey(s3.accessKey())
                      .s3SecretKey(s3.secretKey())
                      .s3Region(s3.region())));
      return new LoaderStack(s3, rs);
    } catch (RuntimeException e) {
      s3.close();
      throw e;
    }
  }

  /** Config for a loader against this stack; fast polls and retries so tests stay quick. */
  public Map<String, String> config() {
    Map<String, String> c = new HashMap<>();
    c.put("aws.region", s3.region());
    c.put("aws.access.key.id", s3.accessKey());
    c.put("aws.secret.access.key", s3.secretKey());
    c.put("s3.bucket.name", BUCKET);
    c.put("store.url", s3.endpoint().toString());
    c.put("s3.path.style.access.enabled", "true");
    c.put("markers.dir", MARKERS);
    c.put("redshift.endpoint", redshift.endpoint().toString());
    c.put("redshift.cluster-identifier", "local-cluster");
    c.put("redshift.db-user", "loader");
    c.put("redshift.database", "dev");
    c.put("redshift.poll.initial", "5ms");
    c.put("redshift.poll.max", "50ms");
    c.put("redshift.retry.base-delay", "5ms");
    c.put("copy.iam-role", "arn:aws:iam::123456789012:role/redshift-copy");
    c.put("load.retry.backoff", "0ms");
    c.put("load.retry.backoff-max", "0ms");
    return c;
  }

  /**
   * {@link #config()} loading only {@code topics}: the stack is shared, so each test loads only its
   * own topics.
   */
  public Map<String, String> config(String topics) {
    Map<String, String> c = config();
    c.put("topics", topics);
    return c;
  }

  public Loader loader(Map<String, String> config) {
    return new Loader(LoaderConfig.of(config));
  }

  /**
   * A loader that reads time from {@code clock} (a later process, a moved clock); its polls sleep
   * for real.
   */
  public Loader loader(Map<String, String> config, Clock clock) {
    LoaderConfig c = LoaderConfig.of(config);
    return new Loader(c, new AwsClients(c), clock, DataApi.Sleeper.THREAD);
  }

  public Loader loader(
      Map<String, String> config, io.redstage.loader.redshift.DataApi.Sleeper sleeper) {
    LoaderConfig c = LoaderConfig.of(config);
    return new Loader(c, new AwsClients(c), Clock.systemUTC(), sleeper);
  }

  public Connection jdbc() throws SQLException {
    return DriverManager.getConnection(
        redshift.jdbcUrl(), redshift.jdbcUser(), redshift.jdbcPassword());
  }

  /** All rows of a query, as lists of JDBC objects. */
  public List<List<Object>> query(String sql) throws SQLException {
    try (Connection c = jdbc();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<List<Object>> out = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getObject(i));
        }
        out.add(row);
      }
      return out;
    }
  }

  public long count(String sql) throws SQLException {
    return ((Number) query(sql).get(0).get(0)).longValue();
  }

  /** The id of the batch that loaded {@code topic}'s unit, from the load-marker table. */
  public String batchOf(String topic) throws SQLException {
    return ((String)
            query(
                    "SELECT batch_id FROM public._redstage_load_markers WHERE topic = '"
                        + topic
                        + "'")
                .get(0)
                .get(0))
        .trim();
  }

  /** The JSON object at {@code key} in the bucket: a rejects object, an intent, a report. */
  public JsonNode object(String key) throws IOException {
    return JSON.readTree(
        s3.client().getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray());
  }

  /** 'run' on a thread of its own, started: stop it with {@link Loader#stop()}, then join it. */
  public static Thread runLoopAsync(Loader loader) {
    Thread t =
        new Thread(
            () -> {
              try {
                loader.runLoop();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    t.start();
    return t;
  }

  /** One cycle on another thread, so the test can watch it run. */
  public static CompletableFuture<CycleReport> runOnceAsync(Loader loader) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return loader.runOnce();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @Override
  public void close() {
    try {
      redshift.close();
    } finally {
      s3.close();
    }
  }

  /** One run of the loader's command line with {@code config} as -D options. */
  public static Cli cli(Map<String, String> config, String... command) {
    List<String> args = new ArrayList<>(List.of(command));
    config.forEach((k, v) -> args.add("-D" + k + "=" + v));
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int code =
        io.redstage.loader.cli.LoaderCli.execute(
            args.toArray(String[]::new),
            new java.io.PrintWriter(out),
            new java.io.PrintWriter(err),
            Map.of());
    return new Cli(code, out.toString(), err.toString());
  }

  /** What a command-line run returned and printed. */
  public record Cli(int code, String out, String err) {}
}
