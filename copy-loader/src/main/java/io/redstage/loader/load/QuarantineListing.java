package io.redstage.loader.load;

import io.redstage.loader.redshift.QueryResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The unreleased quarantined batches with their reason, for 'status' and 'dry-run'. */
final class QuarantineListing {
  private QuarantineListing() {}

  /**
   * @param q the rows of {@link ControlReader#quarantineList()}
   */
  static List<Status.QuarantinedBatch> batches(QueryResult q) {
    List<Status.QuarantinedBatch> out = new ArrayList<>();
    for (List<Object> row : q.rows()) {
      out.add(
          new Status.QuarantinedBatch(
              QueryResult.string(row.get(0)),
              QueryResult.string(row.get(1)),
              row.get(2) == null ? 0 : QueryResult.number(row.get(2)),
              iso(QueryResult.string(row.get(3))),
              QueryResult.string(row.get(4))));
    }
    return out;
  }

  /** ISO-8601, as the other times of 'status'; the text as it came when it has another shape. */
  private static String iso(String timestamp) {
    return timestamp == null
        ? null
        : QueryResult.timestamp(timestamp).map(Object::toString).orElse(timestamp);
  }

  static void print(List<Status.QuarantinedBatch> batches, PrintStream out, String prefix) {
    if (batches.isEmpty()) {
      return;
    }
    out.println(
        prefix
            + "Quarantined batches (fix the cause, then: release --batch <id>; release checks the schema first):");
    for (Status.QuarantinedBatch b : batches) {
      out.printf(
          "%s  %s %s units=%s at=%s reason: %s%n",
          prefix, b.batchId(), b.table(), b.units(), b.quarantinedAt(), b.reason());
    }
  }
}
