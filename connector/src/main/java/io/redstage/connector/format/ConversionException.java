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
    String name = NamesInMessages.plain(field); // a schema may name a field with 100,000 characters
    path = path.isEmpty() ? name : path.startsWith("[") ? name + path : name + "." + path;
    return this;
  }

  /** Prepends an array index or map key to the path. */
  ConversionException inElement(String element) {
    path = "[" + element + "]" + (path.isEmpty() || path.startsWith("[") ? path : "." + path);
    return this;
  }

  /**
   * Prepends a map entry to the path, as {@code [key]}, or as {@code .key} when {@code asField}
   * (schemaless objects, whose keys are field names): by its key when the key reads as a name (1 to
   * 64 characters, none of them a control character or half a surrogate pair), else as {@code
   * [entry <position>]}. A map key can be data (an e-mail, a user id): a long or unprintable one
   * would carry that data into logs and dead letter queue headers.
   */
  ConversionException inEntry(Object key, int position, boolean asField) {
    String name = key instanceof String ? (String) key : null;
    boolean nameLike = name != null && !name.isEmpty() && name.length() <= 64;
    for (int i = 0; nameLike && i < name.length(); i++) {
      char c = name.charAt(i);
      nameLike = !Character.isISOControl(c) && !Character.isSurrogate(c);
    }
    if (!nameLike) {
      return inElement("entry " + position);
    }
    return asField ? inField(name) : inElement(name);
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
