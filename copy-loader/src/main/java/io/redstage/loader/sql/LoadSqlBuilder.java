package io.redstage.loader.sql;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.FileSchema;
import io.redstage.loader.batch.StagingGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds the statements of one load transaction (one BatchExecuteStatement):
 *
 * <ol>
 *   <li>LOCK the target's loaded-intervals table (only this target's batches wait for each other);
 *   <li>DDL for the target (create, add columns);
 *   <li>per file schema: a temp staging table with exactly the files' columns in file order, and
 *       its COPY;
 *   <li>a check that fails the transaction if a staged row has no Kafka topic, partition or offset
 *       ({@link #coordinatesCheck});
 *   <li>a temp table of the rows to apply: staging rows mapped by name, minus offsets already
 *       loaded, one row per (topic, partition, offset) or, in upsert mode, the latest row per key;
 *   <li>append: INSERT into the target; upsert: DELETE USING the keys, then INSERT the non-delete
 *       rows; with the order at the target, the deleted-keys table keeps each key's newest delete
 *       ({@link DeletedKeysTable}) and rows not newer than it are skipped;
 *   <li>add the units to the target's loaded intervals and merge the touched partitions' intervals;
 *   <li>INSERT one load marker per unit (an append only: the shared table is never read here).
 * </ol>
 */
public final class LoadSqlBuilder {
  /** The Data API's limit on statements in one BatchExecuteStatement. */
  public static final int MAX_STATEMENTS = 40;

  /**
   * The Data API's limit on one statement's SQL, 100 KB; counted in UTF-8 bytes and kept a little
   * below, as what the service counts is not documented.
   */
  public static final int MAX_STATEMENT_BYTES = 100_000;

  // the names this class invents; a batch whose columns or target table use one of them gets a
  // suffixed one instead (InternalNames)
  static final String ROWS = "rs_rows";
  static final String ROW_NUMBER = "rs_rn";
  static final String DELETED = "rs_deleted";
  static final String UPSERTS = "rs_upserts";

  /** The text {@link #coordinatesCheck} casts to a number when a row lacks its coordinates. */
  static final String NO_COORDINATES = "row without Kafka topic, partition or offset";

  private final ControlTables control;
  private final CopySql copy;
  private final TypeMapping types;
  private final Duration tombstoneRetention;
  private final boolean jsonRowRejects;

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
    this.types = types;
    this.jsonRowRejects = jsonRowRejects;
    this.tombstoneRetention = tombstoneRetention;
  }

  public static String stagingTable(StagingGroup g) {
    return "rs_stage_" + g.index();
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
        sql.add(createStaging(g, plan, settings));
        copies.add(sql.size());
        sql.add(copy.copy(stagingTable(g), manifestUrl.apply(g), g.schema()));
      }
      coordinatesCheck = sql.size();
      sql.add(coordinatesCheck(batch, settings.metadata()));
      Map<String, RowColumn> rowSet = rowSet(batch, plan, settings);
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
      String cols = String.join(", ", targetNames.stream().map(Identifiers::quote).toList());
      UpsertOrder order = UpsertOrder.of(plan, rowSet, settings.metadata());
      sql.add(rowsTable(batch, plan, rowSet, settings, order, n));
      String rows = Identifiers.quote(n.rows());
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
        sql.addAll(merge(batch, settings, targetNames, order, tombstones, n));
        write = sql.size() - 1;
      } else if (settings.upsert()) {
        sql.add(
            "DELETE FROM "
                + batch.table().sql()
                + " USING "
                + rows
                + " WHERE "
                + batch.table().keyMatches(settings.upsertKey(), n.rows())
                + (order.atTarget() ? " AND " + order.newer(rows, batch.table().sql()) : ""));
        if (tombstones != null) {
          sql.addAll(tombstoneWrites(batch, settings, order, tombstones, n));
        }
        sql.add(
            "INSERT INTO "
                + batch.table().sql()
                + " ("
                + cols
                + ") SELECT "
                + cols
                + " FROM "
                + rows
                + " WHERE NOT "
                + Identifiers.quote(n.deleted())
                // compare-and-set: the target's row for the key survived the DELETE: it is newer
                + (order.atTarget() ? " AND NOT EXISTS " + targetRow(batch, settings, n) : "")
                // a surviving tombstone is not older than the row: the key stays deleted
                + (tombstones != null
                    ? " AND NOT " + tombstones.tombstoned(settings.upsertKey(), n.rows())
                    : ""));
        write = sql.size() - 1;
      } else {
        sql.add(
            "INSERT INTO "
                + batch.table().sql()
                + " ("
                + cols
                + ") SELECT "
                + cols
                + " FROM "
                + rows);
        write = sql.size() - 1;
      }
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
                      + " whose shared columns differ in type). Give the topic's records one schema"
                      + " (or, schemaless, one type per field), or lower the connector's flush.size so"
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

  /**
   * Drops the tombstones older than a batch row of their key, then records the batch's winning
   * deletes: run after the target's DELETE, before the rows are written.
   */
  private static List<String> tombstoneWrites(
      Batch batch,
      TableSettings settings,
      UpsertOrder order,
      DeletedKeysTable tombstones,
      InternalNames n) {
    return List.of(
        tombstones.dropOlder(settings.upsertKey(), n.rows(), order),
        tombstones.record(
            settings.upsertKey(),
            settings.metadata(),
            n.rows(),
            n.deleted(),
            targetRow(batch, settings, n)));
  }

  /** A subquery: the target's rows with the key of the rows-table row in scope. */
  private static String targetRow(Batch batch, TableSettings settings, InternalNames n) {
    return "(SELECT 1 FROM "
        + batch.table().sql()
        + " WHERE "
        + batch.table().keyMatches(settings.upsertKey(), n.rows())
        + ")";
  }

  /**
   * MERGE variant: Redshift's MERGE has no conditional WHEN clauses, so deletes go first as a
   * DELETE, and the remaining rows (one per key, guaranteed by the rows table) are merged from a
   * table of their own. The MERGE is last: its result (rows updated plus inserted) is the batch's
   * row count.
   */
  private static List<String> merge(
      Batch batch,
      TableSettings settings,
      List<String> targetNames,
      UpsertOrder order,
      DeletedKeysTable tombstones,
      InternalNames n) {
    String upserts = n.upserts();
    List<String> names = targetNames.stream().map(Identifiers::quote).toList();
    List<String> sql = new ArrayList<>();
    String rows = Identifiers.quote(n.rows());
    sql.add(
        "DELETE FROM "
            + batch.table().sql()
            + " USING "
            + rows
            + " WHERE "
            + batch.table().keyMatches(settings.upsertKey(), n.rows())
            + " AND "
            + rows
            + "."
            + Identifiers.quote(n.deleted())
            + (order.atTarget() ? " AND " + order.newer(rows, batch.table().sql()) : ""));
    if (tombstones != null) {
      sql.addAll(tombstoneWrites(batch, settings, order, tombstones, n));
    }
    sql.add(
        "CREATE TEMP TABLE "
            + Identifiers.quote(upserts)
            + " AS SELECT "
            + String.join(", ", names)
            + " FROM "
            + rows
            + " WHERE NOT "
            + Identifiers.quote(n.deleted())
            // compare-and-set: MERGE has no conditional WHEN, so rows older than the target's row
            // for their key are left out of its source
            + (order.atTarget()
                ? " AND NOT EXISTS (SELECT 1 FROM "
                    + batch.table().sql()
                    + " WHERE "
                    + batch.table().keyMatches(settings.upsertKey(), n.rows())
                    + " AND NOT "
                    + order.newer(rows, batch.table().sql())
                    + ")"
                : "")
            + (tombstones != null
                ? " AND NOT " + tombstones.tombstoned(settings.upsertKey(), n.rows())
                : ""));
    List<String> set = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (String name : targetNames) {
      String c = Identifiers.quote(name);
      if (!settings.upsertKey().contains(name)) {
        set.add(c + " = " + Identifiers.quote(upserts) + "." + c);
      }
      values.add(Identifiers.quote(upserts) + "." + c);
    }
    if (set.isEmpty()) {
      // every column is part of the key: a matched row is already identical, but MERGE needs a WHEN
      // MATCHED action
      String k = Identifiers.quote(settings.upsertKey().get(0));
      set.add(k + " = " + Identifiers.quote(upserts) + "." + k);
    }
    String matched = " WHEN MATCHED THEN UPDATE SET " + String.join(", ", set);
    sql.add(
        "MERGE INTO "
            + batch.table().sql()
            + " USING "
            + Identifiers.quote(upserts)
            + " ON "
            + batch.table().keyMatches(settings.upsertKey(), upserts)
            + matched
            + " WHEN NOT MATCHED THEN INSERT ("
            + String.join(", ", names)
            + ") VALUES ("
            + String.join(", ", values)
            + ")");
    return sql;
  }

  private String createStaging(StagingGroup g, TablePlan plan, TableSettings settings) {
    StringBuilder b =
        new StringBuilder("CREATE TEMP TABLE ")
            .append(Identifiers.quote(stagingTable(g)))
            .append(" (");
    String sep = "";
    for (FileSchema.Column c : g.schema().columns()) {
      b.append(sep)
          .append(Identifiers.quote(Identifiers.fold(c.name(), "a file column")))
          .append(' ')
          .append(stagingType(c, g, plan, settings).ddl());
      sep = ", ";
    }
    return b.append(')').toString();
  }

  /**
   * The staging column of a file column. JSON Lines columns with MAXERROR take the target column's
   * type (VARCHAR length included), so COPY converts each value and a value that does not fit (a
   * string over the column's length, an array where the column holds numbers) rejects its row into
   * the rejects object instead of failing the transaction at the INSERT; except VARCHAR columns
   * when they widen on demand. Other formats stage the file's own types: COPY from Parquet and Avro
   * cannot reject single rows.
   */
  private RedshiftType stagingType(
      FileSchema.Column c, StagingGroup g, TablePlan plan, TableSettings settings) {
    RedshiftType t = copiedType(c, g, plan, settings);
    // COPY from JSON does not load VARBYTE (TypeMapping.hexStaging): whatever the rule below chose,
    // a JSON Lines column bound for VARBYTE stages as the hex text it holds
    return g.schema().format() == FileFormat.JSONL && t.family() == RedshiftType.Family.VARBYTE
        ? TypeMapping.hexStaging()
        : t;
  }

  private RedshiftType copiedType(
      FileSchema.Column c, StagingGroup g, TablePlan plan, TableSettings settings) {
    RedshiftType target = plan.targetColumns().get(Identifiers.fold(c.name(), "a file column"));
    if (target == null) {
      return types.stagingType(c.type(), g.schema().format());
    }
    if (c.nullsOnly()) {
      // only nulls: its type says nothing (a table without the column does not get it). JSON text
      // takes any type; a Parquet or Avro column must be staged as what the file holds (COPY
      // refuses a mismatch), and its nulls reach the rows table as the target's type.
      return g.schema().format() == FileFormat.JSONL
          ? target
          : types.stagingType(c.type(), g.schema().format());
    }
    if (jsonRowRejects && g.schema().format() == FileFormat.JSONL) {
      // widening on demand: a string longer than the column must reach the INSERT (which fails and
      // triggers the widening) instead of being rejected by COPY
      return settings.design().widen() && target.family() == RedshiftType.Family.VARCHAR
          ? RedshiftType.varchar(TypeMapping.MAX_VARCHAR)
          : target;
    }
    return types.stagingType(c.type(), g.schema().format());
  }

  /**
   * A column of the rows table: its type across all staging tables, and the file type (for delete
   * flags).
   */
  record RowColumn(RedshiftType type, ColumnType fileType) {}

  /**
   * Target columns present in some file, plus the metadata and delete-flag columns the SQL needs.
   */
  Map<String, RowColumn> rowSet(Batch batch, TablePlan plan, TableSettings settings) {
    Map<String, ColumnType> inFiles = new LinkedHashMap<>();
    Map<String, ColumnType> nullsOnly = new LinkedHashMap<>();
    for (StagingGroup g : batch.groups()) {
      for (FileSchema.Column c : g.schema().columns()) {
        (c.nullsOnly() ? nullsOnly : inFiles)
            .putIfAbsent(Identifiers.fold(c.name(), "a file column"), c.type());
      }
    }
    // a column of nulls counts as in the files (an upsert sets it to null), its type as none
    nullsOnly.forEach(inFiles::putIfAbsent);
    Map<String, RowColumn> rows = new LinkedHashMap<>();
    for (Map.Entry<String, RedshiftType> e : plan.targetColumns().entrySet()) {
      ColumnType ft = inFiles.get(e.getKey());
      if (ft != null) {
        RedshiftType t =
            e.getValue().family() == RedshiftType.Family.VARCHAR
                ? RedshiftType.varchar(TypeMapping.MAX_VARCHAR)
                : e.getValue();
        rows.put(e.getKey(), new RowColumn(t, ft));
      }
    }
    List<String> extra =
        new ArrayList<>(
            List.of(
                settings.metadata().topic(),
                settings.metadata().partition(),
                settings.metadata().offset()));
    if (settings.upsert()) {
      extra.add(settings.metadata().timestamp()); // orders a key's rows (UpsertOrder)
      extra.addAll(settings.deleteFlagColumns());
      extra.addAll(settings.deleteOpColumns());
    }
    for (String c : extra) {
      ColumnType ft = inFiles.get(c);
      if (ft != null && !rows.containsKey(c)) {
        rows.put(
            c,
            new RowColumn(
                types.stagingType(ft, batch.groups().get(0).schema().format()).family()
                        == RedshiftType.Family.VARCHAR
                    ? RedshiftType.varchar(TypeMapping.MAX_VARCHAR)
                    : types.targetType(ft),
                ft));
      }
    }
    return rows;
  }

  /**
   * A statement that fails, and so rolls the whole transaction back, when a staged row lacks its
   * Kafka topic, partition or offset; it returns a row otherwise.
   *
   * <p>Why: the rows table deduplicates by these columns and skips loaded intervals by them, so a
   * row without them is collapsed with others (one row per partition is kept in append mode) or
   * loaded outside any interval, silently. The connector always writes them, so a NULL means the
   * file COPY read is not the one the marker describes: COPY matches Avro and JSON Lines columns by
   * name and loads a missing one as NULL, which is what a replay rewriting a unit under the same
   * key with renamed metadata columns (design.md, "Deterministic bytes") gives a loader that read
   * the old marker. Plain SQL has no statement that raises an error of one's choosing (Redshift
   * raises only in stored procedures), so the check makes a cast fail: a row without coordinates
   * turns into text that is not a number. The failure is recognised by its position ({@link
   * LoadTransaction#coordinatesCheck}), not by the database's wording, which differs between
   * Redshift and PostgreSQL.
   */
  private static String coordinatesCheck(Batch batch, MetadataColumns m) {
    List<String> roles = List.of(m.topic(), m.partition(), m.offset());
    List<String> branches = new ArrayList<>();
    for (StagingGroup g : batch.groups()) {
      java.util.Set<String> present = new java.util.HashSet<>();
      for (FileSchema.Column c : g.schema().columns()) {
        present.add(Identifiers.fold(c.name(), "a file column"));
      }
      List<String> missing = new ArrayList<>();
      for (String r : roles) {
        // a column the file lacks is NULL in every row of the rows table
        missing.add(present.contains(r) ? Identifiers.quote(r) + " IS NULL" : "1 = 1");
      }
      branches.add(
          "SELECT CASE WHEN "
              + String.join(" OR ", missing)
              + " THEN '"
              + NO_COORDINATES
              + "' END AS "
              + Identifiers.quote("c")
              + " FROM "
              + Identifiers.quote(stagingTable(g)));
    }
    return "SELECT COUNT(CAST("
        + Identifiers.quote("c")
        + " AS INTEGER)) FROM ("
        + String.join(" UNION ALL ", branches)
        + ") "
        + Identifiers.quote("k");
  }

  private String rowsTable(
      Batch batch,
      TablePlan plan,
      Map<String, RowColumn> rowSet,
      TableSettings settings,
      UpsertOrder order,
      InternalNames n) {
    MetadataColumns m = settings.metadata();
    String names = String.join(", ", rowSet.keySet().stream().map(Identifiers::quote).toList());
    List<String> branches = new ArrayList<>();
    for (StagingGroup g : batch.groups()) {
      Map<String, FileSchema.Column> cols = new LinkedHashMap<>();
      for (FileSchema.Column c : g.schema().columns()) {
        cols.put(Identifiers.fold(c.name(), "a file column"), c);
      }
      List<String> exprs = new ArrayList<>();
      for (Map.Entry<String, RowColumn> e : rowSet.entrySet()) {
        FileSchema.Column c = cols.get(e.getKey());
        String q = Identifiers.quote(e.getKey());
        String expr;
        if (c == null || (c.nullsOnly() && g.schema().format() != FileFormat.JSONL)) {
          expr = "CAST(NULL AS " + e.getValue().type().ddl() + ")";
        } else if (types.needsJsonParse(c.type(), g.schema().format())) {
          expr = "JSON_PARSE(" + q + ")";
        } else if (TypeMapping.needsFromHex(
            g.schema().format(), stagingType(c, g, plan, settings), e.getValue().type())) {
          expr = "CAST(FROM_HEX(" + q + ") AS " + e.getValue().type().ddl() + ")";
        } else if (stagingType(c, g, plan, settings).equals(e.getValue().type())) {
          expr = q;
        } else if (stagingType(c, g, plan, settings).family() == RedshiftType.Family.TIMESTAMP
            && e.getValue().type().family() == RedshiftType.Family.TIMESTAMPTZ) {
          // a file's timestamps are UTC; a plain cast would read them in the session's time zone,
          // which a database user can have of its own (ALTER USER ... SET timezone)
          expr = "(" + q + " AT TIME ZONE 'UTC')";
        } else {
          expr = "CAST(" + q + " AS " + e.getValue().type().ddl() + ")";
        }
        // a UNION ALL takes its column names from its first branch: the others need no aliases,
        // nor does a bare column. Every byte per column counts against the Data API's 100 KB per
        // statement, which a table of a thousand columns reaches.
        exprs.add(branches.isEmpty() && !expr.equals(q) ? expr + " AS " + q : expr);
      }
      branches.add(
          "SELECT " + String.join(", ", exprs) + " FROM " + Identifiers.quote(stagingTable(g)));
    }
    String u = Identifiers.quote("u");
    String topic = u + "." + Identifiers.quote(m.topic());
    String partition = u + "." + Identifiers.quote(m.partition());
    String offset = u + "." + Identifiers.quote(m.offset());
    String window;
    if (settings.upsert()) {
      List<String> keys =
          settings.upsertKey().stream().map(k -> u + "." + Identifiers.quote(k)).toList();
      String anyNull = String.join(" OR ", keys.stream().map(k -> k + " IS NULL").toList());
      // rows with a NULL key cannot be matched: keep each of them (partition by its own topic,
      // partition and offset: topics can share a table) instead of collapsing them
      window =
          "PARTITION BY "
              + String.join(", ", keys)
              + ", CASE WHEN "
              + anyNull
              + " THEN "
              + topic
              + " END, CASE WHEN "
              + anyNull
              + " THEN "
              + partition
              + " END, CASE WHEN "
              + anyNull
              + " THEN "
              + offset
              + " END ORDER BY "
              + order.newestFirst(u);
    } else {
      window = "PARTITION BY " + topic + ", " + partition + ", " + offset + " ORDER BY " + offset;
    }
    String deleted =
        settings.upsert()
            ? ", " + deleteExpression(rowSet, settings) + " AS " + Identifiers.quote(n.deleted())
            : "";
    String outerDeleted = settings.upsert() ? ", " + Identifiers.quote(n.deleted()) : "";
    String mk = Identifiers.quote("m");
    return "CREATE TEMP TABLE "
        + Identifiers.quote(n.rows())
        + " AS SELECT "
        + names
        + outerDeleted
        // the union's columns are the row set's, in its order
        + " FROM (SELECT "
        + u
        + ".*"
        + deleted
        + ", ROW_NUMBER() OVER ("
        + window
        + ") AS "
        + Identifiers.quote(n.rowNumber())
        + " FROM ("
        + String.join(" UNION ALL ", branches)
        + ") "
        + u
        + " WHERE NOT EXISTS (SELECT 1 FROM "
        + control.loadedIntervals(batch.table()).table().sql()
        + " "
        + mk
        + " WHERE "
        + mk
        + ".topic = "
        + topic
        + " AND "
        + mk
        + ".kafka_partition = "
        + partition
        + " AND "
        + offset
        + " BETWEEN "
        + mk
        + ".start_offset AND "
        + mk
        + ".end_offset)) "
        + Identifiers.quote("r")
        + " WHERE "
        + Identifiers.quote(n.rowNumber())
        + " = 1";
  }

  private static String deleteExpression(Map<String, RowColumn> rowSet, TableSettings settings) {
    List<String> terms = new ArrayList<>();
    String u = Identifiers.quote("u") + ".";
    for (String c : settings.deleteFlagColumns()) {
      RowColumn rc = rowSet.get(c);
      if (rc == null) {
        continue;
      }
      if (rc.fileType().kind() == ColumnType.Kind.BOOLEAN) {
        terms.add("COALESCE(" + u + Identifiers.quote(c) + ", FALSE)");
      } else if (rc.fileType().kind() == ColumnType.Kind.STRING) {
        terms.add("COALESCE(LOWER(" + u + Identifiers.quote(c) + ") = 'true', FALSE)");
      }
    }
    for (String c : settings.deleteOpColumns()) {
      RowColumn rc = rowSet.get(c);
      if (rc != null && rc.fileType().kind() == ColumnType.Kind.STRING) {
        terms.add("COALESCE(" + u + Identifiers.quote(c) + " = 'd', FALSE)");
      }
    }
    return terms.isEmpty() ? "FALSE" : "(" + String.join(" OR ", terms) + ")";
  }
}
