package io.redstage.loader.redshift;

/**
 * The loader stopped waiting for a statement; its outcome is unknown (the load-marker table will
 * tell).
 */
public class StatementTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StatementTimeoutException(String message) {
    super(message);
  }
}
