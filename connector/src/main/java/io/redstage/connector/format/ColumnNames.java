package io.redstage.connector.format;

import io.redstage.contract.FileFormat;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one naming rule for top-level columns, shared by Parquet, Avro and JSON Lines so that a topic
 * lands in the same columns whatever the format: a field named in {@code column.name.map} takes its
 * mapped name; any other name keeps only what Avro allows ({@code [A-Za-z_][A-Za-z0-9_]*}: other
 * characters become '_', a leading digit gets a '_' prefix). A column name longer than Redshift's
 * 127 bytes, or two fields of one record that become the same column once Redshift folds them to
 * lower case, reject the record. Nested names (inside SUPER) are not touched here. A rename is
 * logged once per topic and field, and counted in the task's {@code column-renames-total} metric.
 */
public final class ColumnNames {
  /** Redshift identifiers hold at most 127 bytes of UTF-8. */
  public static final int MAX_BYTES = 127;

  /**
   * Renames logged per task before logging stops: schemaless keys could otherwise grow the set
   * without end.
   */
  private static final int MAX_LOGGED_RENAMES = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(ColumnNames.class);

  private final Map<String, String> mapping;
  private final Set<String> loggedRenames = ConcurrentHashMap.newKeySet();

  /** Told of each rename that is logged (the task's column-renames metric). */
  private final Runnable onNewRename;

  private ColumnNames(Map<String, String> mapping, Runnable onNewRename) {
    this.mapping = mapping;
    this.onNewRename = onNewRename;
  }

  /** No mapping: every name follows the sanitising rule. */
  public static ColumnNames unmapped() {
    return new ColumnNames(Collections.emptyMap(), () -> {});
  }

  /**
   * Parses {@code column.name.map} entries of the form {@code from:to} (split at the last ':', so a
   * field name may contain ':').
   *
   * @throws IllegalArgumentException naming the entry when it is malformed, its target is not a
   *     valid column name, or a field or a target appears twice
   */
  public static ColumnNames mapped(List<String> entries) {
    Map<String, String> mapping = new LinkedHashMap<>();
    Map<String, String> targets = new LinkedHashMap<>();
    for (String entry : entries) {
      int colon = entry.lastIndexOf(':');
      if (colon <= 0 || colon == entry.length() - 1) {
        throw new IllegalArgumentException(
            "Cannot use the entry '"
                + entry
                + "': it is not of the form "
                + "<field>:<column>. Write each mapping as field:column, separated by commas.");
      }
      String from = entry.substring(0, colon);
      String to = entry.substring(colon + 1).trim();
      if (!isValid(to) || utf8Length(to) > MAX_BYTES) {
        throw new IllegalArgumentException(
            "Cannot use the entry '"
                + entry
                + "': '"
                + to
                + "' is not a valid "
                + "column name. Use 1 to "
                + MAX_BYTES
                + " letters, digits or underscores, starting with a letter or "
                + "underscore.");
      }
      if (mapping.put(from, to) != null) {
        throw new IllegalArgumentException(
            "Cannot use the entry '"
                + entry
                + "': the field '"
                + from
                + "' is mapped twice. Keep one mapping per field.");
      }
      String other = targets.put(fold(to), from);
      if (other != null) {
        throw new IllegalArgumentException(
            "Cannot use the entry '"
                + entry
                + "': the fields '"
                + other
                + "' and '"
                + from
                + "' would both become the column "
                + fold(to)
                + " (Redshift folds names to lower case). "
                + "Give each field its own column.");
      }
    }
    return new ColumnNames(Collections.unmodifiableMap(mapping), () -> {});
  }

  /**
   * The same rule, telling {@code onNewRename} of each rename when it is logged (once per topic and
   * field).
   */
  public ColumnNames reportingRenamesTo(Runnable onNewRename) {
    return new ColumnNames(mapping, onNewRename);
  }

  /**
   * The column a top-level field of {@code record} is written as.
   *
   * @throws DataException naming the record and the field when the column name is longer than 127
   *     bytes
   */
  String column(String field, SinkRecord record, FileFormat format) {
    String mapped = mapping.get(field);
    String name = mapped != null ? mapped : sanitize(field);
    if (name.length() > MAX_BYTES) { // sanitized and mapped names are ASCII: one byte per char
      throw RecordErrors.cannotWrite(
          record,
          format,
          "the field "
              + NamesInMessages.quoted(field)
              + " would become the column name "
              + NamesInMessages.quoted(name)
              + " of "
              + name.length()
              + " bytes, more than Redshift's "
              + MAX_BYTES,
          "Map it with column.name.map="
              + NamesInMessages.whole(field, "<the field>")
              + ":<shorter name>, or rename the field at the source.");
    }
    if (!name.equals(field)) {
      logRename(record.topic(), field, name, mapped != null);
    }
    return name;
  }

  /** The field {@code column.name.map} maps to {@code column} (ignoring case), if any. */
  public Optional<String> fieldMappedTo(String column) {
    return mapping.entrySet().stream()
        .filter(e -> fold(e.getValue()).equals(fold(column)))
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /** How many renames were logged: each topic and field once. */
  int loggedRenames() {
    return loggedRenames.size();
  }

  /** The rejection for two fields of one record (or schema) that become the same column. */
  static DataException sameColumn(
      SinkRecord record, FileFormat format, String field, String otherField, String column) {
    return RecordErrors.cannotWrite(
        record,
        format,
        "the fields "
            + NamesInMessages.quoted(otherField)
            + " and "
            + NamesInMessages.quoted(field)
            + " both become the column "
            + NamesInMessages.plain(fold(column))
            + " (Redshift folds names to lower case and only letters, "
            + "digits and '_' are kept)",
        "Map one of them to another name with column.name.map="
            + NamesInMessages.whole(field, "<the field>")
            + ":<other name>, or rename it at the "
            + "source.");
  }

  /** The name as Redshift stores it: ASCII letters folded to lower case. */
  static String fold(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /**
   * Avro's name rule: other characters become '_', a leading digit (or an empty name) gets a '_'
   * prefix.
   */
  static String sanitize(String name) {
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

  private void logRename(String topic, String field, String column, boolean mapped) {
    if (loggedRenames.size() >= MAX_LOGGED_RENAMES
        || !loggedRenames.add(topic + '\u0000' + field)) {
      return;
    }
    onNewRename.run();
    if (mapped) {
      LOG.info(
          "Field '{}' of topic {} is written as column {} (column.name.map)", field, topic, column);
    } else {
      LOG.info(
          "Field '{}' of topic {} is written as column {} (Redshift/Avro naming); map it with "
              + "column.name.map to choose another name",
          field,
          topic,
          column);
    }
    if (loggedRenames.size() == MAX_LOGGED_RENAMES) {
      LOG.info("Logged {} renamed fields; further renames are not logged", MAX_LOGGED_RENAMES);
    }
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
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
