package io.redstage.loader.sql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * SQL of one target table's loaded-intervals table: the load-marker table's facts for that target,
 * compacted to about one row per partition, which its load transactions read and LOCK.
 *
 * <p>Why two marker layouts: Redshift runs transactions with serializable isolation and tracks
 * conflicts per table, so two load transactions that both read and write one shared marker table
 * can fail with error 1023 unless they LOCK it, and that LOCK made every table's batches wait for
 * each other. A load transaction therefore reads and LOCKs only its target's loaded-intervals
 * table, and only appends to the shared load-marker table (concurrent appends wait for each other's
 * commit but never conflict: no transaction reads it while writing it).
 */
public final class LoadedIntervalsTable {
  /** The temp table in which a load transaction merges a target's loaded intervals. */
  static final String MERGED = "rs_loaded";

  /** Characters of the load-marker table's name kept in a loaded-intervals table's name. */
  private static final int BASE_CHARS = 40;

  /**
   * Longest loaded-intervals table name: PostgreSQL's 63 bytes, which the Redshift stand-in keeps,
   * rather than Redshift's 127, so that the same names work in both.
   */
  private static final int MAX_NAME_BYTES = 63;

  /** What follows the load-marker table's name in a loaded-intervals table's name. */
  private static final String INFIX = "__";

  /** What follows it in a deleted-keys table's name ({@link ControlTables#deletedKeys}). */
  static final String DELETED_KEYS_INFIX = "__d_";

  /** Hex digits of the SHA-256 of the target's qualified name: "_" and these end the name. */
  private static final int HASH_CHARS = 12;

  private final TableRef markers;
  private final TableRef target;
  private final TableRef table;

  LoadedIntervalsTable(TableRef markers, TableRef target) {
    this.markers = markers;
    this.target = target;
    this.table = nameOf(markers, target, INFIX);
  }

  public TableRef table() {
    return table;
  }

  /** How the names of the loaded-intervals tables of {@code markers} begin. */
  static String namePrefix(TableRef markers) {
    return base(markers) + INFIX;
  }

  private static String base(TableRef markers) {
    return base(markers.table());
  }

  private static String base(String markersTable) {
    return markersTable.length() > BASE_CHARS
        ? markersTable.substring(0, BASE_CHARS)
        : markersTable;
  }

  /**
   * Whether the per-target tables named after {@code markersTable} get names Redshift takes: its
   * first 40 characters, an infix, "_" and 12 hex digits make at most 127 bytes, and the cut does
   * not split a character (a name of many multibyte characters may pass as a table of its own).
   */
  static boolean perTargetNamesFit(String markersTable) {
    String base = base(markersTable);
    return base.getBytes(StandardCharsets.UTF_8).length
                + DELETED_KEYS_INFIX.length()
                + 1
                + HASH_CHARS
            <= Identifiers.MAX_BYTES
        && !Character.isHighSurrogate(base.charAt(base.length() - 1));
  }

  /**
   * In the load-marker table's schema, named after it, the infix, as much of the target's table
   * name as fits and a hash of the target's qualified name: names stay unique and at most 63 bytes
   * whatever the target is called. The infix tells per-target control tables apart.
   */
  static TableRef nameOf(TableRef markers, TableRef target, String infix) {
    String base = base(markers);
    String readable = target.table().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    int room =
        Math.max(
            0,
            MAX_NAME_BYTES
                - base.getBytes(StandardCharsets.UTF_8).length
                - infix.length()
                - 1
                - HASH_CHARS);
    if (readable.length() > room) {
      readable = readable.substring(0, room);
    }
    return TableRef.of(markers.schema(), base + infix + readable + "_" + hash(target.name()));
  }

  private static String hash(String name) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, HASH_CHARS / 2);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM has SHA-256", e);
    }
  }

  /**
   * Creates the table if missing. Sorted by what every query on it filters by: topic, partition,
   * then offsets.
   */
  public String create() {
    return "CREATE TABLE IF NOT EXISTS "
        + table.sql()
        + " (topic VARCHAR(255) NOT NULL, kafka_partition INTEGER NOT NULL, "
        + "start_offset BIGINT NOT NULL, end_offset BIGINT NOT NULL) "
        + "SORTKEY (topic, kafka_partition, start_offset)";
  }

  /**
   * One transaction that adds to the loaded-intervals table every load-marker row of its target
   * that it does not cover yet, and merges them: markers written by loaders that did not know this
   * table (versions before per-table intervals, or one run again after this version) keep counting,
   * whenever they were written. Once per target and process, under the table's LOCK: concurrent
   * loaders take turns; the table holds about one row per partition, so rewriting it is cheap.
   * Reads every marker row of the target, however old: the seed of a target without a usable
   * watermark.
   */
  public List<String> seed() {
    List<String> out = new ArrayList<>();
    out.add(lock());
    out.addAll(merge(""));
    return out;
  }

  /**
   * {@link #seed()} that reads only the target's marker rows whose loaded_at is at or after {@code
   * since} (its watermark less {@link SeedWatermarkTable#MARGIN}): rows with an older loaded_at had
   * committed before the seed that set the watermark read the load-marker table (the margin says
   * why), so this table covers them already, and current loads write it in the transaction of their
   * marker rows. Every row still when this table is empty (created since the watermark, or dropped
   * and created again: the watermark says what the table held, not what a new one holds). Without
   * the window each process's seed read all of the target's history, under the LOCK that holds up
   * its loads, which grew every day.
   */
  public List<String> seed(Instant since) {
    List<String> out = new ArrayList<>();
    out.add(lock());
    out.addAll(
        merge(
            " AND (loaded_at >= "
                + ControlTables.timestamp(since)
                + " OR NOT EXISTS (SELECT 1 FROM "
                + table.sql()
                + "))"));
    return out;
  }

  /**
   * Rewrites the table as the union of its intervals and the target's marker rows, those that meet
   * {@code andCondition} ("" or " AND ...") only.
   */
  private List<String> merge(String andCondition) {
    String columns = "topic, kafka_partition, start_offset, end_offset";
    return List.of(
        "CREATE TEMP TABLE "
            + Identifiers.quote(MERGED)
            + " AS "
            + mergedIntervals(
                "SELECT "
                    + columns
                    + " FROM "
                    + table.sql()
                    + " UNION ALL SELECT "
                    + columns
                    + " FROM "
                    + markers.sql()
                    + " WHERE target_table = "
                    + SqlText.literal(target.name())
                    + andCondition),
        "DELETE FROM " + table.sql(),
        "INSERT INTO "
            + table.sql()
            + " ("
            + columns
            + ") SELECT "
            + columns
            + " FROM "
            + Identifiers.quote(MERGED));
  }

  /**
   * First statement of every load transaction of the target: serialises that target's batches (they
   * read and write its loaded intervals; without the LOCK, serializable isolation fails one of two
   * concurrent ones with error 1023). Other targets' batches do not wait.
   */
  public String lock() {
    return "LOCK " + table.sql();
  }

  /**
   * Records a batch's units in the loaded intervals and merges them with the intervals they touch
   * (contiguous or overlapping units become one row). Only a partition's rows that end at or after
   * the batch's first offset there, less one, are read and rewritten: older rows cannot merge with
   * units that start later. Partitions whose offsets skip (a transaction marker where a reopened
   * partition resumes, compacted records) keep one row per island, and rewriting all of them with
   * every batch made each batch slower as the islands accumulated.
   */
  public List<String> record(List<ControlTables.MarkerRow> rows) {
    if (rows.isEmpty()) {
      return List.of();
    }
    List<String> tuples = new ArrayList<>();
    // per topic, the first offset of the batch in each partition; grouped by topic, the condition
    // stays short (a few characters per partition)
    Map<String, Map<Integer, Long>> firstStart = new TreeMap<>();
    for (ControlTables.MarkerRow r : rows) {
      tuples.add(
          "("
              + SqlText.literal(r.topic())
              + ", "
              + r.partition()
              + ", "
              + r.start()
              + ", "
              + r.end()
              + ")");
      firstStart
          .computeIfAbsent(r.topic(), x -> new TreeMap<>())
          .merge(r.partition(), r.start(), Math::min);
    }
    List<String> terms = new ArrayList<>();
    firstStart.forEach(
        (topic, starts) -> {
          StringBuilder from = new StringBuilder("CASE kafka_partition");
          starts.forEach(
              (p, start) -> from.append(" WHEN ").append(p).append(" THEN ").append(start - 1));
          terms.add(
              "(topic = "
                  + SqlText.literal(topic)
                  + " AND kafka_partition IN ("
                  + starts.keySet().stream().map(String::valueOf).collect(Collectors.joining(", "))
                  + ") AND end_offset >= "
                  + from
                  + " END)");
        });
    String where = " WHERE " + String.join(" OR ", terms);
    List<String> out =
        new ArrayList<>(
            ControlTables.inserts(
                "INSERT INTO "
                    + table.sql()
                    + " (topic, kafka_partition, start_offset, end_offset) VALUES ",
                tuples));
    out.add(
        "CREATE TEMP TABLE "
            + Identifiers.quote(MERGED)
            + " AS "
            + mergedIntervals(
                "SELECT topic, kafka_partition, start_offset, end_offset FROM "
                    + table.sql()
                    + where));
    out.add("DELETE FROM " + table.sql() + where);
    out.add(
        "INSERT INTO "
            + table.sql()
            + " (topic, kafka_partition, start_offset, end_offset) SELECT topic, kafka_partition, "
            + "start_offset, end_offset FROM "
            + Identifiers.quote(MERGED));
    return out;
  }

  /**
   * The union of the intervals {@code source} selects, as few rows as possible (gaps and islands:
   * an interval starts a new island when it begins after every earlier interval of its partition
   * ended, plus one).
   */
  private static String mergedIntervals(String source) {
    String part = "PARTITION BY topic, kafka_partition ORDER BY start_offset, end_offset";
    return "SELECT topic, kafka_partition, MIN(start_offset) AS start_offset, "
        + "MAX(end_offset) AS end_offset FROM (SELECT topic, kafka_partition, start_offset, "
        + "end_offset, SUM(island_start) OVER ("
        + part
        + " ROWS UNBOUNDED PRECEDING) AS island FROM (SELECT topic, kafka_partition, start_offset, "
        + "end_offset, CASE WHEN start_offset <= MAX(end_offset) OVER ("
        + part
        + " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 1 THEN 0 ELSE 1 END AS island_start "
        + "FROM ("
        + source
        + ") i) s) g GROUP BY topic, kafka_partition, island";
  }
}
