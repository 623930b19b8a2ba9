package io.redstage.sandbox.redshift.exec;

import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns PostgreSQL errors into the text Redshift reports for the same situation, where they differ:
 * byte-length checks become Redshift's "value too long", a MERGE touching a row twice becomes
 * Redshift's "multiple matches" error, and serialization failures carry Redshift's error code 1023.
 */
public final class SqlErrors {
  private static final Pattern BYTE_LIMIT = Pattern.compile("rsv([by])_(\\d+)_[0-9a-f]{8}");

  private SqlErrors() {}

  public static String describe(SQLException e) {
    if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
      ServerErrorMessage m = p.getServerErrorMessage();
      String message = m.getMessage();
      String constraint = m.getConstraint();
      if ("23514".equals(e.getSQLState()) && constraint != null) {
        Matcher bl = BYTE_LIMIT.matcher(constraint);
        if (bl.matches()) {
          return "ERROR: value too long for type "
              + (bl.group(1).equals("b") ? "character varying(" : "varbyte(")
              + bl.group(2)
              + ")";
        }
      }
      if (message != null && message.startsWith("MERGE command cannot affect row a second time")) {
        return "ERROR: Found multiple matches to update the same tuple.";
      }
      if ("40001".equals(e.getSQLState())) {
        return "ERROR: 1023 DETAIL: Serializable isolation violation on table"
            + (m.getTable() != null ? " " + m.getTable() : "")
            + " ("
            + message
            + ")";
      }
      return "ERROR: " + message;
    }
    String text = e.getMessage() == null ? e.toString() : e.getMessage();
    return text.startsWith("ERROR:") ? text : "ERROR: " + text;
  }
}
