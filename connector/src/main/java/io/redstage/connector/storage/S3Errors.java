package io.redstage.connector.storage;

import java.io.IOException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/** Turns SDK exceptions into {@link S3StorageException}s that read "Cannot X: why. What to do." */
final class S3Errors {
  private S3Errors() {}

  /**
   * @param action what failed, e.g. "upload part 3 of s3://bucket/key"
   */
  static S3StorageException failure(String action, SdkException e, S3Settings settings) {
    boolean retriable = isRetriable(e);
    return new S3StorageException(
        "Cannot " + action + ": " + why(e, settings) + ". " + whatToDo(e, retriable, settings),
        retriable,
        e);
  }

  /**
   * S3's error codes that only a change of the bucket, the region or the credentials can clear.
   * Access denied is not among them: a policy may deny one prefix or action and allow the rest, and
   * the task's rewinds tell that apart from a dead bucket.
   */
  private static final Set<String> SETTINGS_PROBLEMS =
      Set.of(
          "NoSuchBucket",
          "InvalidBucketName",
          "InvalidAccessKeyId",
          "SignatureDoesNotMatch",
          "AuthorizationHeaderMalformed",
          "PermanentRedirect");

  /**
   * Codes that the next attempt may not meet, whatever the status they come with: S3 answers some
   * with 400 (RequestTimeout, an idle upload connection) or inside a 200 (InternalError from a
   * complete or a copy), and the SDK retries them by code too.
   */
  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "RequestTimeout",
          "InternalError",
          "SlowDown",
          "ServiceUnavailable",
          "Throttling",
          "RequestLimitExceeded");

  /**
   * 400 answers with which an S3-compatible store refuses a request it does not understand, as some
   * refuse checksum trailers. Not BadDigest or XAmzContentSHA256Mismatch: those say the checksum
   * caught damaged bytes, and the advice must not be to stop checking.
   */
  private static final Set<String> REFUSED_REQUEST_CODES =
      Set.of("InvalidArgument", "InvalidRequest", "NotImplemented", "BadRequest");

  /**
   * S3's codes above, and STS refusing to let the connector assume the role of sts.role.arn (its
   * trust policy). Not credentials that no provider of the default chain found: the instance,
   * container or pod identity endpoint can be out of reach for a moment while a worker boots, and a
   * task that fails its start is not restarted; that case takes the rewinds at the first commit
   * instead.
   */
  static boolean isSettingsProblem(SdkException e) {
    String code = code(e);
    return (code != null && SETTINGS_PROBLEMS.contains(code))
        || (isSts(e) && "AccessDenied".equals(code));
  }

  /** True for S3's answer that the multipart upload no longer exists. */
  static boolean isNoSuchUpload(SdkException e) {
    return "NoSuchUpload".equals(code(e));
  }

  static boolean isRetriable(SdkException e) {
    if (e instanceof AwsServiceException) {
      AwsServiceException s = (AwsServiceException) e;
      int status = s.statusCode();
      // 501 NotImplemented and 505 are 5xx too but permanent
      return s.isThrottlingException()
          || (s.awsErrorDetails() != null
              && TRANSIENT_CODES.contains(s.awsErrorDetails().errorCode()))
          || status == 408
          || status == 429
          || status == 500
          || status == 502
          || status == 503
          || status == 504;
    }
    // client-side: network trouble and timeouts pass; anything else (bad endpoint, no credentials
    // provider
    // configured, ...) will not get better by itself
    return e instanceof ApiCallTimeoutException
        || e instanceof ApiCallAttemptTimeoutException
        || hasCause(e, IOException.class);
  }

  /** S3's (or STS's) error code, or null when the failure is not an answer of the service. */
  private static String code(SdkException e) {
    return e instanceof AwsServiceException && ((AwsServiceException) e).awsErrorDetails() != null
        ? ((AwsServiceException) e).awsErrorDetails().errorCode()
        : null;
  }

  /**
   * True when STS answered, not S3: the role in sts.role.arn could not be assumed (the call that
   * needed the credentials reports it).
   */
  private static boolean isSts(SdkException e) {
    return e instanceof AwsServiceException
        && ((AwsServiceException) e).awsErrorDetails() != null
        && "sts"
            .equalsIgnoreCase(
                String.valueOf(((AwsServiceException) e).awsErrorDetails().serviceName()));
  }

  /** True when no credentials provider of the chain had credentials to give. */
  private static boolean isCredentialsNotFound(SdkException e) {
    return !(e instanceof AwsServiceException)
        && String.valueOf(e.getMessage()).startsWith("Unable to load credentials");
  }

  private static String why(SdkException e, S3Settings settings) {
    if (e instanceof AwsServiceException) {
      AwsServiceException s = (AwsServiceException) e;
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      String message = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorMessage();
      return (isSts(e) ? "STS" : "S3")
          + " answered HTTP "
          + s.statusCode()
          + (code == null ? "" : " " + code)
          + (message == null ? "" : " (" + stripPeriod(message) + ")")
          + (s.requestId() == null ? "" : ", request id " + s.requestId());
    }
    if (e instanceof ApiCallTimeoutException) {
      return "the call did not finish within " + settings.apiCallTimeout() + " including retries";
    }
    return stripPeriod(String.valueOf(e.getMessage()));
  }

  private static String whatToDo(SdkException e, boolean retriable, S3Settings settings) {
    String code = code(e);
    if ("ExpiredToken".equals(code)) {
      return "The session token of the connector's credentials has expired: use credentials that are "
          + "renewed (an instance, task or pod role, or "
          + S3Settings.STS_ROLE_ARN_CONFIG
          + ") rather than a fixed session token.";
    }
    if (isSts(e) && !retriable) {
      return "The role in "
          + S3Settings.STS_ROLE_ARN_CONFIG
          + " could not be assumed: check "
          + S3Settings.STS_ROLE_ARN_CONFIG
          + " and "
          + S3Settings.STS_EXTERNAL_ID_CONFIG
          + ", that the role's trust policy lets the connector's own credentials assume it, and "
          + "that they may call sts:AssumeRole.";
    }
    if (isCredentialsNotFound(e)) {
      return "Give the connector credentials: "
          + S3Settings.ACCESS_KEY_ID_CONFIG
          + " and "
          + S3Settings.SECRET_ACCESS_KEY_CONFIG
          + ", or credentials the AWS SDK's default chain finds on the worker (environment, "
          + "instance or task role, web identity token, profile).";
    }
    if ("RequestTimeTooSkewed".equals(code)) {
      return "The worker's clock differs from S3's by more than 15 minutes; synchronise it (NTP).";
    }
    if ("NoSuchBucket".equals(code) || "InvalidBucketName".equals(code)) {
      return "Create the bucket or fix "
          + S3Settings.BUCKET_CONFIG
          + " (and "
          + S3Settings.REGION_CONFIG
          + " / "
          + S3Settings.ENDPOINT_CONFIG
          + ").";
    }
    if ("SignatureDoesNotMatch".equals(code) || "InvalidAccessKeyId".equals(code)) {
      return "Check "
          + S3Settings.ACCESS_KEY_ID_CONFIG
          + " and "
          + S3Settings.SECRET_ACCESS_KEY_CONFIG
          + " (or the credentials the default chain finds).";
    }
    if ("AuthorizationHeaderMalformed".equals(code) || "PermanentRedirect".equals(code)) {
      return "Set " + S3Settings.REGION_CONFIG + " to the bucket's region.";
    }
    if ("NoSuchUpload".equals(code)) {
      return "The multipart upload is gone (aborted by a lifecycle rule or another task?); the file must be written again.";
    }
    if (e instanceof AwsServiceException && ((AwsServiceException) e).statusCode() == 403) {
      return "Allow s3:PutObject, s3:GetObject, s3:DeleteObject and s3:AbortMultipartUpload under "
          + "the connector's prefixes and s3:ListBucketMultipartUploads on the bucket for the "
          + "connector's credentials"
          + (settings.cannedAcl().isPresent()
              ? ", s3:PutObjectAcl for " + S3Settings.CANNED_ACL_CONFIG
              : "")
          + (settings.sseAlgorithm().orElse("").startsWith("aws:kms")
              ? ", and kms:GenerateDataKey and kms:Decrypt on the KMS key"
              : "")
          + ".";
    }
    if (e instanceof AwsServiceException && ((AwsServiceException) e).statusCode() == 501) {
      return "The S3 endpoint does not implement a feature these settings use ("
          + S3Settings.SSE_ALGORITHM_CONFIG
          + ", "
          + S3Settings.SSE_KMS_KEY_ID_CONFIG
          + " or "
          + S3Settings.CANNED_ACL_CONFIG
          + "?, or the checksum trailers of "
          + S3Settings.CHECKSUM_CALCULATION_CONFIG
          + "=when_supported); remove the setting, set "
          + S3Settings.CHECKSUM_CALCULATION_CONFIG
          + "=when_required, or use a store that supports it.";
    }
    if (!retriable
        && settings.endpoint().isPresent()
        && e instanceof AwsServiceException
        && ((AwsServiceException) e).statusCode() == 400
        && (code == null || REFUSED_REQUEST_CODES.contains(code))
        && settings.checksumCalculation() == RequestChecksumCalculation.WHEN_SUPPORTED) {
      return "If this S3-compatible store refuses every upload so, it may not read checksum trailers:"
          + " set "
          + S3Settings.CHECKSUM_CALCULATION_CONFIG
          + "=when_required. Otherwise check the bucket, its policy and the connector's S3 settings.";
    }
    if (retriable && isSts(e)) {
      return "STS is throttling or unavailable; gave up after "
          + attempts(e)
          + " and the write will be retried later.";
    }
    if (retriable && e instanceof AwsServiceException) {
      return "S3 is throttling or unavailable; gave up after "
          + attempts(e)
          + " ("
          + S3Settings.MAX_RETRIES_CONFIG
          + "="
          + settings.maxRetries()
          + ") and the write will be retried later. If this persists, raise "
          + S3Settings.MAX_RETRIES_CONFIG
          + " or "
          + S3Settings.RETRY_BACKOFF_CONFIG
          + ".";
    }
    if (retriable) {
      return "Check network access to "
          + settings.endpoint().map(Object::toString).orElse("S3 in " + settings.region())
          + " (DNS, proxy, VPC endpoint); the write will be retried later.";
    }
    return "Check the bucket, its policy and the connector's S3 settings.";
  }

  private static String attempts(SdkException e) {
    Integer n = e.numAttempts();
    return n == null ? "the SDK's retries" : n + (n == 1 ? " attempt" : " attempts");
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String stripPeriod(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
