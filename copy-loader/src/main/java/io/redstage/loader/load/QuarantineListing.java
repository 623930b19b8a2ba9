package io.redstage.loader.load;

import io.redstage.loader.redshift.QueryResult;
import java.io.PrintStream;
import java.util.List;

/** Prints the unreleased quarantined batches with their reason, for 'status' and 'dry-run'. */
final class QuarantineListing {
  private QuarantineListing() {}

  /**
   * @param q the rows of {@link ControlReader#quarantineList()}
   */
  static void print(QueryResult q, PrintStream out, String prefix) {
    if (q.rows().isEmpty()) {
      return;
    }
    out.println(
        prefix
            + "Quarantined batches (fix the cause, then: release --batch <id>; release checks the schema first):");
    for (List<Object> row : q.rows()) {
      out.printf(
          "%s  %s %s units=%s at=%s reason: %s%n",
          prefix, row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    }
  }
}
