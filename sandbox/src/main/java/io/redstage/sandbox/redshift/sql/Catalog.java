package io.redstage.sandbox.redshift.sql;

import java.util.List;

/**
 * The little catalog knowledge the translator needs, answered on the statement's own connection.
 */
public interface Catalog {
  /** Column names of a relation in ordinal order, or an empty list when it does not exist. */
  List<String> columns(String relation);

  /**
   * PostgreSQL relkind ('r' table, 'v' view, ...) of a relation, or null when it does not exist.
   */
  String relationKind(String relation);

  /** A catalog that knows nothing; for translating without a database. */
  Catalog EMPTY =
      new Catalog() {
        @Override
        public List<String> columns(String relation) {
          return List.of();
        }

        @Override
        public String relationKind(String relation) {
          return null;
        }
      };
}
