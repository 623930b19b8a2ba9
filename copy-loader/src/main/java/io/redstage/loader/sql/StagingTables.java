package io.redstage.loader.sql;

import io.redstage.contract.FileFormat;
import io.redstage.loader.batch.FileSchema;
import io.redstage.loader.batch.StagingGroup;

/**
 * The temp staging tables of a load transaction: one per staging group, holding exactly the group's
 * file columns in file order, typed so that COPY loads the files as they are. Separate from {@link
 * LoadSqlBuilder} because the staging types are a rule of their own (which format stages what, and
 * what MAXERROR changes), which the rows table also reads to convert each column.
 */
final class StagingTables {
  private final TypeMapping types;
  private final boolean jsonRowRejects;

  /**
   * @param jsonRowRejects JSON Lines COPYs run with MAXERROR: their staging columns take the
   *     target's types
   */
  StagingTables(TypeMapping types, boolean jsonRowRejects) {
    this.types = types;
    this.jsonRowRejects = jsonRowRejects;
  }

  /** The staging table of a group. */
  static String name(StagingGroup g) {
    return "rs_stage_" + g.index();
  }

  String create(StagingGroup g, TablePlan plan, TableSettings settings) {
    StringBuilder b =
        new StringBuilder("CREATE TEMP TABLE ").append(Identifiers.quote(name(g))).append(" (");
    String sep = "";
    for (FileSchema.Column c : g.schema().columns()) {
      String folded = Identifiers.fold(c.name(), "a file column");
      b.append(sep)
          .append(Identifiers.quote(folded))
          .append(' ')
          .append(columnType(c, g, plan, settings).ddl());
      if (rejectsNulls(c, folded, g, plan, settings)) {
        b.append(" NOT NULL");
      }
      sep = ", ";
    }
    return b.append(')').toString();
  }

  /**
   * Whether a staging column is NOT NULL as its target column is: in an append load of JSON Lines
   * under MAXERROR, so that COPY rejects a row whose value is null or missing (error 1213), one row
   * each, instead of the INSERT failing on it and quarantining the whole unit. Only for columns the
   * marker says hold the record's value: a Kafka coordinate missing from a file means the file is
   * not the one the marker describes, which the coordinates check (RowsTable) must fail the batch
   * on; as NOT NULL, COPY would reject every row of it and the unit would count as loaded with none
   * (and a version-1 marker says no roles). Not in upsert mode, whose delete rows carry no value
   * columns.
   */
  private boolean rejectsNulls(
      FileSchema.Column c, String folded, StagingGroup g, TablePlan plan, TableSettings settings) {
    return jsonRowRejects
        && g.schema().format() == FileFormat.JSONL
        && c.value()
        && !settings.upsert()
        && plan.notNullColumns().contains(folded);
  }

  /**
   * The staging column of a file column. JSON Lines columns with MAXERROR take the target column's
   * type (VARCHAR length included), so COPY converts each value and a value that does not fit (a
   * string over the column's length, an array where the column holds numbers) rejects its row into
   * the rejects object instead of failing the transaction at the INSERT; except VARCHAR columns
   * when they widen on demand. Other formats stage the file's own types: COPY from Parquet and Avro
   * cannot reject single rows.
   */
  RedshiftType columnType(
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
      if (target.family() != RedshiftType.Family.VARCHAR) {
        return target;
      }
      // widening on demand: a string longer than the column must reach the INSERT (which fails and
      // triggers the widening) instead of being rejected by COPY. A CHAR column never widens: it
      // stages as itself, so that COPY rejects, one row each, what the INSERT would fail on (a
      // string too long, or with a multibyte character, which CHAR does not hold).
      if (target.fixedLength()) {
        return target;
      }
      return settings.design().widen()
          ? RedshiftType.varchar(TypeMapping.MAX_VARCHAR)
          : RedshiftType.varchar(target.length());
    }
    return types.stagingType(c.type(), g.schema().format());
  }
}
