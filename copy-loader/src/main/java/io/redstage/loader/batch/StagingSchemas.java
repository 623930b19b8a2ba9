package io.redstage.loader.batch;

import io.redstage.contract.ColumnRole;
import io.redstage.contract.FileFormat;
import io.redstage.loader.sql.Identifiers;
import io.redstage.loader.sql.TypeMapping;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which file schemas share a staging table (one CREATE and one COPY each in the load transaction,
 * whose BatchExecuteStatement holds at most 40 statements). COPY from Parquet maps columns by
 * position, so Parquet files share one only with an identical column list, and so do Avro files
 * (each COPY reads the file's own schema). COPY from JSON ('auto ignorecase') maps every key to the
 * column of its name and loads a key a line lacks as NULL: JSON Lines files of one compression
 * share a staging table holding the union of their columns, as long as each column they have in
 * common has one type (or holds only nulls in some of them). Without that, a unit of schemaless
 * records partitioned by a field (one file per field value, each listing the fields its own records
 * carry, in first-seen order) needed a staging table per file and, past about 16 files, could never
 * load.
 *
 * <p>When JSON Lines COPYs run with MAXERROR ({@code load.json.max-errors} > 0), a value column's
 * type may differ too: its staging column takes the target column's type whatever the file says
 * (StagingTables), COPY converts each value and rejects only the rows whose value does not convert.
 * The group's column then has the wider of the types ({@code TypeMapping.wider}); the table is
 * still planned from every file's own types ({@link Batch#fileSchemas}). Metadata columns and
 * columns of version-1 markers (no role) keep one type: those not in the target are staged with the
 * file's type.
 */
final class StagingSchemas {
  private StagingSchemas() {}

  /**
   * For each schema (in the order given), the schema of the staging table its files load into.
   * Identical inputs map to one staging schema; the mapping depends on the order (first fit).
   *
   * @param jsonRowRejects JSON Lines COPYs run with MAXERROR, so JSON Lines files may differ in a
   *     value column's type
   */
  static Map<FileSchema, FileSchema> assign(
      Collection<FileSchema> schemas, boolean jsonRowRejects) {
    List<Merged> groups = new ArrayList<>();
    Map<FileSchema, Merged> of = new LinkedHashMap<>();
    for (FileSchema s : schemas) {
      if (of.containsKey(s)) {
        continue;
      }
      Merged into = null;
      for (Merged g : groups) {
        if (g.accepts(s)) {
          into = g;
          break;
        }
      }
      if (into == null) {
        into = new Merged(s.format(), s.compression(), jsonRowRejects);
        groups.add(into);
      }
      into.add(s);
      of.put(s, into);
    }
    Map<FileSchema, FileSchema> out = new LinkedHashMap<>();
    of.forEach((s, g) -> out.put(s, g.schema()));
    return out;
  }

  /** How many staging tables files of these schemas load through. */
  static int count(Collection<FileSchema> schemas, boolean jsonRowRejects) {
    return new HashSet<>(assign(schemas, jsonRowRejects).values()).size();
  }

  /** A staging table's columns as files join it, keyed by folded name. */
  private static final class Merged {
    private final FileFormat format;
    private final String compression;
    private final boolean jsonRowRejects;
    private final Map<String, FileSchema.Column> columns = new LinkedHashMap<>();

    /** Folded names of the columns its files hold in more than one type. */
    private final Set<String> mixed = new HashSet<>();

    /** The first file schema: Parquet and Avro files share only an identical one. */
    private FileSchema first;

    Merged(FileFormat format, String compression, boolean jsonRowRejects) {
      this.format = format;
      this.compression = compression;
      this.jsonRowRejects = jsonRowRejects;
    }

    boolean accepts(FileSchema s) {
      if (format != s.format() || !Objects.equals(compression, s.compression())) {
        return false;
      }
      if (format != FileFormat.JSONL) {
        // a file of a version-1 marker (no roles) shares with one of a version-2 marker, as
        // before the loader read roles
        return withoutRoles(first).equals(withoutRoles(s));
      }
      for (FileSchema.Column c : s.columns()) {
        String k = fold(c);
        FileSchema.Column have = columns.get(k);
        boolean differs =
            have != null
                && (mixed.contains(k)
                    || !have.nullsOnly() && !c.nullsOnly() && !have.type().equals(c.type()));
        // have.value(): a value column in every file that has it so far (add keeps the role only
        // while they agree)
        if (differs && !(jsonRowRejects && c.value() && have.value())) {
          return false;
        }
      }
      return true;
    }

    void add(FileSchema s) {
      if (first == null) {
        first = s;
      }
      for (FileSchema.Column c : s.columns()) {
        String k = fold(c);
        FileSchema.Column have = columns.get(k);
        if (have == null) {
          columns.put(k, c);
          continue;
        }
        ColumnRole role = Objects.equals(have.role(), c.role()) ? c.role() : null;
        if (have.nullsOnly() || c.nullsOnly()) {
          // a column of nulls takes the type another file gives it (its own type says nothing)
          FileSchema.Column typed = have.nullsOnly() ? c : have;
          columns.put(
              k, new FileSchema.Column(typed.name(), typed.type(), typed.nullsOnly(), role));
        } else {
          if (!have.type().equals(c.type())) {
            mixed.add(k);
          }
          // on a conflict (value columns under MAXERROR), whatever reads the group's schema sees
          // the type the table would be planned with for both
          columns.put(
              k,
              new FileSchema.Column(
                  have.name(), TypeMapping.wider(have.type(), c.type()), false, role));
        }
      }
    }

    FileSchema schema() {
      return new FileSchema(format, compression, List.copyOf(columns.values()));
    }

    private static FileSchema withoutRoles(FileSchema s) {
      List<FileSchema.Column> cols = new ArrayList<>();
      for (FileSchema.Column c : s.columns()) {
        cols.add(new FileSchema.Column(c.name(), c.type(), c.nullsOnly(), null));
      }
      return new FileSchema(s.format(), s.compression(), cols);
    }

    private static String fold(FileSchema.Column c) {
      // no checks here: a name Redshift cannot take fails its batch's statements, where the unit
      // is quarantined; planning must go on for the other units
      return Identifiers.foldCase(c.name());
    }
  }
}
