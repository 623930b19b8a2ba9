package io.redstage.loader.load;

import io.redstage.loader.discovery.IntervalSet;
import io.redstage.loader.discovery.TopicPartition;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.TableRef;
import java.util.HashMap;
import java.util.Map;

/**
 * What the control tables say about the listed units: loaded offset intervals and quarantined
 * units.
 */
public final class LoadState {
  // keyed by the qualified name as stored in the marker table, so no name is ever re-parsed
  private final Map<String, Map<TopicPartition, IntervalSet>> loaded = new HashMap<>();
  private final Map<String, String> quarantined = new HashMap<>();

  public void addLoaded(String tableName, TopicPartition tp, long start, long end) {
    loaded
        .computeIfAbsent(tableName, t -> new HashMap<>())
        .computeIfAbsent(tp, x -> new IntervalSet())
        .add(start, end);
  }

  public void addQuarantined(String markerKey, String batchId) {
    quarantined.put(markerKey, batchId);
  }

  /** True when every offset of the unit is already loaded into the table. */
  public boolean covered(TableRef table, Unit u) {
    IntervalSet s =
        loaded
            .getOrDefault(table.name(), Map.of())
            .get(new TopicPartition(u.topic(), u.partition()));
    return s != null && s.covers(u.start(), u.end());
  }

  /** A copy of the offsets of {@code tp} loaded into the table (empty when none). */
  public IntervalSet loaded(TableRef table, TopicPartition tp) {
    IntervalSet s = loaded.getOrDefault(table.name(), Map.of()).get(tp);
    return s == null ? new IntervalSet() : s.copy();
  }

  /** The quarantined batch holding this unit, or null. */
  public String quarantineBatch(String markerKey) {
    return quarantined.get(markerKey);
  }

  public Map<String, String> quarantined() {
    return quarantined;
  }
}
