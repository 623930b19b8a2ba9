package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.connector.config.SinkConfig;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import io.redstage.sandbox.s3.LocalS3;
import java.io.ByteArrayInputStream;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * A bucket or credentials no call can succeed with: the task fails at its start (after two more
 * tries), naming the key to fix, instead of at its first commit, which may come minutes later.
 */
class BucketSettingsProblemsTest {
  static final String BUCKET = "settings-problems";
  static LocalS3 s3;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @Test
  void aMissingBucketFailsTheStartNamingTheBucketKey() {
    Map<String, String> props = LocalS3Tasks.props(s3, "no-such-bucket");

    assertThatThrownBy(() -> StagingCommitter.create(new SinkConfig(props), context()))
        .isInstanceOf(ConnectException.class)
        .hasMessageStartingWith("Cannot abort stale multipart uploads under s3://no-such-bucket/")
        .hasMessageContaining("NoSuchBucket")
        .hasMessageContaining("Create the bucket or fix s3.bucket.name")
        .hasMessageEndingWith("The task did not start.");
  }

  @Test
  void aWrongSecretFailsTheStartNamingTheCredentialKeysButNotTheSecret() {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("aws.secret.access.key", "not-the-secret");

    assertThatThrownBy(() -> StagingCommitter.create(new SinkConfig(props), context()))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("SignatureDoesNotMatch")
        .hasMessageContaining("Check aws.access.key.id and aws.secret.access.key")
        .hasMessageNotContaining("not-the-secret");
  }

  /**
   * Credentials no provider finds do not fail the start: the instance, container or pod identity
   * endpoint can be out of reach for a moment while a worker boots, and Connect does not restart a
   * task that failed. The first commit meets the same failure and takes the rewinds.
   */
  @Test
  void credentialsNoProviderFindsDoNotFailTheStart() {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.remove("aws.access.key.id");
    props.remove("aws.secret.access.key");
    props.put("s3.credentials.provider.class", NoCredentialsFound.class.getName());

    StagingCommitter.create(new SinkConfig(props), context()).stop();
  }

  /** The SDK's own provider chain over a profile file without credentials. */
  public static final class NoCredentialsFound implements AwsCredentialsProvider {
    private final AwsCredentialsProvider chain =
        AwsCredentialsProviderChain.builder()
            .credentialsProviders(
                ProfileCredentialsProvider.builder()
                    .profileFile(
                        ProfileFile.builder()
                            .content(new ByteArrayInputStream(new byte[0]))
                            .type(ProfileFile.Type.CREDENTIALS)
                            .build())
                    .profileName("redstage-test")
                    .build())
            .build();

    @Override
    public AwsCredentials resolveCredentials() {
      return chain.resolveCredentials();
    }
  }

  private static NoRewindSinkTaskContext context() {
    return new NoRewindSinkTaskContext();
  }
}
