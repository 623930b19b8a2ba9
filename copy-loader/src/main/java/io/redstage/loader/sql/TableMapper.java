package io.redstage.loader.sql;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a topic to its target table: an explicit {@code topic:table} entry wins, then a regex with a
 * replacement, then the default, a safe identifier made from the topic name ({@code Orders.V2}
 * becomes {@code orders_v2}).
 */
public final class TableMapper {
  private final String defaultSchema;
  private final Map<String, String> explicit = new HashMap<>();
  private final Pattern regex;
  private final String replacement;
  private final Map<String, TableRef> cache = new ConcurrentHashMap<>();

  public TableMapper(
      String defaultSchema, List<String> mapEntries, String regex, String replacement) {
    this.defaultSchema = Identifiers.fold(defaultSchema, "the target schema");
    for (String e : mapEntries) {
      int colon = e.lastIndexOf(':');
      explicit.put(e.substring(0, colon).trim(), e.substring(colon + 1).trim());
    }
    this.regex = regex == null ? null : Pattern.compile(regex);
    this.replacement = replacement == null ? "$0" : replacement;
  }

  /** Whether tables.map names this topic's table (a merge there is the user's choice). */
  public boolean mappedExplicitly(String topic) {
    return explicit.containsKey(topic);
  }

  public TableRef table(String topic) {
    return cache.computeIfAbsent(topic, this::resolve);
  }

  private TableRef resolve(String topic) {
    String mapped = explicit.get(topic);
    if (mapped != null) {
      return TableRef.parse(mapped, defaultSchema);
    }
    String name = topic;
    if (regex != null) {
      Matcher m = regex.matcher(topic);
      if (m.matches()) {
        name = m.replaceFirst(replacement);
      }
    }
    return TableRef.of(defaultSchema, safeName(name));
  }

  /**
   * Lower case, anything but [a-z0-9_] becomes '_', a leading digit gets a 't_' prefix, at most 127
   * bytes.
   */
  public static String safeName(String name) {
    StringBuilder b = new StringBuilder();
    for (char c : name.toLowerCase(Locale.ROOT).toCharArray()) {
      b.append(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' ? c : '_');
    }
    if (b.length() == 0 || Character.isDigit(b.charAt(0))) {
      b.insert(0, "t_");
    }
    return b.length() > Identifiers.MAX_BYTES
        ? b.substring(0, Identifiers.MAX_BYTES)
        : b.toString();
  }
}
