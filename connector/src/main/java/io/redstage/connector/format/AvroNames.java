package io.redstage.connector.format;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Avro (and so Parquet) names must match {@code [A-Za-z_][A-Za-z0-9_]*}; Connect field names may be
 * anything (JSON keys like "user-id"). Invalid characters become '_' and a leading digit gets a '_'
 * prefix; the marker lists the names as written, so the loader sees the same columns as the file.
 * Rewriting names is deterministic, and a collision after rewriting is an error, never a silent merge.
 */
final class AvroNames {
  /** Record names already used in one Avro schema; Avro needs each record name once. */
  private final Set<String> usedRecordNames = new HashSet<>();

  static String field(String name) {
    if (isValid(name)) {
      return name;
    }
    StringBuilder b = new StringBuilder(name.length() + 1);
    if (name.isEmpty() || !isStart(name.charAt(0))) {
      b.append('_');
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      b.append(isPart(c) ? c : '_');
    }
    return b.toString();
  }

  /** A record name derived from the field path, made unique within this schema. */
  String record(String path) {
    String base = field(path);
    String name = base;
    for (int i = 2; !usedRecordNames.add(name.toLowerCase(Locale.ROOT)); i++) {
      name = base + "_" + i;
    }
    return name;
  }

  private static boolean isValid(String name) {
    if (name.isEmpty() || !isStart(name.charAt(0))) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      if (!isPart(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isStart(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  }

  private static boolean isPart(char c) {
    return isStart(c) || (c >= '0' && c <= '9');
  }
}
