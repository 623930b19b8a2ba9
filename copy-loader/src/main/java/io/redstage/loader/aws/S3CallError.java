package io.redstage.loader.aws;

import static io.redstage.loader.config.LoaderConfigDef.AWS_REGION;
import static io.redstage.loader.config.LoaderConfigDef.S3_BUCKET;
import static io.redstage.loader.config.LoaderConfigDef.S3_ENDPOINT;

import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * S3's error codes that concern the call itself, whatever key or prefix it names: every call gets
 * them alike. A caller that meets one must not blame what it asked about (reject one marker, ask
 * for a grant on one prefix), which would send the operator to fix what is fine.
 */
public enum S3CallError {
  /** S3 refuses the credentials themselves: unknown, expired or signed with another secret. */
  CREDENTIALS(
      "Renew the loader's AWS credentials if they expired, or correct them (the role, AWS_PROFILE,"
          + " or aws.access.key.id and aws.secret.access.key).",
      "InvalidAccessKeyId",
      "SignatureDoesNotMatch",
      "ExpiredToken",
      "InvalidToken",
      "TokenRefreshRequired"),
  /** This host's clock is too far from S3's for any signature. */
  CLOCK("Synchronise this host's clock (NTP).", "RequestTimeTooSkewed"),
  /** The bucket does not exist. */
  NO_SUCH_BUCKET(
      "Create the bucket, or correct "
          + S3_BUCKET
          + " (the bucket the connector writes; "
          + S3_ENDPOINT
          + " for an S3-compatible store).",
      "NoSuchBucket"),
  /** The bucket is in another region than the one asked. */
  OTHER_REGION(
      "Set " + AWS_REGION + " to the bucket's region.",
      "PermanentRedirect",
      "AuthorizationHeaderMalformed"),
  /** Too many requests (S3 answers 503, which callers count as S3 failing; others may not). */
  SLOW_DOWN(AwsClients.MAY_PASS, "SlowDown");

  private final String whatToDo;
  private final Set<String> codes;

  S3CallError(String whatToDo, String... codes) {
    this.whatToDo = whatToDo;
    this.codes = Set.of(codes);
  }

  /** What the operator does about it, in one sentence: the same whichever call S3 refused. */
  public String whatToDo() {
    return whatToDo;
  }

  /** What {@code e}'s error code says about the call; empty when it concerns what was asked. */
  public static Optional<S3CallError> of(AwsServiceException e) {
    String code = code(e);
    if (code == null) {
      // Set.of's sets throw on contains(null)
      return Optional.empty();
    }
    for (S3CallError error : values()) {
      if (error.codes.contains(code)) {
        return Optional.of(error);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code e} is S3 failing rather than refusing: throttling, a timeout or a 5xx, which may
   * pass without a fix.
   */
  public static boolean mayPass(AwsServiceException e) {
    return e.isThrottlingException()
        || e.statusCode() >= 500
        || e.statusCode() == 408
        || e.statusCode() == 429;
  }

  /** {@code e}'s error code, or null when the answer had none (a HEAD's bare 404). */
  public static String code(AwsServiceException e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }
}
