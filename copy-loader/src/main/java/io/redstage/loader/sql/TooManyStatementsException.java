package io.redstage.loader.sql;

/**
 * A batch's load transaction needs more statements than one BatchExecuteStatement holds ({@link
 * LoadSqlBuilder#MAX_STATEMENTS}).
 */
public class TooManyStatementsException extends IncompatibleSchemaException {
  private static final long serialVersionUID = 1L;

  public TooManyStatementsException(String message) {
    super(message);
  }
}
