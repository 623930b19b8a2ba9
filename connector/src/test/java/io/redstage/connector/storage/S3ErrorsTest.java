package io.redstage.connector.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sts.model.StsException;

/** What each kind of S3, STS or credentials failure is called and what the message says to do. */
class S3ErrorsTest {
  private static final S3Settings SETTINGS = TestS3Settings.builder().bucket("b").build();

  private static AwsServiceException s3(int status, String code) {
    return S3Exception.builder()
        .statusCode(status)
        .awsErrorDetails(
            AwsErrorDetails.builder()
                .serviceName("S3")
                .errorCode(code)
                .errorMessage(code + " message")
                .build())
        .build();
  }

  @Test
  void aRoleThatCannotBeAssumedIsNamedAsSuchAndFailsTheStart() {
    AwsServiceException sts =
        StsException.builder()
            .statusCode(403)
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .serviceName("Sts")
                    .errorCode("AccessDenied")
                    .errorMessage("User x is not authorized to perform: sts:AssumeRole")
                    .build())
            .build();
    S3StorageException e = S3Errors.failure("write s3://b/k", sts, SETTINGS);
    assertThat(e)
        .hasMessageStartingWith("Cannot write s3://b/k: STS answered HTTP 403 AccessDenied")
        .hasMessageContaining("could not be assumed: check sts.role.arn and sts.role.external.id")
        .hasMessageNotContaining("s3:PutObject");
    assertThat(e.isSettingsProblem()).isTrue();
    assertThat(e.isRetriable()).isFalse();
  }

  @Test
  void credentialsThatCannotBeFoundSayWhereToPutThemButDoNotFailTheStart() {
    S3StorageException e =
        S3Errors.failure(
            "write s3://b/k",
            SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain"),
            SETTINGS);
    assertThat(e.isSettingsProblem())
        .as("an identity endpoint may be out of reach a moment")
        .isFalse();
    assertThat(e).hasMessageContaining("Give the connector credentials: aws.access.key.id");
  }

  @Test
  void anExpiredSessionTokenSaysToUseRenewedCredentials() {
    S3StorageException e = S3Errors.failure("write s3://b/k", s3(400, "ExpiredToken"), SETTINGS);
    assertThat(e.isRetriable()).isFalse();
    assertThat(e).hasMessageContaining("session token of the connector's credentials has expired");
    AwsServiceException stsExpired =
        StsException.builder()
            .statusCode(403)
            .awsErrorDetails(
                AwsErrorDetails.builder().serviceName("Sts").errorCode("ExpiredToken").build())
            .build();
    assertThat(S3Errors.failure("write s3://b/k", stsExpired, SETTINGS).isSettingsProblem())
        .isFalse();
  }

  @Test
  void checksumsThatCaughtDamageAreNotBlamedOnTrailers() {
    S3Settings store =
        TestS3Settings.builder()
            .bucket("b")
            .endpoint(java.net.URI.create("https://bucket.vpce.example.amazonaws.com"))
            .build();
    assertThat(S3Errors.failure("write s3://b/k", s3(400, "BadDigest"), store))
        .hasMessageNotContaining("when_required");
    assertThat(S3Errors.failure("write s3://b/k", s3(400, "XAmzContentSHA256Mismatch"), store))
        .hasMessageNotContaining("when_required");
  }

  @Test
  void answersThatPassAreTransientWhateverTheirStatus() {
    for (AwsServiceException transientAnswer :
        new AwsServiceException[] {
          s3(400, "RequestTimeout"), s3(200, "InternalError"), s3(503, "SlowDown")
        }) {
      S3StorageException e = S3Errors.failure("write s3://b/k", transientAnswer, SETTINGS);
      assertThat(e.isRetriable()).as(transientAnswer.awsErrorDetails().errorCode()).isTrue();
      assertThat(e).hasMessageContaining("gave up after");
    }
  }

  @Test
  void aStoreThatRefusesUploadsIsToldAboutChecksumTrailers() {
    S3Settings store =
        TestS3Settings.builder()
            .bucket("b")
            .endpoint(java.net.URI.create("http://minio.example:9000"))
            .build();
    assertThat(S3Errors.failure("write s3://b/k", s3(400, "InvalidArgument"), store))
        .hasMessageContaining("set s3.checksum.calculation=when_required");
    assertThat(S3Errors.failure("write s3://b/k", s3(501, "NotImplemented"), store))
        .hasMessageContaining("set s3.checksum.calculation=when_required");
    assertThat(S3Errors.failure("write s3://b/k", s3(400, "InvalidArgument"), SETTINGS))
        .as("against AWS itself")
        .hasMessageNotContaining("checksum");
  }

  @Test
  void aSkewedClockAndAMissingPermissionSayWhatToFix() {
    assertThat(S3Errors.failure("write s3://b/k", s3(403, "RequestTimeTooSkewed"), SETTINGS))
        .hasMessageContaining("synchronise it (NTP)");
    S3Settings withAcl =
        TestS3Settings.builder().bucket("b").cannedAcl("bucket-owner-full-control").build();
    assertThat(S3Errors.failure("write s3://b/k", s3(403, "AccessDenied"), withAcl))
        .hasMessageContaining("s3:DeleteObject")
        .hasMessageContaining("s3:PutObjectAcl for s3.acl.canned");
    assertThat(S3Errors.failure("write s3://b/k", s3(403, "AccessDenied"), SETTINGS))
        .hasMessageNotContaining("PutObjectAcl");
  }
}
