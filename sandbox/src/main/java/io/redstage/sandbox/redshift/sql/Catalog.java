package io.redstage.sandbox.redshift.sql;

/**
 * The little catalog knowledge the translator needs, answered on the statement's own connection.
 */
public interface Catalog {
  /**
   * PostgreSQL relkind ('r' table, 'v' view, ...) of a relation, or null when it does not exist.
   */
  String relationKind(String relation);

  /** A catalog that knows nothing; for translating without a database. */
  Catalog EMPTY = relation -> null;
}
