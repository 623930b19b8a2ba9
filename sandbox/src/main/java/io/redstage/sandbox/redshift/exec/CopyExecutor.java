package io.redstage.sandbox.redshift.exec;

import io.redstage.sandbox.redshift.sql.Token;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Runs a Redshift COPY on the statement's own PostgreSQL session and transaction. */
public interface CopyExecutor {
  /**
   * @return the number of rows loaded
   * @throws StatementFailedException with Redshift's error text when the COPY fails (nothing is
   *     loaded)
   */
  long copy(String originalSql, List<Token> tokens, Connection connection, ExecutionContext context)
      throws SQLException;
}
