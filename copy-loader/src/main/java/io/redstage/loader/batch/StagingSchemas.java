package io.redstage.loader.batch;

import io.redstage.contract.FileFormat;
import io.redstage.loader.sql.Identifiers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 */
final class StagingSchemas {
  private StagingSchemas() {}

  /**
   * For each schema (in the order given), the schema of the staging table its files load into.
   * Identical inputs map to one staging schema; the mapping depends on the order (first fit).
   */
  static Map<FileSchema, FileSchema> assign(Collection<FileSchema> schemas) {
    List<Merged> groups = new ArrayList<>();
    Map<FileSchema, Merged> of = new LinkedHashMap<>();
    for (FileSchema s : schemas) {
      if (of.containsKey(s)) {
        continue;
      }
      Merged into = null;
      if (s.format() == FileFormat.JSONL) {
        for (Merged g : groups) {
          if (g.accepts(s)) {
            into = g;
            break;
          }
        }
      }
      if (into == null) {
        into = new Merged(s.format(), s.compression());
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
  static int count(Collection<FileSchema> schemas) {
    return new HashSet<>(assign(schemas).values()).size();
  }

  /** A staging table's columns as files join it, keyed by folded name. */
  private static final class Merged {
    private final FileFormat format;
    private final String compression;
    private final Map<String, FileSchema.Column> columns = new LinkedHashMap<>();

    Merged(FileFormat format, String compression) {
      this.format = format;
      this.compression = compression;
    }

    boolean accepts(FileSchema s) {
      if (format != FileFormat.JSONL || !Objects.equals(compression, s.compression())) {
        return false;
      }
      for (FileSchema.Column c : s.columns()) {
        FileSchema.Column have = columns.get(fold(c));
        if (have != null && !have.nullsOnly() && !c.nullsOnly() && !have.type().equals(c.type())) {
          return false;
        }
      }
      return true;
    }

    void add(FileSchema s) {
      for (FileSchema.Column c : s.columns()) {
        // a column of nulls takes the type another file gives it (its own type says nothing)
        columns.merge(fold(c), c, (have, added) -> have.nullsOnly() ? added : have);
      }
    }

    FileSchema schema() {
      return new FileSchema(format, compression, List.copyOf(columns.values()));
    }

    private static String fold(FileSchema.Column c) {
      // no checks here: a name Redshift cannot take fails its batch's statements, where the unit
      // is quarantined; planning must go on for the other units
      return Identifiers.foldCase(c.name());
    }
  }
}
