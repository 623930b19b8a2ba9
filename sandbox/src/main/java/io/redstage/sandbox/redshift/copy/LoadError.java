package io.redstage.sandbox.redshift.copy;

/**
 * A row that cannot be loaded: Redshift's load error code (DG r_Load_Error_Reference) and reason,
 * and the offending raw value. The COPY engine adds file, line and column before recording it.
 */
final class LoadError extends Exception {
  private static final long serialVersionUID = 1L;

  final int code;
  final String rawValue;

  LoadError(int code, String reason, String rawValue) {
    super(reason, null, false, false);
    this.code = code;
    this.rawValue = rawValue;
  }

  String reason() {
    return getMessage();
  }
}
