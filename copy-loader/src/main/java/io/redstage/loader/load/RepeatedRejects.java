package io.redstage.loader.load;

import io.redstage.loader.discovery.IntervalSet;
import io.redstage.loader.discovery.TopicPartition;
import io.redstage.loader.redshift.DataApiException;
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
 * Leaves out of a rejects object the rows that are already accounted for elsewhere, so that an
 * operator who produces the rejected records again produces each once:
 *
 * <ul>
 *   <li>a record a batch's COPYs rejected twice, as a zombie unit and its replay in one batch both
 *       carry it: listed once, by topic, partition and offset;
 *   <li>a record of an offset another batch loaded earlier: a replay of a partly loaded unit (COPY
 *       reads its files whole, the load keeps only the offsets not loaded yet) rejects the already
 *       loaded part's bad rows again, and they are in that batch's rejects object (or, if that
 *       batch took the value, in the table).
 * </ul>
 *
 * Rows without an offset (one the views cut and the file could not give) are kept. When the
 * load-marker table cannot be read, every row is kept: a row listed twice is better than one listed
 * nowhere.
 */
final class RepeatedRejects {
  private static final Logger LOG = LoggerFactory.getLogger(RepeatedRejects.class);

  private final LoadErrorReader.Queries api;
  private final TableRef markers;

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

  /** {@code rows} (report rows of {@link Rejects#rows}) without the repeated ones. */
  Kept keep(String table, String batchId, List<Map<String, Object>> rows)
      throws InterruptedException {
    List<Map<String, Object>> once = new ArrayList<>();
    Set<List<Object>> seen = new HashSet<>();
    Map<TopicPartition, long[]> spans = new TreeMap<>();
    for (Map<String, Object> r : rows) {
      TopicPartition tp = tpOf(r);
      Object offset = r.get("offset");
      if (tp == null || !(offset instanceof Long o)) {
        once.add(r);
        continue;
      }
      if (seen.add(List.of(tp.topic(), tp.partition(), o))) {
        once.add(r);
        spans.merge(
            tp,
            new long[] {o, o},
            (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
      }
    }
    Map<TopicPartition, IntervalSet> earlier = earlierLoads(table, batchId, spans);
    List<Map<String, Object>> kept = new ArrayList<>();
    for (Map<String, Object> r : once) {
      TopicPartition tp = tpOf(r);
      IntervalSet loaded = tp == null ? null : earlier.get(tp);
      if (loaded != null && r.get("offset") instanceof Long o && loaded.covers(o, o)) {
        continue;
      }
      kept.add(r);
    }
    return new Kept(kept, rows.size() - kept.size());
  }

  private Map<TopicPartition, IntervalSet> earlierLoads(
      String table, String batchId, Map<TopicPartition, long[]> spans) throws InterruptedException {
    Map<TopicPartition, IntervalSet> out = new HashMap<>();
    if (spans.isEmpty()) {
      return out;
    }
    List<EarlierLoads.Span> asked = new ArrayList<>();
    spans.forEach(
        (tp, s) -> asked.add(new EarlierLoads.Span(tp.topic(), tp.partition(), s[0], s[1])));
    try {
      for (String sql : EarlierLoads.queries(markers, table, batchId, asked)) {
        for (List<Object> row : api.query(sql, "redstage-rejects-earlier-loads").rows()) {
          out.computeIfAbsent(
                  new TopicPartition(
                      QueryResult.string(row.get(0)).trim(), (int) QueryResult.number(row.get(1))),
                  x -> new IntervalSet())
              .add(QueryResult.number(row.get(2)), QueryResult.number(row.get(3)));
        }
      }
    } catch (DataApiException e) {
      LOG.warn(
          "Batch {}: cannot read which of its rejected rows' offsets earlier batches loaded ({});"
              + " its rejects object lists every rejected row, some perhaps listed before by another batch",
          batchId,
          e.getMessage());
      return Map.of();
    }
    return out;
  }

  private static TopicPartition tpOf(Map<String, Object> r) {
    return r.get("topic") instanceof String t && r.get("partition") instanceof Integer p
        ? new TopicPartition(t, p)
        : null;
  }
}
