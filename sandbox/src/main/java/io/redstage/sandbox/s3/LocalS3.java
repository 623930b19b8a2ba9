package io.redstage.sandbox.s3;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * An S3 stand-in in this JVM: S3Proxy serving the real S3 REST API with AWS signature checks (V2 or
 * V4) over an in-memory or directory-backed store, plus {@link #faults() fault injection} and
 * per-operation request counts.
 *
 * <pre>
 *   try (LocalS3 s3 = LocalS3.start(LocalS3.Options.inMemory().buckets("staging"))) {
 *     S3Client client = s3.client();   // path-style, signed with s3.accessKey()/s3.secretKey()
 *   }
 * </pre>
 */
public final class LocalS3 implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalS3.class);

  /**
   * The region clients sign for; S3Proxy accepts any, this one matches what the tests configure.
   */
  public static final String REGION = "us-east-1";

  private final Options options;
  private final BlobStore backend;
  private final FaultInjector faults;
  private final FaultInjectingBlobStore blobStore;
  private final S3Proxy proxy;
  private final URI endpoint;
  private final S3Client client;

  private LocalS3(Options options) throws Exception {
    this.options = options;
    Properties properties = new Properties();
    if (options.directory != null) {
      properties.setProperty(
          "jclouds.filesystem.basedir", options.directory.toAbsolutePath().toString());
    }
    this.backend =
        BlobStores.create(options.directory == null ? "transient" : "filesystem", properties);
    this.faults = new FaultInjector();
    this.blobStore = new FaultInjectingBlobStore(backend, faults);
    S3Proxy.Builder builder =
        S3Proxy.builder()
            .blobStore(blobStore)
            .awsAuthentication(
                AuthenticationType.AWS_V2_OR_V4, options.accessKey, options.secretKey);
    if (options.keyStore == null) {
      builder.endpoint(URI.create("http://127.0.0.1:" + options.port));
    } else {
      builder
          .secureEndpoint(URI.create("https://127.0.0.1:" + options.port))
          .keyStore(options.keyStore.toAbsolutePath().toString(), options.keyStorePassword);
    }
    this.proxy = builder.build();
    proxy.start(); // Jetty's start() returns once the connector is bound
    if (!"STARTED".equals(proxy.getState())) {
      throw new IllegalStateException(
          "Cannot start S3Proxy: its state is " + proxy.getState() + " after start().");
    }
    this.endpoint =
        options.keyStore == null
            ? URI.create("http://127.0.0.1:" + proxy.getPort())
            : URI.create("https://127.0.0.1:" + proxy.getSecurePort());
    for (String bucket : options.buckets) {
      if (!backend.containerExists(bucket)) {
        backend.createContainer(bucket);
      }
    }
    this.client = clientBuilder().build();
    LOG.info(
        "Local S3 (S3Proxy, {} store) listening on {}, buckets {}",
        options.directory == null ? "in-memory" : "filesystem " + options.directory,
        endpoint,
        options.buckets);
  }

  /** Starts a stand-in; close it to stop the server and release the store. */
  public static LocalS3 start(Options options) {
    Objects.requireNonNull(options, "options");
    try {
      return new LocalS3(options.copy());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot start the local S3 stand-in on port "
              + options.port
              + ": "
              + e.getMessage()
              + ". Use port 0 for a free port.",
          e);
    }
  }

  /**
   * {@code http://127.0.0.1:<port>}, or {@code https://} with {@link Options#tls}; use it with
   * path-style addressing.
   */
  public URI endpoint() {
    return endpoint;
  }

  public String accessKey() {
    return options.accessKey;
  }

  public String secretKey() {
    return options.secretKey;
  }

  public String region() {
    return REGION;
  }

  /**
   * A path-style client for tests and tools, with the SDK's default retries; closed by {@link
   * #close()}.
   */
  public S3Client client() {
    return client;
  }

  /**
   * A builder preset with endpoint, region, path-style and credentials, for a client with other
   * settings (retry strategy, interceptors). The caller closes what it builds.
   */
  public S3ClientBuilder clientBuilder() {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of(REGION))
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(options.accessKey, options.secretKey)));
  }

  public FaultInjector faults() {
    return faults;
  }

  /**
   * Client requests of this operation served so far, including those failed by fault injection (so
   * a retried request counts once per attempt). S3Proxy's internal calls are not counted.
   */
  public long requestCount(ObjectOperation operation) {
    return blobStore.requestCount(operation);
  }

  public void resetRequestCounts() {
    blobStore.resetRequestCounts();
  }

  @Override
  public void close() {
    client.close();
    try {
      proxy.stop();
    } catch (Exception e) {
      LOG.warn("Cannot stop S3Proxy on {} cleanly: {}", endpoint, e.toString());
    }
    backend.close();
  }

  /** How to start a {@link LocalS3}. Fluent and mutable; {@link LocalS3#start} takes a snapshot. */
  public static final class Options {
    private int port = 0;
    private String accessKey = "redstage";
    private String secretKey = "redstage-secret";
    private Path directory;
    private Path keyStore;
    private String keyStorePassword;
    private final List<String> buckets = new ArrayList<>();

    private Options() {}

    /** Objects live in memory (S3Proxy's "transient" store) and vanish on close. */
    public static Options inMemory() {
      return new Options();
    }

    /**
     * Objects are files under {@code directory} (S3Proxy's "filesystem" store) and outlive the
     * stand-in.
     */
    public static Options filesystem(Path directory) {
      Options o = new Options();
      o.directory = Objects.requireNonNull(directory, "directory");
      return o;
    }

    private Options copy() {
      Options o = new Options();
      o.port = port;
      o.accessKey = accessKey;
      o.secretKey = secretKey;
      o.directory = directory;
      o.keyStore = keyStore;
      o.keyStorePassword = keyStorePassword;
      o.buckets.addAll(buckets);
      return o;
    }

    /** 0 (the default) picks a free port. */
    public Options port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "Cannot listen on port " + port + ": use 0 (any free port) to 65535.");
      }
      this.port = port;
      return this;
    }

    /**
     * Serves HTTPS only, with the key and certificate in {@code keyStore} (its certificate must
     * name 127.0.0.1, and clients must trust it), instead of plain HTTP: for measuring the SDK's
     * HTTPS path, where it sends payloads unsigned.
     */
    public Options tls(Path keyStore, String password) {
      this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
      this.keyStorePassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /** Credentials the server accepts; default "redstage" / "redstage-secret". */
    public Options credentials(String accessKey, String secretKey) {
      this.accessKey = Objects.requireNonNull(accessKey, "accessKey");
      this.secretKey = Objects.requireNonNull(secretKey, "secretKey");
      return this;
    }

    /** Buckets to create at start (existing ones in a filesystem store are kept). */
    public Options buckets(String... names) {
      Collections.addAll(buckets, names);
      return this;
    }
  }
}
