package io.redstage.loader.load;

import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.redshift.QueryResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

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
   * The unreleased quarantined batches, split into those of this configuration's topics and those
   * of other topics (another loader's, writing the same control tables).
   *
   * @param ours the batches of the topics this configuration loads, oldest first
   * @param others the batches of topics outside this configuration, oldest first
   */
  record Split(List<Status.QuarantinedBatch> ours, List<Status.QuarantinedBatch> others) {}

  /**
   * @param q the rows of {@link ControlReader#quarantineList()}: per batch, table and topic
   * @param ours whether a quarantined unit, by its marker key, is this configuration's ({@link
   *     #ours}): a batch is when one of its units is
   */
  static Split batches(QueryResult q, Predicate<String> ours) {
    Map<List<String>, Status.QuarantinedBatch> batches = new LinkedHashMap<>();
    Set<List<String>> mine = new HashSet<>();
    for (List<Object> row : q.rows()) {
      String id = QueryResult.string(row.get(0));
      String table = QueryResult.string(row.get(1));
      List<String> batch = List.of(id, table);
      if (ours.test(QueryResult.string(row.get(6)))) {
        mine.add(batch);
      }
      long units = row.get(3) == null ? 0 : QueryResult.number(row.get(3));
      String error = QueryResult.string(row.get(5));
      // rows come oldest first: a batch's first row has its time
      batches.merge(
          batch,
          new Status.QuarantinedBatch(id, table, units, iso(QueryResult.string(row.get(4))), error),
          (first, more) ->
              new Status.QuarantinedBatch(
                  id,
                  table,
                  first.units() + more.units(),
                  first.quarantinedAt(),
                  first.reason() != null ? first.reason() : more.reason()));
    }
    List<Status.QuarantinedBatch> ourBatches = new ArrayList<>();
    List<Status.QuarantinedBatch> others = new ArrayList<>();
    batches.forEach((k, b) -> (mine.contains(k) ? ourBatches : others).add(b));
    return new Split(ourBatches, others);
  }

  /**
   * Whether a quarantined unit, by its marker key, is this configuration's: a key under its
   * markers.dir of a topic it selects (topics, else topics.regex), as the control tables may be
   * shared by loaders of other topics or other markers.dir. By the key, whatever the table: a
   * quarantine row holds its unit by marker key, so a row written under a table name that
   * tables.map, tables.regex or target.schema has changed since still holds this configuration's
   * unit; and loaders of other topics may load the same table. A topic and markers.dir several
   * loaders share hold the units of each, so each counts them as its own.
   */
  static Predicate<String> ours(MarkerScanner scanner) {
    return key -> key != null && scanner.topicOf(key).filter(scanner::wanted).isPresent();
  }

  /** Reads the unreleased quarantined batches and splits them by {@link #ours}. */
  static Split read(ControlReader reader, MarkerScanner scanner) throws InterruptedException {
    return batches(reader.quarantineList(), ours(scanner));
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

  /**
   * The one line about the quarantined batches of topics outside this configuration (another
   * loader's, sharing the control tables): they exist, but they are not this configuration's to
   * settle, and they do not count in the exit code of 'status'.
   */
  static void printOthers(List<Status.QuarantinedBatch> others, PrintStream out, String prefix) {
    if (others.isEmpty()) {
      return;
    }
    out.println(
        prefix
            + others.size()
            + " quarantined batch(es) of topics outside this configuration (another loader's,"
            + " sharing the control tables; not counted in the exit code): run 'status' with that"
            + " loader's configuration to list and settle them.");
  }
}
