package io.redstage.connector.storage;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

/**
 * Immutable S3 settings of the connector, built from its config (keys named like Confluent's S3
 * sink, listed as the {@code *_CONFIG} constants). {@link Builder#build()} validates them and
 * throws a {@link ConfigException} naming the key and what to set. {@link #toString()} never shows
 * the secret key or the STS external id.
 */
public final class S3Settings {
  public static final String BUCKET_CONFIG = "s3.bucket.name";
  public static final String REGION_CONFIG = "s3.region";
  public static final String ENDPOINT_CONFIG = "store.url";
  public static final String PATH_STYLE_CONFIG = "s3.path.style.access.enabled";
  public static final String PART_SIZE_CONFIG = "s3.part.size";
  public static final String SSE_ALGORITHM_CONFIG = "s3.ssea.name";
  public static final String SSE_KMS_KEY_ID_CONFIG = "s3.sse.kms.key.id";
  public static final String CANNED_ACL_CONFIG = "s3.acl.canned";
  public static final String ACCESS_KEY_ID_CONFIG = "aws.access.key.id";
  public static final String SECRET_ACCESS_KEY_CONFIG = "aws.secret.access.key";
  public static final String STS_ROLE_ARN_CONFIG = "sts.role.arn";
  public static final String STS_SESSION_NAME_CONFIG = "sts.role.session.name";
  public static final String STS_EXTERNAL_ID_CONFIG = "sts.role.external.id";
  public static final String STS_REGION_CONFIG = "sts.region";
  public static final String MAX_RETRIES_CONFIG = "s3.part.retries";
  public static final String RETRY_BACKOFF_CONFIG = "s3.retry.backoff.ms";
  public static final String CREDENTIALS_PROVIDER_CONFIG = "s3.credentials.provider.class";
  public static final String CHECKSUM_CALCULATION_CONFIG = "s3.checksum.calculation";

  /**
   * Settings with this prefix (other than the class itself) configure a {@code Configurable}
   * provider.
   */
  public static final String CREDENTIALS_PROVIDER_PREFIX = "s3.credentials.provider.";

  public static final int MIN_PART_SIZE = 5 * 1024 * 1024;

  /** Parts are held in heap while they fill, so the ceiling is far below S3's 5 GiB part limit. */
  public static final int MAX_PART_SIZE = 1024 * 1024 * 1024;

  /**
   * Not a config key: the least time one S3 call gets, retries included. A call that sends a part
   * gets more when its attempts could need it (see {@link #SLOWEST_PART_BYTES_PER_SECOND}).
   */
  public static final Duration DEFAULT_API_CALL_TIMEOUT = Duration.ofMinutes(5);

  /**
   * The slowest upload, in bytes per second, the call timeout still lets every attempt of a full
   * part finish at: 2 MiB/s, a share of a 1 Gbit/s link among 60 connections. With the default 64
   * MiB parts five minutes cover that; 1 GiB parts over such a share take 512 s an attempt, and a
   * fixed five minutes failed every one of them.
   */
  static final long SLOWEST_PART_BYTES_PER_SECOND = 2L * 1024 * 1024;

  /** Cap of the exponential back-off between retries (the SDK's own default cap). */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(20);

  /** The SDK's own default size of the HTTP connection pool, kept when nothing asks for more. */
  public static final int DEFAULT_MAX_CONNECTIONS = 50;

  /**
   * Values of {@value #SSE_ALGORITHM_CONFIG} that S3 accepts as {@code
   * x-amz-server-side-encryption}.
   */
  public static final List<String> SSE_ALGORITHMS = List.of("AES256", "aws:kms", "aws:kms:dsse");

  private final String bucket;
  private final String region;
  private final URI endpoint;
  private final boolean pathStyle;
  private final RequestChecksumCalculation checksumCalculation;
  private final int partSizeBytes;
  private final String sseAlgorithm;
  private final String sseKmsKeyId;
  private final String cannedAcl;
  private final String accessKeyId;
  private final Password secretAccessKey;
  private final String stsRoleArn;
  private final String stsSessionName;
  private final String stsExternalId;
  private final String stsRegion;
  private final int maxRetries;
  private final Duration retryBackoff;
  private final Duration apiCallTimeout;
  private final int maxConnections;
  private final String credentialsProvider;
  private final Map<String, String> credentialsProviderSettings;
  private final HttpProxySettings proxy;

  private S3Settings(Builder b) {
    this.bucket = b.bucket;
    this.region = b.region;
    this.endpoint = b.endpoint;
    this.pathStyle = b.pathStyle;
    this.checksumCalculation = b.checksumCalculation;
    this.partSizeBytes = b.partSizeBytes;
    this.sseAlgorithm = b.sseAlgorithm;
    this.sseKmsKeyId = b.sseKmsKeyId;
    this.cannedAcl = b.cannedAcl;
    this.accessKeyId = b.accessKeyId;
    this.secretAccessKey = b.secretAccessKey;
    this.stsRoleArn = b.stsRoleArn;
    this.stsSessionName = b.stsSessionName;
    this.stsExternalId = b.stsExternalId;
    this.stsRegion = b.stsRegion;
    this.maxRetries = b.maxRetries;
    this.retryBackoff = b.retryBackoff;
    this.apiCallTimeout = b.apiCallTimeout;
    this.maxConnections = b.maxConnections;
    this.credentialsProvider = b.credentialsProvider;
    this.credentialsProviderSettings = Map.copyOf(b.credentialsProviderSettings);
    this.proxy = b.proxy;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String bucket() {
    return bucket;
  }

  public String region() {
    return region;
  }

  public Optional<URI> endpoint() {
    return Optional.ofNullable(endpoint);
  }

  /**
   * Path-style addressing; true by default when a custom endpoint is set (S3-compatible stores,
   * S3Proxy).
   */
  public boolean pathStyle() {
    return pathStyle;
  }

  /**
   * When uploads carry a checksum S3 verifies ({@value #CHECKSUM_CALCULATION_CONFIG}): always where
   * the operation supports one, or only where S3 requires one.
   */
  public RequestChecksumCalculation checksumCalculation() {
    return checksumCalculation;
  }

  public int partSizeBytes() {
    return partSizeBytes;
  }

  public Optional<String> sseAlgorithm() {
    return Optional.ofNullable(sseAlgorithm);
  }

  public Optional<String> sseKmsKeyId() {
    return Optional.ofNullable(sseKmsKeyId);
  }

  public Optional<String> cannedAcl() {
    return Optional.ofNullable(cannedAcl);
  }

  public Optional<String> accessKeyId() {
    return Optional.ofNullable(accessKeyId);
  }

  public Optional<Password> secretAccessKey() {
    return Optional.ofNullable(secretAccessKey);
  }

  public Optional<String> stsRoleArn() {
    return Optional.ofNullable(stsRoleArn);
  }

  public String stsSessionName() {
    return stsSessionName;
  }

  public Optional<String> stsExternalId() {
    return Optional.ofNullable(stsExternalId);
  }

  /** The region of the STS endpoint; empty means the bucket's region. */
  public Optional<String> stsRegion() {
    return Optional.ofNullable(stsRegion);
  }

  /** Retries after the first attempt of each S3 call (so {@code maxRetries + 1} attempts). */
  public int maxRetries() {
    return maxRetries;
  }

  /** Base delay of the exponential backoff between retries. */
  public Duration retryBackoff() {
    return retryBackoff;
  }

  /**
   * Time limit of one S3 call including all its retries: five minutes, or enough for every attempt
   * of a full part at {@link #SLOWEST_PART_BYTES_PER_SECOND}.
   */
  public Duration apiCallTimeout() {
    return apiCallTimeout;
  }

  /**
   * Size of the HTTP client's connection pool: the most S3 calls in flight at once (the STS client,
   * when a role is assumed, gets a pool of the same size).
   */
  public int maxConnections() {
    return maxConnections;
  }

  /**
   * The {@value #CREDENTIALS_PROVIDER_CONFIG} class name; empty means static keys or the default
   * chain.
   */
  public Optional<String> credentialsProvider() {
    return Optional.ofNullable(credentialsProvider);
  }

  /**
   * The {@value #CREDENTIALS_PROVIDER_PREFIX}* settings without the prefix; values may be secrets.
   */
  public Map<String, String> credentialsProviderSettings() {
    return credentialsProviderSettings;
  }

  /** The HTTP proxy for S3 and STS calls. */
  public Optional<HttpProxySettings> proxy() {
    return Optional.ofNullable(proxy);
  }

  @Override
  public String toString() {
    String credentials =
        accessKeyId != null
            ? "static keys (accessKeyId=" + accessKeyId + ", secret=[hidden])"
            : credentialsProvider != null
                ? credentialsProvider
                    + " (settings "
                    + new TreeSet<>(credentialsProviderSettings.keySet())
                    + ")"
                : "default chain";
    return "S3Settings{bucket="
        + bucket
        + ", region="
        + region
        + ", endpoint="
        + endpoint
        + ", pathStyle="
        + pathStyle
        + ", checksumCalculation="
        + checksumCalculation
        + ", partSizeBytes="
        + partSizeBytes
        + ", sseAlgorithm="
        + sseAlgorithm
        + ", sseKmsKeyId="
        + sseKmsKeyId
        + ", cannedAcl="
        + cannedAcl
        + ", credentials="
        + credentials
        + (stsRoleArn == null
            ? ""
            : ", stsRoleArn="
                + stsRoleArn
                + ", stsSessionName="
                + stsSessionName
                + ", stsExternalId="
                + (stsExternalId == null ? "none" : "[hidden]")
                + ", stsRegion="
                + stsRegion)
        + (proxy == null ? "" : ", proxy=" + proxy)
        + ", maxRetries="
        + maxRetries
        + ", retryBackoff="
        + retryBackoff
        + ", apiCallTimeout="
        + apiCallTimeout
        + ", maxConnections="
        + maxConnections
        + "}";
  }

  /**
   * Collects the values; {@link #build()} validates. Values a config key sets have no defaults
   * here: the connector's ConfigDef is the one home of every default, and they must be given. Only
   * the API call timeout and the connection pool size, which no key sets, have their own.
   */
  public static final class Builder {
    private String bucket;
    private String region;
    private URI endpoint;
    private Boolean pathStyle;
    private RequestChecksumCalculation checksumCalculation;
    private Integer partSizeBytes;
    private String sseAlgorithm;
    private String sseKmsKeyId;
    private String cannedAcl;
    private String accessKeyId;
    private Password secretAccessKey;
    private String stsRoleArn;
    private String stsSessionName;
    private String stsExternalId;
    private String stsRegion;
    private Integer maxRetries;
    private Duration retryBackoff;
    private Duration apiCallTimeout;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private String credentialsProvider;
    private Map<String, String> credentialsProviderSettings = Map.of();
    private HttpProxySettings proxy;

    private Builder() {}

    public Builder bucket(String bucket) {
      this.bucket = blankToNull(bucket);
      return this;
    }

    public Builder region(String region) {
      this.region = blankToNull(region);
      return this;
    }

    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    public Builder pathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    /** {@value #CHECKSUM_CALCULATION_CONFIG}: when_supported or when_required, in any case. */
    public Builder checksumCalculation(String value) {
      this.checksumCalculation =
          value == null
              ? null
              : RequestChecksumCalculation.fromValue(value.trim().toUpperCase(Locale.ROOT));
      return this;
    }

    public Builder partSizeBytes(int partSizeBytes) {
      this.partSizeBytes = partSizeBytes;
      return this;
    }

    public Builder sseAlgorithm(String sseAlgorithm) {
      this.sseAlgorithm = blankToNull(sseAlgorithm);
      return this;
    }

    public Builder sseKmsKeyId(String sseKmsKeyId) {
      this.sseKmsKeyId = blankToNull(sseKmsKeyId);
      return this;
    }

    public Builder cannedAcl(String cannedAcl) {
      this.cannedAcl = blankToNull(cannedAcl);
      return this;
    }

    /** Static credentials; both null (or empty) means the default credentials chain. */
    public Builder staticCredentials(String accessKeyId, Password secretAccessKey) {
      this.accessKeyId = blankToNull(accessKeyId);
      this.secretAccessKey =
          secretAccessKey == null
                  || secretAccessKey.value() == null
                  || secretAccessKey.value().isEmpty()
              ? null
              : secretAccessKey;
      return this;
    }

    /**
     * Assume this role through STS (with the static or default credentials as the caller); null for
     * none.
     */
    public Builder stsRoleArn(String stsRoleArn) {
      this.stsRoleArn = blankToNull(stsRoleArn);
      return this;
    }

    public Builder stsSessionName(String stsSessionName) {
      this.stsSessionName = blankToNull(stsSessionName);
      return this;
    }

    public Builder stsExternalId(String stsExternalId) {
      this.stsExternalId = blankToNull(stsExternalId);
      return this;
    }

    public Builder stsRegion(String stsRegion) {
      this.stsRegion = blankToNull(stsRegion);
      return this;
    }

    /**
     * A credentials provider class (AWS SDK v2, or a mapped v1 name) and its settings; a null or
     * empty class, or the default chain's name, leaves the default chain.
     */
    public Builder credentialsProvider(String className, Map<String, String> settings) {
      String c = blankToNull(className);
      this.credentialsProvider = CredentialsProviders.isDefaultChain(c) ? null : c;
      this.credentialsProviderSettings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** The HTTP proxy for S3 and STS calls; null for none. */
    public Builder proxy(HttpProxySettings proxy) {
      this.proxy = proxy;
      return this;
    }

    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = retryBackoff;
      return this;
    }

    public Builder apiCallTimeout(Duration apiCallTimeout) {
      this.apiCallTimeout = Objects.requireNonNull(apiCallTimeout, "apiCallTimeout");
      return this;
    }

    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException(
            "Cannot size the S3 connection pool: it needs at least 1 connection, not "
                + maxConnections
                + ".");
      }
      this.maxConnections = maxConnections;
      return this;
    }

    public S3Settings build() {
      require(region, REGION_CONFIG);
      require(pathStyle, PATH_STYLE_CONFIG);
      require(checksumCalculation, CHECKSUM_CALCULATION_CONFIG);
      require(partSizeBytes, PART_SIZE_CONFIG);
      require(stsSessionName, STS_SESSION_NAME_CONFIG);
      require(maxRetries, MAX_RETRIES_CONFIG);
      require(retryBackoff, RETRY_BACKOFF_CONFIG);
      if (apiCallTimeout == null) {
        // every attempt of a full part, and the longest back-off before each retry
        Duration partAttempts =
            Duration.ofSeconds(
                    (maxRetries + 1L)
                        * ((partSizeBytes + SLOWEST_PART_BYTES_PER_SECOND - 1)
                            / SLOWEST_PART_BYTES_PER_SECOND))
                .plus(MAX_BACKOFF.multipliedBy(maxRetries));
        apiCallTimeout =
            partAttempts.compareTo(DEFAULT_API_CALL_TIMEOUT) > 0
                ? partAttempts
                : DEFAULT_API_CALL_TIMEOUT;
      }
      if (bucket == null) {
        throw new ConfigException(
            "Cannot configure S3: "
                + BUCKET_CONFIG
                + " is not set. Set it to the bucket that "
                + "receives the data files and commit markers.");
      }
      if (endpoint != null
          && (!endpoint.isAbsolute()
              || endpoint.getHost() == null
              || !("http".equalsIgnoreCase(endpoint.getScheme())
                  || "https".equalsIgnoreCase(endpoint.getScheme())))) {
        throw new ConfigException(
            "Cannot use "
                + ENDPOINT_CONFIG
                + "="
                + endpoint
                + ": it is not an http(s) URL with "
                + "a host. Set it like https://s3.eu-west-1.amazonaws.com or http://localhost:9000, or leave it empty for AWS.");
      }
      if (partSizeBytes < MIN_PART_SIZE || partSizeBytes > MAX_PART_SIZE) {
        throw new ConfigException(
            "Cannot use "
                + PART_SIZE_CONFIG
                + "="
                + partSizeBytes
                + ": S3 multipart parts must be "
                + "at least "
                + MIN_PART_SIZE
                + " bytes (5 MiB) and a part is buffered in heap. Set it between "
                + MIN_PART_SIZE
                + " and "
                + MAX_PART_SIZE
                + ".");
      }
      validateEncryption();
      if (cannedAcl != null
          && ObjectCannedACL.fromValue(cannedAcl) == ObjectCannedACL.UNKNOWN_TO_SDK_VERSION) {
        throw new ConfigException(
            "Cannot use "
                + CANNED_ACL_CONFIG
                + "="
                + cannedAcl
                + ": not a canned ACL. Use one of "
                + ObjectCannedACL.knownValues()
                + " or leave it empty.");
      }
      if ((accessKeyId == null) != (secretAccessKey == null)) {
        throw new ConfigException(
            "Cannot use static AWS credentials: "
                + (accessKeyId == null ? ACCESS_KEY_ID_CONFIG : SECRET_ACCESS_KEY_CONFIG)
                + " is empty while "
                + (accessKeyId == null ? SECRET_ACCESS_KEY_CONFIG : ACCESS_KEY_ID_CONFIG)
                + " is set. Set both, or neither "
                + "to use the default credentials chain.");
      }
      if (accessKeyId != null && credentialsProvider != null) {
        throw new ConfigException(
            "Cannot use both "
                + CREDENTIALS_PROVIDER_CONFIG
                + " and static AWS credentials ("
                + ACCESS_KEY_ID_CONFIG
                + "): it is unclear which should sign the requests. Remove one of them.");
      }
      if (maxRetries < 0) {
        throw new ConfigException(
            "Cannot use " + MAX_RETRIES_CONFIG + "=" + maxRetries + ": it must be 0 or more.");
      }
      if (retryBackoff.isNegative()) {
        throw new ConfigException(
            "Cannot use "
                + RETRY_BACKOFF_CONFIG
                + "="
                + retryBackoff.toMillis()
                + ": it must be 0 or more milliseconds.");
      }
      if (apiCallTimeout.isZero() || apiCallTimeout.isNegative()) {
        throw new ConfigException(
            "Cannot use an S3 API call timeout of " + apiCallTimeout + ": it must be positive.");
      }
      return new S3Settings(this);
    }

    private void validateEncryption() {
      if (sseAlgorithm != null && !SSE_ALGORITHMS.contains(sseAlgorithm)) {
        throw new ConfigException(
            "Cannot use "
                + SSE_ALGORITHM_CONFIG
                + "="
                + sseAlgorithm
                + ": not a server-side "
                + "encryption S3 supports. Use one of "
                + SSE_ALGORITHMS
                + ", or leave it empty for the bucket's default.");
      }
      if (sseKmsKeyId != null && (sseAlgorithm == null || !sseAlgorithm.startsWith("aws:kms"))) {
        throw new ConfigException(
            "Cannot use "
                + SSE_KMS_KEY_ID_CONFIG
                + " with "
                + SSE_ALGORITHM_CONFIG
                + "="
                + sseAlgorithm
                + ": a KMS key applies only to KMS encryption. Set "
                + SSE_ALGORITHM_CONFIG
                + " to aws:kms or aws:kms:dsse, or remove the key id.");
      }
    }

    private static void require(Object value, String key) {
      if (value == null) {
        throw new ConfigException(
            "Cannot configure S3: "
                + key
                + " is not set. Set it (its default is in SinkConfigDef).");
      }
    }

    private static String blankToNull(String s) {
      return s == null || s.trim().isEmpty() ? null : s.trim();
    }
  }
}
