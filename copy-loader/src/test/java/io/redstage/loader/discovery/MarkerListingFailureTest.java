package io.redstage.loader.discovery;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.loader.TestUnits;
import io.redstage.sandbox.s3.LocalS3;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A listing of the markers that fails names the bucket and prefix and what to do, for the answers
 * that concern the call rather than the prefix: a bucket deleted under a running loader, and
 * credentials that expired. (Every command's start-up probe names a missing bucket as a setting
 * first: only a scanner that runs on meets it, so it is tested here, against S3Proxy.)
 */
class MarkerListingFailureTest {
  static LocalS3 s3;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(TestUnits.BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  private static MarkerScanner scanner(String bucket) {
    return new MarkerScanner(
        s3.client(), bucket, TestUnits.MARKERS, List.of("listed"), Pattern.compile(".*"));
  }

  @Test
  void aBucketThatDoesNotExistIsNamedWithWhatToDo() {
    assertThatThrownBy(() -> scanner("no-such-bucket").scan())
        .hasMessageStartingWith(
            "Cannot list the commit markers under s3://no-such-bucket/_redstage/markers/listed/:"
                + " NoSuchBucket (HTTP 404)")
        .hasMessageContaining("Create the bucket, or correct s3.bucket.name")
        .hasMessageNotContaining("Service: S3")
        .hasMessageNotContaining("ListBucket");
  }

  @Test
  void expiredCredentialsAreNamedAsSuch() {
    s3.faults()
        .failAlways(S3Fault.EXPIRED_TOKEN, RequestMatcher.operations(ObjectOperation.LIST_OBJECTS));
    try {
      assertThatThrownBy(() -> scanner(TestUnits.BUCKET).scan())
          .hasMessageStartingWith(
              "Cannot list the commit markers under s3://staging/_redstage/markers/listed/:"
                  + " ExpiredToken (HTTP 400): The provided token has expired. Renew the loader's"
                  + " AWS credentials");
    } finally {
      s3.faults().clear();
    }
  }
}
