package io.redstage.loader.aws;

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
      "InvalidAccessKeyId",
      "SignatureDoesNotMatch",
      "ExpiredToken",
      "InvalidToken",
      "TokenRefreshRequired"),
  /** This host's clock is too far from S3's for any signature. */
  CLOCK("RequestTimeTooSkewed"),
  /** The bucket does not exist. */
  NO_SUCH_BUCKET("NoSuchBucket"),
  /** The bucket is in another region than the one asked. */
  OTHER_REGION("PermanentRedirect", "AuthorizationHeaderMalformed"),
  /** Too many requests (S3 answers 503, which callers count as S3 failing; others may not). */
  SLOW_DOWN("SlowDown");

  private final Set<String> codes;

  S3CallError(String... codes) {
    this.codes = Set.of(codes);
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

  /** {@code e}'s error code, or null when the answer had none (a HEAD's bare 404). */
  public static String code(AwsServiceException e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }
}
