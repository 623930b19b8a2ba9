package io.redstage.sandbox.s3;

/**
 * An error response the stand-in can inject, with the HTTP status and S3 error code that real S3
 * sends.
 */
public enum S3Fault {
  /**
   * 503 SlowDown: S3 throttling; the AWS SDK treats it as a throttling error and retries with
   * backoff.
   */
  SLOW_DOWN(503, "SlowDown", "Please reduce your request rate."),
  /** 503 ServiceUnavailable. */
  SERVICE_UNAVAILABLE(503, "ServiceUnavailable", "Service is unable to handle request."),
  /** 500 InternalError: transient server failure; the AWS SDK retries it. */
  INTERNAL_ERROR(500, "InternalError", "We encountered an internal error. Please try again."),
  /** 403 AccessDenied: a permanent failure that no retry fixes. */
  ACCESS_DENIED(403, "AccessDenied", "Access Denied"),
  /**
   * 400 ExpiredToken: the session token that signed the request has expired, so S3 refuses every
   * request alike, whatever key it names.
   */
  EXPIRED_TOKEN(400, "ExpiredToken", "The provided token has expired.");

  private final int httpStatus;
  private final String errorCode;
  private final String message;

  S3Fault(int httpStatus, String errorCode, String message) {
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
    this.message = message;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String errorCode() {
    return errorCode;
  }

  public String message() {
    return message;
  }
}
