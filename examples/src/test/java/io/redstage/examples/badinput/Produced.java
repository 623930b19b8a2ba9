package io.redstage.examples.badinput;

import java.util.Map;

/**
 * One record as produced: its value bytes (null for a tombstone), and the columns and values its
 * row must have if it lands. {@code kind} is null for a good record; {@code id} is null when the
 * value has no id (e.g. 42).
 */
record Produced(
    Format format,
    PoisonKind kind,
    Long id,
    int partition,
    byte[] value,
    Map<String, Object> columns) {
  boolean good() {
    return kind == null;
  }

  String key() {
    return id == null ? "no-id" : "k-" + id;
  }
}
