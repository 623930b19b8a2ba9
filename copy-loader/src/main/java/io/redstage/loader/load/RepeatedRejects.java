package io.redstage.loader.load;

import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.sql.EarlierLoads;
import io.redstage.loader.sql.TableRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leaves out of a rejects object the rows another rejects object already lists, so that an operator
 * who produces the rejected records again produces each once:
 *
 * <ul>
 *   <li>a record a batch's COPYs rejected twice, as a zombie unit and its replay in one batch both
 *       carry it: listed once, by topic, partition and offset;
 *   <li>a record of an offset a batch loaded earlier, whose rejects object lists it: a replay of a
 *       partly loaded unit (COPY reads its files whole, the load keeps only the offsets not loaded
 *       yet) rejects the already loaded part's bad rows again.
 * </ul>
 *
 * A row is left out only when another object is read to list it, never on the strength of a load
 * marker alone: the earlier batch may have listed it incompletely (a load-error view that had not
 * caught up), not at all (its count unknown), or given the offset up ({@code skip}). When anything
 * cannot be read, the row is kept: a row listed twice is better than one listed nowhere. Rows
 * without an offset (one the views cut and the file could not give) are kept.
 */
final class RepeatedRejects {
  private static final Logger LOG = LoggerFactory.getLogger(RepeatedRejects.class);

  private final LoadErrorReader.Queries api;
  private final TableRef markers;

  /** The coordinates a batch's rejects object lists. */
  interface Listings {
    /**
     * (topic, partition, offset) of each row the rejects object of {@code batchId} lists; empty
     * when it has none or cannot be read.
     */
    Set<List<Object>> listed(String table, String batchId);
  }

  /**
   * @param api runs the queries of {@link EarlierLoads}
   * @param markers the load-marker table
   */
  RepeatedRejects(LoadErrorReader.Queries api, TableRef markers) {
    this.api = api;
    this.markers = markers;
  }

  /** The rows a rejects object lists, and how many were left out as repeated. */
  record Kept(List<Map<String, Object>> rows, int repeated) {}

  /** An earlier batch's unit: its offsets in one topic-partition. */
  private record EarlierUnit(long start, long end, String batchId) {}

  /** {@code rows} (report rows of {@link Rejects#rows}) without the repeated ones. */
  Kept keep(String table, String batchId, List<Map<String, Object>> rows, Listings listings)
      throws InterruptedException {
    List<Map<String, Object>> once = new ArrayList<>();
    Set<List<Object>> seen = new HashSet<>();
    Map<List<Object>, long[]> spans = new TreeMap<>(RepeatedRejects::compareTp);
    for (Map<String, Object> r : rows) {
      List<Object> coordinates = coordinates(r);
      if (coordinates == null) {
        once.add(r);
      } else if (seen.add(coordinates)) {
        once.add(r);
        long o = (Long) coordinates.get(2);
        spans.merge(
            coordinates.subList(0, 2),
            new long[] {o, o},
            (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
      }
    }
    Map<List<Object>, List<EarlierUnit>> earlier = earlierLoads(table, batchId, spans);
    Map<String, Set<List<Object>>> listedBy = new HashMap<>();
    List<Map<String, Object>> kept = new ArrayList<>();
    for (Map<String, Object> r : once) {
      if (!listedElsewhere(coordinates(r), earlier, table, listings, listedBy)) {
        kept.add(r);
      }
    }
    return new Kept(kept, rows.size() - kept.size());
  }

  private static boolean listedElsewhere(
      List<Object> coordinates,
      Map<List<Object>, List<EarlierUnit>> earlier,
      String table,
      Listings listings,
      Map<String, Set<List<Object>>> listedBy) {
    if (coordinates == null) {
      return false;
    }
    long offset = (Long) coordinates.get(2);
    for (EarlierUnit u : earlier.getOrDefault(coordinates.subList(0, 2), List.of())) {
      if (u.start() <= offset
          && offset <= u.end()
          && listedBy
              .computeIfAbsent(u.batchId(), b -> listings.listed(table, b))
              .contains(coordinates)) {
        return true;
      }
    }
    return false;
  }

  /** Earlier batches' units over the spans, by (topic, partition); empty when unreadable. */
  private Map<List<Object>, List<EarlierUnit>> earlierLoads(
      String table, String batchId, Map<List<Object>, long[]> spans) throws InterruptedException {
    Map<List<Object>, List<EarlierUnit>> out = new HashMap<>();
    if (spans.isEmpty()) {
      return out;
    }
    List<EarlierLoads.Span> asked = new ArrayList<>();
    spans.forEach(
        (tp, s) ->
            asked.add(new EarlierLoads.Span((String) tp.get(0), (Integer) tp.get(1), s[0], s[1])));
    try {
      for (String sql : EarlierLoads.queries(markers, table, batchId, asked)) {
        for (List<Object> row : api.query(sql, "redstage-rejects-earlier-loads").rows()) {
          out.computeIfAbsent(
                  List.of(
                      QueryResult.string(row.get(0)).trim(), (int) QueryResult.number(row.get(1))),
                  x -> new ArrayList<>())
              .add(
                  new EarlierUnit(
                      QueryResult.number(row.get(2)),
                      QueryResult.number(row.get(3)),
                      QueryResult.string(row.get(4)).trim()));
        }
      }
    } catch (RuntimeException e) {
      // any failure of the query (the Data API, the statement, its timeout): keep every row
      LOG.warn(
          "Batch {}: cannot read which earlier batches loaded its rejected rows' offsets ({});"
              + " its rejects object lists every rejected row, some perhaps listed before by another batch",
          batchId,
          e.getMessage());
      return Map.of();
    }
    return out;
  }

  /** (topic, partition, offset) of a report row, or null when one of them is unknown. */
  static List<Object> coordinates(Map<String, Object> r) {
    return r.get("topic") instanceof String t
            && r.get("partition") instanceof Integer p
            && r.get("offset") instanceof Long o
        ? List.of(t, p, o)
        : null;
  }

  private static int compareTp(List<Object> a, List<Object> b) {
    int c = ((String) a.get(0)).compareTo((String) b.get(0));
    return c != 0 ? c : Integer.compare((Integer) a.get(1), (Integer) b.get(1));
  }
}
