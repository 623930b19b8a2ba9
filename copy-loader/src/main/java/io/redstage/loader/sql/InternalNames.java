package io.redstage.loader.sql;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.FileSchema;
import io.redstage.loader.batch.StagingGroup;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The names one transaction invents for its rows table, that table's row-number and delete-flag
 * columns, and the MERGE source table.
 *
 * <p>Why not fixed names: column names are the records' field names, so a field named like the
 * row-number or delete-flag column (a value field {@code rs_rn}) gives the rows table's subquery
 * two columns of that name and {@code WHERE "rs_rn" = 1} fails as ambiguous: every unit of the
 * topic would fail and end in quarantine with an SQL error, and no release could help. Likewise a
 * target table named like a temp table (a topic {@code rs_rows}) puts two tables of that name in
 * one statement ({@code DELETE FROM "public"."rs_rows" USING "rs_rows"}, the MERGE), which fails
 * the same way. So each name takes the first suffix ({@code _1}, {@code _2}, ...) that makes it
 * differ from every column of the target and of the staging tables (the column names), or from the
 * target and its deleted-keys table (the table names). Ignoring case: Redshift folds identifiers,
 * quoted ones too, unless case-sensitive identifiers are enabled. A batch without such a clash
 * keeps the plain names, and so the same SQL. The staging tables and the aliases {@code u}, {@code
 * r} and {@code m} need none of this: no statement names them next to the target, nor lets a
 * batch's column name into their scope unqualified.
 */
record InternalNames(String rows, String rowNumber, String deleted, String upserts) {
  // the names a load transaction invents, before any suffix
  private static final String ROWS = "rs_rows";
  private static final String ROW_NUMBER = "rs_rn";
  private static final String DELETED = "rs_deleted";
  private static final String UPSERTS = "rs_upserts";

  static InternalNames avoiding(Batch batch, TablePlan plan, DeletedKeysTable deletedKeys) {
    Set<String> columns = new HashSet<>();
    plan.targetColumns().keySet().forEach(c -> columns.add(c.toLowerCase(Locale.ROOT)));
    for (StagingGroup g : batch.groups()) {
      for (FileSchema.Column c : g.schema().columns()) {
        columns.add(Identifiers.fold(c.name(), "a file column").toLowerCase(Locale.ROOT));
      }
    }
    Set<String> tables = new HashSet<>();
    tables.add(batch.table().table().toLowerCase(Locale.ROOT));
    tables.add(deletedKeys.table().table().toLowerCase(Locale.ROOT));
    return new InternalNames(
        unique(ROWS, tables),
        unique(ROW_NUMBER, columns),
        unique(DELETED, columns),
        unique(UPSERTS, tables));
  }

  /** {@code base}, or {@code base_1}, {@code base_2}, ...: the first that is not taken. */
  private static String unique(String base, Set<String> taken) {
    String name = base;
    for (int i = 1; taken.contains(name); i++) {
      name = base + "_" + i;
    }
    return name;
  }
}
