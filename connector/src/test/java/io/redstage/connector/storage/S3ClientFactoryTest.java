package io.redstage.connector.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
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
}
