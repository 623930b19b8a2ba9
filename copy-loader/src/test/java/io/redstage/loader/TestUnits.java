package io.redstage.loader;

import io.redstage.contract.ColumnRole;
import io.redstage.contract.ColumnType;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.DataFileNames;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.MetadataColumns;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builds commit units with the contract's own classes (not hand-written JSON). */
public final class TestUnits {
  public static final String MARKERS = "_redstage/markers";

  /** The bucket the units' markers name: the one the ITs' stacks scan (a marker names its own). */
  public static final String BUCKET = "staging";

  private TestUnits() {}

  public static List<MarkerColumn> metadataColumns() {
    return List.of(
        new MarkerColumn(
            "kafka_topic", ColumnType.of(ColumnType.Kind.STRING), false, ColumnRole.TOPIC),
        new MarkerColumn(
            "kafka_partition", ColumnType.of(ColumnType.Kind.INT32), false, ColumnRole.PARTITION),
        new MarkerColumn(
            "kafka_offset", ColumnType.of(ColumnType.Kind.INT64), false, ColumnRole.OFFSET),
        new MarkerColumn(
            "kafka_timestamp",
            ColumnType.of(ColumnType.Kind.TIMESTAMP_MILLIS),
            true,
            ColumnRole.TIMESTAMP));
  }

  /** Value columns followed by the metadata columns, as the connector writes them. */
  public static List<MarkerColumn> columns(MarkerColumn... values) {
    List<MarkerColumn> cols = new ArrayList<>(List.of(values));
    cols.addAll(metadataColumns());
    return cols;
  }

  public static MarkerColumn col(String name, ColumnType.Kind kind) {
    return new MarkerColumn(name, ColumnType.of(kind), true);
  }

  public static MarkerFile file(
      String key, long bytes, long records, FileFormat format, List<MarkerColumn> columns) {
    return new MarkerFile(
        key,
        bytes,
        records,
        format,
        format == FileFormat.PARQUET ? "snappy" : "none",
        null,
        columns);
  }

  public static Unit unit(
      String topic, int partition, long start, long end, List<MarkerFile> files) {
    long records = files.stream().mapToLong(MarkerFile::records).sum();
    CommitMarker m =
        new CommitMarker(
            CommitMarker.FORMAT_VERSION,
            topic,
            partition,
            start,
            end,
            records,
            BUCKET,
            1_000L,
            "flush.size",
            files);
    return new Unit(MarkerKeys.markerKey(MARKERS, topic, partition, start, end), m);
  }

  /**
   * The key the connector gives a file of unit {@code [start, end]} under {@code path}, with its
   * default delimiter and 20-digit offsets.
   */
  public static String dataKey(
      String topic, String path, int partition, long start, long end, String extension) {
    return "topics/"
        + topic
        + "/"
        + path
        + "/"
        + DataFileNames.fileName(
            topic, partition, start, end, DataFileNames.DEFAULT_DELIM, 20, extension);
  }

  /** A unit with one Parquet file holding an id and a name. */
  public static Unit simple(String topic, int partition, long start, long end) {
    String key = dataKey(topic, "partition=" + partition, partition, start, end, ".parquet");
    return unit(
        topic,
        partition,
        start,
        end,
        List.of(
            file(
                key,
                1000,
                end - start + 1,
                FileFormat.PARQUET,
                columns(col("id", ColumnType.Kind.INT64), col("name", ColumnType.Kind.STRING)))));
  }

  /**
   * The metadata columns under their default names (the loader's defaults), keeping {@code kept} in
   * the target.
   */
  public static MetadataColumns defaultMetadata(Set<String> kept) {
    return new MetadataColumns(
        "kafka_topic",
        "kafka_partition",
        "kafka_offset",
        "kafka_timestamp",
        "kafka_key",
        "kafka_headers",
        "kafka_deleted",
        kept);
  }
}
