package io.redstage.connector.storage;

import java.time.Duration;
import java.util.function.Consumer;
import org.apache.kafka.common.config.types.Password;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.apache5.ProxyConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Builds the connector's {@link S3Client} from {@link S3Settings}: Apache HTTP client (through an
 * HTTP proxy if set), static / provider-class / default-chain / STS assume-role credentials, and
 * the SDK's standard retry strategy (5xx, throttling and I/O errors, exponential backoff with
 * jitter) sized by {@code s3.part.retries} and {@code s3.retry.backoff.ms}. Retries live here, in
 * the SDK, and nowhere else in the connector.
 */
public final class S3ClientFactory {
  private static final Logger LOG = LoggerFactory.getLogger(S3ClientFactory.class);

  private S3ClientFactory() {}

  public static S3Client create(S3Settings settings) {
    return create(settings, overrides -> {});
  }

  /**
   * Like {@link #create(S3Settings)}, then lets {@code overrides} add to the client configuration,
   * e.g. execution interceptors or metric publishers (it can also replace the retry strategy).
   */
  public static S3Client create(
      S3Settings settings, Consumer<ClientOverrideConfiguration.Builder> overrides) {
    ClientOverrideConfiguration.Builder config =
        ClientOverrideConfiguration.builder()
            .retryStrategy(retryStrategy(settings))
            .apiCallTimeout(settings.apiCallTimeout());
    overrides.accept(config);
    // By default (s3.checksum.calculation=when_supported) every upload carries a CRC32 of its
    // bytes, which S3 checks before it stores the object (a mismatch fails the PUT, so a damaged
    // object is never stored): the end-to-end integrity check of data files and markers. It is
    // cheap: in a profile of 1,000 partitions committing small units (docs/design.md, "Integrity of
    // uploads") the CRC32 and the chunk signing together are under 3 % of the commit threads'
    // samples, while each PutObject's fixed cost in the SDK (marshalling, endpoint and auth-scheme
    // resolution, SigV4 header signing, the HTTP client) is most of the SDK's 40 %. Over HTTPS the
    // SDK sends the body unsigned with the CRC32 as a trailer; over plain HTTP (S3Proxy, some
    // on-premises stores) it also signs every chunk with SHA-256: without TLS the signature is what
    // protects the bytes on the way. Some S3-compatible stores refuse that chunked encoding with a
    // trailer; when_required sends a checksum only where S3 demands one. Set on the builder, not
    // left to the SDK's default, so that the connector's config decides, not the worker's
    // environment.
    S3ClientBuilder builder =
        S3Client.builder()
            .region(Region.of(settings.region()))
            .forcePathStyle(settings.pathStyle())
            .httpClientBuilder(httpClient(settings))
            .credentialsProvider(credentials(settings))
            .requestChecksumCalculation(settings.checksumCalculation())
            // with when_required no upload is aws-chunked: over plain HTTP the SDK then signs the
            // whole payload instead of each chunk, for stores that read neither trailers nor chunks
            .serviceConfiguration(
                S3Configuration.builder()
                    .chunkedEncodingEnabled(
                        settings.checksumCalculation() == RequestChecksumCalculation.WHEN_SUPPORTED)
                    .build())
            .overrideConfiguration(config.build());
    settings.endpoint().ifPresent(builder::endpointOverride);
    LOG.info(
        "Creating S3 client for bucket {} in {} ({}), {} retries{}",
        settings.bucket(),
        settings.region(),
        settings.endpoint().map(Object::toString).orElse("AWS endpoint"),
        settings.maxRetries(),
        settings.proxy().map(p -> ", through proxy " + p).orElse(""));
    return builder.build();
  }

  static RetryStrategy retryStrategy(S3Settings settings) {
    BackoffStrategy backoff =
        BackoffStrategy.exponentialDelay(
            settings.retryBackoff(), max(settings.retryBackoff(), S3Settings.MAX_BACKOFF));
    // No circuit breaker: its retry quota is shared by every call of the client, and under
    // sustained throttling the task's many part uploads spend it within a hundred retries, after
    // which every call fails at its first error whatever s3.part.retries says. The attempts per
    // call are bounded here and the failures per task by its rewinds (TaskRewinds).
    return AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .maxAttempts(settings.maxRetries() + 1)
        .backoffStrategy(backoff)
        .throttlingBackoffStrategy(backoff)
        .circuitBreakerEnabled(false)
        .build();
  }

  /** The Apache HTTP client of S3 and STS calls, through the configured proxy if any. */
  static Apache5HttpClient.Builder httpClient(S3Settings settings) {
    Apache5HttpClient.Builder builder =
        Apache5HttpClient.builder().maxConnections(settings.maxConnections());
    settings
        .proxy()
        .ifPresent(
            p ->
                builder.proxyConfiguration(
                    ProxyConfiguration.builder()
                        .endpoint(p.endpoint())
                        .username(p.user().orElse(null))
                        .password(p.password().map(Password::value).orElse(null))
                        .build()));
    return builder;
  }

  /**
   * Static keys, else the s3.credentials.provider.class provider, else the default chain; then STS
   * if a role is set.
   */
  static AwsCredentialsProvider credentials(S3Settings settings) {
    AwsCredentialsProvider caller =
        settings.accessKeyId().isPresent()
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    settings.accessKeyId().get(), settings.secretAccessKey().get().value()))
            : settings.credentialsProvider().isPresent()
                ? CredentialsProviders.create(
                    settings.credentialsProvider().get(), settings.credentialsProviderSettings())
                : DefaultCredentialsProvider.builder().build();
    if (!settings.stsRoleArn().isPresent()) {
      return caller;
    }
    StsClient sts =
        StsClient.builder()
            .region(Region.of(settings.stsRegion().orElse(settings.region())))
            .credentialsProvider(caller)
            .httpClientBuilder(httpClient(settings))
            .build();
    return new AssumedRoleCredentials(
        StsAssumeRoleCredentialsProvider.builder()
            .stsClient(sts)
            .refreshRequest(
                r ->
                    r.roleArn(settings.stsRoleArn().get())
                        .roleSessionName(settings.stsSessionName())
                        .externalId(settings.stsExternalId().orElse(null)))
            .build(),
        sts);
  }

  /**
   * The STS assume-role provider plus the STS client it uses. The S3 client closes its credentials
   * provider when it is closed; the STS provider alone would leave its STS client (and connection
   * pool) open.
   */
  static final class AssumedRoleCredentials implements AwsCredentialsProvider, SdkAutoCloseable {
    private final StsAssumeRoleCredentialsProvider provider;
    private final StsClient sts;

    AssumedRoleCredentials(StsAssumeRoleCredentialsProvider provider, StsClient sts) {
      this.provider = provider;
      this.sts = sts;
    }

    @Override
    public AwsCredentials resolveCredentials() {
      return provider.resolveCredentials();
    }

    StsAssumeRoleCredentialsProvider provider() {
      return provider;
    }

    @Override
    public void close() {
      provider.close();
      sts.close();
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
