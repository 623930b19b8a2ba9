package io.redstage.loader.redshift;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.redshiftdata.model.ActiveStatementsExceededException;
import software.amazon.awssdk.services.redshiftdata.model.RedshiftDataException;

/**
 * The decision whether a submission was refused for certain, on SDK exceptions built as the SDK's
 * retry stage leaves them: the last attempt's failure with the attempt count, each earlier
 * attempt's failure recorded as a suppressed "Request attempt N failure: <message>".
 */
class SubmissionRefusalTest {

  static SdkException answer(int status, String code) {
    return RedshiftDataException.builder()
        .statusCode(status)
        .requestId("4f1d6c1e-0000-0000-0000-000000000000")
        .awsErrorDetails(
            AwsErrorDetails.builder()
                .errorCode(code)
                .errorMessage("the service's words")
                .serviceName("RedshiftData")
                .build())
        .build();
  }

  static SdkException readTimedOut() {
    return SdkClientException.create(
        "Unable to execute HTTP request: Read timed out",
        new SocketTimeoutException("Read timed out"));
  }

  /** What the SDK throws after these attempts: the last one's failure, the others recorded. */
  static SdkException thrown(SdkException... attempts) {
    SdkException last =
        attempts[attempts.length - 1].toBuilder().numAttempts(attempts.length).build();
    for (int i = 0; i < attempts.length - 1; i++) {
      last.addSuppressed(
          SdkClientException.builder()
              .message("Request attempt " + (i + 1) + " failure: " + attempts[i].getMessage())
              .writableStackTrace(false)
              .build());
    }
    return last;
  }

  @Test
  void everyAttemptAnsweredWithA4xxIsARefusal() {
    assertThat(SubmissionRefusal.certain(thrown(answer(400, "ValidationException")))).isTrue();
    assertThat(
            SubmissionRefusal.certain(
                thrown(
                    answer(400, "ThrottlingException"),
                    answer(400, "ActiveStatementsExceededException"),
                    answer(400, "ThrottlingException"))))
        .isTrue();
    SdkException tooMany =
        ActiveStatementsExceededException.builder()
            .statusCode(400)
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .errorCode("ActiveStatementsExceededException")
                    .serviceName("RedshiftData")
                    .build())
            .build();
    assertThat(SubmissionRefusal.certain(thrown(answer(400, "ThrottlingException"), tooMany)))
        .isTrue();
  }

  @Test
  void anEarlierAttemptThatTimedOutOrGotA5xxMayHaveCreatedTheStatement() {
    assertThat(
            SubmissionRefusal.certain(thrown(readTimedOut(), answer(400, "ThrottlingException"))))
        .isFalse();
    assertThat(
            SubmissionRefusal.certain(
                thrown(
                    answer(400, "ThrottlingException"),
                    answer(500, "InternalServerException"),
                    answer(400, "ThrottlingException"))))
        .isFalse();
  }

  @Test
  void aLastAttemptThatTimedOutOrGotA5xxIsNoRefusal() {
    assertThat(
            SubmissionRefusal.certain(thrown(answer(400, "ThrottlingException"), readTimedOut())))
        .isFalse();
    assertThat(SubmissionRefusal.certain(thrown(answer(503, "ServiceUnavailable")))).isFalse();
    assertThat(SubmissionRefusal.certain(null)).isFalse();
  }

  @Test
  void attemptsTheExceptionDoesNotAccountForAreNoRefusal() {
    SdkException noCount = answer(400, "ThrottlingException");
    assertThat(SubmissionRefusal.certain(noCount)).as("no attempt count").isFalse();
    SdkException missing = answer(400, "ThrottlingException").toBuilder().numAttempts(3).build();
    missing.addSuppressed(
        SdkClientException.create(
            "Request attempt 1 failure: " + answer(400, "ThrottlingException").getMessage()));
    assertThat(SubmissionRefusal.certain(missing)).as("attempt 2 not recorded").isFalse();
    SdkException unreadable = answer(400, "ThrottlingException").toBuilder().numAttempts(2).build();
    unreadable.addSuppressed(SdkClientException.create("Request attempt 1 failure: Rate exceeded"));
    assertThat(SubmissionRefusal.certain(unreadable)).as("no status in its message").isFalse();
  }
}
