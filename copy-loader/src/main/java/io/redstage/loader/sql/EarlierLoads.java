package io.redstage.loader.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Queries for the units that other batches loaded into a table before a given batch, among given
 * offsets: the batches whose rejects objects may already list a rejected JSON Lines row (a replay
 * of a partly loaded unit, whose files COPY reads again whole, rejects the loaded part's bad rows
 * again). Read from the load-marker table, which keeps each unit with its batch id and load time
 * (the loaded-intervals table merges units, so it cannot say which batch loaded what).
 */
public final class EarlierLoads {
  /** Offsets of one topic-partition, from {@code min} to {@code max}, both included. */
  public record Span(String topic, int partition, long min, long max) {}

  private EarlierLoads() {}

  /**
   * Queries returning topic, kafka_partition, start_offset, end_offset and batch_id of each unit of
   * {@code target} that overlaps a span and that a batch other than {@code batchId} loaded strictly
   * before it. "Before" compares the batches' load times: of two batches that loaded the same
   * offset, each sees the other on one side only, so a repeated row is left to exactly one of them
   * (equal times: to both). The batch's own time is read from its markers, found by the same spans
   * (each span holds an offset of one of its units), so a batch whose markers are not there sees no
   * earlier unit. Split so that each query stays below {@link ControlTables#MAX_QUERY_CHARS}.
   */
  public static List<String> queries(
      TableRef markers, String target, String batchId, List<Span> spans) {
    List<String> out = new ArrayList<>();
    List<String> conds = new ArrayList<>();
    int chars = 0;
    for (Span s : spans) {
      String cond =
          "(topic = "
              + SqlText.literal(s.topic())
              + " AND kafka_partition = "
              + s.partition()
              + " AND start_offset <= "
              + s.max()
              + " AND end_offset >= "
              + s.min()
              + ")";
      // the conditions appear twice in a query: for the units and for the batch's own time
      if (!conds.isEmpty() && 2 * (chars + cond.length()) + 600 > ControlTables.MAX_QUERY_CHARS) {
        out.add(query(markers, target, batchId, conds));
        conds = new ArrayList<>();
        chars = 0;
      }
      conds.add(cond);
      chars += cond.length() + 4;
    }
    if (!conds.isEmpty()) {
      out.add(query(markers, target, batchId, conds));
    }
    return out;
  }

  private static String query(TableRef markers, String target, String batchId, List<String> conds) {
    String spans = String.join(" OR ", conds);
    String table = "target_table = " + SqlText.literal(target);
    String batch = SqlText.literal(batchId);
    return "SELECT topic, kafka_partition, start_offset, end_offset, batch_id FROM "
        + markers.sql()
        + " WHERE "
        + table
        + " AND ("
        + spans
        + ") AND batch_id <> "
        + batch
        + " AND loaded_at < (SELECT MIN(loaded_at) FROM "
        + markers.sql()
        + " WHERE "
        + table
        + " AND ("
        + spans
        + ") AND batch_id = "
        + batch
        + ")";
  }
}
