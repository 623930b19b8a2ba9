package io.redstage.connector.storage;

import static io.redstage.connector.storage.S3UploadStreamTest.BUCKET;
import static io.redstage.connector.storage.S3UploadStreamTest.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.sandbox.s3.FaultRule;
import io.redstage.sandbox.s3.LocalS3;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

class S3StorageTest {
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
  void encryptionAndAclHeadersAreSentOnEveryObjectCreation() throws IOException {
    CapturingInterceptor captured = new CapturingInterceptor();
    S3Settings s =
        settings(s3).sseAlgorithm("AES256").cannedAcl("bucket-owner-full-control").build();
    try (S3Storage storage =
        new S3Storage(S3ClientFactory.create(s, o -> o.addExecutionInterceptor(captured)), s)) {
      // S3Proxy's in-memory store implements no server-side encryption and answers 501: assert what
      // was sent
      S3UploadStream big = storage.create("sse/big.bin");
      assertThatThrownBy(() -> big.write(new byte[S3Settings.MIN_PART_SIZE + 1]))
          .isInstanceOfSatisfying(
              S3StorageException.class,
              e -> {
                assertThat(e.isRetriable()).isFalse();
                assertThat(e)
                    .hasMessageStartingWith(
                        "Cannot start a multipart upload of s3://upload-test/sse/big.bin: "
                            + "S3 answered HTTP 501 NotImplemented")
                    .hasMessageContaining("s3.ssea.name");
              });
      S3UploadStream small = storage.create("sse/small.bin", "application/vnd.apache.parquet");
      small.write(new byte[10]);
      assertThatThrownBy(small::complete).isInstanceOf(S3StorageException.class);
      assertThatThrownBy(
              () ->
                  storage.putSmallObject(
                      "sse/marker.json", new byte[] {'{', '}'}, "application/json"))
          .isInstanceOf(S3StorageException.class);
    }

    List<CapturingInterceptor.Sent> creations = captured.of("PutObject");
    creations.addAll(captured.of("CreateMultipartUpload"));
    assertThat(creations)
        .hasSize(3)
        .allSatisfy(
            sent -> {
              assertThat(sent.header("x-amz-server-side-encryption")).isEqualTo("AES256");
              assertThat(sent.header("x-amz-acl")).isEqualTo("bucket-owner-full-control");
            });
    assertThat(captured.of("PutObject"))
        .extracting(sent -> sent.header("Content-Type"))
        .containsExactlyInAnyOrder("application/vnd.apache.parquet", "application/json");
  }

  @Test
  void cannedAclIsAppliedToCreateAndPutButNotToParts() throws IOException {
    CapturingInterceptor captured = new CapturingInterceptor();
    S3Settings s = settings(s3).cannedAcl("private").build();
    try (S3Storage storage =
        new S3Storage(S3ClientFactory.create(s, o -> o.addExecutionInterceptor(captured)), s)) {
      writeMultipartAndSmallObject(storage, "acl/");
    }

    assertThat(captured.of("CreateMultipartUpload"))
        .singleElement()
        .satisfies(sent -> assertThat(sent.header("x-amz-acl")).isEqualTo("private"));
    assertThat(captured.of("PutObject"))
        .singleElement()
        .satisfies(sent -> assertThat(sent.header("x-amz-acl")).isEqualTo("private"));
    assertThat(captured.of("UploadPart"))
        .hasSize(2)
        .allSatisfy(
            sent -> {
              assertThat(sent.header("x-amz-acl")).isNull();
              assertThat(sent.header("x-amz-server-side-encryption")).isNull();
            });
    assertThat(s3.client().headObject(b -> b.bucket(BUCKET).key("acl/big.bin")).contentLength())
        .isEqualTo(S3Settings.MIN_PART_SIZE + 1);
  }

  @Test
  void kmsKeyIdIsSentWithKmsEncryption() throws IOException {
    CapturingInterceptor captured = new CapturingInterceptor();
    S3Settings s =
        settings(s3)
            .sseAlgorithm("aws:kms")
            .sseKmsKeyId("arn:aws:kms:us-east-1:111122223333:key/abc")
            .build();
    try (S3Storage storage =
        new S3Storage(S3ClientFactory.create(s, o -> o.addExecutionInterceptor(captured)), s)) {
      S3UploadStream out = storage.create("sse/kms.bin");
      out.write(1);
      try {
        out.complete();
      } catch (S3StorageException e) {
        // S3Proxy has no KMS; what matters here is the request the connector sent
      }
    }

    assertThat(captured.of("PutObject"))
        .first()
        .satisfies(
            sent -> {
              assertThat(sent.header("x-amz-server-side-encryption")).isEqualTo("aws:kms");
              assertThat(sent.header("x-amz-server-side-encryption-aws-kms-key-id"))
                  .isEqualTo("arn:aws:kms:us-east-1:111122223333:key/abc");
            });
  }

  @Test
  void everyUploadCarriesACrc32ThatS3Checks() throws IOException {
    CapturingInterceptor captured = new CapturingInterceptor();
    S3Settings s = settings(s3).build();
    try (S3Storage storage =
        new S3Storage(S3ClientFactory.create(s, o -> o.addExecutionInterceptor(captured)), s)) {
      writeMultipartAndSmallObject(storage, "crc/");
      storage.putSmallObject("crc/marker.json", "{}".getBytes(StandardCharsets.UTF_8), "text/json");
    }

    // the data file in one PUT, the marker, and both parts of the multipart file
    assertThat(captured.of("PutObject")).hasSize(2);
    assertThat(captured.of("UploadPart")).hasSize(2);
    assertThat(
            captured.sent().stream()
                .filter(sent -> !sent.operation.equals("CreateMultipartUpload"))
                .filter(sent -> !sent.operation.equals("CompleteMultipartUpload")))
        .hasSize(4)
        .allSatisfy(
            sent -> assertThat(sent.header("x-amz-trailer")).isEqualTo("x-amz-checksum-crc32"));
  }

  /**
   * s3.checksum.calculation=when_required, for S3-compatible stores that refuse checksum trailers:
   * no upload carries one, and the files still arrive whole.
   */
  @Test
  void whenRequiredSendsNoChecksumTrailerAndNoChunkedBody() throws IOException {
    CapturingInterceptor captured = new CapturingInterceptor();
    S3Settings s = settings(s3).checksumCalculation("when_required").build();
    try (S3Storage storage =
        new S3Storage(S3ClientFactory.create(s, o -> o.addExecutionInterceptor(captured)), s)) {
      writeMultipartAndSmallObject(storage, "no-crc/");
    }
    assertThat(captured.sent())
        .isNotEmpty()
        .allSatisfy(
            sent -> {
              assertThat(sent.header("x-amz-trailer")).isNull();
              assertThat(sent.header("x-amz-sdk-checksum-algorithm")).isNull();
              assertThat(sent.header("Content-Encoding")).isNull();
              assertThat(sent.header("x-amz-content-sha256"))
                  .as("over plain HTTP the whole payload is signed, not chunk by chunk")
                  .doesNotStartWith("STREAMING");
            });
    assertThat(
            s3.client().getObjectAsBytes(b -> b.bucket(BUCKET).key("no-crc/big.bin")).asByteArray())
        .hasSize(S3Settings.MIN_PART_SIZE + 1);
  }

  @Test
  void smallObjectsRoundTripAndMissingKeysAreEmpty() throws IOException {
    S3Settings s = settings(s3).build();
    try (S3Storage storage = new S3Storage(S3ClientFactory.create(s), s)) {
      byte[] marker = "{\"topic\":\"orders\"}".getBytes(StandardCharsets.UTF_8);
      storage.putSmallObject("markers/orders/0000000003/1.json", marker, "application/json");

      assertThat(storage.getIfExists("markers/orders/0000000003/1.json")).contains(marker);
      assertThat(storage.getIfExists("markers/orders/0000000003/2.json")).isEmpty();
      assertThat(
              s3.client()
                  .headObject(b -> b.bucket(BUCKET).key("markers/orders/0000000003/1.json"))
                  .contentType())
          .isEqualTo("application/json");
    }
  }

  @Test
  void markerWriteFailuresAreRetriedThenReported() throws IOException {
    S3Settings s = settings(s3).maxRetries(1).build();
    FaultRule transient1 =
        s3.faults()
            .failNext(
                1,
                S3Fault.INTERNAL_ERROR,
                RequestMatcher.operations(ObjectOperation.PUT_OBJECT).keyPrefix("markers-flaky/"));
    try (S3Storage storage = new S3Storage(S3ClientFactory.create(s), s)) {
      storage.putSmallObject("markers-flaky/a.json", new byte[] {1}, "application/json");
      assertThat(transient1.fired()).isEqualTo(1);

      FaultRule down =
          s3.faults()
              .failAlways(
                  S3Fault.SERVICE_UNAVAILABLE,
                  RequestMatcher.operations(ObjectOperation.PUT_OBJECT)
                      .keyPrefix("markers-flaky/"));
      assertThatThrownBy(
              () ->
                  storage.putSmallObject(
                      "markers-flaky/b.json", new byte[] {1}, "application/json"))
          .isInstanceOfSatisfying(
              S3StorageException.class,
              e -> {
                assertThat(e.isRetriable()).isTrue();
                assertThat(e)
                    .hasMessageStartingWith(
                        "Cannot write s3://upload-test/markers-flaky/b.json: S3 answered HTTP 503");
              });
      assertThat(down.fired()).isEqualTo(2);
    } finally {
      s3.faults().clear();
    }
  }

  @Test
  void abortStaleUploadsRemovesOnlyOldUploadsUnderThePrefix() throws IOException {
    S3Client client = s3.client();
    client.createMultipartUpload(b -> b.bucket(BUCKET).key("stale/a.bin"));
    client.createMultipartUpload(b -> b.bucket(BUCKET).key("stale/b.bin"));
    client.createMultipartUpload(b -> b.bucket(BUCKET).key("elsewhere/c.bin"));
    S3Settings s = settings(s3).build();
    Clock twoHoursLater = Clock.fixed(Instant.now().plus(Duration.ofHours(2)), ZoneOffset.UTC);

    try (S3Storage now = new S3Storage(S3ClientFactory.create(s), s);
        S3Storage later = new S3Storage(S3ClientFactory.create(s), s, twoHoursLater)) {
      assertThat(now.abortStaleUploads("stale/", Optional.of(Duration.ofHours(1)))).isZero();
      assertThat(later.abortStaleUploads("stale/", Optional.empty()))
          .as("no age is old enough")
          .isZero();
      assertThat(later.abortStaleUploads("stale/", Optional.of(Duration.ofHours(1)))).isEqualTo(2);
    }

    List<String> open =
        client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().stream()
            .map(MultipartUpload::key)
            .collect(Collectors.toList());
    assertThat(open).contains("elsewhere/c.bin").doesNotContain("stale/a.bin", "stale/b.bin");
  }

  /**
   * Every task of a connector starts at once and cleans up the same uploads: one that another task
   * aborted first, or one this task may not abort, does not keep the others.
   */
  @Test
  void abortStaleUploadsGoesOnPastUploadsItCannotAbort() {
    S3Client client = s3.client();
    String gone = "stale2/a-gone.bin";
    String refused = "stale2/b-refused.bin";
    String uploadOfGone = client.createMultipartUpload(b -> b.bucket(BUCKET).key(gone)).uploadId();
    client.createMultipartUpload(b -> b.bucket(BUCKET).key(refused));
    client.createMultipartUpload(b -> b.bucket(BUCKET).key("stale2/c.bin"));
    client.createMultipartUpload(b -> b.bucket(BUCKET).key("stale2/d.bin"));
    s3.faults()
        .failAlways(
            S3Fault.ACCESS_DENIED,
            RequestMatcher.operations(ObjectOperation.ABORT_MULTIPART_UPLOAD)
                .bucket(BUCKET)
                .keyPrefix(refused));
    S3Settings s = settings(s3).build();
    Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(2)), ZoneOffset.UTC);
    // another task aborts the first upload between this task's list and its abort
    S3Client racing =
        InterceptedS3Client.around(S3ClientFactory.create(s))
            .before(
                "abortMultipartUpload",
                request -> {
                  if (open(client).contains(gone)) {
                    client.abortMultipartUpload(
                        b -> b.bucket(BUCKET).key(gone).uploadId(uploadOfGone));
                  }
                })
            .client();
    try (S3Storage storage = new S3Storage(racing, s, later)) {
      assertThatThrownBy(
              () -> storage.abortStaleUploads("stale2/", Optional.of(Duration.ofHours(1))))
          .isInstanceOf(S3StorageException.class)
          .hasMessageStartingWith(
              "Cannot abort 1 of the stale multipart uploads under s3://upload-test/stale2/ (2 aborted)")
          .hasMessageContaining("AccessDenied");
    } finally {
      s3.faults().clear();
    }
    assertThat(open(client)).filteredOn(k -> k.startsWith("stale2/")).containsExactly(refused);
  }

  private static List<String> open(S3Client client) {
    return client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().stream()
        .map(MultipartUpload::key)
        .collect(Collectors.toList());
  }

  /**
   * {@code prefix + "big.bin"}, one byte over a part (a multipart upload of two parts), and {@code
   * prefix + "small.bin"} (one PutObject).
   */
  private static void writeMultipartAndSmallObject(S3Storage storage, String prefix)
      throws IOException {
    S3UploadStream big = storage.create(prefix + "big.bin");
    big.write(new byte[S3Settings.MIN_PART_SIZE + 1]);
    big.complete();
    S3UploadStream small = storage.create(prefix + "small.bin");
    small.write(new byte[10]);
    small.complete();
  }
}
