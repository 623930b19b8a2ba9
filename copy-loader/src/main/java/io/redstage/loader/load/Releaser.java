package io.redstage.loader.load;

import io.redstage.loader.config.ConfigException;
import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.redshift.StatementTimeoutException;
import io.redstage.loader.sql.ControlTables;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSchema;
import io.redstage.loader.sql.TableSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code release}: checks the quarantined units against the current table columns (the same check a
 * cycle makes before each batch), releases the units that would load and refuses, with the reason,
 * those that would be quarantined again, unless forced. Released units are planned alone, one batch
 * per unit.
 */
final class Releaser {
  private static final Logger LOG = LoggerFactory.getLogger(Releaser.class);

  /**
   * Units per release transaction: keeps the statements of one BatchExecuteStatement far below 40.
   */
  private static final int CHUNK = 500;

  private final DataApi api;
  private final ControlTables control;
  private final ControlReader reader;
  private final MarkerScanner scanner;
  private final CyclePlanner planner;
  private final TableSettingsResolver settings;
  private final SchemaScreen screen;
  private final Quarantine quarantine;

  Releaser(
      DataApi api,
      ControlTables control,
      ControlReader reader,
      MarkerScanner scanner,
      CyclePlanner planner,
      TableSettingsResolver settings,
      SchemaScreen screen,
      Quarantine quarantine) {
    this.api = api;
    this.control = control;
    this.reader = reader;
    this.scanner = scanner;
    this.planner = planner;
    this.settings = settings;
    this.screen = screen;
    this.quarantine = quarantine;
  }

  /**
   * @param batchId the batch to release, or null for every quarantined batch of this
   *     configuration's topics ({@link QuarantineListing#ours}), whatever its table
   */
  Loader.ReleaseResult release(String batchId, boolean force, Instant at)
      throws InterruptedException {
    QueryResult q = api.query(control.quarantinedUnits(batchId), "redstage-quarantined-units");
    List<Unit> scanned = scanner.scan().units();
    List<List<Object>> quarantined = q.rows();
    int outside = 0;
    if (batchId == null) {
      // --all means this configuration's topics, whatever the table their rows name: another
      // loader's (sharing the control tables) are not listed here, so their check could not run;
      // that loader's release settles them
      Predicate<String> ours = QuarantineListing.ours(scanner);
      quarantined = q.rows().stream().filter(r -> ours.test(QueryResult.string(r.get(2)))).toList();
      outside = q.rows().size() - quarantined.size();
    }
    if (quarantined.isEmpty() && batchId == null) {
      // --all with nothing to release has done what was asked (scripts run it after fixes)
      return new Loader.ReleaseResult(List.of(), Map.of(), Map.of(), outside);
    }
    if (quarantined.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot release batch "
              + batchId
              + ": no unreleased quarantined unit has that batch id. Run 'status' to list the batches.");
    }
    Map<String, String> batchOf = new LinkedHashMap<>();
    Map<String, String> targetOf = new HashMap<>();
    for (List<Object> row : quarantined) {
      String key = QueryResult.string(row.get(2));
      batchOf.put(key, QueryResult.string(row.get(0)));
      targetOf.put(key, QueryResult.string(row.get(1)));
    }
    Map<String, TableRef> tableOf = new HashMap<>();
    Map<String, Unit> listed = new HashMap<>();
    for (Unit u : scanned) {
      if (batchOf.containsKey(u.markerKey())) {
        listed.put(u.markerKey(), u);
        tableOf.put(u.markerKey(), planner.tableOf(u.topic()));
      }
    }
    Map<TableRef, List<Unit>> byTable = new TreeMap<>();
    listed
        .values()
        .forEach(
            u ->
                byTable.computeIfAbsent(tableOf.get(u.markerKey()), t -> new ArrayList<>()).add(u));
    Map<TableRef, TableSchema> schemas =
        byTable.isEmpty() ? Map.of() : reader.describe(new ArrayList<>(byTable.keySet()));
    Map<String, String> refused = new LinkedHashMap<>();
    for (Map.Entry<TableRef, List<Unit>> e : byTable.entrySet()) {
      List<Unit> units = new ArrayList<>(e.getValue());
      units.sort(
          Comparator.comparing(Unit::topic)
              .thenComparingInt(Unit::partition)
              .thenComparingLong(Unit::start));
      // released units load one per batch: each is checked against the table alone
      for (Unit u : units) {
        TableSettings tableSettings;
        try {
          tableSettings = settings.settings(e.getKey(), List.of(u));
        } catch (ConfigException ex) {
          // that table's own setting: its units are refused with the reason, the others released
          refused.put(u.markerKey(), ex.getMessage());
          continue;
        }
        SchemaScreen.Verdict v =
            screen.screen(
                e.getKey(),
                schemas.get(e.getKey()),
                List.of(u),
                tableSettings,
                SchemaScreen.OnConflict.NONE);
        v.conflicts().forEach((unit, reason) -> refused.put(unit.markerKey(), reason));
      }
    }
    // refused even with --force: released, such a unit silently leaves a gap (skip records it)
    Map<String, String> gone = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : batchOf.entrySet()) {
      // a unit not listed may be another loader's (a topic this config does not list): only one
      // whose marker is gone is refused
      if (!listed.containsKey(e.getKey()) && scanner.isGone(e.getKey())) {
        // released, it would never load (there is no marker to load it from) and would no longer
        // be shown anywhere: in upsert mode the later units of its partition would load past the
        // gap. skip records the gap instead.
        gone.put(
            e.getKey(),
            "Cannot release unit "
                + e.getKey()
                + ": its marker is gone from the bucket, so it could never load. Restore the marker"
                + " and release again, or give the unit up with skip --batch "
                + e.getValue()
                + ".");
      }
    }
    List<ControlTables.FailureRow> rows = new ArrayList<>();
    List<String> released = new ArrayList<>();
    for (Map.Entry<String, String> e : batchOf.entrySet()) {
      if (!gone.containsKey(e.getKey()) && (force || !refused.containsKey(e.getKey()))) {
        rows.add(
            new ControlTables.FailureRow(
                e.getKey(),
                targetOf.get(e.getKey()),
                0,
                "released from quarantined batch " + e.getValue(),
                at));
        released.add(e.getKey());
      }
    }
    for (int i = 0; i < rows.size(); i += CHUNK) {
      quarantine.release(rows.subList(i, Math.min(rows.size(), i + CHUNK)), at);
    }
    Map<String, String> notReleased = new LinkedHashMap<>(force ? Map.of() : refused);
    return new Loader.ReleaseResult(released, notReleased, gone, outside);
  }

  /**
   * What {@link #skip} recorded: the units given up, and the load-marker batch id of each table.
   */
  record Skipped(
      List<String> units, List<Loader.SkippedUnit> listing, Map<TableRef, String> recordedAs) {}

  /**
   * {@code skip}: gives up the units of one quarantined batch. Their offsets (from the quarantine
   * table) are recorded as handled, with 0 rows, in the loaded intervals of the table their topic
   * loads into and in the load-marker table (one transaction per table, under the table's LOCK,
   * like a load), so their records never load and the later units of their partitions go on; then
   * their quarantine rows are released. Refused, before anything is written, while a listed unit
   * that is not loaded overlaps a skipped unit's offsets: recording them would drop its rows too.
   */
  Skipped skip(List<String> batchIds, Instant at, boolean dryRun) throws InterruptedException {
    List<List<Object>> quarantined = new ArrayList<>();
    for (String batchId : new LinkedHashSet<>(batchIds)) {
      QueryResult q = api.query(control.quarantinedUnits(batchId), "redstage-quarantined-units");
      if (q.rows().isEmpty()) {
        throw new IllegalArgumentException(
            "Cannot skip batch "
                + batchId
                + ": no unreleased quarantined unit has that batch id. Run 'status' to list the batches.");
      }
      quarantined.addAll(q.rows());
    }
    Map<TableRef, List<ControlTables.MarkerRow>> byTable = new TreeMap<>();
    // the units given up, in the order listed, with their quarantined batch
    Map<String, String> batchOf = new LinkedHashMap<>();
    List<Loader.SkippedUnit> listing = new ArrayList<>();
    for (List<Object> row : quarantined) {
      String key = QueryResult.string(row.get(2));
      listing.add(
          new Loader.SkippedUnit(
              QueryResult.string(row.get(1)),
              QueryResult.string(row.get(4)),
              (int) QueryResult.number(row.get(5)),
              QueryResult.number(row.get(6)),
              QueryResult.number(row.get(7)),
              key,
              QueryResult.string(row.get(3))));
      String topic = QueryResult.string(row.get(4));
      // the table the loader reads this topic's loaded offsets from
      TableRef target = planner.tableOf(topic);
      String quarantinedFrom = QueryResult.string(row.get(1));
      if (!target.name().equals(quarantinedFrom)) {
        // recording the offsets for another table would lift the quarantine while the table the
        // unit was meant for has no record of them: its loader would load the rows after all
        throw new IllegalArgumentException(
            "Cannot skip unit "
                + key
                + ": it was quarantined loading into "
                + quarantinedFrom
                + ", but this configuration maps topic "
                + topic
                + " to "
                + target.name()
                + ". Run skip with the configuration of the loader that loads it (the same"
                + " tables.map, tables.regex and target.schema).");
      }
      batchOf.put(key, QueryResult.string(row.get(0)));
      byTable
          .computeIfAbsent(target, t -> new ArrayList<>())
          .add(
              new ControlTables.MarkerRow(
                  target,
                  topic,
                  (int) QueryResult.number(row.get(5)),
                  QueryResult.number(row.get(6)),
                  QueryResult.number(row.get(7)),
                  key,
                  null,
                  0));
    }
    // the loaded-intervals tables exist and are seeded before anything reads or records offsets
    Map<TableRef, RuntimeException> unprepared = reader.prepare(byTable.keySet());
    if (!unprepared.isEmpty()) {
      // nothing is recorded unless every table's loaded intervals can be
      throw unprepared.values().iterator().next();
    }
    refuseOverlaps(byTable, batchOf);
    if (dryRun) {
      // every check above ran; nothing is recorded or released
      return new Skipped(new ArrayList<>(batchOf.keySet()), listing, Map.of());
    }
    Map<TableRef, String> recordedAs = new LinkedHashMap<>();
    for (Map.Entry<TableRef, List<ControlTables.MarkerRow>> e : byTable.entrySet()) {
      String skipBatch = UUID.randomUUID().toString();
      List<ControlTables.MarkerRow> rows = new ArrayList<>();
      for (ControlTables.MarkerRow r : e.getValue()) {
        rows.add(
            new ControlTables.MarkerRow(
                r.target(),
                r.topic(),
                r.partition(),
                r.start(),
                r.end(),
                r.markerKey(),
                skipBatch,
                0));
      }
      List<String> sql = new ArrayList<>();
      sql.add(control.loadedIntervals(e.getKey()).lock());
      sql.addAll(control.loadedIntervals(e.getKey()).record(rows));
      sql.addAll(control.insertMarkers(rows, at));
      try {
        api.executeBatch(sql, skipBatch, "redstage-skip");
      } catch (StatementTimeoutException timedOut) {
        // it waits at the table's LOCK behind a load: it may still commit after this command ends
        throw new StatementTimeoutException(
            "Cannot tell whether the skip of batch(es) "
                + batchIds
                + " for "
                + e.getKey()
                + " happened: its transaction (load-marker batch "
                + skipBatch
                + ") still waits, probably behind a load holding the table's lock, and may commit"
                + " later. Run status once the table's loads end: units no longer pending were"
                + " skipped (the next cycle releases their quarantine rows); for the others run skip"
                + " again.",
            timedOut.statementId());
      }
      recordedAs.put(e.getKey(), skipBatch);
      LOG.warn(
          "Skipped {} unit(s) of quarantined batch(es) {} for {}: their offsets count as handled, with 0 rows, "
              + "in load-marker batch {}; their records are not in the table",
          rows.size(),
          batchIds,
          e.getKey(),
          skipBatch);
    }
    List<String> skipped = new ArrayList<>(batchOf.keySet());
    api.executeBatch(
        control.writingQuarantineOrFailures(
            control.release(skipped, at), control.deleteFailures(skipped)),
        UUID.randomUUID().toString(),
        "redstage-skip");
    return new Skipped(skipped, listing, recordedAs);
  }

  /**
   * Refuses the skip while a listed unit outside it, not loaded yet, overlaps a skipped unit's
   * offsets (a zombie task's unit beside its replay's): the recorded offsets would make that unit's
   * load drop those rows.
   */
  private void refuseOverlaps(
      Map<TableRef, List<ControlTables.MarkerRow>> byTable, Map<String, String> batchOf)
      throws InterruptedException {
    List<Unit> overlapping = new ArrayList<>();
    Map<Unit, ControlTables.MarkerRow> overlapped = new HashMap<>();
    for (Unit u : scanner.scan().units()) {
      if (batchOf.containsKey(u.markerKey())) {
        continue;
      }
      for (ControlTables.MarkerRow r :
          byTable.getOrDefault(planner.tableOf(u.topic()), List.of())) {
        if (r.topic().equals(u.topic())
            && r.partition() == u.partition()
            && u.start() <= r.end()
            && r.start() <= u.end()) {
          overlapping.add(u);
          overlapped.put(u, r);
          break;
        }
      }
    }
    if (overlapping.isEmpty()) {
      return;
    }
    LoadState state = reader.loadState(overlapping, planner::tableOf);
    for (Unit u : overlapping) {
      if (state.covered(planner.tableOf(u.topic()), u)) {
        continue;
      }
      String quarantinedIn = state.quarantineBatch(u.markerKey());
      if (quarantinedIn != null) {
        // a zombie's unit and its replay's, both quarantined: they hold the same records, and only
        // giving both up at once can go through
        throw new IllegalArgumentException(
            "Cannot skip unit "
                + overlapped.get(u).markerKey()
                + ": unit "
                + u.markerKey()
                + " overlaps its offsets and is quarantined in batch "
                + quarantinedIn
                + ", so recording them as handled would give up its rows too. Release that batch and"
                + " let it load first, or give them up at once: skip --batch "
                + String.join(" --batch ", new LinkedHashSet<>(batchOf.values()))
                + " --batch "
                + quarantinedIn
                + ".");
      }
      throw new IllegalArgumentException(
          "Cannot skip unit "
              + overlapped.get(u).markerKey()
              + ": unit "
              + u.markerKey()
              + " overlaps its offsets and is not loaded, so recording them as handled would drop its rows"
              + " too. Let it load first, then run skip again.");
    }
  }
}
