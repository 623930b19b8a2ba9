package io.redstage.connector.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

class S3SettingsTest {
  private static S3Settings.Builder bucket() {
    return TestS3Settings.builder().bucket("data-bucket");
  }

  @Test
  void theBuilderHasNoDefaultsOfItsOwn() {
    assertThatThrownBy(() -> S3Settings.builder().bucket("b").build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("s3.region is not set");
    S3Settings s = bucket().build();
    assertThat(s.endpoint()).isEmpty();
    assertThat(s.accessKeyId()).isEmpty();
    assertThat(s.secretAccessKey()).isEmpty();
    assertThat(s.stsRoleArn()).isEmpty();
    assertThat(s.sseAlgorithm()).isEmpty();
    assertThat(s.cannedAcl()).isEmpty();
  }

  /**
   * A call gets five minutes, or as long as every attempt of a full part takes at 2 MiB/s: with 1
   * GiB parts a fixed five minutes timed out every upload over a modest share of the link.
   */
  @Test
  void theCallTimeoutGrowsWithThePartSize() {
    assertThat(bucket().build().apiCallTimeout()).isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(
            bucket().partSizeBytes(S3Settings.MAX_PART_SIZE).maxRetries(3).build().apiCallTimeout())
        .isEqualTo(java.time.Duration.ofSeconds(4 * 512 + 3 * 20));
    assertThat(
            bucket()
                .partSizeBytes(S3Settings.MAX_PART_SIZE)
                .apiCallTimeout(java.time.Duration.ofSeconds(7))
                .build()
                .apiCallTimeout())
        .as("set by the caller")
        .isEqualTo(java.time.Duration.ofSeconds(7));
  }

  @Test
  void toStringNeverShowsTheSecretOrExternalId() {
    S3Settings s =
        bucket()
            .staticCredentials("AKIAEXAMPLE", new Password("super-secret-value"))
            .stsRoleArn("arn:aws:iam::123456789012:role/writer")
            .stsExternalId("external-secret")
            .build();

    assertThat(s.toString())
        .contains("AKIAEXAMPLE", "[hidden]", "arn:aws:iam::123456789012:role/writer")
        .doesNotContain("super-secret-value")
        .doesNotContain("external-secret");
    assertThat(s.secretAccessKey()).map(Password::value).contains("super-secret-value");
  }

  @Test
  void invalidValuesAreConfigErrorsNamingTheKey() {
    assertThatThrownBy(() -> TestS3Settings.builder().build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("s3.bucket.name is not set");
    assertThatThrownBy(() -> bucket().partSizeBytes(1024 * 1024).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("s3.part.size=1048576")
        .hasMessageContaining("5 MiB");
    assertThatThrownBy(() -> bucket().sseAlgorithm("ROT13").build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("s3.ssea.name=ROT13")
        .hasMessageContaining("aws:kms:dsse");
    assertThatThrownBy(() -> bucket().sseAlgorithm("AES256").sseKmsKeyId("key-1").build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("s3.sse.kms.key.id");
    assertThatThrownBy(() -> bucket().cannedAcl("everyone-welcome").build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("s3.acl.canned=everyone-welcome")
        .hasMessageContaining("bucket-owner-full-control");
    assertThatThrownBy(() -> bucket().endpoint(URI.create("localhost:9000")).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("store.url=localhost:9000");
    assertThatThrownBy(() -> bucket().maxRetries(-1).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("s3.part.retries=-1");
  }

  @Test
  void halfConfiguredStaticCredentialsAreRejectedWithoutShowingTheSecret() {
    assertThatThrownBy(
            () -> bucket().staticCredentials(null, new Password("lonely-secret")).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("aws.access.key.id is empty while aws.secret.access.key is set")
        .hasMessageNotContaining("lonely-secret");
    assertThatThrownBy(() -> bucket().staticCredentials("AKIA", null).build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("aws.secret.access.key is empty");
  }

  @Test
  void kmsEncryptionAcceptsAKeyId() {
    S3Settings s =
        bucket()
            .sseAlgorithm("aws:kms")
            .sseKmsKeyId("arn:aws:kms:us-west-2:1:key/abc")
            .cannedAcl("bucket-owner-full-control")
            .build();

    assertThat(s.sseAlgorithm()).contains("aws:kms");
    assertThat(s.sseKmsKeyId()).contains("arn:aws:kms:us-west-2:1:key/abc");
    assertThat(s.cannedAcl()).contains("bucket-owner-full-control");
  }
}
