package io.redstage.sandbox.redshift.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answer of the Data API: the error type ({@code __type}, which the SDK maps to an
 * exception class), the HTTP status (4xx client errors, 5xx faults the SDK retries), the message,
 * and the extra members some errors carry ({@code ResourceId}, {@code StatementId}).
 */
public final class DataApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String type;
  private final int httpStatus;
  private final Map<String, String> extra;

  public DataApiException(String type, int httpStatus, String message, Map<String, String> extra) {
    super(message);
    this.type = type;
    this.httpStatus = httpStatus;
    this.extra = extra == null ? Map.of() : new LinkedHashMap<>(extra);
  }

  public static DataApiException validation(String message) {
    return new DataApiException("ValidationException", 400, message, null);
  }

  /** AWS's wording for a request member that breaks a model constraint. */
  public static DataApiException constraint(String value, String member, String constraint) {
    return validation(
        "1 validation error detected: Value '"
            + value
            + "' at '"
            + member
            + "' failed to satisfy constraint: "
            + constraint);
  }

  public static DataApiException notFound(String message, String resourceId) {
    return new DataApiException(
        "ResourceNotFoundException", 400, message, Map.of("ResourceId", resourceId));
  }

  public static DataApiException activeStatementsExceeded(String message) {
    return new DataApiException("ActiveStatementsExceededException", 400, message, null);
  }

  public static DataApiException internal(String message) {
    return new DataApiException("InternalServerException", 500, message, null);
  }

  public String type() {
    return type;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public Map<String, String> extra() {
    return extra;
  }
}
