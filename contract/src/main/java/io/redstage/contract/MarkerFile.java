package io.redstage.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One complete, immutable data file of a commit unit: its S3 key, exact size (the loader copies it
 * into the COPY manifest's {@code meta.content_length}), record count, format, compression and
 * column list.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class MarkerFile {
  /** The compressions a JSON Lines file may have: what the connector writes and COPY is told. */
  public static final Set<String> JSONL_COMPRESSIONS = Set.of("none", "gzip", "gz");

  private final String key;
  private final long bytes;
  private final long records;
  private final FileFormat format;
  private final String compression;
  private final String encodedPartition;
  private final List<MarkerColumn> columns;

  @JsonCreator
  public MarkerFile(
      @JsonProperty("key") String key,
      @JsonProperty("bytes") long bytes,
      @JsonProperty("records") long records,
      @JsonProperty("format") FileFormat format,
      @JsonProperty("compression") String compression,
      @JsonProperty("encodedPartition") String encodedPartition,
      @JsonProperty("columns") List<MarkerColumn> columns) {
    this.key = Objects.requireNonNull(key, "key");
    if (bytes < 0 || records < 0) {
      throw new IllegalArgumentException(
          "Cannot build a marker file entry for "
              + key
              + ": "
              + bytes
              + " bytes, "
              + records
              + " records (neither may be negative)");
    }
    this.bytes = bytes;
    this.records = records;
    this.format = Objects.requireNonNull(format, "format");
    this.compression = compression == null ? "none" : compression;
    if (format == FileFormat.JSONL && !JSONL_COMPRESSIONS.contains(this.compression)) {
      // COPY must be told a JSON file's compression; one it is not told would load as text
      throw new IllegalArgumentException(
          "Cannot build a marker file entry for "
              + key
              + ": JSON Lines compression '"
              + this.compression
              + "' is not one of "
              + JSONL_COMPRESSIONS
              + ". Upgrade the loader to the connector's version.");
    }
    this.encodedPartition = encodedPartition;
    this.columns = List.copyOf(Objects.requireNonNull(columns, "columns"));
  }

  @JsonProperty
  public String key() {
    return key;
  }

  @JsonProperty
  public long bytes() {
    return bytes;
  }

  @JsonProperty
  public long records() {
    return records;
  }

  @JsonProperty
  public FileFormat format() {
    return format;
  }

  /** Codec inside the file (Parquet/Avro) or of the whole file (JSON Lines: none or gzip). */
  @JsonProperty
  public String compression() {
    return compression;
  }

  @JsonProperty
  public String encodedPartition() {
    return encodedPartition;
  }

  @JsonProperty
  public List<MarkerColumn> columns() {
    return columns;
  }

  /**
   * The column with this role, or empty when the file has none or its marker (version 1) states no
   * roles.
   */
  public Optional<MarkerColumn> column(ColumnRole role) {
    for (MarkerColumn c : columns) {
      if (c.role().orElse(null) == role) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MarkerFile)) {
      return false;
    }
    MarkerFile f = (MarkerFile) o;
    return key.equals(f.key)
        && bytes == f.bytes
        && records == f.records
        && format == f.format
        && compression.equals(f.compression)
        && Objects.equals(encodedPartition, f.encodedPartition)
        && columns.equals(f.columns);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, bytes, records, format, compression, encodedPartition, columns);
  }

  @Override
  public String toString() {
    return key + " (" + bytes + " bytes, " + records + " records)";
  }
}
