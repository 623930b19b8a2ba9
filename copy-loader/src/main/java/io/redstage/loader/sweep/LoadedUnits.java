package io.redstage.loader.sweep;

import io.redstage.loader.discovery.IntervalSet;
import io.redstage.loader.discovery.TopicPartition;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.sql.SqlText;
import io.redstage.loader.sql.TableRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the load-marker table says about the offsets of some data files: the loaded intervals of
 * each topic-partition (any target table) and the exact [start, end] of every loaded unit. Rows
 * outlive the S3 markers (markers.loaded.action=delete), so a loaded unit's files stay recognised
 * after its marker is gone.
 */
final class LoadedUnits {
  private static final int MAX_QUERY_CHARS = 60_000;

  private final Map<TopicPartition, IntervalSet> loaded = new HashMap<>();
  private final Set<String> units = new HashSet<>();

  /**
   * Reads the rows overlapping the given files' offsets: one query per ~60,000 characters of
   * conditions.
   */
  static LoadedUnits read(DataApi api, TableRef markersTable, Collection<DataFileName> files)
      throws InterruptedException {
    Map<TopicPartition, long[]> ranges = new TreeMap<>();
    for (DataFileName f : files) {
      long[] r = ranges.computeIfAbsent(f.tp(), x -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
      r[0] = Math.min(r[0], f.start());
      r[1] = Math.max(r[1], f.end());
    }
    LoadedUnits out = new LoadedUnits();
    for (String sql : queries(markersTable, ranges)) {
      for (List<Object> row : api.query(sql, "redstage-sweep-loaded").rows()) {
        out.add(
            new TopicPartition(
                QueryResult.string(row.get(0)), (int) QueryResult.number(row.get(1))),
            QueryResult.number(row.get(2)),
            QueryResult.number(row.get(3)),
            QueryResult.number(row.get(4)));
      }
    }
    return out;
  }

  static List<String> queries(TableRef markersTable, Map<TopicPartition, long[]> ranges) {
    String head =
        "SELECT topic, kafka_partition, start_offset, end_offset, record_count FROM "
            + markersTable.sql()
            + " WHERE ";
    List<String> out = new ArrayList<>();
    StringBuilder where = new StringBuilder();
    for (Map.Entry<TopicPartition, long[]> e : ranges.entrySet()) {
      String cond =
          "(topic = "
              + SqlText.literal(e.getKey().topic())
              + " AND kafka_partition = "
              + e.getKey().partition()
              + " AND end_offset >= "
              + e.getValue()[0]
              + " AND start_offset <= "
              + e.getValue()[1]
              + ")";
      if (where.length() > 0 && where.length() + cond.length() > MAX_QUERY_CHARS) {
        out.add(head + where);
        where.setLength(0);
      }
      where.append(where.length() == 0 ? "" : " OR ").append(cond);
    }
    if (where.length() > 0) {
      out.add(head + where);
    }
    return out;
  }

  /**
   * One row of the load-marker table. A row of 0 records names a known unit but puts no records in
   * the warehouse: a unit given up with 'skip' (its offsets handled, its rows never loaded) or
   * whose records all went to the dead letter queue. A file overlapping only such offsets may hold
   * the only copy of its records, so they do not count as loaded.
   */
  void add(TopicPartition tp, long start, long end, long records) {
    if (records > 0) {
      loaded.computeIfAbsent(tp, x -> new IntervalSet()).add(start, end);
    }
    units.add(id(tp, start, end));
  }

  /**
   * True when a loaded unit has exactly this file's offsets: the file is (or may be) one of that
   * unit's files.
   */
  boolean isLoadedUnit(DataFileName f) {
    return units.contains(id(f.tp(), f.start(), f.end()));
  }

  /** True when every offset of the file is loaded (through any units with records). */
  boolean covers(DataFileName f) {
    IntervalSet s = loaded.get(f.tp());
    return s != null && s.covers(f.start(), f.end());
  }

  private static String id(TopicPartition tp, long start, long end) {
    return tp + "\u0000" + start + "\u0000" + end;
  }
}
