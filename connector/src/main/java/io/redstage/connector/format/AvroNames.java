package io.redstage.connector.format;

import java.util.HashSet;
import java.util.Set;

/**
 * Avro (and so Parquet) names must match {@code [A-Za-z_][A-Za-z0-9_]*}; Connect field names may be
 * anything (JSON keys like "user-id"). Nested field names and record names are rewritten with the
 * rule of {@link ColumnNames#sanitize}; top-level columns follow {@link ColumnNames} (mapping,
 * length, collisions). The marker lists the names as written, so the loader sees the same columns
 * as the file. Rewriting names is deterministic, and a collision after rewriting is an error, never
 * a silent merge.
 */
final class AvroNames {
  /**
   * Record names already used in one Avro schema; Avro needs each record name once. It starts with
   * the names of Avro's primitive types, which Avro refuses as record names: a struct field called
   * {@code bytes} gets the record name {@code bytes_2} (record names are not columns; the loader
   * never sees them).
   */
  private final Set<String> usedRecordNames =
      new HashSet<>(Set.of("null", "boolean", "int", "long", "float", "double", "bytes", "string"));

  static String field(String name) {
    return ColumnNames.sanitize(name);
  }

  /** A record name derived from the field path, made unique within this schema. */
  String record(String path) {
    String base = field(path);
    String name = base;
    for (int i = 2; !usedRecordNames.add(ColumnNames.fold(name)); i++) {
      name = base + "_" + i;
    }
    return name;
  }
}
