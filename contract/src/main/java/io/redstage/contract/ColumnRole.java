package io.redstage.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a data-file column holds: a field of the record value, or one of the Kafka metadata columns
 * the connector adds. Markers of format version 2 state it for every column, so the loader finds
 * the topic, partition and offset columns it deduplicates by without mirroring the connector's
 * column-name settings.
 */
public enum ColumnRole {
  VALUE,
  TOPIC,
  PARTITION,
  OFFSET,
  TIMESTAMP,
  KEY,
  HEADERS,
  DELETED;

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static ColumnRole fromId(String id) {
    for (ColumnRole r : values()) {
      if (r.id().equalsIgnoreCase(id)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "Cannot read column role '"
            + id
            + "': it is none of value, topic, partition, offset, timestamp, key, headers,"
            + " deleted. If a newer connector wrote the marker, upgrade the loader.");
  }

  /** Whether this is a Kafka metadata column (every role but {@link #VALUE}). */
  public boolean isMetadata() {
    return this != VALUE;
  }
}
