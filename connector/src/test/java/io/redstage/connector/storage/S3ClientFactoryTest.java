package io.redstage.connector.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

class S3ClientFactoryTest {
  @Test
  void credentialsFollowTheSettings() {
    S3Settings.Builder base = TestS3Settings.builder().bucket("b");

    assertThat(S3ClientFactory.credentials(base.build()))
        .isInstanceOf(DefaultCredentialsProvider.class);
    AwsCredentialsProvider fixed =
        S3ClientFactory.credentials(base.staticCredentials("AKIA1", new Password("s1")).build());
    assertThat(fixed).isInstanceOf(StaticCredentialsProvider.class);
    assertThat(fixed.resolveCredentials().accessKeyId()).isEqualTo("AKIA1");
    assertThat(fixed.resolveCredentials().secretAccessKey()).isEqualTo("s1");
    // building the STS provider makes no call; it assumes the role on first use
    AwsCredentialsProvider sts =
        S3ClientFactory.credentials(
            base.stsRoleArn("arn:aws:iam::1:role/r").stsRegion("eu-west-1").build());
    assertThat(sts)
        .isInstanceOfSatisfying(
            S3ClientFactory.AssumedRoleCredentials.class,
            c -> assertThat(c.provider()).isInstanceOf(StsAssumeRoleCredentialsProvider.class));
    ((SdkAutoCloseable) sts)
        .close(); // closes the STS client too: the S3 client calls this when it is closed
  }

  @Test
  void retryStrategyAllowsTheConfiguredRetries() {
    RetryStrategy strategy =
        S3ClientFactory.retryStrategy(
            TestS3Settings.builder()
                .bucket("b")
                .maxRetries(5)
                .retryBackoff(Duration.ofMillis(50))
                .build());

    assertThat(strategy.maxAttempts()).isEqualTo(6);
  }

  /**
   * The SDK's default circuit breaker shares one retry quota among every call of the client: under
   * sustained errors the task's parts would stop being retried after about a hundred retries.
   */
  @Test
  void retriesAreNotCutOffByASharedQuota() {
    RetryStrategy strategy =
        S3ClientFactory.retryStrategy(
            TestS3Settings.builder()
                .bucket("b")
                .maxRetries(3)
                .retryBackoff(Duration.ofMillis(1))
                .build());
    SdkClientException failure =
        SdkClientException.builder().cause(new java.io.IOException("connection reset")).build();
    for (int call = 0; call < 1_000; call++) {
      AcquireInitialTokenResponse first =
          strategy.acquireInitialToken(AcquireInitialTokenRequest.create("s3"));
      assertThat(
              strategy.refreshRetryToken(
                  RefreshRetryTokenRequest.builder().token(first.token()).failure(failure).build()))
          .as("call %d is retried", call)
          .isNotNull();
    }
  }
}
