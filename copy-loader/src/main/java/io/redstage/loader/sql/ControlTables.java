package io.redstage.loader.sql;

import io.redstage.loader.discovery.TopicPartition;
import io.redstage.loader.discovery.Unit;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * SQL for the loader's own tables: the load-marker table (one row per loaded unit, with its batch
 * id, written in the same transaction as the rows), each target table's loaded-intervals table (the
 * same facts compacted: what a load transaction reads and locks; {@link LoadedIntervalsTable} says
 * why both exist), the quarantine table, and the failure table (attempts per unit, so that separate
 * loader processes share the count).
 */
public final class ControlTables {
  /**
   * Characters per INSERT ... VALUES statement, to stay well below the Data API's 100 KB statement
   * limit.
   */
  static final int MAX_INSERT_CHARS = 60_000;

  /** Loaded-state queries are split so that each stays below this many characters. */
  static final int MAX_QUERY_CHARS = 60_000;

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  private final TableRef markers;
  private final TableRef quarantine;
  private final TableRef failures;

  public ControlTables(TableRef markers, TableRef quarantine, TableRef failures) {
    this.markers = markers;
    this.quarantine = quarantine;
    this.failures = failures;
  }

  public TableRef markers() {
    return markers;
  }

  public TableRef quarantine() {
    return quarantine;
  }

  public TableRef failures() {
    return failures;
  }

  /** The schemas of the control tables, each once. */
  public List<String> schemas() {
    return List.copyOf(
        new LinkedHashSet<>(List.of(markers.schema(), quarantine.schema(), failures.schema())));
  }

  /**
   * Statements that create the missing schemas and the tables if missing (idempotent).
   *
   * @param existing the schemas read to exist: no CREATE SCHEMA for them ({@link ExistingSchemas}
   *     says why)
   */
  public List<String> createStatements(ExistingSchemas existing) {
    List<String> out = new ArrayList<>();
    for (String schema : schemas()) {
      if (!existing.exists(schema)) {
        out.add(ExistingSchemas.create(schema));
      }
    }
    out.add(
        "CREATE TABLE IF NOT EXISTS "
            + markers.sql()
            + " (target_table VARCHAR(300) NOT NULL, topic VARCHAR(255) NOT NULL, "
            + "kafka_partition INTEGER NOT NULL, start_offset BIGINT NOT NULL, end_offset BIGINT NOT NULL, "
            + "marker_key VARCHAR(1024) NOT NULL, batch_id VARCHAR(36) NOT NULL, record_count BIGINT NOT NULL, "
            + "loaded_at TIMESTAMP NOT NULL) SORTKEY (target_table, topic, kafka_partition, start_offset)");
    out.add(
        "CREATE TABLE IF NOT EXISTS "
            + quarantine.sql()
            + " (batch_id VARCHAR(36) NOT NULL, target_table VARCHAR(300) NOT NULL, "
            + "topic VARCHAR(255) NOT NULL, kafka_partition INTEGER NOT NULL, start_offset BIGINT NOT NULL, end_offset BIGINT NOT NULL, "
            + "marker_key VARCHAR(1024) NOT NULL, error VARCHAR(4000), quarantined_at TIMESTAMP NOT NULL, released_at TIMESTAMP)");
    out.add(
        "CREATE TABLE IF NOT EXISTS "
            + claims().table().sql()
            + " (owner VARCHAR(64) NOT NULL, target_table VARCHAR(300) NOT NULL, "
            + "expires_at TIMESTAMP NOT NULL)");
    out.add(
        "CREATE TABLE IF NOT EXISTS "
            + failures.sql()
            + " (marker_key VARCHAR(1024) NOT NULL, target_table VARCHAR(300) NOT NULL, "
            + "attempts INTEGER NOT NULL, last_error VARCHAR(4000), last_attempt_at TIMESTAMP NOT NULL)");
    return out;
  }

  /**
   * The marker_key of a failure-table row that is a table's, not a unit's: a failure of the
   * environment (a privilege, a full disk, COPY's access to S3) stopped the table's loads, in
   * attempts cycles in a row, the last at last_attempt_at with last_error. No marker key is empty,
   * and loaders of versions before these rows take one for a unit that is never listed, which they
   * ignore.
   */
  public static final String TABLE_STOP_KEY = "";

  /**
   * One row of the failure table: a unit's failed attempts so far (0: released from quarantine,
   * load it alone); the table's qualified name. With {@link #TABLE_STOP_KEY} for a marker key, the
   * table's row: how many cycles in a row the environment stopped its loads.
   */
  public record FailureRow(
      String markerKey,
      String targetTable,
      int attempts,
      String lastError,
      Instant lastAttemptAt) {}

  /**
   * A transaction that writes the quarantine or failure table: {@code parts} in order, after a LOCK
   * of both. Redshift tracks serializable isolation per table: two table threads (or loaders)
   * writing rows of their own units in either table at once would otherwise fail one with error
   * 1023, and lose its attempt count or quarantine row until the unit fails again. Both tables in
   * one statement, so every such transaction takes them in the same order. Load transactions write
   * neither.
   */
  @SafeVarargs
  public final List<String> writingQuarantineOrFailures(List<String>... parts) {
    List<String> out = new ArrayList<>();
    out.add("LOCK " + quarantine.sql() + ", " + failures.sql());
    for (List<String> part : parts) {
      out.addAll(part);
    }
    return out;
  }

  /** Replaces the failure rows of these units (one transaction: DELETE, then INSERT). */
  public List<String> upsertFailures(List<FailureRow> rows) {
    List<String> out =
        new ArrayList<>(deleteFailures(rows.stream().map(FailureRow::markerKey).toList()));
    List<String> tuples = new ArrayList<>();
    for (FailureRow r : rows) {
      tuples.add(
          "("
              + SqlText.literal(r.markerKey())
              + ", "
              + SqlText.literal(r.targetTable())
              + ", "
              + r.attempts()
              + ", "
              + SqlText.sanitizedLiteral(r.lastError(), 3900)
              + ", "
              + timestamp(r.lastAttemptAt())
              + ")");
    }
    out.addAll(
        inserts(
            "INSERT INTO "
                + failures.sql()
                + " (marker_key, target_table, attempts, last_error, last_attempt_at) VALUES ",
            tuples));
    return out;
  }

  /**
   * Replaces the row of a table whose loads the environment stopped ({@code row}'s marker key is
   * {@link #TABLE_STOP_KEY}); the rows of its units and of other tables stay.
   */
  public List<String> upsertTableStop(FailureRow row) {
    if (!TABLE_STOP_KEY.equals(row.markerKey())) {
      throw new IllegalArgumentException(
          "Cannot write a unit's failure row as a table's: marker key '" + row.markerKey() + "'");
    }
    List<String> out = new ArrayList<>(deleteTableStop(row.targetTable()));
    out.add(
        "INSERT INTO "
            + failures.sql()
            + " (marker_key, target_table, attempts, last_error, last_attempt_at) VALUES ("
            + SqlText.literal(TABLE_STOP_KEY)
            + ", "
            + SqlText.literal(row.targetTable())
            + ", "
            + row.attempts()
            + ", "
            + SqlText.sanitizedLiteral(row.lastError(), 3900)
            + ", "
            + timestamp(row.lastAttemptAt())
            + ")");
    return out;
  }

  /** Deletes the row of a table whose loads the environment stopped (the table loads again). */
  public List<String> deleteTableStop(String targetTable) {
    return List.of(
        "DELETE FROM "
            + failures.sql()
            + " WHERE marker_key = "
            + SqlText.literal(TABLE_STOP_KEY)
            + " AND target_table = "
            + SqlText.literal(targetTable));
  }

  /** Deletes the failure rows of these units, each statement below {@link #MAX_INSERT_CHARS}. */
  public List<String> deleteFailures(List<String> markerKeys) {
    return keyLists("DELETE FROM " + failures.sql() + " WHERE marker_key IN (", markerKeys);
  }

  /**
   * {@code head} followed by chunks of the quoted marker keys and ')', each statement below {@link
   * #MAX_INSERT_CHARS}.
   */
  private static List<String> keyLists(String head, List<String> markerKeys) {
    List<String> out = new ArrayList<>();
    StringBuilder b = new StringBuilder(head);
    for (String key : markerKeys) {
      String k = SqlText.literal(key);
      if (b.length() > head.length() && b.length() + k.length() + 3 > MAX_INSERT_CHARS) {
        out.add(b.append(')').toString());
        b = new StringBuilder(head);
      }
      b.append(b.length() > head.length() ? ", " : "").append(k);
    }
    if (b.length() > head.length()) {
      out.add(b.append(')').toString());
    }
    return out;
  }

  /**
   * A batch whose load markers {@link #batchesLoadedAt} asks for: what every one of its marker rows
   * holds besides the batch id, its target table (as {@link TableRef#name()}) and, per
   * topic-partition, a start offset between the least and the greatest of its units' (none known:
   * the table alone).
   */
  public record BatchMarkers(String batchId, String target, List<StartRange> ranges) {}

  /** The start offsets of a batch's units in one topic-partition. */
  public record StartRange(String topic, int partition, long minStart, long maxStart) {}

  /**
   * Queries for the batch id and first load time of each of these batches that committed (its load
   * markers exist), each below {@link #MAX_QUERY_CHARS}; a batch with many partitions may be asked
   * in several, so a caller takes the earliest time per batch over all of them. batch_id is not in
   * the table's sort key and the table holds every unit ever loaded: besides the ids, each query
   * names the batches' target tables, topics, partitions and start offsets (the sort key), so that
   * Redshift reads only the blocks that can hold their rows. Each row of a batch matches its own
   * batch's condition, so the answer is the one the ids alone would give.
   */
  public List<String> batchesLoadedAt(List<BatchMarkers> batches) {
    List<String> out = new ArrayList<>();
    LinkedHashSet<String> ids = new LinkedHashSet<>();
    int idsChars = 0;
    StringBuilder where = new StringBuilder();
    for (BatchMarkers b : batches) {
      String id = SqlText.literal(b.batchId());
      for (String cond : markerConditions(b)) {
        // 100: the rest of the statement's text
        int size =
            idsChars
                + id.length()
                + 2
                + where.length()
                + cond.length()
                + 4
                + markers.sql().length()
                + 100;
        if (!ids.isEmpty() && size > MAX_QUERY_CHARS) {
          out.add(batchesLoadedAtQuery(ids, where));
          ids.clear();
          idsChars = 0;
          where.setLength(0);
        }
        if (ids.add(id)) {
          idsChars += id.length() + 2;
        }
        where.append(where.length() == 0 ? "" : " OR ").append(cond);
      }
    }
    if (!ids.isEmpty()) {
      out.add(batchesLoadedAtQuery(ids, where));
    }
    return out;
  }

  private String batchesLoadedAtQuery(Collection<String> ids, CharSequence where) {
    return "SELECT batch_id, MIN(loaded_at) FROM "
        + markers.sql()
        + " WHERE ("
        + where
        + ") AND batch_id IN ("
        + String.join(", ", ids)
        + ") GROUP BY batch_id";
  }

  /**
   * The conditions on the sort-key columns that every marker row of {@code b} meets: its target
   * table and its partitions' start ranges, split so that each stays below half a query.
   */
  private static List<String> markerConditions(BatchMarkers b) {
    String table = "target_table = " + SqlText.literal(b.target());
    if (b.ranges().isEmpty()) {
      return List.of("(" + table + ")");
    }
    List<String> out = new ArrayList<>();
    StringBuilder ranges = new StringBuilder();
    for (StartRange r : b.ranges()) {
      String range =
          "(topic = "
              + SqlText.literal(r.topic())
              + " AND kafka_partition = "
              + r.partition()
              + " AND start_offset BETWEEN "
              + r.minStart()
              + " AND "
              + r.maxStart()
              + ")";
      if (ranges.length() > 0 && ranges.length() + range.length() > MAX_QUERY_CHARS / 2) {
        out.add("(" + table + " AND (" + ranges + "))");
        ranges.setLength(0);
      }
      ranges.append(ranges.length() == 0 ? "" : " OR ").append(range);
    }
    out.add("(" + table + " AND (" + ranges + "))");
    return out;
  }

  /**
   * Reads every failure row: marker_key, attempts, last_error, last_attempt_at, target_table (rows
   * exist only for failing or released units, and for tables the environment stopped).
   */
  public String selectFailures() {
    return "SELECT marker_key, attempts, last_error, last_attempt_at, target_table FROM "
        + failures.sql();
  }

  /**
   * The claims table, in the load-marker table's schema and named after it: which loader process
   * loads which target table until when ({@link ClaimTable}).
   */
  public ClaimTable claims() {
    return new ClaimTable(TableRef.of(markers.schema(), markers.table() + CLAIMS_SUFFIX));
  }

  private static final String CLAIMS_SUFFIX = "_claims";
  private static final String SEEDS_SUFFIX = "_seeds";

  /**
   * Longest name, in UTF-8 bytes, of a load-marker table: the claims and seed-watermark tables are
   * named after it with a suffix, and Redshift names have at most 127 bytes.
   */
  public static final int MAX_MARKERS_TABLE_BYTES =
      Identifiers.MAX_BYTES - Math.max(CLAIMS_SUFFIX.length(), SEEDS_SUFFIX.length());

  /**
   * Whether every control table named after the load-marker table {@code name} gets a name Redshift
   * takes: within {@link #MAX_MARKERS_TABLE_BYTES}, and its first 40 characters fit the per-target
   * tables' names ({@link LoadedIntervalsTable}), which only names of multibyte characters miss.
   */
  public static boolean derivedNamesFit(String name) {
    return name.getBytes(StandardCharsets.UTF_8).length <= MAX_MARKERS_TABLE_BYTES
        && (name.isEmpty() || LoadedIntervalsTable.perTargetNamesFit(name));
  }

  /**
   * The tables of the load-marker table's schema whose name starts like a loaded-intervals table's
   * and that another session holds with an exclusive lock (a load transaction's LOCK), with that
   * session's process id and transaction start: schema, table, pid, txn_start, its age in seconds.
   * SVV_TRANSACTIONS takes no table lock, so this read never waits for a load.
   */
  public String lockedLoadedIntervals() {
    return "SELECT n.nspname, c.relname, MIN(t.pid), MIN(t.txn_start),"
        + " DATEDIFF(second, MIN(t.txn_start), "
        + SqlText.UTC_NOW
        + ") FROM svv_transactions t"
        + " JOIN pg_class c ON c.oid = t.relation JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE t.lockable_object_type = 'relation' AND t.granted"
        + " AND t.lock_mode = 'AccessExclusiveLock' AND t.pid <> PG_BACKEND_PID()"
        + " AND t.txn_db = CURRENT_DATABASE()"
        + " AND n.nspname = "
        + SqlText.literal(markers.schema())
        + " AND c.relname LIKE "
        // "_" matches any character here: the caller picks its tables out by exact name
        + SqlText.literal(LoadedIntervalsTable.namePrefix(markers) + "%")
        + " GROUP BY n.nspname, c.relname";
  }

  /**
   * The seed-watermark table, in the load-marker table's schema and named after it, like the claims
   * table ({@link SeedWatermarkTable}). Not in {@link #createStatements}: a loader that cannot
   * create or use it still loads (its seeds read every marker row), where a failure there stops the
   * loader. "_seeds" cannot end a per-target table's name, which ends in "_" and 12 hex digits.
   */
  public SeedWatermarkTable seedWatermarks() {
    return new SeedWatermarkTable(TableRef.of(markers.schema(), markers.table() + SEEDS_SUFFIX));
  }

  /** The loaded-intervals table of one target table ({@link LoadedIntervalsTable}). */
  public LoadedIntervalsTable loadedIntervals(TableRef target) {
    return new LoadedIntervalsTable(markers, target);
  }

  /** The deleted-keys table of one upsert target ({@link DeletedKeysTable}). */
  public DeletedKeysTable deletedKeys(TableRef target) {
    return new DeletedKeysTable(
        LoadedIntervalsTable.nameOf(markers, target, LoadedIntervalsTable.DELETED_KEYS_INFIX));
  }

  /** One row of the load-marker table, as a VALUES tuple. */
  public record MarkerRow(
      TableRef target,
      String topic,
      int partition,
      long start,
      long end,
      String markerKey,
      String batchId,
      long records) {}

  /** INSERT statements for the load markers of a batch, each below {@link #MAX_INSERT_CHARS}. */
  public List<String> insertMarkers(List<MarkerRow> rows, Instant loadedAt) {
    List<String> tuples = new ArrayList<>();
    for (MarkerRow r : rows) {
      tuples.add(
          "("
              + SqlText.literal(r.target().name())
              + ", "
              + SqlText.literal(r.topic())
              + ", "
              + r.partition()
              + ", "
              + r.start()
              + ", "
              + r.end()
              + ", "
              + SqlText.literal(r.markerKey())
              + ", "
              + SqlText.literal(r.batchId())
              + ", "
              + r.records()
              + ", "
              + timestamp(loadedAt)
              + ")");
    }
    return inserts(
        "INSERT INTO "
            + markers.sql()
            + " (target_table, topic, kafka_partition, start_offset, end_offset, marker_key, batch_id, record_count, loaded_at) VALUES ",
        tuples);
  }

  /**
   * INSERT statements of {@code head} followed by the tuples, several per statement: Redshift caps
   * one statement's text, and a batch of thousands of units must not make one giant INSERT.
   */
  static List<String> inserts(String head, List<String> tuples) {
    List<String> out = new ArrayList<>();
    StringBuilder b = new StringBuilder(head);
    boolean empty = true;
    for (String t : tuples) {
      if (!empty && b.length() + t.length() + 2 > MAX_INSERT_CHARS) {
        out.add(b.toString());
        b = new StringBuilder(head);
        empty = true;
      }
      b.append(empty ? "" : ", ").append(t);
      empty = false;
    }
    if (!empty) {
      out.add(b.toString());
    }
    return out;
  }

  /**
   * The offset range of listed units for one table and topic-partition: what the loaded-state query
   * asks about.
   */
  public record Probe(TableRef target, TopicPartition tp, long minStart, long maxEnd) {}

  /**
   * Queries that return the loaded intervals overlapping the listed units (kind 'L') and the
   * unreleased quarantined units (kind 'Q'). Columns: kind, target_table, topic, kafka_partition,
   * start_offset, end_offset, marker_key, batch_id. Targets for which {@code indexed} holds are
   * read from their loaded-intervals table (compact: the answer and its cost grow with the listed
   * units, not with history); others (read-only commands before any load of this version) from the
   * load-marker table.
   */
  public List<String> loadedStateQueries(List<Probe> probes, Predicate<TableRef> indexed) {
    List<String> out = new ArrayList<>();
    String quarantined =
        "SELECT 'Q' AS kind, target_table, topic, kafka_partition, start_offset, end_offset, marker_key, batch_id FROM "
            + quarantine.sql()
            + " WHERE released_at IS NULL";
    Map<TableRef, List<Probe>> byTarget = new TreeMap<>();
    for (Probe p : probes) {
      byTarget.computeIfAbsent(p.target(), t -> new ArrayList<>()).add(p);
    }
    StringBuilder query = new StringBuilder();
    for (Map.Entry<TableRef, List<Probe>> e : byTarget.entrySet()) {
      boolean fromLoaded = indexed.test(e.getKey());
      StringBuilder where = new StringBuilder();
      for (Probe p : e.getValue()) {
        String cond =
            "("
                + (fromLoaded
                    ? ""
                    : "target_table = " + SqlText.literal(p.target().name()) + " AND ")
                + "topic = "
                + SqlText.literal(p.tp().topic())
                + " AND kafka_partition = "
                + p.tp().partition()
                + " AND end_offset >= "
                + p.minStart()
                + " AND start_offset <= "
                + p.maxEnd()
                + ")";
        if (where.length() > 0 && where.length() + cond.length() > MAX_QUERY_CHARS / 2) {
          query = append(out, query, loadedSelect(e.getKey(), fromLoaded, where));
          where.setLength(0);
        }
        where.append(where.length() == 0 ? "" : " OR ").append(cond);
      }
      query = append(out, query, loadedSelect(e.getKey(), fromLoaded, where));
    }
    if (query.length() > 0) {
      out.add(query.toString());
    }
    if (out.isEmpty()) {
      out.add(quarantined);
    } else {
      out.set(0, out.get(0) + " UNION ALL " + quarantined);
    }
    return out;
  }

  /** Adds {@code select} to the query being built, first starting a new query when it is full. */
  private static StringBuilder append(List<String> out, StringBuilder query, String select) {
    if (query.length() > 0 && query.length() + select.length() > MAX_QUERY_CHARS) {
      out.add(query.toString());
      query = new StringBuilder();
    }
    return query.append(query.length() == 0 ? "" : " UNION ALL ").append(select);
  }

  private String loadedSelect(TableRef target, boolean fromLoaded, CharSequence where) {
    return "SELECT 'L' AS kind, "
        + (fromLoaded
            ? "CAST(" + SqlText.literal(target.name()) + " AS VARCHAR(300))"
            : "target_table")
        + " AS target_table, topic, kafka_partition, start_offset, end_offset, "
        + "CAST(NULL AS VARCHAR(1024)) AS marker_key, CAST(NULL AS VARCHAR(36)) AS batch_id FROM "
        + (fromLoaded ? loadedIntervals(target).table().sql() : markers.sql())
        + " WHERE "
        + where;
  }

  /** One row of the quarantine table. */
  public record QuarantineRow(
      String batchId,
      TableRef target,
      String topic,
      int partition,
      long start,
      long end,
      String markerKey) {}

  public List<String> insertQuarantine(List<QuarantineRow> rows, String error, Instant at) {
    String errorLiteral = SqlText.sanitizedLiteral(error, 3900);
    List<String> tuples = new ArrayList<>();
    for (QuarantineRow r : rows) {
      tuples.add(
          "("
              + SqlText.literal(r.batchId())
              + ", "
              + SqlText.literal(r.target().name())
              + ", "
              + SqlText.literal(r.topic())
              + ", "
              + r.partition()
              + ", "
              + r.start()
              + ", "
              + r.end()
              + ", "
              + SqlText.literal(r.markerKey())
              + ", "
              + errorLiteral
              + ", "
              + timestamp(at)
              + ")");
    }
    return inserts(
        "INSERT INTO "
            + quarantine.sql()
            + " (batch_id, target_table, topic, kafka_partition, start_offset, end_offset, marker_key, error, quarantined_at) VALUES ",
        tuples);
  }

  /** Releases these quarantined units so that they load again. */
  public List<String> release(List<String> markerKeys, Instant at) {
    return keyLists(
        "UPDATE "
            + quarantine.sql()
            + " SET released_at = "
            + timestamp(at)
            + " WHERE released_at IS NULL AND marker_key IN (",
        markerKeys);
  }

  /**
   * The unreleased quarantined units of one batch (or of all, when batchId is null): batch_id,
   * target_table, marker_key, error.
   */
  public String quarantinedUnits(String batchId) {
    return "SELECT batch_id, target_table, marker_key, error, topic, kafka_partition, start_offset, end_offset FROM "
        + quarantine.sql()
        + " WHERE released_at IS NULL"
        + (batchId == null ? "" : " AND batch_id = " + SqlText.literal(batchId))
        + " ORDER BY batch_id, topic, kafka_partition, start_offset";
  }

  /**
   * Per table of {@code targets} (qualified names), the loaded_at of its newest load-marker row:
   * when a batch of it last committed. By target_table, the table's sort key's first column.
   */
  public String lastLoadedAt(java.util.Collection<String> targets) {
    List<String> names = new ArrayList<>();
    for (String t : new java.util.TreeSet<>(targets)) {
      names.add(SqlText.literal(t));
    }
    return "SELECT target_table, MAX(loaded_at) FROM "
        + markers.sql()
        + " WHERE target_table IN ("
        + String.join(", ", names)
        + ") GROUP BY target_table";
  }

  /**
   * The unreleased quarantined units for 'status' and 'dry-run', counted per batch, table and topic
   * (a batch of a table several topics load has a row per topic): the topics tell a batch of this
   * configuration's topics from another loader's, as the control tables may be shared.
   */
  public String listQuarantine() {
    return "SELECT batch_id, target_table, topic, COUNT(*) AS units, MIN(quarantined_at) AS quarantined_at, MAX(error) AS error, MIN(marker_key) AS marker_key FROM "
        + quarantine.sql()
        + " WHERE released_at IS NULL GROUP BY batch_id, target_table, topic ORDER BY 5, 1, 3";
  }

  /**
   * Reads the columns of the given tables from information_schema (works on Redshift and
   * PostgreSQL): as many queries as keep each below {@link #MAX_QUERY_CHARS}, since a cycle can
   * claim thousands of tables and one query naming them all would pass the Data API's 100 KB limit.
   */
  public static List<String> describeTables(List<TableRef> tables) {
    String select =
        "SELECT table_schema, table_name, column_name, data_type, character_maximum_length, "
            + "numeric_precision, numeric_scale, is_nullable, column_default FROM information_schema.columns WHERE ";
    String order = " ORDER BY table_schema, table_name, ordinal_position";
    List<String> out = new ArrayList<>();
    StringBuilder where = new StringBuilder();
    for (TableRef t : tables) {
      String cond =
          "(table_schema = "
              + SqlText.literal(t.schema())
              + " AND table_name = "
              + SqlText.literal(t.table())
              + ")";
      if (where.length() > 0
          && select.length() + where.length() + cond.length() + order.length() > MAX_QUERY_CHARS) {
        out.add(select + where + order);
        where.setLength(0);
      }
      where.append(where.length() == 0 ? "" : " OR ").append(cond);
    }
    if (where.length() > 0) {
      out.add(select + where + order);
    }
    return out;
  }

  public static String timestamp(Instant at) {
    return "CAST('" + utcText(at) + "' AS TIMESTAMP)";
  }

  /** {@code at} as Redshift reads a timestamp literal, in UTC, to the millisecond. */
  static String utcText(Instant at) {
    return TS.format(at);
  }

  /** Rows for the markers of a batch's units. */
  public static List<MarkerRow> markerRows(TableRef target, String batchId, List<Unit> units) {
    List<MarkerRow> rows = new ArrayList<>();
    for (Unit u : units) {
      rows.add(
          new MarkerRow(
              target,
              u.topic(),
              u.partition(),
              u.start(),
              u.end(),
              u.markerKey(),
              batchId,
              u.marker().recordCount()));
    }
    return rows;
  }
}
