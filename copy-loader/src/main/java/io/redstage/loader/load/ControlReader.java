package io.redstage.loader.load;

import static java.util.stream.Collectors.toSet;

import io.redstage.loader.config.ConfigException;
import io.redstage.loader.discovery.OffsetRange;
import io.redstage.loader.discovery.TopicPartition;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.redshift.StatementTimeoutException;
import io.redstage.loader.sql.ControlTables;
import io.redstage.loader.sql.ExistingSchemas;
import io.redstage.loader.sql.LoadedIntervalsTable;
import io.redstage.loader.sql.RedshiftType;
import io.redstage.loader.sql.SeedWatermarkTable;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSchema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the warehouse side of a cycle: loaded intervals and quarantine (one query), and target
 * table columns; prepares each target's loaded-intervals table before its first load.
 */
public final class ControlReader {
  private static final Logger LOG = LoggerFactory.getLogger(ControlReader.class);

  private final DataApi api;
  private final ControlTables control;

  /** Targets whose loaded-intervals table this process created (if missing) and seeded. */
  private final Set<TableRef> prepared = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean lockViewUnreadable = new AtomicBoolean();

  /** Whether this process created the seed-watermark table (if missing). */
  private final AtomicBoolean watermarksCreated = new AtomicBoolean();

  /**
   * Whether this process found the seed-watermark table unusable: its seeds then read every marker
   * row of their target, and it says so once.
   */
  private final AtomicBoolean watermarksUnusable = new AtomicBoolean();

  public ControlReader(DataApi api, ControlTables control) {
    this.api = api;
    this.control = control;
  }

  /**
   * Creates the loaded-intervals table of each target not prepared yet and seeds it from the
   * load-marker table (markers of older versions): from the target's seed watermark on, or every
   * row when the seed-watermark table cannot be used. Once per target and process: two calls each.
   * Returns the targets whose statements failed, each with its failure: one table whose control
   * table cannot be created (no privilege in its schema, the cluster's table quota reached) or
   * seeded (its LOCK outwaits the statement timeout) must not stop the others' loads. They are
   * tried again next cycle.
   */
  public Map<TableRef, RuntimeException> prepare(Collection<TableRef> targets)
      throws InterruptedException {
    Map<TableRef, RuntimeException> failed = new TreeMap<>();
    for (TableRef t : new TreeSet<>(targets)) {
      if (prepared.contains(t)) {
        continue;
      }
      LoadedIntervalsTable loaded = control.loadedIntervals(t);
      try {
        try {
          api.execute(loaded.create(), "redstage-control-ddl");
        } catch (StatementFailedException e) {
          // two loaders creating the same table at once: one may lose the race on the catalog; the
          // table exists now, and a real problem (no privilege) fails again
          LOG.info("Creating {} failed ({}); trying once more", loaded.table(), e.error());
          api.execute(loaded.create(), "redstage-control-ddl");
        }
        seed(loaded, t);
      } catch (StatementFailedException | StatementTimeoutException e) {
        // not prepared: tried again next cycle (a seed that timed out waiting for the LOCK, too)
        failed.put(t, e);
        continue;
      }
      prepared.add(t);
      LOG.info("Loaded intervals of {} are in {}", t, loaded.table());
    }
    return failed;
  }

  /**
   * Seeds from the target's watermark less the margin on, then records the cluster's time read
   * before the seed as the new watermark; without a usable watermark table, seeds from every row.
   * The watermark only saves work: a failure to read it (other than a transient one, which leaves
   * the target for the next cycle) or to write it never stops loads. A failure of the seed itself
   * is thrown, as before watermarks.
   */
  private void seed(LoadedIntervalsTable loaded, TableRef target) throws InterruptedException {
    SeedWatermarkTable watermarks = control.seedWatermarks();
    Optional<Watermark> read =
        watermarksUsable(watermarks) ? readWatermark(watermarks, target) : Optional.empty();
    if (read.isEmpty()) {
      api.executeBatch(loaded.seed(), null, "redstage-seed-loaded");
      return;
    }
    Watermark w = read.get();
    api.executeBatch(
        w.last()
            .map(last -> loaded.seed(last.minus(SeedWatermarkTable.MARGIN)))
            .orElseGet(loaded::seed),
        null,
        "redstage-seed-loaded");
    try {
      api.executeBatch(watermarks.record(target, w.now()), null, "redstage-seed-watermark");
    } catch (StatementFailedException | StatementTimeoutException e) {
      // the older watermark stays: the next seed of the target reads a wider window
      if (e instanceof StatementFailedException && !((StatementFailedException) e).isTransient()) {
        watermarksFailed(watermarks, (StatementFailedException) e);
      } else {
        LOG.info(
            "Cannot record the seed watermark of {} ({}); the next seed reads from the older one",
            target,
            e.getMessage());
      }
    }
  }

  /** A target's watermark (empty without one) and the cluster's time when it was read. */
  private record Watermark(Optional<Instant> last, Instant now) {}

  /**
   * Reads the target's watermark; empty when the table proved unusable now (its columns, a refused
   * privilege) or the cluster's time came back in a shape not understood, and the seed reads every
   * row. A transient failure is thrown: the target waits for the next cycle.
   */
  private Optional<Watermark> readWatermark(SeedWatermarkTable watermarks, TableRef target)
      throws InterruptedException {
    QueryResult r;
    try {
      r = api.query(watermarks.read(target), "redstage-seed-watermark");
    } catch (StatementFailedException e) {
      if (e.isTransient()) {
        throw e;
      }
      watermarksFailed(watermarks, e);
      return Optional.empty();
    }
    List<Object> row = r.rows().isEmpty() ? List.of() : r.rows().get(0);
    Optional<Instant> now = row.size() < 2 ? Optional.empty() : QueryResult.timestamp(row.get(1));
    if (now.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Watermark(QueryResult.timestamp(row.get(0)), now.get()));
  }

  /** Creates the seed-watermark table once per process; false once it proved unusable. */
  private boolean watermarksUsable(SeedWatermarkTable watermarks) throws InterruptedException {
    if (watermarksUnusable.get()) {
      return false;
    }
    if (!watermarksCreated.get()) {
      try {
        try {
          api.execute(watermarks.create(), "redstage-control-ddl");
        } catch (StatementFailedException e) {
          // loaders starting together: one may lose the race on the catalog
          api.execute(watermarks.create(), "redstage-control-ddl");
        }
      } catch (StatementFailedException e) {
        watermarksFailed(watermarks, e);
        return false;
      }
      watermarksCreated.set(true);
    }
    return true;
  }

  private void watermarksFailed(SeedWatermarkTable watermarks, StatementFailedException e) {
    if (watermarksUnusable.compareAndSet(false, true)) {
      TableRef table = watermarks.table();
      LOG.warn(
          "Cannot use the seed-watermark table {}: {}. Loads go on, but this process reads every"
              + " load-marker row of each table it loads, once per table, which takes longer as"
              + " history grows: grant the loader's database user CREATE on schema '{}' (each"
              + " process runs CREATE TABLE IF NOT EXISTS, and a new table needs room under the"
              + " cluster's table quota) and, if someone else created the table, SELECT, INSERT and"
              + " DELETE on it; drop it if its columns are not target_table VARCHAR(300), seeded_at"
              + " TIMESTAMP.",
          table.name(),
          e.error(),
          table.schema());
    }
  }

  /**
   * The targets whose loaded-intervals table another session holds with a LOCK now, with who holds
   * it since when: a load of another loader, or one left running by a loader that died or stopped,
   * which nobody knows. Reading their loaded state would wait until that transaction ends. Empty
   * when SVV_TRANSACTIONS cannot be read; a database user that is not a superuser sees only its own
   * sessions there, so loaders running as one user see each other's loads.
   */
  public Map<TableRef, Lock> lockedByOthers(Collection<TableRef> targets)
      throws InterruptedException {
    if (targets.isEmpty()) {
      return Map.of();
    }
    QueryResult r;
    try {
      r = api.query(control.lockedLoadedIntervals(), "redstage-locks");
    } catch (StatementFailedException e) {
      // the view or the catalog refused: that does not pass, so say it once
      if (lockViewUnreadable.compareAndSet(false, true)) {
        LOG.warn(
            "Cannot read SVV_TRANSACTIONS ({}): a load left running by a loader that died will"
                + " make every cycle wait for its lock until it ends",
            e.error());
      }
      return Map.of();
    } catch (DataApiException e) {
      LOG.debug("Cannot read SVV_TRANSACTIONS this cycle: {}", e.getMessage());
      return Map.of();
    }
    Map<String, Lock> holders = new HashMap<>();
    for (List<Object> row : r.rows()) {
      holders.put(
          QueryResult.string(row.get(0)) + "." + QueryResult.string(row.get(1)),
          new Lock(
              "session "
                  + QueryResult.string(row.get(2))
                  + " since "
                  + QueryResult.string(row.get(3)),
              row.get(4) == null ? 0 : QueryResult.number(row.get(4))));
    }
    Map<TableRef, Lock> locked = new TreeMap<>();
    for (TableRef t : targets) {
      TableRef intervals = control.loadedIntervals(t).table();
      Lock lock = holders.get(intervals.schema() + "." + intervals.table());
      if (lock != null) {
        locked.put(t, lock);
      }
    }
    return locked;
  }

  /**
   * What a read-only command ('status', 'dry-run') reads of the listed units.
   *
   * @param control whether the control tables exist (before, nothing is read from them)
   * @param units the listed units whose tables were read
   * @param loading tables a load holds now, not read (the read would wait until the load ends)
   */
  public record ReadOnlyState(
      boolean control, List<Unit> units, Map<TableRef, Lock> loading, LoadState state) {}

  /** The loaded state of the listed units for a read-only command, never waiting for a load. */
  public ReadOnlyState readOnlyState(
      List<Unit> listed,
      Map<TopicPartition, List<OffsetRange>> unreadable,
      Function<String, TableRef> tableOf)
      throws InterruptedException {
    if (!controlTablesExist()) {
      return new ReadOnlyState(false, listed, Map.of(), new LoadState());
    }
    Map<TableRef, Lock> loading =
        lockedByOthers(listed.stream().map(u -> tableOf.apply(u.topic())).collect(toSet()));
    List<Unit> units =
        listed.stream().filter(u -> !loading.containsKey(tableOf.apply(u.topic()))).toList();
    return new ReadOnlyState(true, units, loading, loadState(units, unreadable, tableOf));
  }

  /**
   * A lock another session holds on a table's loaded intervals.
   *
   * @param holder the session and when its transaction started, for the log
   * @param ageSeconds how long that transaction has run
   */
  public record Lock(String holder, long ageSeconds) {}

  /** Whether both control tables exist (read-only commands must not create them). */
  public boolean controlTablesExist() throws InterruptedException {
    Map<TableRef, TableSchema> found = describe(List.of(control.markers(), control.quarantine()));
    return found.containsKey(control.markers()) && found.containsKey(control.quarantine());
  }

  /**
   * One query (more only for very many partitions) for the loaded intervals overlapping the listed
   * units.
   */
  public LoadState loadState(List<Unit> units, Function<String, TableRef> tableOf)
      throws InterruptedException {
    return loadState(units, Map.of(), tableOf);
  }

  /**
   * As {@link #loadState(List, Function)}, reading also the loaded intervals over the offsets of
   * the unreadable markers of the units' partitions: the planner holds an upsert partition's later
   * units behind such a marker only while its offsets are not all loaded.
   */
  public LoadState loadState(
      List<Unit> units,
      Map<TopicPartition, List<OffsetRange>> unreadable,
      Function<String, TableRef> tableOf)
      throws InterruptedException {
    Map<String, long[]> ranges = new TreeMap<>();
    Map<String, ControlTables.Probe> probes = new HashMap<>();
    for (Unit u : units) {
      TableRef t = tableOf.apply(u.topic());
      TopicPartition tp = new TopicPartition(u.topic(), u.partition());
      String k = t.name() + "\u0000" + u.topic() + "\u0000" + u.partition();
      long[] r = ranges.computeIfAbsent(k, x -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
      r[0] = Math.min(r[0], u.start());
      r[1] = Math.max(r[1], u.end());
      for (OffsetRange o : unreadable.getOrDefault(tp, List.of())) {
        r[0] = Math.min(r[0], o.start());
        r[1] = Math.max(r[1], o.end());
      }
      probes.put(k, new ControlTables.Probe(t, tp, r[0], r[1]));
    }
    List<ControlTables.Probe> list = new ArrayList<>();
    for (Map.Entry<String, long[]> e : ranges.entrySet()) {
      ControlTables.Probe p = probes.get(e.getKey());
      list.add(new ControlTables.Probe(p.target(), p.tp(), e.getValue()[0], e.getValue()[1]));
    }
    LoadState state = new LoadState();
    for (String sql : control.loadedStateQueries(list, prepared::contains)) {
      QueryResult r = api.query(sql, "redstage-loaded-state");
      for (List<Object> row : r.rows()) {
        String kind = QueryResult.string(row.get(0));
        String table = QueryResult.string(row.get(1));
        TopicPartition tp =
            new TopicPartition(
                QueryResult.string(row.get(2)), (int) QueryResult.number(row.get(3)));
        if ("L".equals(kind)) {
          state.addLoaded(
              table, tp, QueryResult.number(row.get(4)), QueryResult.number(row.get(5)));
        } else {
          state.addQuarantined(QueryResult.string(row.get(6)), QueryResult.string(row.get(7)));
        }
      }
    }
    return state;
  }

  /** The columns of existing tables; a table missing from the result does not exist. */
  public Map<TableRef, TableSchema> describe(List<TableRef> tables) throws InterruptedException {
    Map<TableRef, TableSchema> out = new HashMap<>();
    if (tables.isEmpty()) {
      return out;
    }
    for (String query : ControlTables.describeTables(tables)) {
      describeInto(out, api.query(query, "redstage-describe-tables"));
    }
    return out;
  }

  /**
   * Reads into {@code existing} which of {@code schemas} exist: one query of pg_namespace, none
   * when all of them are 'public'.
   */
  public void readSchemas(Collection<String> schemas, ExistingSchemas existing)
      throws InterruptedException {
    List<String> asked = ExistingSchemas.creatable(schemas);
    if (asked.isEmpty()) {
      return;
    }
    Set<String> found = new HashSet<>();
    for (List<Object> row :
        api.query(ExistingSchemas.query(asked), "redstage-existing-schemas").rows()) {
      found.add(QueryResult.string(row.get(0)));
    }
    existing.read(asked, found);
  }

  /**
   * Reads into {@code existing} whether the schemas of {@code tables} exist, for the tables a load
   * may create: a found table's schema exists; those of the missing ones are read again each time
   * (one query, none when every table exists), so that a schema dropped meanwhile is created again.
   *
   * @param found the tables found ({@link #describe})
   */
  public void readSchemasOf(
      Collection<TableRef> tables, Map<TableRef, TableSchema> found, ExistingSchemas existing)
      throws InterruptedException {
    Set<String> holdingTables = new HashSet<>();
    found.keySet().forEach(t -> holdingTables.add(t.schema()));
    holdingTables.forEach(existing::holdsATable);
    readSchemas(
        tables.stream()
            .filter(t -> !found.containsKey(t))
            .map(TableRef::schema)
            .filter(s -> !holdingTables.contains(s))
            .toList(),
        existing);
  }

  private static void describeInto(Map<TableRef, TableSchema> out, QueryResult r) {
    for (List<Object> row : r.rows()) {
      TableRef t = TableRef.of(QueryResult.string(row.get(0)), QueryResult.string(row.get(1)));
      RedshiftType type =
          RedshiftType.fromCatalog(
              QueryResult.string(row.get(3)),
              QueryResult.integerOrNull(row.get(4)),
              QueryResult.integerOrNull(row.get(5)),
              QueryResult.integerOrNull(row.get(6)));
      out.computeIfAbsent(t, x -> new TableSchema())
          .add(
              QueryResult.string(row.get(2)),
              type,
              !"NO".equalsIgnoreCase(QueryResult.string(row.get(7))),
              row.size() > 8 && row.get(8) != null);
    }
  }

  /** Deleted-keys tables found to hold the columns a load names, with those names. */
  private final Set<List<String>> deletedKeysChecked = ConcurrentHashMap.newKeySet();

  /**
   * Refuses to load {@code target} in upsert mode while its deleted-keys table lacks one of {@code
   * columns} or has a column not in them ({@link DeletedKeysCheck}). One catalog query per target
   * and set of names per process.
   *
   * @throws ConfigException naming the table, the column and what to do
   */
  public void checkDeletedKeys(TableRef target, List<String> columns) throws InterruptedException {
    ConfigException differs = deletedKeysDiffering(Map.of(target, columns)).get(target);
    if (differs != null) {
      throw differs;
    }
  }

  /**
   * The upsert targets of {@code loads} (target to the columns its load names) whose deleted-keys
   * table differs from those columns ({@link DeletedKeysCheck}), each with why: their deleted-keys
   * tables are read in one {@link #describe}, so that 'status' and 'dry-run' make as many catalog
   * queries for hundreds of upsert tables as for one. Targets found fine before with the same names
   * are not read again.
   */
  Map<TableRef, ConfigException> deletedKeysDiffering(Map<TableRef, List<String>> loads)
      throws InterruptedException {
    Map<TableRef, List<String>> unchecked = new LinkedHashMap<>();
    Map<TableRef, TableRef> tombstones = new HashMap<>();
    loads.forEach(
        (target, columns) -> {
          if (!deletedKeysChecked.contains(checkedKey(target, columns))) {
            unchecked.put(target, columns);
            tombstones.put(target, control.deletedKeys(target).table());
          }
        });
    Map<TableRef, ConfigException> out = new LinkedHashMap<>();
    if (unchecked.isEmpty()) {
      return out;
    }
    Map<TableRef, TableSchema> existing =
        describe(new ArrayList<>(new LinkedHashSet<>(tombstones.values())));
    for (Map.Entry<TableRef, List<String>> e : unchecked.entrySet()) {
      TableRef t = tombstones.get(e.getKey());
      Optional<ConfigException> differs =
          DeletedKeysCheck.differs(e.getKey(), t, e.getValue(), existing.get(t));
      if (differs.isPresent()) {
        out.put(e.getKey(), differs.get());
      } else {
        // a table created later by a load takes the names of that load
        deletedKeysChecked.add(checkedKey(e.getKey(), e.getValue()));
      }
    }
    return out;
  }

  private static List<String> checkedKey(TableRef target, List<String> columns) {
    List<String> key = new ArrayList<>(List.of(target.name()));
    key.addAll(columns);
    return key;
  }

  /**
   * When a batch of each of {@code tables} (qualified names) last committed, by the loaded_at of
   * its newest load-marker row; tables without one are left out, as are times in a shape not
   * understood.
   */
  Map<String, Instant> lastLoadedAt(Collection<String> tables) throws InterruptedException {
    Map<String, Instant> out = new HashMap<>();
    if (tables.isEmpty()) {
      return out;
    }
    QueryResult r = api.query(control.lastLoadedAt(tables), "redstage-status");
    for (List<Object> row : r.rows()) {
      QueryResult.timestamp(row.get(1))
          .ifPresent(at -> out.put(QueryResult.string(row.get(0)), at));
    }
    return out;
  }

  /** Unreleased quarantined batches: batch id, table, units, time, error. */
  public QueryResult quarantineList() throws InterruptedException {
    return api.query(control.listQuarantine(), "redstage-quarantine-list");
  }
}
