package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.redstage.connector.config.SinkConfig;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import io.redstage.sandbox.s3.LocalS3;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bucket or credentials no call can succeed with: the task fails at its start, or at the first
 * failed commit, naming the key to fix, instead of rewinding until it gives up.
 */
class BucketSettingsProblemsTest {
  static final String BUCKET = "settings-problems";
  static final TopicPartition TP = new TopicPartition("events", 0);
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

  @Test
  void aBucketGoneWhileTheTaskRunsStopsItAtTheFirstFailedCommitWithoutARewind() {
    String bucket = "removed-while-running";
    s3.client().createBucket(b -> b.bucket(bucket));
    Map<String, String> props = LocalS3Tasks.props(s3, bucket);
    props.put("flush.size", "2");
    // a rewind would call the context's offset(), which fails the test
    StagingCommitter committer = StagingCommitter.create(new SinkConfig(props), context());
    try {
      committer.open(Set.of(TP));
      s3.client().deleteBucket(b -> b.bucket(bucket));
      committer.put(List.of(LocalS3Tasks.record(0, 0), LocalS3Tasks.record(0, 1)));

      AtomicReference<ConnectException> failure = new AtomicReference<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                try {
                  committer.put(List.of());
                  return false;
                } catch (ConnectException e) {
                  failure.set(e);
                  return true;
                }
              });
      assertThat(failure.get())
          .hasMessageContaining("s3://" + bucket + "/")
          .hasMessageContaining("NoSuchBucket")
          .hasMessageContaining("The task stopped at once");
      // and it stays stopped
      assertThatThrownBy(() -> committer.put(List.of(LocalS3Tasks.record(0, 2))))
          .isSameAs(failure.get());
    } finally {
      committer.stop();
    }
  }

  private static NoRewindSinkTaskContext context() {
    return new NoRewindSinkTaskContext();
  }
}
