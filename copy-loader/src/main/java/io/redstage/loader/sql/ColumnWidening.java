package io.redstage.loader.sql;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.FileSchema;
import io.redstage.loader.batch.StagingGroup;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The SQL of widening VARCHAR columns on demand (docs/loader-types.md, "VARCHAR lengths").
 *
 * <p>The marker gives a string column's type but not its longest value, so the loader learns that a
 * column is too short when the load transaction's INSERT fails with "value too long". It then
 * measures: a probe transaction stages the batch's files exactly as the load does (VARCHAR(65535)
 * staging columns) and selects the longest value in bytes of each bounded VARCHAR column of the
 * target. Each column whose longest value does not fit is widened with its own {@code ALTER TABLE …
 * ALTER COLUMN … TYPE VARCHAR(n)}, which Redshift refuses inside a transaction block, and the batch
 * runs again. Measuring after a failure keeps the common case (values fit) at one COPY.
 */
public final class ColumnWidening {
  private static final String TOO_LONG = "value too long for type character varying";

  private ColumnWidening() {}

  /** The probe: its statements, and the columns whose longest values its last statement selects. */
  public record Probe(List<String> statements, List<String> columns) {}

  /** Whether a load transaction failed because a value is longer than its VARCHAR column. */
  public static boolean valueTooLong(String error) {
    return error != null && error.contains(TOO_LONG);
  }

  /**
   * The length a column widens to so that {@code needed} bytes fit: the next power of two, at most
   * 65535, so that a column growing value by value is altered a few times, not every batch.
   */
  public static int widenedLength(int needed) {
    if (needed >= TypeMapping.MAX_VARCHAR / 2 + 1) {
      return TypeMapping.MAX_VARCHAR;
    }
    return Math.max(1, Integer.highestOneBit(Math.max(1, needed) - 1) << 1);
  }

  /**
   * The probe of a batch against the table as it is now.
   *
   * @param load the batch's load transaction: each staging table's CREATE comes right before its
   *     COPY there, and the probe reuses both
   */
  public static Probe probe(Batch batch, LoadTransaction load, TableSchema table) {
    List<String> columns = new ArrayList<>();
    for (TableSchema.Column c : table.columns().values()) {
      if (c.type().family() == RedshiftType.Family.VARCHAR
          && !c.type().fixedLength() // CHAR(n) cannot be altered
          && c.type().length() < TypeMapping.MAX_VARCHAR
          && inFiles(batch, c.name())) {
        columns.add(c.name());
      }
    }
    if (columns.isEmpty()) {
      return new Probe(List.of(), columns);
    }
    List<String> sql = new ArrayList<>();
    List<String> branches = new ArrayList<>();
    for (int g = 0; g < batch.groups().size(); g++) {
      int copy = load.copies().get(g);
      sql.add(load.statements().get(copy - 1));
      sql.add(load.statements().get(copy));
      StagingGroup group = batch.groups().get(g);
      Set<String> have = folded(group.schema());
      List<String> lengths = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        String c = columns.get(i);
        lengths.add(
            (have.contains(c)
                    ? "OCTET_LENGTH(" + Identifiers.quote(c) + ")"
                    : "CAST(NULL AS INTEGER)")
                + " AS "
                + alias(i));
      }
      branches.add(
          "SELECT "
              + String.join(", ", lengths)
              + " FROM "
              + Identifiers.quote(LoadSqlBuilder.stagingTable(group)));
    }
    List<String> max = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      max.add("MAX(" + alias(i) + ") AS " + alias(i));
    }
    sql.add(
        "SELECT "
            + String.join(", ", max)
            + " FROM ("
            + String.join(" UNION ALL ", branches)
            + ") "
            + Identifiers.quote("rs_lengths"));
    return new Probe(sql, columns);
  }

  /** The widening of one column, to run on its own (never in a transaction block). */
  public static String alter(TableRef table, String column, int length) {
    return "ALTER TABLE "
        + table.sql()
        + " ALTER COLUMN "
        + Identifiers.quote(column)
        + " TYPE "
        + RedshiftType.varchar(length).ddl();
  }

  private static String alias(int i) {
    return Identifiers.quote("rs_len_" + i);
  }

  private static boolean inFiles(Batch batch, String folded) {
    return batch.groups().stream().anyMatch(g -> folded(g.schema()).contains(folded));
  }

  private static Set<String> folded(FileSchema schema) {
    Set<String> out = new HashSet<>();
    for (FileSchema.Column c : schema.columns()) {
      out.add(Identifiers.fold(c.name(), "a file column"));
    }
    return out;
  }
}
