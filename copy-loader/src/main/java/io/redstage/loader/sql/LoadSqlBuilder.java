package io.redstage.loader.sql;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.StagingGroup;
import io.redstage.loader.discovery.Unit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds the statements of one load transaction (one BatchExecuteStatement):
 *
 * <ol>
 *   <li>LOCK the target's loaded-intervals table (only this target's batches wait for each other);
 *   <li>DDL for the target (create, add columns);
 *   <li>per file schema: a temp staging table with exactly the files' columns in file order ({@link
 *       StagingTables}), and its COPY ({@link CopySql});
 *   <li>a check that fails the transaction if a staged row has no Kafka topic, partition or offset
 *       ({@link RowsTable#coordinatesCheck});
 *   <li>a temp table of the rows to apply: staging rows mapped by name, minus offsets already
 *       loaded, one row per (topic, partition, offset) or, in upsert mode, the latest row per key
 *       ({@link RowsTable});
 *   <li>the writes ({@link TargetWrites}): append: INSERT into the target; upsert: DELETE USING the
 *       keys, then INSERT the non-delete rows (merge strategy: DELETE the deleted keys, then MERGE
 *       the other rows); with the order at the target, the deleted-keys table keeps each key's
 *       newest delete ({@link DeletedKeysTable}) and rows not newer than it are skipped;
 *   <li>add the units to the target's loaded intervals and merge the touched partitions' intervals;
 *   <li>INSERT one load marker per unit (an append only: the shared table is never read here).
 * </ol>
 *
 * <p>This class orders the statements and checks the transaction against the Data API's limits; the
 * SQL of each part is built by the class named with it.
 */
public final class LoadSqlBuilder {
  /** The Data API's limit on statements in one BatchExecuteStatement. */
  public static final int MAX_STATEMENTS = 40;

  /**
   * The Data API's limit on one statement's SQL, 100 KB; counted in UTF-8 bytes and kept a little
   * below, as what the service counts is not documented.
   */
  public static final int MAX_STATEMENT_BYTES = 100_000;

  private final ControlTables control;
  private final CopySql copy;
  private final StagingTables staging;
  private final RowsTable rowsTable;
  private final Duration tombstoneRetention;

  public LoadSqlBuilder(ControlTables control, CopySql copy, TypeMapping types) {
    this(control, copy, types, false);
  }

  /**
   * @param jsonRowRejects JSON Lines COPYs run with MAXERROR: their staging columns take the
   *     target's types
   */
  public LoadSqlBuilder(
      ControlTables control, CopySql copy, TypeMapping types, boolean jsonRowRejects) {
    this(control, copy, types, jsonRowRejects, Duration.ZERO);
  }

  /**
   * @param tombstoneRetention how long an upsert target's deleted-keys table keeps a delete, by its
   *     record timestamp (upsert.tombstone-retention); zero keeps them all
   */
  public LoadSqlBuilder(
      ControlTables control,
      CopySql copy,
      TypeMapping types,
      boolean jsonRowRejects,
      Duration tombstoneRetention) {
    this.control = control;
    this.copy = copy;
    this.staging = new StagingTables(types, jsonRowRejects);
    this.rowsTable = new RowsTable(control, types, staging);
    this.tombstoneRetention = tombstoneRetention;
  }

  /** The temp staging table of a group ({@link StagingTables}). */
  public static String stagingTable(StagingGroup g) {
    return StagingTables.name(g);
  }

  /**
   * @param manifestUrl the S3 URL of each group's manifest
   */
  public LoadTransaction statements(
      Batch batch,
      TablePlan plan,
      TableSettings settings,
      Function<StagingGroup, String> manifestUrl,
      Instant loadedAt) {
    List<String> sql = new ArrayList<>();
    List<Integer> copies = new ArrayList<>();
    int write = -1;
    int coordinatesCheck = -1;
    sql.add(control.loadedIntervals(batch.table()).lock());
    sql.addAll(plan.ddl());
    if (!batch.groups().isEmpty()) {
      for (StagingGroup g : batch.groups()) {
        sql.add(staging.create(g, plan, settings));
        copies.add(sql.size());
        sql.add(copy.copy(stagingTable(g), manifestUrl.apply(g), g.schema(), unitsIn(batch, g)));
      }
      Optional<String> check = RowsTable.coordinatesCheck(batch, settings.metadata());
      if (check.isPresent()) {
        coordinatesCheck = sql.size();
        sql.add(check.get());
      }
      Map<String, RowsTable.RowColumn> rowSet = rowsTable.columns(batch, plan, settings);
      InternalNames n = InternalNames.avoiding(batch, plan, control.deletedKeys(batch.table()));
      for (String k : settings.upsertKey()) {
        if (settings.upsert() && !rowSet.containsKey(k)) {
          throw new IncompatibleSchemaException(
              "Cannot upsert "
                  + batch.describe()
                  + ": key column "
                  + k
                  + " is in none of the batch's files. Make the key a field of the record value (or fix upsert.key).");
        }
      }
      List<String> targetNames = new ArrayList<>();
      for (String c : plan.targetColumns().keySet()) {
        if (rowSet.containsKey(c)) {
          targetNames.add(c);
        }
      }
      UpsertOrder order = UpsertOrder.of(plan, rowSet, settings.metadata());
      sql.add(rowsTable.create(batch, plan, rowSet, settings, order, n));
      DeletedKeysTable tombstones =
          settings.upsert() && order.atTarget() ? control.deletedKeys(batch.table()) : null;
      if (tombstones != null) {
        // created here rather than before the first load like the loaded-intervals table: its key
        // columns take the target's types, and the target may be created by this very transaction;
        // after the LOCK no other loader creates it at the same time. A no-op once it exists.
        sql.add(tombstones.create(settings.upsertKey(), plan.targetColumns(), settings.metadata()));
        if (!tombstoneRetention.isZero()) {
          String ts = settings.metadata().timestamp();
          sql.add(
              tombstones.pruneBefore(
                  ts, plan.targetColumns().get(ts), loadedAt.minus(tombstoneRetention)));
        }
      }
      if (settings.upsert() && settings.strategy() == TableSettings.UpsertStrategy.MERGE) {
        sql.addAll(TargetWrites.merge(batch, settings, targetNames, order, tombstones, n));
      } else if (settings.upsert()) {
        sql.addAll(TargetWrites.deleteInsert(batch, settings, targetNames, order, tombstones, n));
      } else {
        sql.add(TargetWrites.append(batch, targetNames, n));
      }
      // each write's last statement writes the rows into the target
      write = sql.size() - 1;
    }
    List<ControlTables.MarkerRow> markers =
        ControlTables.markerRows(batch.table(), batch.id().toString(), batch.units());
    sql.addAll(control.loadedIntervals(batch.table()).record(markers));
    // last: the shared load-marker table's write lock is held from here to the commit only
    sql.addAll(control.insertMarkers(markers, loadedAt));
    if (sql.size() > MAX_STATEMENTS) {
      throw new TooManyStatementsException(
          "Cannot load "
              + batch.describe()
              + " in one transaction: it needs "
              + sql.size()
              + " statements and a BatchExecuteStatement holds "
              + MAX_STATEMENTS
              + (batch.units().size() > 1
                  ? ". Lower batch.max-schemas or batch.max-files."
                  // a unit is never split, so no setting of the loader's makes it fit
                  : ": its files need "
                      + batch.groups().size()
                      + " staging tables (Parquet or Avro files of other columns, or JSON Lines files"
                      + " of other compressions or whose shared columns differ in type; with"
                      + " load.json.max-errors > 0 only metadata columns and columns of version-1"
                      + " markers must agree). Give the topic's records one schema (or,"
                      + " schemaless, one type per field), or lower the connector's flush.size so"
                      + " that units hold fewer files; this unit can only be loaded by hand, then"
                      + " skipped."));
    }
    for (int i = 0; i < sql.size(); i++) {
      int bytes = sql.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (bytes > MAX_STATEMENT_BYTES) {
        // the service would refuse it (ValidationException) after the batch's S3 work: say why
        // here, where splitting or quarantining the unit can follow
        throw new IncompatibleSchemaException(
            "Cannot load "
                + batch.describe()
                + " in one transaction: its statement "
                + (i + 1)
                + " ("
                + sql.get(i).substring(0, Math.min(60, sql.get(i).length()))
                + "…) is "
                + bytes
                + " bytes, and the Data API takes at most "
                + MAX_STATEMENT_BYTES
                + " per statement. Its files hold too many columns, or too many schema versions,"
                + " for one statement: give the fields shorter names or nest some in a struct, or,"
                + " for a batch of several schema versions, lower batch.max-schemas.");
      }
    }
    return new LoadTransaction(sql, copies, write, coordinatesCheck);
  }

  /** How many of the batch's units have files in {@code group}. */
  private static int unitsIn(Batch batch, StagingGroup group) {
    Set<String> keys = new HashSet<>();
    for (StagingGroup.FileRef f : group.files()) {
      keys.add(f.key());
    }
    int units = 0;
    for (Unit u : batch.units()) {
      if (u.marker().files().stream().anyMatch(f -> keys.contains(f.key()))) {
        units++;
      }
    }
    return units;
  }
}
