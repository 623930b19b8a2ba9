package io.redstage.loader.redshift;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Whether the Data API refused a submission (ExecuteStatement, BatchExecuteStatement) for certain,
 * so that no statement exists: every HTTP attempt the SDK made was answered by the service with a
 * 4xx status (ThrottlingException, ActiveStatementsExceededException, ValidationException, ...),
 * which it gives instead of creating a statement.
 *
 * <p>Every attempt, not the last one: the SDK retries a submission (with the same ClientToken) and
 * throws only the last attempt's failure. An earlier attempt that timed out, broke off on the
 * network or got a 5xx may have created the statement, which then runs and may commit however the
 * later attempts were answered. The SDK (2.x, {@code RetryableStageHelper}) records the number of
 * attempts on the thrown exception ({@code numAttempts()}) and each earlier attempt's failure only
 * as a suppressed {@code SdkClientException} whose message is {@code "Request attempt N failure:
 * <message>"}; a service answer's message ends with {@code "(Service: ..., Status Code: NNN,
 * Request ID: ...)"}. Anything that does not read exactly so (no attempt count, an attempt not
 * recorded, a message without a status) counts as not refused: the outcome stays unknown, as for
 * every other failure of a submission.
 */
final class SubmissionRefusal {
  private static final Pattern EARLIER_ATTEMPT =
      Pattern.compile("Request attempt (\\d+) failure: (.*)", Pattern.DOTALL);

  /** The diagnostics an AwsServiceException's message ends with (and the attempt count, if set). */
  private static final Pattern SERVICE_ANSWER =
      Pattern.compile(
          "\\(Service: [^()]*, Status Code: (\\d{3}), Request ID: [^()]*\\)"
              + "(?: \\(SDK Attempt Count: \\d+\\))?$");

  private SubmissionRefusal() {}

  /** Whether {@code failure}, thrown by a submission call, shows every attempt refused. */
  static boolean certain(Throwable failure) {
    if (!(failure instanceof AwsServiceException last) || !refusal(last.statusCode())) {
      return false;
    }
    Integer attempts = last.numAttempts();
    if (attempts == null || attempts < 1) {
      return false;
    }
    int earlier = 0;
    for (Throwable s : last.getSuppressed()) {
      Matcher m = EARLIER_ATTEMPT.matcher(String.valueOf(s.getMessage()));
      if (!m.matches()) {
        continue;
      }
      earlier++;
      if (Integer.parseInt(m.group(1)) != earlier) {
        return false;
      }
      Matcher answer = SERVICE_ANSWER.matcher(m.group(2));
      if (!answer.find() || !refusal(Integer.parseInt(answer.group(1)))) {
        return false;
      }
    }
    return earlier == attempts - 1;
  }

  private static boolean refusal(int httpStatus) {
    return httpStatus >= 400 && httpStatus < 500;
  }
}
