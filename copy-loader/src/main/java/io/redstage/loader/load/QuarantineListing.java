package io.redstage.loader.load;

import io.redstage.loader.redshift.QueryResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The unreleased quarantined batches with their reason, for 'status' and 'dry-run'. */
final class QuarantineListing {
  private QuarantineListing() {}

  /**
   * What settles quarantined batch {@code id}: release after a fix, or skip for units no fix lets
   * load. Release refuses only what its check sees (the table's columns and settings, a marker
   * gone); a unit that cannot load as it is for another reason (its files gone, rows that must not
   * reach the table) would be released, fail and be quarantined again.
   */
  static String whatToDo(String id) {
    return "fix the cause, then run 'release --batch "
        + id
        + "', which checks the table first; give up units that cannot load as they are (their"
        + " files gone, or rows that must not reach the table) with 'skip --batch "
        + id
        + "', after 'skip --batch "
        + id
        + " --dry-run'";
  }

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
    out.println(prefix + "Quarantined batches (" + whatToDo("<id>") + "):");
    for (Status.QuarantinedBatch b : batches) {
      out.printf(
          "%s  %s %s units=%s at=%s reason: %s%n",
          prefix, b.batchId(), b.table(), b.units(), b.quarantinedAt(), b.reason());
    }
  }
}
