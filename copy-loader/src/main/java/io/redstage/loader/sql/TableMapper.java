package io.redstage.loader.sql;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
  private final Map<String, Entry> explicit;
  private final Pattern regex;
  private final String replacement;
  private final Map<String, TableRef> cache = new ConcurrentHashMap<>();

  public TableMapper(
      String defaultSchema, List<String> mapEntries, String regex, String replacement) {
    this.defaultSchema = Identifiers.fold(defaultSchema, "the target schema");
    this.explicit = byTopic(mapEntries, this.defaultSchema);
    this.regex = regex == null ? null : Pattern.compile(regex);
    this.replacement = replacement == null ? "$0" : replacement;
  }

  /** Whether tables.map names this topic's table (a merge there is the user's choice). */
  public boolean mappedExplicitly(String topic) {
    return explicit.containsKey(topic);
  }

  /**
   * The tables.map entries in effect, in the order their topics first appear: one per topic, the
   * last given when a topic has several (as {@link #table} maps it).
   *
   * @param defaultSchema the target schema, for entries that name no schema
   * @throws IllegalArgumentException for an entry that {@link Entry#parse} refuses
   */
  public static List<Entry> entries(List<String> mapEntries, String defaultSchema) {
    return List.copyOf(byTopic(mapEntries, defaultSchema).values());
  }

  private static Map<String, Entry> byTopic(List<String> mapEntries, String defaultSchema) {
    Map<String, Entry> out = new LinkedHashMap<>();
    for (String text : mapEntries) {
      Entry e =
          Entry.parse(text, defaultSchema)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "Cannot map a topic with '"
                              + text
                              + "': it is not topic:table or topic:schema.table. Write it as one"
                              + " of those."));
      out.put(e.topic(), e);
    }
    return out;
  }

  public TableRef table(String topic) {
    return cache.computeIfAbsent(topic, this::resolve);
  }

  private TableRef resolve(String topic) {
    Entry mapped = explicit.get(topic);
    if (mapped != null) {
      return mapped.table();
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

  /**
   * One tables.map entry: {@code topic:table} or {@code topic:schema.table}.
   *
   * @param text the entry as written, for messages
   */
  public record Entry(String text, String topic, TableRef table) {
    /**
     * Splits {@code text} at its last colon (a topic name holds none) and resolves its table, with
     * {@code defaultSchema} when it names no schema.
     *
     * @return empty when {@code text} is not of the form {@code topic:table}
     * @throws IllegalArgumentException when the table is not a name Redshift takes, or not one the
     *     control tables can hold in a string literal
     */
    public static Optional<Entry> parse(String text, String defaultSchema) {
      int colon = text.lastIndexOf(':');
      String topic = colon < 0 ? "" : text.substring(0, colon).trim();
      String target = colon < 0 ? "" : text.substring(colon + 1).trim();
      if (topic.isEmpty() || target.isEmpty()) {
        return Optional.empty();
      }
      TableRef table = TableRef.parse(target, defaultSchema);
      // the name goes into SQL literals too (control tables), whose rules SqlText keeps
      SqlText.literal(table.name());
      return Optional.of(new Entry(text, topic, table));
    }
  }
}
