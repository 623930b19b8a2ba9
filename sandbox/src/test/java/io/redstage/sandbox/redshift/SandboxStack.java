package io.redstage.sandbox.redshift;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.GetStatementResultRequest;
import software.amazon.awssdk.services.redshiftdata.model.GetStatementResultResponse;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3Proxy (real S3 REST API with SigV4) and one LocalRedshift pointed at it, plus a real
 * RedshiftDataClient (no retries) and helpers to run SQL through the Data API and wait for the
 * outcome. Each test class starts one in {@code @BeforeAll}.
 */
final class SandboxStack implements AutoCloseable {
  static final String ACCESS_KEY = "sandbox-access";
  static final String SECRET_KEY = "sandbox-secret";
  static final String CLUSTER = "local-cluster";
  static final String DB_USER = "awsuser";
  static final String BUCKET = "redstage-test";
  static final String IAM_ROLE = "arn:aws:iam::123456789012:role/redshift-copy";

  final S3Proxy s3proxy;
  final S3Client s3;
  final LocalRedshift redshift;
  final RedshiftDataClient client;

  private SandboxStack(S3Proxy s3proxy, S3Client s3, LocalRedshift redshift) {
    this.s3proxy = s3proxy;
    this.s3 = s3;
    this.redshift = redshift;
    this.client = dataClient(false);
  }

  static SandboxStack start() {
    return start(o -> o);
  }

  static SandboxStack start(UnaryOperator<LocalRedshift.Options> customize) {
    try {
      S3Proxy proxy =
          S3Proxy.builder()
              .blobStore(BlobStores.create("transient", new Properties()))
              .endpoint(URI.create("http://127.0.0.1:0"))
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
              .build();
      proxy.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
      URI s3Endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
      S3Client s3 =
          S3Client.builder()
              .endpointOverride(s3Endpoint)
              .region(Region.US_EAST_1)
              .forcePathStyle(true)
              .credentialsProvider(
                  StaticCredentialsProvider.create(
                      AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
              .build();
      s3.createBucket(b -> b.bucket(BUCKET));
      LocalRedshift redshift =
          LocalRedshift.start(
              customize.apply(
                  new LocalRedshift.Options()
                      .s3Endpoint(s3Endpoint)
                      .s3AccessKey(ACCESS_KEY)
                      .s3SecretKey(SECRET_KEY)));
      return new SandboxStack(proxy, s3, redshift);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start the test stack: " + e.getMessage(), e);
    }
  }

  /**
   * A real Data API client against the sandbox; {@code retries} = the SDK's standard retry
   * strategy.
   */
  RedshiftDataClient dataClient(boolean retries) {
    return RedshiftDataClient.builder()
        .endpointOverride(redshift.endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")))
        .overrideConfiguration(
            o -> {
              if (retries) {
                o.retryStrategy(RetryMode.STANDARD);
              } else {
                o.retryStrategy(AwsRetryStrategy.doNotRetry());
              }
            })
        .build();
  }

  /** Submits one statement (cluster + DbUser auth) and returns its Id. */
  String submit(String sql) {
    return client
        .executeStatement(
            b -> b.clusterIdentifier(CLUSTER).database("dev").dbUser(DB_USER).sql(sql))
        .id();
  }

  String submitBatch(String... sqls) {
    return client
        .batchExecuteStatement(
            b -> b.clusterIdentifier(CLUSTER).database("dev").dbUser(DB_USER).sqls(sqls))
        .id();
  }

  DescribeStatementResponse awaitTerminal(String id) {
    DescribeStatementResponse[] last = new DescribeStatementResponse[1];
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              last[0] = client.describeStatement(b -> b.id(id));
              StatusString s = last[0].status();
              return s == StatusString.FINISHED
                  || s == StatusString.FAILED
                  || s == StatusString.ABORTED;
            });
    return last[0];
  }

  /** Runs SQL and returns its final description, whatever the outcome. */
  DescribeStatementResponse run(String sql) {
    return awaitTerminal(submit(sql));
  }

  DescribeStatementResponse runBatch(String... sqls) {
    return awaitTerminal(submitBatch(sqls));
  }

  /** Runs SQL that must succeed. */
  DescribeStatementResponse ok(String sql) {
    DescribeStatementResponse d = run(sql);
    if (d.status() != StatusString.FINISHED) {
      throw new AssertionError(
          "Expected FINISHED for [" + sql + "] but got " + d.status() + ": " + d.error());
    }
    return d;
  }

  DescribeStatementResponse okBatch(String... sqls) {
    DescribeStatementResponse d = runBatch(sqls);
    if (d.status() != StatusString.FINISHED) {
      throw new AssertionError(
          "Expected FINISHED for batch but got " + d.status() + ": " + d.error());
    }
    return d;
  }

  /** The error text of SQL that must fail. */
  String error(String sql) {
    DescribeStatementResponse d = run(sql);
    if (d.status() != StatusString.FAILED) {
      throw new AssertionError("Expected FAILED for [" + sql + "] but got " + d.status());
    }
    return d.error();
  }

  /** All rows of a query (following NextToken). */
  List<List<Field>> rows(String sql) {
    DescribeStatementResponse d = ok(sql);
    return rowsOf(d.id());
  }

  List<List<Field>> rowsOf(String id) {
    List<List<Field>> out = new ArrayList<>();
    for (GetStatementResultResponse page :
        client.getStatementResultPaginator(GetStatementResultRequest.builder().id(id).build())) {
      out.addAll(page.records());
    }
    return out;
  }

  /** The single value of a one-row, one-column query, as text (null for SQL NULL). */
  String scalar(String sql) {
    List<List<Field>> rows = rows(sql);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new AssertionError("Expected one value from [" + sql + "] but got " + rows);
    }
    return text(rows.get(0).get(0));
  }

  static String text(Field f) {
    if (Boolean.TRUE.equals(f.isNull())) {
      return null;
    }
    if (f.longValue() != null) {
      return f.longValue().toString();
    }
    if (f.doubleValue() != null) {
      return f.doubleValue().toString();
    }
    if (f.booleanValue() != null) {
      return f.booleanValue().toString();
    }
    return f.stringValue();
  }

  void put(String key, byte[] bytes) {
    s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes));
  }

  Connection jdbc() throws SQLException {
    return DriverManager.getConnection(
        redshift.jdbcUrl(), redshift.jdbcUser(), redshift.jdbcPassword());
  }

  @Override
  public void close() {
    client.close();
    redshift.close();
    s3.close();
    try {
      s3proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot stop S3Proxy: " + e.getMessage(), e);
    }
  }
}
