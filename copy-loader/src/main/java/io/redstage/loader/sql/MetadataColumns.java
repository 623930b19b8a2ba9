package io.redstage.loader.sql;

import java.util.List;
import java.util.Set;

/**
 * Names of the Kafka metadata columns in the data files (configurable in the connector and here),
 * and which of them the target table keeps. Staging always has them: deduplication needs topic,
 * partition and offset.
 */
public record MetadataColumns(
    String topic,
    String partition,
    String offset,
    String timestamp,
    String key,
    String headers,
    String deleted,
    Set<String> keepInTarget) {

  public MetadataColumns {
    topic = Identifiers.fold(topic, "the topic metadata column");
    partition = Identifiers.fold(partition, "the partition metadata column");
    offset = Identifiers.fold(offset, "the offset metadata column");
    timestamp = Identifiers.fold(timestamp, "the timestamp metadata column");
    key = Identifiers.fold(key, "the key metadata column");
    headers = Identifiers.fold(headers, "the headers metadata column");
    deleted = Identifiers.fold(deleted, "the deleted metadata column");
    keepInTarget = Set.copyOf(keepInTarget);
  }

  public List<String> all() {
    return List.of(topic, partition, offset, timestamp, key, headers, deleted);
  }

  /** Whether a folded column name is one of the metadata columns. */
  public boolean isMetadata(String folded) {
    return all().contains(folded);
  }

  /**
   * Whether a folded column name belongs in the target: every value column, and the kept metadata
   * columns.
   */
  public boolean inTarget(String folded) {
    return !isMetadata(folded) || keepInTarget.contains(folded);
  }

  /**
   * Resolves the 'tables.metadata-columns' setting ('all', 'none' or names) against these names.
   */
  public static Set<String> keepSetting(List<String> setting, List<String> allNames) {
    if (setting.size() == 1 && setting.get(0).equalsIgnoreCase("all")) {
      return Set.copyOf(allNames);
    }
    if (setting.isEmpty() || setting.size() == 1 && setting.get(0).equalsIgnoreCase("none")) {
      return Set.of();
    }
    return Set.copyOf(
        setting.stream().map(s -> Identifiers.fold(s, "a metadata column name")).toList());
  }
}
