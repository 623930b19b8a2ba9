package io.redstage.examples.quickstart;

import io.redstage.sandbox.kafka.LocalKafkaConnect;
import io.redstage.sandbox.redshift.LocalRedshift;
import io.redstage.sandbox.s3.LocalS3;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The local stand-ins the quickstart runs on: S3 (S3Proxy), the Redshift Data API over PostgreSQL
 * reading COPY files from that S3, and a Kafka broker with a Connect worker that loads our plugin
 * from {@code plugin.path}.
 */
public final class SandboxStack implements AutoCloseable {
  public static final String BUCKET = "redstage-staging";

  public final LocalS3 s3;
  public final LocalRedshift redshift;
  public final LocalKafkaConnect connect;

  private SandboxStack(LocalS3 s3, LocalRedshift redshift, LocalKafkaConnect connect) {
    this.s3 = s3;
    this.redshift = redshift;
    this.connect = connect;
  }

  /** Starts the three stand-ins; on failure stops whatever already started. */
  public static SandboxStack start(Path pluginPath, int postgresPort, String... extraBuckets) {
    String[] buckets = new String[extraBuckets.length + 1];
    buckets[0] = BUCKET;
    System.arraycopy(extraBuckets, 0, buckets, 1, extraBuckets.length);
    LocalS3 s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(buckets));
    LocalRedshift redshift = null;
    try {
      redshift =
          LocalRedshift.start(
              new LocalRedshift.Options()
                  .s3Endpoint(s3.endpoint())
                  .s3AccessKey(s3.accessKey())
                  .s3SecretKey(s3.secretKey())
                  .s3Region(s3.region())
                  .postgresPort(postgresPort));
      LocalKafkaConnect connect = LocalKafkaConnect.start(pluginPath, 1, Map.of());
      return new SandboxStack(s3, redshift, connect);
    } catch (RuntimeException e) {
      if (redshift != null) {
        redshift.close();
      }
      s3.close();
      throw e;
    }
  }

  /** The connector keys that point a connector config at this sandbox's S3 stand-in. */
  public Map<String, String> connectorS3Keys() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("store.url", s3.endpoint().toString());
    k.put("aws.access.key.id", s3.accessKey());
    k.put("aws.secret.access.key", s3.secretKey());
    return k;
  }

  /**
   * The loader keys that point a loader config at this sandbox's S3 and Redshift Data API
   * stand-ins.
   */
  public Map<String, String> loaderEndpointKeys() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("aws.region", s3.region());
    k.put("aws.access.key.id", s3.accessKey());
    k.put("aws.secret.access.key", s3.secretKey());
    k.put("store.url", s3.endpoint().toString());
    k.put("s3.path.style.access.enabled", "true");
    k.put("redshift.endpoint", redshift.endpoint().toString());
    return k;
  }

  /** {@code postgresql://user:password@host:port/db} for psql, from the JDBC URL. */
  String psqlUrl() {
    return "postgresql://"
        + redshift.jdbcUser()
        + ":"
        + redshift.jdbcPassword()
        + "@"
        + redshift.jdbcUrl().substring("jdbc:postgresql://".length());
  }

  @Override
  public void close() {
    try {
      connect.close();
    } finally {
      try {
        redshift.close();
      } finally {
        s3.close();
      }
    }
  }
}
