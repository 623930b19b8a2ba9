package io.redstage.loader.aws;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.ConfigKey;
import io.redstage.loader.config.LoaderConfig;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.AdaptiveRetryStrategy;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the S3 and Redshift Data API clients from the config, both counted by one {@link
 * RequestCounter}.
 */
public final class AwsClients implements AutoCloseable {
  /**
   * Ends the message of a failure that may pass (throttling, 5xx, the network): the loop retries
   * next cycle, and a one-shot command (once, status, release, skip) may simply be run again.
   */
  public static final String MAY_PASS =
      "It may pass (the SDK's retries are spent): a running loader tries again next cycle; run a"
          + " one-shot command again.";

  private final S3Client s3;
  private final RedshiftDataClient redshiftData;
  private final RequestCounter counter = new RequestCounter();
  private final Region region;
  private final AwsCredentialsProvider credentials;

  public AwsClients(LoaderConfig c) {
    this.region = region(c);
    AwsCredentialsProvider creds =
        c.optional(AWS_ACCESS_KEY_ID).isPresent()
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    c.string(AWS_ACCESS_KEY_ID), c.string(AWS_SECRET_ACCESS_KEY)))
            : DefaultCredentialsProvider.builder().build();
    var s3b =
        S3Client.builder()
            .region(region)
            .credentialsProvider(creds)
            .forcePathStyle(c.bool(S3_PATH_STYLE))
            .overrideConfiguration(
                o ->
                    o.addExecutionInterceptor(counter)
                        .retryStrategy(
                            retryStrategy(
                                "standard",
                                c.integer(REDSHIFT_RETRY_MAX_ATTEMPTS),
                                c.duration(REDSHIFT_RETRY_BASE_DELAY))));
    c.optional(S3_ENDPOINT).ifPresent(e -> s3b.endpointOverride(URI.create(e)));
    this.s3 = s3b.build();
    var rb =
        RedshiftDataClient.builder()
            .region(region)
            .credentialsProvider(creds)
            .overrideConfiguration(
                o ->
                    o.addExecutionInterceptor(counter)
                        .retryStrategy(
                            retryStrategy(
                                c.string(REDSHIFT_RETRY_MODE),
                                c.integer(REDSHIFT_RETRY_MAX_ATTEMPTS),
                                c.duration(REDSHIFT_RETRY_BASE_DELAY))));
    c.optional(REDSHIFT_ENDPOINT).ifPresent(e -> rb.endpointOverride(URI.create(e)));
    this.redshiftData = rb.build();
    this.credentials = creds;
  }

  /** aws.region, or else what the SDK's default region chain finds. */
  static Region region(LoaderConfig c) {
    if (c.optional(AWS_REGION).isPresent()) {
      return Region.of(c.string(AWS_REGION));
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      throw new ConfigException(
          "Cannot find the AWS Region: "
              + AWS_REGION
              + " is not set and the AWS SDK's default region chain (AWS_REGION environment"
              + " variable, profile, instance metadata) found none ("
              + e.getMessage()
              + "). Set "
              + AWS_REGION
              + " (or "
              + ConfigKey.envName(AWS_REGION)
              + ") to the Region of the bucket and the Redshift cluster.",
          e);
    }
  }

  /**
   * The SDK's standard or adaptive strategy (retries throttling, 5xx and I/O errors) with our
   * attempts and delays.
   */
  static RetryStrategy retryStrategy(String mode, int maxAttempts, Duration baseDelay) {
    BackoffStrategy backoff =
        BackoffStrategy.exponentialDelay(baseDelay, baseDelay.multipliedBy(200));
    RetryStrategy.Builder<?, ?> b =
        mode.equals("adaptive")
            ? AwsRetryStrategy.adaptiveRetryStrategy().toBuilder()
            : AwsRetryStrategy.standardRetryStrategy().toBuilder();
    if (b instanceof StandardRetryStrategy.Builder sb) {
      sb.backoffStrategy(backoff).throttlingBackoffStrategy(backoff);
    } else if (b instanceof AdaptiveRetryStrategy.Builder ab) {
      ab.backoffStrategy(backoff).throttlingBackoffStrategy(backoff);
    }
    return b.maxAttempts(maxAttempts).build();
  }

  public S3Client s3() {
    return s3;
  }

  public RedshiftDataClient redshiftData() {
    return redshiftData;
  }

  /** The credentials both clients sign with ({@code check} asks STS whose they are). */
  public AwsCredentialsProvider credentials() {
    return credentials;
  }

  public Region region() {
    return region;
  }

  public RequestCounter counter() {
    return counter;
  }

  @Override
  public void close() {
    s3.close();
    redshiftData.close();
  }
}
