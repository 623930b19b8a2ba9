package io.redstage.connector.format;

/**
 * Raised deep inside a value conversion; the field path is prepended while it unwinds, so the happy
 * path allocates nothing for paths. Turned into a DataException naming the record by {@link
 * RecordErrors}.
 */
final class ConversionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private String path = "";

  /**
   * What the user can do about it; null for a value that does not match its schema (the common
   * advice).
   */
  private final String fix;

  ConversionException(String reason) {
    this(reason, null);
  }

  ConversionException(String reason, String fix) {
    super(reason, null, false, false);
    this.fix = fix;
  }

  /** Prepends a field name to the path. */
  ConversionException inField(String field) {
    path = path.isEmpty() ? field : path.startsWith("[") ? field + path : field + "." + path;
    return this;
  }

  /** Prepends an array index or map key to the path. */
  ConversionException inElement(String element) {
    path = "[" + element + "]" + (path.isEmpty() || path.startsWith("[") ? path : "." + path);
    return this;
  }

  String path() {
    return path;
  }

  String reason() {
    return getMessage();
  }

  /** The advice of a limit check, or null. */
  String fix() {
    return fix;
  }

  static ConversionException mismatch(String expected, Object value) {
    return new ConversionException(
        "expects " + expected + " but the value is a " + value.getClass().getSimpleName());
  }
}
