package io.redstage.connector.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;

class CredentialsProvidersTest {
  @Test
  void awsSdkV1NamesFromConfluentConfigsMapToTheirV2Equivalents() {
    assertThat(
            CredentialsProviders.resolve("com.amazonaws.auth.DefaultAWSCredentialsProviderChain"))
        .isEqualTo(DefaultCredentialsProvider.class);
    assertThat(
            CredentialsProviders.resolve("com.amazonaws.auth.profile.ProfileCredentialsProvider"))
        .isEqualTo(ProfileCredentialsProvider.class);
    assertThat(
            CredentialsProviders.create(
                "com.amazonaws.auth.EnvironmentVariableCredentialsProvider", Map.of()))
        .isInstanceOf(EnvironmentVariableCredentialsProvider.class);
    assertThat(
            CredentialsProviders.isDefaultChain(
                "com.amazonaws.auth.DefaultAWSCredentialsProviderChain"))
        .isTrue();
    assertThat(CredentialsProviders.isDefaultChain(DefaultCredentialsProvider.class.getName()))
        .isTrue();
    assertThat(
            CredentialsProviders.isDefaultChain(SystemPropertyCredentialsProvider.class.getName()))
        .isFalse();
  }

  @Test
  void aV2ProviderIsCreatedThroughItsStaticCreateMethod() {
    AwsCredentialsProvider p =
        CredentialsProviders.create(SystemPropertyCredentialsProvider.class.getName(), Map.of());
    assertThat(p).isInstanceOf(SystemPropertyCredentialsProvider.class);
  }

  @Test
  void aConfigurableProviderReceivesItsSettings() {
    AwsCredentialsProvider p =
        CredentialsProviders.create(
            ConfigurableTestCredentials.class.getName(),
            Map.of("access.key", "AKIA9", "secret.key", "s9"));
    assertThat(p.resolveCredentials().accessKeyId()).isEqualTo("AKIA9");
    assertThat(p.resolveCredentials().secretAccessKey()).isEqualTo("s9");
    assertThat(CredentialsProviders.isConfigurable(ConfigurableTestCredentials.class.getName()))
        .isTrue();
    assertThat(CredentialsProviders.isConfigurable(ProfileCredentialsProvider.class.getName()))
        .isFalse();
  }

  @Test
  void unusableNamesSayWhyAndWhatToUse() {
    assertThatThrownBy(
            () ->
                CredentialsProviders.resolve(
                    "io.confluent.connect.s3.auth.AwsAssumeRoleCredentialsProvider"))
        .hasMessageContaining("sts.role.arn");
    assertThatThrownBy(
            () -> CredentialsProviders.resolve("com.amazonaws.auth.STSSessionCredentialsProvider"))
        .hasMessageContaining("AWS SDK v1")
        .hasMessageContaining("AwsCredentialsProvider");
    assertThatThrownBy(() -> CredentialsProviders.resolve("com.example.NoSuchProvider"))
        .hasMessageContaining("not found");
    assertThatThrownBy(() -> CredentialsProviders.resolve(String.class.getName()))
        .hasMessageContaining("does not implement");
  }

  @Test
  void theS3ClientUsesTheProviderClassUnlessStaticKeysAreSet() {
    S3Settings settings =
        TestS3Settings.builder()
            .bucket("b")
            .credentialsProvider(
                ConfigurableTestCredentials.class.getName(),
                Map.of("access.key", "AKIA7", "secret.key", "s7"))
            .build();
    assertThat(S3ClientFactory.credentials(settings).resolveCredentials().accessKeyId())
        .isEqualTo("AKIA7");
    assertThat(settings.toString()).contains("access.key").doesNotContain("s7");
    // the default chain's name means the default chain, as an empty setting does
    assertThat(
            TestS3Settings.builder()
                .bucket("b")
                .credentialsProvider(
                    "com.amazonaws.auth.DefaultAWSCredentialsProviderChain", Map.of())
                .build()
                .credentialsProvider())
        .isEmpty();
    assertThatThrownBy(
            () ->
                TestS3Settings.builder()
                    .bucket("b")
                    .staticCredentials("AKIA1", new Password("s1"))
                    .credentialsProvider(ConfigurableTestCredentials.class.getName(), Map.of())
                    .build())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("s3.credentials.provider.class")
        .hasMessageContaining("aws.access.key.id");
  }
}
