package io.redstage.loader.batch;

import io.redstage.contract.ColumnRole;
import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one staging table and one COPY need to agree on: the file format, the whole-file compression
 * (JSON Lines only; Parquet and Avro compress inside the file) and the columns in file order (name
 * and type; nullability does not matter, staging columns are nullable). Parquet COPY maps by
 * position, so files with a different column list must never share a staging table.
 */
public record FileSchema(FileFormat format, String compression, List<Column> columns) {
  /**
   * A column as COPY sees it. {@code nullsOnly}: every value in the file is null, so {@code type}
   * says nothing (a schemaless JSON Lines key; see {@link MarkerColumn#ofNulls}): such a column
   * takes the table's type, and a table without it does not get it from these files. {@code role}:
   * what the marker says the column holds, null when it does not say (a version-1 marker); JSON
   * Lines files may share a staging table despite a value column's type ({@link StagingSchemas}).
   */
  public record Column(String name, ColumnType type, boolean nullsOnly, ColumnRole role) {
    public Column(String name, ColumnType type) {
      this(name, type, false, null);
    }

    /** Whether the marker says this is a field of the record value (not Kafka metadata). */
    public boolean value() {
      return role == ColumnRole.VALUE;
    }
  }

  public static FileSchema of(MarkerFile f) {
    List<Column> cols = new ArrayList<>();
    for (MarkerColumn c : f.columns()) {
      cols.add(new Column(c.name(), c.type(), c.nullsOnly(), c.role().orElse(null)));
    }
    String compression =
        f.format() == FileFormat.JSONL ? f.compression().toLowerCase(Locale.ROOT) : "internal";
    return new FileSchema(f.format(), compression, List.copyOf(cols));
  }

  public boolean hasColumn(String name) {
    return columns.stream().anyMatch(c -> c.name().equalsIgnoreCase(name));
  }

  public boolean gzip() {
    return format == FileFormat.JSONL && (compression.equals("gzip") || compression.equals("gz"));
  }
}
