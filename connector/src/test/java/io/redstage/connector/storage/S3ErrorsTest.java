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
  void credentialsThatCannotBeFoundFailTheStartAndSayWhereToPutThem() {
    S3StorageException e =
        S3Errors.failure(
            "write s3://b/k",
            SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain"),
            SETTINGS);
    assertThat(e.isSettingsProblem()).isTrue();
    assertThat(e).hasMessageContaining("Give the connector credentials: aws.access.key.id");
  }

  @Test
  void answersThatPassAreTransientWhateverTheirStatus() {
    for (AwsServiceException transientAnswer :
        new AwsServiceException[] {
          s3(400, "RequestTimeout"), s3(200, "InternalError"), s3(400, "ExpiredToken")
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
