package io.redstage.sandbox.redshift.exec;

import io.redstage.sandbox.redshift.sql.Catalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** {@link Catalog} answered on the statement's session, so its temp tables are visible. */
final class JdbcCatalog implements Catalog {
  private final Connection connection;

  JdbcCatalog(Connection connection) {
    this.connection = connection;
  }

  @Override
  public String relationKind(String relation) {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT relkind FROM pg_class WHERE oid = to_regclass(?)")) {
      ps.setString(1, relation);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new StatementFailedException("Cannot look up " + relation + ": " + e.getMessage(), e);
    }
  }
}
