package io.redstage.loader.discovery;

import static io.redstage.loader.config.LoaderConfigDef.AWS_REGION;
import static io.redstage.loader.config.LoaderConfigDef.MARKERS_DIR;
import static io.redstage.loader.config.LoaderConfigDef.S3_BUCKET;
import static io.redstage.loader.config.LoaderConfigDef.S3_ENDPOINT;

import io.redstage.loader.aws.AwsClients;
import io.redstage.loader.aws.S3CallError;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The operator's reading of a listing of the commit markers that failed past the SDK's retries.
 * S3's own text ("Access Denied (Service: S3, Status Code: 403, ...)") reached 'status', 'once' and
 * the run loop's log as it was, naming neither the bucket and prefix nor what to do.
 */
final class MarkerListingFailure {
  private MarkerListingFailure() {}

  /**
   * "Cannot list the commit markers under s3://bucket/prefix: what S3 answered. What to do." Not a
   * configuration error, whatever S3 answered: a running loader retries each cycle, and a bucket
   * deleted or a grant withdrawn under it must not stop it (the start-up probe names a bucket that
   * does not exist as a setting first).
   */
  static IllegalStateException of(String bucket, String prefix, SdkException e) {
    return new IllegalStateException(
        "Cannot list the commit markers under s3://"
            + bucket
            + "/"
            + prefix
            + ": "
            + answer(e)
            + ". "
            + whatToDo(bucket, e),
        e);
  }

  /** S3's error code, status and message, without the SDK's request ids. */
  private static String answer(SdkException e) {
    if (!(e instanceof AwsServiceException s)) {
      return withoutFinalStop(e.getMessage());
    }
    String code = S3CallError.code(s);
    String message = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorMessage();
    return (code == null ? "" : code + " ")
        + "(HTTP "
        + s.statusCode()
        + ")"
        + (message == null || message.isBlank() ? "" : ": " + withoutFinalStop(message));
  }

  private static String withoutFinalStop(String text) {
    String t = String.valueOf(text).strip();
    return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
  }

  private static String whatToDo(String bucket, SdkException e) {
    if (!(e instanceof AwsServiceException s)) {
      return AwsClients.MAY_PASS
          + " If it lasts, check the network path to S3 ("
          + S3_ENDPOINT
          + ", a proxy, a VPC endpoint).";
    }
    Optional<S3CallError> aboutTheCall = S3CallError.of(s);
    if (aboutTheCall.isPresent()) {
      return aboutTheCall.get().whatToDo();
    }
    if (S3CallError.mayPass(s)) {
      return AwsClients.MAY_PASS;
    }
    if (s.statusCode() == 403) {
      return "Grant the loader's role s3:ListBucket on arn:aws:s3:::"
          + bucket
          + " (examples/iam/loader.json).";
    }
    return "Check "
        + S3_BUCKET
        + ", "
        + MARKERS_DIR
        + " and "
        + AWS_REGION
        + " (or "
        + S3_ENDPOINT
        + ").";
  }
}
