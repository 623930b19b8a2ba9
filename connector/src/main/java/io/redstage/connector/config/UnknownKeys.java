package io.redstage.connector.config;

import io.redstage.connector.metrics.TaskMetrics;
import io.redstage.connector.storage.S3Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keys of a connector config that nothing reads: neither this connector's {@link SinkConfigDef},
 * nor Kafka Connect's own connector settings, nor a Confluent S3 sink key {@link ConfluentKeys}
 * names. Kafka Connect passes every key through and {@link SinkConfig} ignores the ones it does not
 * define, so a misspelt key ({@code flush.szie}) would leave its setting at the default without a
 * word; the connector names each such key at start, with the defined key it most likely meant.
 * Connect's validate endpoint has no place for a warning, so this is a log line, not an error: a
 * config written for a newer version of the connector keeps running on an older one.
 */
public final class UnknownKeys {
  /** Kafka Connect's own connector-level keys (ConnectorConfig, SinkConnectorConfig). */
  private static final Set<String> CONNECT_KEYS =
      Set.of(
          "name",
          "connector.class",
          "tasks.max",
          "tasks.max.enforce",
          "topics",
          "topics.regex",
          "key.converter",
          "value.converter",
          "header.converter",
          "transforms",
          "predicates",
          "config.action.reload",
          TaskMetrics.TASK_ID_CONFIG);

  /**
   * Prefixes of keys that Kafka Connect reads or hands to a plugin it configures (converters,
   * transforms, predicates, the task's clients, error handling), and of the credentials provider's
   * own settings.
   */
  private static final List<String> PASSED_ON_PREFIXES =
      List.of(
          "key.converter.",
          "value.converter.",
          "header.converter.",
          "transforms.",
          "predicates.",
          "errors.",
          "consumer.override.",
          "producer.override.",
          "admin.override.",
          S3Settings.CREDENTIALS_PROVIDER_PREFIX);

  /** A suggestion is made only within this many single-character edits of the key. */
  private static final int MAX_SUGGESTION_DISTANCE = 3;

  private UnknownKeys() {}

  /**
   * The keys of {@code props} that nothing reads, in name order, each with the defined key it was
   * most likely meant to be, or the empty string when none is close.
   */
  public static Map<String, String> in(Map<String, ?> props) {
    Set<String> defined = SinkConfig.CONFIG_DEF.names();
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : new TreeSet<>(props.keySet())) {
      if (defined.contains(key)
          || CONNECT_KEYS.contains(key)
          || ConfluentKeys.rejectedKeys().contains(key)
          || ConfluentKeys.ignoredKeys().contains(key)
          || key.startsWith("s3.sse.customer.key.")
          || PASSED_ON_PREFIXES.stream().anyMatch(key::startsWith)) {
        continue;
      }
      out.put(key, closest(key, defined));
    }
    return out;
  }

  /** The defined key nearest to {@code key}, or "" when none is within a few edits. */
  static String closest(String key, Set<String> defined) {
    String lower = key.trim().toLowerCase(Locale.ROOT).replace('_', '.').replace('-', '.');
    String best = "";
    int bestDistance = MAX_SUGGESTION_DISTANCE + 1;
    for (String candidate : new TreeSet<>(defined)) {
      int d = editDistance(lower, candidate, bestDistance);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  /**
   * Levenshtein distance, or {@code limit} once it cannot be smaller. Written here rather than
   * taken from commons-text: a dozen lines against one more jar in every worker's plugin path.
   */
  static int editDistance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) >= limit) {
      return limit;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      int rowMin = current[0];
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
        rowMin = Math.min(rowMin, current[j]);
      }
      if (rowMin >= limit) {
        return limit;
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return Math.min(previous[b.length()], limit);
  }

  /** The log line for one unknown key; its value is never shown (it may be a secret). */
  public static String message(String key, String suggestion) {
    String shown = key.split("[:=\\s]", 2)[0];
    return "Ignoring "
        + (shown.equals(key) ? key : shown + "... (rest not shown)")
        + ": not a setting of this connector or of Kafka Connect"
        + (suggestion.isEmpty() ? "" : " (did you mean " + suggestion + "?)")
        + ". Correct or remove it; docs/config.md lists every setting.";
  }
}
