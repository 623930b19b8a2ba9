package io.redstage.loader.sql;

/**
 * The files cannot go into the target table as it is (changed type, missing required column, bad
 * names).
 */
public class IncompatibleSchemaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public IncompatibleSchemaException(String message) {
    super(message);
  }
}
