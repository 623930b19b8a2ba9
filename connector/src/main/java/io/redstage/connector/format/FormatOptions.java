package io.redstage.connector.format;

import io.redstage.contract.FileFormat;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Immutable options of the data-file writers: which format and codec, encoder sizes, timestamp unit
 * and the Kafka metadata columns. Built from the connector config with {@link #builder()}; {@link
 * Builder#build()} rejects invalid values with an {@link IllegalArgumentException} that names the
 * value.
 */
public final class FormatOptions {
  public static final int MIB = 1024 * 1024;
  public static final int KIB = 1024;
  public static final int MIN_ROW_GROUP_BYTES = MIB;
  public static final int MAX_ROW_GROUP_BYTES = 512 * MIB;
  public static final int MIN_PAGE_BYTES = 8 * KIB;
  public static final int MAX_PAGE_BYTES = 16 * MIB;

  /** Redshift's largest VARCHAR in bytes: the most varchar.max.bytes may be. */
  public static final int MAX_VARCHAR_BYTES = WarehouseLimits.VARCHAR_MAX_BYTES;

  // Each codec's values as written; the connector's config validates and offers these lists
  public static final List<String> PARQUET_CODECS = List.of("snappy", "zstd", "gzip", "none");
  public static final List<String> AVRO_CODECS = List.of("null", "deflate", "snappy", "zstd");
  public static final List<String> JSON_COMPRESSIONS = List.of("none", "gzip");

  /**
   * Column names must be plain identifiers: they become Avro/Parquet field names and Redshift
   * columns.
   */
  private static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final FileFormat format;
  private final String parquetCodec;
  private final int parquetRowGroupBytes;
  private final int parquetPageBytes;
  private final boolean parquetDictionaryEnabled;
  private final List<String> parquetDictionaryExcludedColumns;
  private final int parquetDictionaryProbeRows;
  private final String avroCodec;
  private final String jsonCompression;
  private final TimestampUnit timestampUnit;
  private final boolean metadataEnabled;
  private final String topicColumn;
  private final String partitionColumn;
  private final String offsetColumn;
  private final String timestampColumn;
  private final boolean keyColumnEnabled;
  private final String keyColumn;
  private final boolean headersColumnEnabled;
  private final String headersColumn;
  private final boolean deleteMarkers;
  private final String deletedColumn;
  private final int varcharMaxBytes;
  private final boolean truncateOversizeStrings;
  private final SchemaCompatibility schemaCompatibility;

  private FormatOptions(Builder b) {
    this.format = Objects.requireNonNull(b.format, "format");
    this.parquetCodec = oneOf("parquet codec", b.parquetCodec, PARQUET_CODECS);
    this.parquetRowGroupBytes =
        within(
            "parquet row group bytes",
            b.parquetRowGroupBytes,
            MIN_ROW_GROUP_BYTES,
            MAX_ROW_GROUP_BYTES);
    this.parquetPageBytes =
        within("parquet page bytes", b.parquetPageBytes, MIN_PAGE_BYTES, MAX_PAGE_BYTES);
    this.parquetDictionaryEnabled = b.parquetDictionaryEnabled;
    this.parquetDictionaryExcludedColumns = List.copyOf(b.parquetDictionaryExcludedColumns);
    if (b.parquetDictionaryProbeRows < 0) {
      throw new IllegalArgumentException(
          "Cannot probe "
              + b.parquetDictionaryProbeRows
              + " rows for repeating values: the count is negative. Give 0 (no probe) or more.");
    }
    this.parquetDictionaryProbeRows = b.parquetDictionaryProbeRows;
    DictionaryExclusions.checkNames(parquetDictionaryExcludedColumns);
    String avro = b.avroCodec == null ? "null" : b.avroCodec;
    this.avroCodec =
        "none".equalsIgnoreCase(avro.trim()) ? "null" : oneOf("avro codec", avro, AVRO_CODECS);
    this.jsonCompression = oneOf("json compression", b.jsonCompression, JSON_COMPRESSIONS);
    this.timestampUnit = Objects.requireNonNull(b.timestampUnit, "timestampUnit");
    this.metadataEnabled = b.metadataEnabled;
    this.topicColumn = b.topicColumn;
    this.partitionColumn = b.partitionColumn;
    this.offsetColumn = b.offsetColumn;
    this.timestampColumn = b.timestampColumn;
    this.keyColumnEnabled = b.keyColumnEnabled;
    this.keyColumn = b.keyColumn;
    this.headersColumnEnabled = b.headersColumnEnabled;
    this.headersColumn = b.headersColumn;
    this.deleteMarkers = b.deleteMarkers;
    this.deletedColumn = b.deletedColumn;
    this.varcharMaxBytes =
        within("varchar max bytes", b.varcharMaxBytes, 1, WarehouseLimits.VARCHAR_MAX_BYTES);
    this.truncateOversizeStrings = b.truncateOversizeStrings;
    this.schemaCompatibility = Objects.requireNonNull(b.schemaCompatibility, "schemaCompatibility");
    checkColumnNames();
  }

  /**
   * Checks a list of columns to exclude from Parquet dictionary encoding (the rule behind {@link
   * #parquetDictionaryExcludedColumns()}, for the connector's config validation).
   *
   * @throws IllegalArgumentException naming the first name that is not a column path, or that is
   *     given twice
   */
  public static void checkDictionaryExcludedColumns(List<String> names) {
    DictionaryExclusions.checkNames(names);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset with this object's values. */
  public Builder toBuilder() {
    return new Builder()
        .format(format)
        .parquetCodec(parquetCodec)
        .parquetRowGroupBytes(parquetRowGroupBytes)
        .parquetPageBytes(parquetPageBytes)
        .parquetDictionaryEnabled(parquetDictionaryEnabled)
        .parquetDictionaryExcludedColumns(parquetDictionaryExcludedColumns)
        .parquetDictionaryProbeRows(parquetDictionaryProbeRows)
        .avroCodec(avroCodec)
        .jsonCompression(jsonCompression)
        .timestampUnit(timestampUnit)
        .metadataEnabled(metadataEnabled)
        .topicColumn(topicColumn)
        .partitionColumn(partitionColumn)
        .offsetColumn(offsetColumn)
        .timestampColumn(timestampColumn)
        .keyColumnEnabled(keyColumnEnabled)
        .keyColumn(keyColumn)
        .headersColumnEnabled(headersColumnEnabled)
        .headersColumn(headersColumn)
        .deleteMarkers(deleteMarkers)
        .deletedColumn(deletedColumn)
        .varcharMaxBytes(varcharMaxBytes)
        .truncateOversizeStrings(truncateOversizeStrings)
        .schemaCompatibility(schemaCompatibility);
  }

  public FileFormat format() {
    return format;
  }

  /** snappy, zstd, gzip or none. */
  public String parquetCodec() {
    return parquetCodec;
  }

  public int parquetRowGroupBytes() {
    return parquetRowGroupBytes;
  }

  public int parquetPageBytes() {
    return parquetPageBytes;
  }

  /**
   * Parquet dictionary encoding (default true): smaller files for repetitive columns, but about 14
   * KB more heap per leaf column for every open file, even an idle one.
   */
  public boolean parquetDictionaryEnabled() {
    return parquetDictionaryEnabled;
  }

  /**
   * Columns Parquet writes without dictionary encoding (default none): top-level column names, or
   * dotted paths of fields inside struct columns; a name covers every leaf column under it.
   */
  public List<String> parquetDictionaryExcludedColumns() {
    return parquetDictionaryExcludedColumns;
  }

  /**
   * Rows of a Parquet file sampled for repeating values (0: none): a top-level column that shows no
   * repeat in them is written without dictionary encoding in that file (see {@link
   * DictionaryProbe}). The builder's default is 0, parquet-java's behaviour; the connector's
   * configuration sets its own.
   */
  public int parquetDictionaryProbeRows() {
    return parquetDictionaryProbeRows;
  }

  /** null (no compression), deflate, snappy or zstd. */
  public String avroCodec() {
    return avroCodec;
  }

  /** none or gzip. */
  public String jsonCompression() {
    return jsonCompression;
  }

  public TimestampUnit timestampUnit() {
    return timestampUnit;
  }

  /** Whether the topic, partition, offset and timestamp columns are written. */
  public boolean metadataEnabled() {
    return metadataEnabled;
  }

  public String topicColumn() {
    return topicColumn;
  }

  public String partitionColumn() {
    return partitionColumn;
  }

  public String offsetColumn() {
    return offsetColumn;
  }

  public String timestampColumn() {
    return timestampColumn;
  }

  public boolean keyColumnEnabled() {
    return keyColumnEnabled;
  }

  public String keyColumn() {
    return keyColumn;
  }

  public boolean headersColumnEnabled() {
    return headersColumnEnabled;
  }

  public String headersColumn() {
    return headersColumn;
  }

  /** Whether tombstones are written as delete rows (behavior.on.null.values=write). */
  public boolean deleteMarkers() {
    return deleteMarkers;
  }

  public String deletedColumn() {
    return deletedColumn;
  }

  /**
   * Most UTF-8 bytes of a string column value (varchar.max.bytes); strings inside SUPER may hold
   * 65535.
   */
  public int varcharMaxBytes() {
    return varcharMaxBytes;
  }

  /**
   * Whether longer strings are cut to the limit (behavior.on.oversize.string=truncate) instead of
   * rejected.
   */
  public boolean truncateOversizeStrings() {
    return truncateOversizeStrings;
  }

  /**
   * Which other versions of a file's value schema its records may have, projected to it
   * (schema.compatibility).
   */
  public SchemaCompatibility schemaCompatibility() {
    return schemaCompatibility;
  }

  /** The metadata column names that are written, in file order. */
  List<String> metadataColumnNames() {
    List<String> names = new ArrayList<>(7);
    if (metadataEnabled) {
      names.add(topicColumn);
      names.add(partitionColumn);
      names.add(offsetColumn);
      names.add(timestampColumn);
    }
    if (keyColumnEnabled) {
      names.add(keyColumn);
    }
    if (headersColumnEnabled) {
      names.add(headersColumn);
    }
    if (deleteMarkers) {
      names.add(deletedColumn);
    }
    return names;
  }

  private void checkColumnNames() {
    Set<String> seen = new HashSet<>();
    for (String name : metadataColumnNames()) {
      if (name == null || !COLUMN_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "Cannot use '"
                + name
                + "' as a metadata column name: it must match "
                + COLUMN_NAME.pattern()
                + ". Choose a plain identifier.");
      }
      if (!seen.add(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            "Cannot use '"
                + name
                + "' for two metadata columns: "
                + "Redshift column names are case-insensitive. Give each metadata column its own name.");
      }
    }
  }

  private static String oneOf(String what, String value, List<String> allowed) {
    if (value != null) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      for (String a : allowed) {
        if (a.equals(v)) {
          return a;
        }
      }
    }
    throw new IllegalArgumentException(
        "Cannot use "
            + what
            + " '"
            + value
            + "': expected one of "
            + String.join(", ", allowed)
            + ".");
  }

  private static int within(String what, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "Cannot use " + what + " " + value + ": it must be between " + min + " and " + max + ".");
    }
    return value;
  }

  @Override
  public String toString() {
    return "FormatOptions{format="
        + format.id()
        + ", parquetCodec="
        + parquetCodec
        + ", rowGroup="
        + parquetRowGroupBytes
        + ", page="
        + parquetPageBytes
        + ", dictionary="
        + parquetDictionaryEnabled
        + (parquetDictionaryExcludedColumns.isEmpty()
            ? ""
            : " (not " + String.join(",", parquetDictionaryExcludedColumns) + ")")
        + ", dictionaryProbeRows="
        + parquetDictionaryProbeRows
        + ", avroCodec="
        + avroCodec
        + ", json="
        + jsonCompression
        + ", timestamps="
        + timestampUnit
        + ", columns="
        + metadataColumnNames()
        + ", varcharMaxBytes="
        + varcharMaxBytes
        + (truncateOversizeStrings ? " (truncate)" : "")
        + ", schemaCompatibility="
        + schemaCompatibility
        + "}";
  }

  /** Mutable builder with the documented defaults. */
  public static final class Builder {
    private FileFormat format = FileFormat.PARQUET;
    private String parquetCodec = "snappy";
    private int parquetRowGroupBytes = 8 * MIB;
    private int parquetPageBytes = 256 * KIB;
    private boolean parquetDictionaryEnabled = true;
    private List<String> parquetDictionaryExcludedColumns = List.of();
    private int parquetDictionaryProbeRows;
    private String avroCodec = "null";
    private String jsonCompression = "none";
    private TimestampUnit timestampUnit = TimestampUnit.MILLIS;
    private boolean metadataEnabled = true;
    private String topicColumn = "kafka_topic";
    private String partitionColumn = "kafka_partition";
    private String offsetColumn = "kafka_offset";
    private String timestampColumn = "kafka_timestamp";
    private boolean keyColumnEnabled;
    private String keyColumn = "kafka_key";
    private boolean headersColumnEnabled;
    private String headersColumn = "kafka_headers";
    private boolean deleteMarkers;
    private String deletedColumn = "kafka_deleted";
    private int varcharMaxBytes = WarehouseLimits.VARCHAR_MAX_BYTES;
    private boolean truncateOversizeStrings;
    private SchemaCompatibility schemaCompatibility = SchemaCompatibility.NONE;

    private Builder() {}

    public Builder format(FileFormat v) {
      this.format = v;
      return this;
    }

    public Builder parquetCodec(String v) {
      this.parquetCodec = v;
      return this;
    }

    public Builder parquetRowGroupBytes(int v) {
      this.parquetRowGroupBytes = v;
      return this;
    }

    public Builder parquetPageBytes(int v) {
      this.parquetPageBytes = v;
      return this;
    }

    public Builder parquetDictionaryEnabled(boolean v) {
      this.parquetDictionaryEnabled = v;
      return this;
    }

    public Builder parquetDictionaryExcludedColumns(List<String> v) {
      this.parquetDictionaryExcludedColumns = v;
      return this;
    }

    public Builder parquetDictionaryProbeRows(int v) {
      this.parquetDictionaryProbeRows = v;
      return this;
    }

    public Builder avroCodec(String v) {
      this.avroCodec = v;
      return this;
    }

    public Builder jsonCompression(String v) {
      this.jsonCompression = v;
      return this;
    }

    public Builder timestampUnit(TimestampUnit v) {
      this.timestampUnit = v;
      return this;
    }

    public Builder metadataEnabled(boolean v) {
      this.metadataEnabled = v;
      return this;
    }

    public Builder topicColumn(String v) {
      this.topicColumn = v;
      return this;
    }

    public Builder partitionColumn(String v) {
      this.partitionColumn = v;
      return this;
    }

    public Builder offsetColumn(String v) {
      this.offsetColumn = v;
      return this;
    }

    public Builder timestampColumn(String v) {
      this.timestampColumn = v;
      return this;
    }

    public Builder keyColumnEnabled(boolean v) {
      this.keyColumnEnabled = v;
      return this;
    }

    public Builder keyColumn(String v) {
      this.keyColumn = v;
      return this;
    }

    public Builder headersColumnEnabled(boolean v) {
      this.headersColumnEnabled = v;
      return this;
    }

    public Builder headersColumn(String v) {
      this.headersColumn = v;
      return this;
    }

    public Builder deleteMarkers(boolean v) {
      this.deleteMarkers = v;
      return this;
    }

    public Builder deletedColumn(String v) {
      this.deletedColumn = v;
      return this;
    }

    public Builder varcharMaxBytes(int v) {
      this.varcharMaxBytes = v;
      return this;
    }

    public Builder truncateOversizeStrings(boolean v) {
      this.truncateOversizeStrings = v;
      return this;
    }

    public Builder schemaCompatibility(SchemaCompatibility v) {
      this.schemaCompatibility = v;
      return this;
    }

    public FormatOptions build() {
      return new FormatOptions(this);
    }
  }
}
