package io.redstage.sandbox.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

class FaultInjectorTest {
  private static final String BUCKET = "faults";

  private LocalS3 s3;

  /**
   * No SDK retries: each call is exactly one HTTP request, so the test sees every injected error.
   */
  private S3Client noRetry;

  @BeforeEach
  void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
    noRetry =
        s3.clientBuilder()
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
  }

  @AfterEach
  void stop() {
    noRetry.close();
    s3.close();
  }

  @Test
  void failNextFiresExactlyNTimesOnMatchingRequestsThenClears() {
    FaultRule rule =
        s3.faults()
            .failNext(
                2, S3Fault.SLOW_DOWN, RequestMatcher.methods("PUT", "POST").keyPrefix("topics/"));

    put("other/a.txt"); // not matching the prefix
    assertThatThrownBy(() -> put("topics/a.txt"))
        .isInstanceOfSatisfying(
            S3Exception.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(503);
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SlowDown");
              assertThat(e.isThrottlingException()).isTrue();
            });
    noRetry.getObjectAsBytes(
        b -> b.bucket(BUCKET).key("other/a.txt")); // GET: not matching the methods
    assertThatThrownBy(() -> put("topics/b.txt")).isInstanceOf(S3Exception.class);
    put("topics/c.txt");
    put("topics/d.txt");

    assertThat(rule.fired()).isEqualTo(2);
    assertThat(rule.isExhausted()).isTrue();
    assertThat(s3.faults().activeRules()).isEmpty();
    assertThat(s3.faults().injectedFailures()).isEqualTo(2);
    assertThat(keys()).containsExactly("other/a.txt", "topics/c.txt", "topics/d.txt");
  }

  @Test
  void sdkRetriesInjectedInternalErrorsAndTheRequestCountShowsEveryAttempt() {
    FaultRule rule =
        s3.faults()
            .failNext(
                2, S3Fault.INTERNAL_ERROR, RequestMatcher.operations(ObjectOperation.PUT_OBJECT));

    s3.client().putObject(b -> b.bucket(BUCKET).key("retried.txt"), RequestBody.fromString("x"));

    assertThat(rule.fired()).isEqualTo(2);
    assertThat(s3.requestCount(ObjectOperation.PUT_OBJECT)).isEqualTo(3);
    assertThat(keys()).containsExactly("retried.txt");
  }

  @Test
  void failAlwaysOnCompleteMultipartUploadUntilRemoved() {
    FaultRule rule =
        s3.faults()
            .failAlways(
                S3Fault.INTERNAL_ERROR,
                RequestMatcher.operations(ObjectOperation.COMPLETE_MULTIPART_UPLOAD)
                    .keyMatching(Pattern.compile(".*\\.parquet")));
    String uploadId =
        noRetry.createMultipartUpload(b -> b.bucket(BUCKET).key("t/file.parquet")).uploadId();
    String etag =
        noRetry
            .uploadPart(
                b -> b.bucket(BUCKET).key("t/file.parquet").uploadId(uploadId).partNumber(1),
                RequestBody.fromString("one small last part"))
            .eTag();
    CompletedMultipartUpload parts =
        CompletedMultipartUpload.builder()
            .parts(CompletedPart.builder().partNumber(1).eTag(etag).build())
            .build();

    for (int attempt = 0; attempt < 3; attempt++) {
      assertThatThrownBy(
              () ->
                  noRetry.completeMultipartUpload(
                      b ->
                          b.bucket(BUCKET)
                              .key("t/file.parquet")
                              .uploadId(uploadId)
                              .multipartUpload(parts)))
          .isInstanceOfSatisfying(
              S3Exception.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(500);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InternalError");
              });
    }
    assertThat(rule.fired()).isEqualTo(3);
    assertThat(rule.isExhausted()).isFalse();
    assertThat(keys()).isEmpty();

    assertThat(s3.faults().remove(rule)).isTrue();
    noRetry.completeMultipartUpload(
        b -> b.bucket(BUCKET).key("t/file.parquet").uploadId(uploadId).multipartUpload(parts));

    assertThat(keys()).containsExactly("t/file.parquet");
    assertThat(rule.fired()).isEqualTo(3);
  }

  @Test
  void uploadPartFailureDoesNotBreakTheUpload() {
    FaultRule rule =
        s3.faults()
            .failNext(
                1,
                S3Fault.SERVICE_UNAVAILABLE,
                RequestMatcher.operations(ObjectOperation.UPLOAD_PART));
    String uploadId = noRetry.createMultipartUpload(b -> b.bucket(BUCKET).key("mp.bin")).uploadId();

    assertThatThrownBy(
            () ->
                noRetry.uploadPart(
                    b -> b.bucket(BUCKET).key("mp.bin").uploadId(uploadId).partNumber(1),
                    RequestBody.fromBytes(new byte[1024 * 1024])))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(503));
    String etag =
        noRetry
            .uploadPart(
                b -> b.bucket(BUCKET).key("mp.bin").uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(new byte[1024 * 1024]))
            .eTag();
    noRetry.completeMultipartUpload(
        b ->
            b.bucket(BUCKET)
                .key("mp.bin")
                .uploadId(uploadId)
                .multipartUpload(
                    CompletedMultipartUpload.builder()
                        .parts(CompletedPart.builder().partNumber(1).eTag(etag).build())
                        .build()));

    assertThat(rule.fired()).isEqualTo(1);
    assertThat(noRetry.headObject(b -> b.bucket(BUCKET).key("mp.bin")).contentLength())
        .isEqualTo(1024 * 1024);
  }

  @Test
  void delayNextSlowsTheMatchingRequestOnce() {
    put("slow.txt");
    FaultRule rule =
        s3.faults()
            .delayNext(
                1, Duration.ofMillis(400), RequestMatcher.operations(ObjectOperation.GET_OBJECT));

    long start = System.nanoTime();
    String body = noRetry.getObjectAsBytes(b -> b.bucket(BUCKET).key("slow.txt")).asUtf8String();
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    noRetry.getObjectAsBytes(b -> b.bucket(BUCKET).key("slow.txt"));

    assertThat(body).isEqualTo("body");
    assertThat(elapsedMs).isGreaterThanOrEqualTo(400);
    assertThat(rule.fired()).isEqualTo(1);
    assertThat(s3.faults().injectedDelays()).isEqualTo(1);
    assertThat(s3.faults().injectedFailures()).isZero();
  }

  @Test
  void limitedRuleFiresExactlyNTimesUnderConcurrentRequests() throws Exception {
    FaultRule rule =
        s3.faults()
            .failNext(5, S3Fault.SLOW_DOWN, RequestMatcher.operations(ObjectOperation.PUT_OBJECT));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String key = "c/" + i;
        results.add(
            pool.submit(
                () -> {
                  try {
                    put(key);
                    return true;
                  } catch (S3Exception e) {
                    return false;
                  }
                }));
      }
      int failed = 0;
      for (Future<Boolean> r : results) {
        failed += r.get() ? 0 : 1;
      }

      assertThat(failed).isEqualTo(5);
      assertThat(rule.fired()).isEqualTo(5);
      assertThat(keys()).hasSize(35);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void clearRemovesRulesButKeepsCounters() {
    s3.faults().failNext(1, S3Fault.ACCESS_DENIED, RequestMatcher.any());
    s3.faults().failAlways(S3Fault.ACCESS_DENIED, RequestMatcher.any().bucket(BUCKET));
    assertThatThrownBy(() -> put("denied.txt"))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));

    s3.faults().clear();
    put("allowed.txt");

    assertThat(s3.faults().activeRules()).isEmpty();
    assertThat(s3.faults().injectedFailures()).isEqualTo(1);
    assertThat(keys()).containsExactly("allowed.txt");
  }

  @Test
  void badRulesAreRejectedWithAClearMessage() {
    assertThatThrownBy(() -> RequestMatcher.methods("PATCH"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PATCH");
    assertThatThrownBy(() -> s3.faults().failNext(0, S3Fault.SLOW_DOWN, RequestMatcher.any()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive count");
  }

  private void put(String key) {
    noRetry.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString("body"));
  }

  private List<String> keys() {
    List<String> keys = new ArrayList<>();
    s3.client()
        .listObjectsV2Paginator(b -> b.bucket(BUCKET))
        .contents()
        .forEach(o -> keys.add(o.key()));
    return keys;
  }
}
