package io.redstage.sandbox.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

class LocalS3Test {
  private static final String BUCKET = "sandbox-test";

  @Test
  void putGetListAndDeleteInMemory() {
    try (LocalS3 s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET))) {
      S3Client client = s3.client();
      assertThat(s3.endpoint().getPort()).isPositive();
      assertThat(s3.region()).isEqualTo("us-east-1");
      for (String key : List.of("a/1.txt", "a/2.txt", "b/3.txt")) {
        client.putObject(
            b -> b.bucket(BUCKET).key(key), RequestBody.fromString("content of " + key));
      }

      String body = client.getObjectAsBytes(b -> b.bucket(BUCKET).key("a/2.txt")).asUtf8String();
      ListObjectsV2Response listing = client.listObjectsV2(b -> b.bucket(BUCKET).prefix("a/"));
      client.deleteObject(b -> b.bucket(BUCKET).key("a/1.txt"));

      assertThat(body).isEqualTo("content of a/2.txt");
      assertThat(listing.contents())
          .extracting(S3Object::key)
          .containsExactly("a/1.txt", "a/2.txt");
      assertThatThrownBy(() -> client.getObjectAsBytes(b -> b.bucket(BUCKET).key("a/1.txt")))
          .isInstanceOf(NoSuchKeyException.class);
    }
  }

  @Test
  void servesHttpsWithTheGivenKeyStore() throws Exception {
    SelfSignedTls tls = SelfSignedTls.create();
    try (LocalS3 s3 =
            LocalS3.start(
                LocalS3.Options.inMemory().tls(tls.keyStore(), tls.password()).buckets(BUCKET));
        S3Client client =
            s3.clientBuilder()
                .httpClientBuilder(
                    Apache5HttpClient.builder().tlsTrustManagersProvider(tls::trustManagers))
                .build()) {
      client.putObject(b -> b.bucket(BUCKET).key("tls.txt"), RequestBody.fromString("over TLS"));

      assertThat(s3.endpoint().getScheme()).isEqualTo("https");
      assertThat(client.getObjectAsBytes(b -> b.bucket(BUCKET).key("tls.txt")).asUtf8String())
          .isEqualTo("over TLS");
    }
  }

  @Test
  void multipartUploadReadsBackIdentical() {
    try (LocalS3 s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET))) {
      S3Client client = s3.client();
      byte[] data = randomBytes(5 * 1024 * 1024 + 5 * 1024 * 1024 + 1234);

      multipartPut(client, "big/object.bin", data, 5 * 1024 * 1024);

      assertThat(client.getObjectAsBytes(b -> b.bucket(BUCKET).key("big/object.bin")).asByteArray())
          .isEqualTo(data);
      assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
      // one client request per operation: S3Proxy's internal bookkeeping calls are not counted
      assertThat(s3.requestCount(ObjectOperation.CREATE_MULTIPART_UPLOAD)).isEqualTo(1);
      assertThat(s3.requestCount(ObjectOperation.UPLOAD_PART)).isEqualTo(3);
      assertThat(s3.requestCount(ObjectOperation.COMPLETE_MULTIPART_UPLOAD)).isEqualTo(1);
      assertThat(s3.requestCount(ObjectOperation.PUT_OBJECT)).isZero();
    }
  }

  @Test
  void filesystemStoreKeepsObjectsAcrossRestarts(@TempDir Path dir) throws Exception {
    Path storeDir = Files.createDirectories(dir.resolve("store"));
    try (LocalS3 s3 = LocalS3.start(LocalS3.Options.filesystem(storeDir).buckets(BUCKET))) {
      s3.client()
          .putObject(b -> b.bucket(BUCKET).key("kept.txt"), RequestBody.fromString("still here"));
    }

    try (LocalS3 s3 = LocalS3.start(LocalS3.Options.filesystem(storeDir).buckets(BUCKET))) {
      assertThat(s3.client().getObjectAsBytes(b -> b.bucket(BUCKET).key("kept.txt")).asUtf8String())
          .isEqualTo("still here");
    }
  }

  @Test
  void wrongSecretIsRejectedWithSignatureError() {
    try (LocalS3 s3 =
            LocalS3.start(
                LocalS3.Options.inMemory().credentials("tester", "right-secret").buckets(BUCKET));
        S3Client wrong =
            s3.clientBuilder()
                .credentialsProvider(
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("tester", "wrong")))
                .build()) {
      assertThatThrownBy(
              () -> wrong.putObject(b -> b.bucket(BUCKET).key("x"), RequestBody.fromString("x")))
          .isInstanceOfSatisfying(
              S3Exception.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
              });
      assertThat(s3.client().listObjectsV2(b -> b.bucket(BUCKET)).contents()).isEmpty();
    }
  }

  @Test
  void optionsAreValidated() {
    assertThatThrownBy(() -> LocalS3.Options.inMemory().port(70000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port 70000");
  }

  static void multipartPut(S3Client client, String key, byte[] data, int partSize) {
    String uploadId = client.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
    List<CompletedPart> parts = new ArrayList<>();
    for (int offset = 0, n = 1; offset < data.length; offset += partSize, n++) {
      int len = Math.min(partSize, data.length - offset);
      int partNumber = n;
      String etag =
          client
              .uploadPart(
                  b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(partNumber),
                  RequestBody.fromBytes(Arrays.copyOfRange(data, offset, offset + len)))
              .eTag();
      parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
    }
    client.completeMultipartUpload(
        b ->
            b.bucket(BUCKET)
                .key(key)
                .uploadId(uploadId)
                .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
  }

  static byte[] randomBytes(int size) {
    byte[] data = new byte[size];
    new Random(42).nextBytes(data);
    return data;
  }
}
