package io.redstage.loader.sql;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.loader.batch.FileSchema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the columns of a batch's files with the target table and plans the DDL: create the table
 * when it is missing, add a nullable column per new field, and refuse anything that would change
 * what a column holds.
 *
 * <p>JSON Lines batches are the exception when COPY may reject rows ({@code load.json.max-errors} >
 * 0): a schemaless file's column type only says what its records held, and one record with a `[]`
 * where others hold numbers must not set aside a whole unit of good rows. Their staging columns
 * take the table's types, COPY converts each value to them, and a value that does not convert
 * rejects only its row (into the rejects object).
 */
public final class SchemaEvolution {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaEvolution.class);

  /** Table and column pairs already warned about ({@link #warnNarrowing}), once per process. */
  private final Set<String> narrowingWarned = ConcurrentHashMap.newKeySet();

  /** Columns a Redshift table holds at most. */
  public static final int MAX_COLUMNS = 1600;

  private final TypeMapping types;
  private final boolean autoCreate;
  private final boolean autoEvolve;
  private final boolean jsonRowRejects;
  private final ExistingSchemas existingSchemas;

  public SchemaEvolution(TypeMapping types, boolean autoCreate, boolean autoEvolve) {
    this(types, autoCreate, autoEvolve, false);
  }

  public SchemaEvolution(
      TypeMapping types, boolean autoCreate, boolean autoEvolve, boolean jsonRowRejects) {
    this(types, autoCreate, autoEvolve, jsonRowRejects, new ExistingSchemas());
  }

  /**
   * @param jsonRowRejects true when JSON Lines COPYs run with MAXERROR, so a value of another type
   *     rejects its row
   * @param existingSchemas the schemas read to exist: a table created in one of them is not
   *     preceded by CREATE SCHEMA; the cycle reads the schemas of its missing tables into it
   */
  public SchemaEvolution(
      TypeMapping types,
      boolean autoCreate,
      boolean autoEvolve,
      boolean jsonRowRejects,
      ExistingSchemas existingSchemas) {
    this.types = types;
    this.autoCreate = autoCreate;
    this.autoEvolve = autoEvolve;
    this.jsonRowRejects = jsonRowRejects;
    this.existingSchemas = existingSchemas;
  }

  public ExistingSchemas existingSchemas() {
    return existingSchemas;
  }

  /**
   * True when the columns of these files are checked value by value by COPY rather than by type
   * here.
   */
  public boolean rowLevelTypes(List<FileSchema> schemas) {
    return jsonRowRejects
        && !schemas.isEmpty()
        && schemas.stream().allMatch(s -> s.format() == FileFormat.JSONL);
  }

  /**
   * @param existing the table's columns, or null when the table does not exist
   * @throws IncompatibleSchemaException when the files do not fit and the table must not change
   *     that way
   */
  public TablePlan plan(
      TableRef table, TableSchema existing, List<FileSchema> schemas, TableSettings settings) {
    if (schemas.isEmpty()) {
      // units without files (every record went to the DLQ) only record their markers: nothing to
      // create or check
      Map<String, RedshiftType> cols = new LinkedHashMap<>();
      if (existing != null) {
        existing.columns().values().forEach(c -> cols.put(c.name(), c.type()));
      }
      return new TablePlan(List.of(), cols);
    }
    Map<String, ColumnType> wanted = wantedColumns(table, schemas, settings);
    for (String k : settings.upsertKey()) {
      // rows are matched by the key column: one the files hold only nulls of, and the table lacks,
      // takes their marker type (string), as before nullsOnly was written
      if (!wanted.containsKey(k) && (existing == null || existing.column(k) == null)) {
        nullsOnlyType(table, schemas, k).ifPresent(t -> wanted.put(k, t));
      }
    }
    List<String> ddl = new ArrayList<>();
    List<String> added = new ArrayList<>();
    Map<String, RedshiftType> target = new LinkedHashMap<>();
    if (existing == null) {
      if (!autoCreate) {
        throw new IncompatibleSchemaException(
            "Cannot load into "
                + table
                + ": the table does not exist and tables.auto-create is false. "
                + "Create the table or enable tables.auto-create.");
      }
      for (Map.Entry<String, ColumnType> e : wanted.entrySet()) {
        target.put(e.getKey(), newColumnType(e.getKey(), e.getValue(), settings));
      }
      if (target.isEmpty()) {
        throw new IncompatibleSchemaException(
            "Cannot create " + table + ": the files have no columns to load.");
      }
      if (!existingSchemas.exists(table.schema())) {
        ddl.add(ExistingSchemas.create(table.schema()));
      }
      ddl.add(createTable(table, target, settings));
      checkNoSilentChange(table, schemas, target, settings);
      return new TablePlan(ddl, target, true, List.of());
    }
    Set<String> notNull = new HashSet<>();
    for (TableSchema.Column c : existing.columns().values()) {
      target.put(c.name(), c.type());
      if (!c.nullable()) {
        notNull.add(c.name());
      }
      // a column with a default (or IDENTITY) is filled by the INSERT, which leaves out what the
      // files do not have; a file column of only nulls is not left out, so it still cannot load
      if (!c.nullable()
          && !wanted.containsKey(c.name())
          && (!c.defaulted() || onlyNulls(schemas, c.name()))) {
        throw new IncompatibleSchemaException(
            "Cannot load into "
                + table
                + ": column "
                + c.name()
                + " is NOT NULL but the files "
                + (onlyNulls(schemas, c.name()) ? "hold only nulls in" : "have no")
                + " field "
                + c.name()
                + ". Make the column nullable or add the field to the source.");
      }
    }
    for (Map.Entry<String, ColumnType> e : wanted.entrySet()) {
      TableSchema.Column have = existing.column(e.getKey());
      if (have == null) {
        if (!autoEvolve) {
          throw new IncompatibleSchemaException(
              "Cannot load into "
                  + table
                  + ": the files have a new field '"
                  + e.getKey()
                  + "' and tables.auto-evolve is false. Add the column or enable tables.auto-evolve.");
        }
        RedshiftType t = newColumnType(e.getKey(), e.getValue(), settings);
        added.add(e.getKey());
        ddl.add(
            "ALTER TABLE "
                + table.sql()
                + " ADD COLUMN "
                + Identifiers.quote(e.getKey())
                + " "
                + t.ddl());
        target.put(e.getKey(), t);
      } else if (TypeMapping.narrows(e.getValue(), have.type())) {
        warnNarrowing(table, e.getKey(), have.type(), e.getValue(), rowLevelTypes(schemas));
      } else if (!TypeMapping.insertable(e.getValue(), have.type()) && !rowLevelTypes(schemas)) {
        throw new IncompatibleSchemaException(
            "Cannot load into "
                + table
                + ": column "
                + e.getKey()
                + " is "
                + have.type().ddl()
                + " but the files now hold "
                + e.getValue()
                + " (would need "
                + types.targetType(e.getValue()).ddl()
                + "). Changing a column's type is not automatic: migrate the column, or write the field under a new name, then release the batch.");
      }
    }
    for (String k : settings.upsertKey()) {
      if (!target.containsKey(k)) {
        throw new IncompatibleSchemaException(
            "Cannot upsert into "
                + table
                + ": key column "
                + k
                + " is neither in the table nor in the files. "
                + "Fix upsert.key for this table.");
      }
    }
    checkNoSilentChange(table, schemas, target, settings);
    if (target.size() > MAX_COLUMNS) {
      throw new IncompatibleSchemaException(
          "Cannot add "
              + added.size()
              + " column(s) to "
              + table
              + ": it has "
              + (target.size() - added.size())
              + " and a Redshift table holds at most "
              + MAX_COLUMNS
              + " (new fields: "
              + String.join(", ", added.subList(0, Math.min(10, added.size())))
              + (added.size() > 10 ? ", ..." : "")
              + "). Nest rarely used fields in a struct (one SUPER column) or drop them with an SMT, "
              + "then release the batch.");
    }
    return new TablePlan(ddl, target, false, added, notNull);
  }

  /** The column a file column loads into (its name folded), naming the column when it cannot. */
  /** The marker type of a column named {@code folded} that the files hold only nulls of. */
  private static java.util.Optional<ColumnType> nullsOnlyType(
      TableRef table, List<FileSchema> schemas, String folded) {
    return schemas.stream()
        .flatMap(fs -> fs.columns().stream())
        .filter(c -> c.nullsOnly() && columnName(c, table).equals(folded))
        .map(FileSchema.Column::type)
        .findFirst();
  }

  private static String columnName(FileSchema.Column c, TableRef table) {
    return Identifiers.fold(
        c.name(), "column '" + Identifiers.printable(c.name()) + "' of " + table);
  }

  /** Whether some file has {@code folded} as a column of nulls only. */
  private static boolean onlyNulls(List<FileSchema> schemas, String folded) {
    return schemas.stream()
        .flatMap(s -> s.columns().stream())
        .anyMatch(c -> c.nullsOnly() && Identifiers.fold(c.name(), "a file column").equals(folded));
  }

  /**
   * JSON Lines files whose values COPY checks one by one (load.json.max-errors > 0) skip the type
   * checks above: a value that does not fit its column is rejected into the rejects object. Some do
   * fit, changed, without any error (TypeMapping#changesSilently); a file with such a column is
   * refused like a Parquet file.
   */
  private void checkNoSilentChange(
      TableRef table,
      List<FileSchema> schemas,
      Map<String, RedshiftType> target,
      TableSettings settings) {
    if (!rowLevelTypes(schemas)) {
      return;
    }
    for (FileSchema s : schemas) {
      for (FileSchema.Column c : s.columns()) {
        String folded = columnName(c, table);
        RedshiftType column = target.get(folded);
        if (c.nullsOnly()
            || !settings.metadata().inTarget(folded)
            || column == null
            || !TypeMapping.changesSilently(c.type(), column)) {
          continue;
        }
        throw new IncompatibleSchemaException(
            "Cannot load into "
                + table
                + ": field "
                + folded
                + " is "
                + c.type()
                + " in some files, and COPY would store its values changed (rounded, cut or"
                + " read as other text) in the column's "
                + column.ddl()
                + " without an error. Make the source type consistent, or migrate the column (or write the "
                + "field under a new name), then release the batch.");
      }
    }
  }

  /**
   * The type of a column the loader creates: the mapped type, with a string column's VARCHAR length
   * from the table's design (per column, per table, or tables.varchar-length).
   */
  private RedshiftType newColumnType(String folded, ColumnType type, TableSettings settings) {
    RedshiftType t = types.targetType(type);
    return t.family() == RedshiftType.Family.VARCHAR
        ? RedshiftType.varchar(settings.design().lengthOf(folded, t.length()))
        : t;
  }

  /**
   * Columns the target needs for these files, folded, first-seen order; the same name must keep one
   * type.
   */
  Map<String, ColumnType> wantedColumns(
      TableRef table, List<FileSchema> schemas, TableSettings settings) {
    Map<String, ColumnType> wanted = new LinkedHashMap<>();
    for (FileSchema s : schemas) {
      Map<String, String> seenInFile = new LinkedHashMap<>();
      for (FileSchema.Column c : s.columns()) {
        String folded = columnName(c, table);
        String clash = seenInFile.put(folded, c.name());
        if (clash != null) {
          throw new IncompatibleSchemaException(
              "Cannot load into "
                  + table
                  + ": fields '"
                  + Identifiers.printable(clash)
                  + "' and '"
                  + Identifiers.printable(c.name())
                  + "' both fold to column "
                  + folded
                  + ". Rename one of them in the source.");
        }
        if (!settings.metadata().inTarget(folded) || c.nullsOnly()) {
          // a column of nulls fits any type the table or other files give it, and alone gives none
          continue;
        }
        ColumnType before = wanted.putIfAbsent(folded, c.type());
        if (before != null && !before.equals(c.type())) {
          wanted.put(folded, TypeMapping.wider(before, c.type()));
        }
        if (before != null
            && !before.equals(c.type())
            && !rowLevelTypes(schemas)
            && !bothInsertable(before, c.type(), types.targetType(wanted.get(folded)))) {
          throw new IncompatibleSchemaException(
              "Cannot load into "
                  + table
                  + ": field "
                  + folded
                  + " is "
                  + before
                  + " in some files and "
                  + c.type()
                  + " in others of the same batch. Make the source type consistent, then release the batch.");
        }
      }
      MetadataColumns m = settings.metadata();
      for (String required : List.of(m.topic(), m.partition(), m.offset())) {
        if (!seenInFile.containsKey(required)) {
          throw new IncompatibleSchemaException(
              "Cannot load into "
                  + table
                  + ": the files lack the metadata column "
                  + required
                  + ", which exactly-once loading needs. Enable the connector's metadata columns (metadata.columns.enabled=true); for units written"
                  + " before marker version 2, set the loader's deprecated metadata.*-column keys to the"
                  + " connector's column names.");
        }
      }
    }
    return wanted;
  }

  /**
   * Says once per column what loading wider integers into it means: until the column is widened, a
   * value beyond its range fails its unit.
   */
  private void warnNarrowing(
      TableRef table, String column, RedshiftType have, ColumnType files, boolean rowLevel) {
    if (narrowingWarned.add(table + "\u0000" + column)) {
      LOG.warn(
          "Table {}: column {} is {} but files now hold {}: values that fit load as they are, and {}"
              + " To take every value, widen the column to {} (Redshift changes an integer column's"
              + " type only by rebuilding it: add a column, copy, drop, rename).",
          table,
          column,
          have.ddl(),
          files,
          rowLevel
              ? "a row with a larger value goes to the rejects object (load.json.max-errors)."
              : "a unit with a larger value fails with Redshift's overflow error and is"
                  + " quarantined; release such batches once the column is wider.",
          types.targetType(files).ddl());
    }
  }

  /** CREATE TABLE with the table's design attributes (DISTSTYLE AUTO, sort key, ENCODE AUTO). */
  static String createTable(
      TableRef table, Map<String, RedshiftType> columns, TableSettings settings) {
    StringBuilder b =
        new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table.sql()).append(" (");
    String sep = "";
    for (Map.Entry<String, RedshiftType> e : columns.entrySet()) {
      b.append(sep).append(Identifiers.quote(e.getKey())).append(' ').append(e.getValue().ddl());
      sep = ", ";
    }
    return b.append(')')
        .append(
            settings
                .design()
                .attributes(table, List.copyOf(columns.keySet()), settings.metadata().timestamp()))
        .toString();
  }

  /**
   * Both file types fit the column created for them without loss (int64 into REAL would lose
   * digits).
   */
  private static boolean bothInsertable(ColumnType a, ColumnType b, RedshiftType column) {
    return TypeMapping.insertable(a, column) && TypeMapping.insertable(b, column);
  }
}
