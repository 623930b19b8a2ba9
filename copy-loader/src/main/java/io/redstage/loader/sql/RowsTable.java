package io.redstage.loader.sql;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.FileSchema;
import io.redstage.loader.batch.StagingGroup;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The temp table of the rows a load transaction applies: the staging tables' rows mapped by name
 * onto one set of columns, minus offsets already loaded, one row per (topic, partition, offset) or,
 * in upsert mode, the newest row per key with its delete flag; and the check, after the COPYs, that
 * every staged row has the Kafka coordinates this table deduplicates by. Separate from {@link
 * LoadSqlBuilder} because mapping the staging tables' columns onto one row set (types, casts,
 * delete flags, deduplication) is a rule of its own, and the writes only read its result.
 */
final class RowsTable {
  /** The text {@link #coordinatesCheck} casts to a number when a row lacks its coordinates. */
  static final String NO_COORDINATES = "row without Kafka topic, partition or offset";

  /** The types a delete flag reads as an integer of: not 0 is a delete. */
  private static final Set<RedshiftType.Family> INTEGERS =
      EnumSet.of(
          RedshiftType.Family.SMALLINT, RedshiftType.Family.INTEGER, RedshiftType.Family.BIGINT);

  private final ControlTables control;
  private final TypeMapping types;
  private final StagingTables staging;

  RowsTable(ControlTables control, TypeMapping types, StagingTables staging) {
    this.control = control;
    this.types = types;
    this.staging = staging;
  }

  /** A column of the rows table: its type, which every staging table's column is cast to. */
  record RowColumn(RedshiftType type) {}

  /**
   * Target columns present in some file, plus the metadata and delete-flag columns the SQL needs.
   */
  Map<String, RowColumn> columns(Batch batch, TablePlan plan, TableSettings settings) {
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
        rows.put(e.getKey(), new RowColumn(t));
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
                    : types.targetType(ft)));
      }
    }
    return rows;
  }

  /**
   * A statement that fails, and so rolls the whole transaction back, when a staged row lacks its
   * Kafka topic, partition or offset; otherwise it returns a row per staging table that holds rows.
   *
   * <p>Why: the rows table deduplicates by these columns and skips loaded intervals by them, so a
   * row without them is collapsed with others (one row per partition is kept in append mode) or
   * loaded outside any interval, silently. The connector always writes them, so a NULL means the
   * file COPY read is not the one the marker describes: COPY matches Avro and JSON Lines columns by
   * name and loads a missing one as NULL, which is what a replay rewriting a unit under the same
   * key with renamed metadata columns (design.md, "Deterministic bytes") gives a loader that read
   * the old marker. Plain SQL has no statement that raises an error of one's choosing (Redshift
   * raises only in stored procedures), so the check makes a cast fail: a row without coordinates
   * turns into text that is not a number. SUM rather than COUNT: it needs the cast's value, so no
   * planner can drop the cast as it could for a count of non-null values. The failure is recognised
   * by its position ({@link LoadTransaction#coordinatesCheck}), not by the database's wording,
   * which differs between Redshift and PostgreSQL. Empty when every file of the batch is Parquet,
   * whose columns COPY maps by position.
   *
   * <p>Its rows, one per staging group that has rows: the group's index, the sum (null) and the
   * rows COPY staged there. Those counts are the COPYs' loaded rows, which the Data API does not
   * always report for a COPY sub-statement: without them, rows a JSON Lines COPY rejected could
   * only be counted from the load-error views, and a view that answers nothing (yet) would read as
   * nothing rejected. A group without a row staged none.
   */
  static Optional<String> coordinatesCheck(Batch batch, MetadataColumns m) {
    List<String> roles = List.of(m.topic(), m.partition(), m.offset());
    List<String> branches = new ArrayList<>();
    for (StagingGroup g : batch.groups()) {
      if (g.schema().format() == FileFormat.PARQUET) {
        continue; // COPY maps Parquet columns by position: a renamed column still lands
      }
      // every staging group has the three columns: SchemaEvolution.wantedColumns refuses a file
      // schema without one before any statement is built
      List<String> isNull = new ArrayList<>();
      for (String r : roles) {
        isNull.add(Identifiers.quote(r) + " IS NULL");
      }
      branches.add(
          "SELECT "
              + g.index()
              + " AS "
              + Identifiers.quote("g")
              + ", CASE WHEN "
              + String.join(" OR ", isNull)
              + " THEN '"
              + NO_COORDINATES
              // of the row, so that no planner can work the failing cast out before reading rows
              + ": ' || COALESCE(CAST("
              + Identifiers.quote(m.offset())
              + " AS VARCHAR), '') END AS "
              + Identifiers.quote("c")
              + " FROM "
              + Identifiers.quote(StagingTables.name(g)));
    }
    if (branches.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "SELECT "
            + Identifiers.quote("g")
            + ", SUM(CAST("
            + Identifiers.quote("c")
            + " AS INTEGER)), COUNT(*) FROM ("
            + String.join(" UNION ALL ", branches)
            + ") "
            + Identifiers.quote("k")
            + " GROUP BY "
            + Identifiers.quote("g"));
  }

  /**
   * The CREATE TEMP TABLE ... AS SELECT of the rows table, named {@code n.rows()}, of the columns
   * {@code rowSet} ({@link #columns}).
   */
  String create(
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
            g.schema().format(), staging.columnType(c, g, plan, settings), e.getValue().type())) {
          expr = "CAST(FROM_HEX(" + q + ") AS " + e.getValue().type().ddl() + ")";
        } else if (staging.columnType(c, g, plan, settings).equals(e.getValue().type())) {
          expr = q;
        } else if (staging.columnType(c, g, plan, settings).family()
                == RedshiftType.Family.TIMESTAMP
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
          "SELECT "
              + String.join(", ", exprs)
              + " FROM "
              + Identifiers.quote(StagingTables.name(g)));
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
            ? ", "
                + deleteExpression(batch.table(), rowSet, settings)
                + " AS "
                + Identifiers.quote(n.deleted())
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

  /**
   * Whether a row is a delete, from its delete flag and op columns.
   *
   * @throws DeleteFlagTypeException when a delete flag column is of a type that reads neither as
   *     deleted nor as not (a decimal, a float, a timestamp, SUPER...): ignoring it would upsert
   *     the key's deletes as live rows without a word
   */
  private static String deleteExpression(
      TableRef table, Map<String, RowColumn> rowSet, TableSettings settings) {
    List<String> terms = new ArrayList<>();
    String u = Identifiers.quote("u") + ".";
    for (String c : settings.deleteFlagColumns()) {
      RowColumn rc = rowSet.get(c);
      if (rc == null) {
        continue;
      }
      // by the rows table's type, which every staging table's column is cast to: files of one
      // batch may give the flag as a boolean in some and as text in others (schemaless records)
      if (rc.type().family() == RedshiftType.Family.BOOLEAN) {
        terms.add("COALESCE(" + u + Identifiers.quote(c) + ", FALSE)");
      } else if (rc.type().family() == RedshiftType.Family.VARCHAR) {
        // 't' too: how a boolean's text may read once staged as text (a file that holds the
        // flag as a boolean, loading into the text column other files created)
        terms.add("COALESCE(LOWER(" + u + Identifiers.quote(c) + ") IN ('true', 't'), FALSE)");
      } else if (INTEGERS.contains(rc.type().family())) {
        // a 0/1 flag (is_deleted INT), as C and most databases read an integer as a truth value
        terms.add("COALESCE(" + u + Identifiers.quote(c) + " <> 0, FALSE)");
      } else {
        throw new DeleteFlagTypeException(
            "Cannot load table "
                + table
                + " in upsert mode: its delete flag column "
                + c
                + " (upsert.delete-flag-columns) is "
                + rc.type()
                + ", which reads neither as deleted nor as not, and its rows' deletes would load"
                + " as live rows. Give the column a boolean, integer (not 0: deleted) or text"
                + " ('true' or 't': deleted) type, or leave it out of upsert.delete-flag-columns.");
      }
    }
    for (String c : settings.deleteOpColumns()) {
      RowColumn rc = rowSet.get(c);
      if (rc != null && rc.type().family() == RedshiftType.Family.VARCHAR) {
        terms.add("COALESCE(" + u + Identifiers.quote(c) + " = 'd', FALSE)");
      }
    }
    return terms.isEmpty() ? "FALSE" : "(" + String.join(" OR ", terms) + ")";
  }
}
