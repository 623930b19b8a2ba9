package io.redstage.loader.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Which of S3's answers concern the call itself: the start-up probe and the marker scanner both
 * tell them apart from answers about one prefix or object by this.
 */
class S3CallErrorTest {
  static S3Exception answer(int status, String code) {
    return (S3Exception)
        S3Exception.builder()
            .statusCode(status)
            .awsErrorDetails(
                code == null ? null : AwsErrorDetails.builder().errorCode(code).build())
            .build();
  }

  @Test
  void answersAboutTheCallAreToldByTheirCode() {
    Map<String, S3CallError> codes =
        Map.of(
            "InvalidAccessKeyId", S3CallError.CREDENTIALS,
            "SignatureDoesNotMatch", S3CallError.CREDENTIALS,
            "ExpiredToken", S3CallError.CREDENTIALS,
            "InvalidToken", S3CallError.CREDENTIALS,
            "TokenRefreshRequired", S3CallError.CREDENTIALS,
            "RequestTimeTooSkewed", S3CallError.CLOCK,
            "NoSuchBucket", S3CallError.NO_SUCH_BUCKET,
            "PermanentRedirect", S3CallError.OTHER_REGION,
            "AuthorizationHeaderMalformed", S3CallError.OTHER_REGION,
            "SlowDown", S3CallError.SLOW_DOWN);
    codes.forEach(
        (code, error) -> assertThat(S3CallError.of(answer(400, code))).as(code).contains(error));
  }

  @Test
  void answersAboutWhatWasAskedAreNot() {
    for (String code : new String[] {"AccessDenied", "NoSuchKey", "InvalidObjectState", "KMS.X"}) {
      assertThat(S3CallError.of(answer(403, code))).as(code).isEmpty();
    }
  }

  /** A HEAD's 404 has no body, so no code: it concerns the key, and must not throw. */
  @Test
  void anAnswerWithoutACodeIsNotAboutTheCall() {
    S3Exception bare = answer(404, null);
    assertThat(S3CallError.code(bare)).isNull();
    assertThat(S3CallError.of(bare)).isEmpty();
  }
}
