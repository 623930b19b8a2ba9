package io.redstage.connector.partition;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Partitioner settings, built by the lead from the connector config (keys named like Confluent's,
 * see the {@code *_CONFIG} constants). Values are checked when {@link Partitioners#create} builds
 * the partitioner.
 */
public final class PartitionerSettings {
  public static final String PARTITIONER_CONFIG = "partitioner.class";
  public static final String FIELD_NAME_CONFIG = "partition.field.name";
  public static final String PATH_FORMAT_CONFIG = "path.format";
  public static final String DURATION_CONFIG = "partition.duration.ms";
  public static final String LOCALE_CONFIG = "locale";
  public static final String TIMEZONE_CONFIG = "timezone";
  public static final String TIMESTAMP_EXTRACTOR_CONFIG = "timestamp.extractor";
  public static final String TIMESTAMP_FIELD_CONFIG = "timestamp.field";
  public static final String DIRECTORY_DELIM_CONFIG = "directory.delim";

  public static final String TYPE_DEFAULT = "default";
  public static final String TYPE_FIELD = "field";
  public static final String TYPE_TIME = "time";
  public static final String TYPE_HOURLY = "hourly";
  public static final String TYPE_DAILY = "daily";

  /** Every partitioner type, as partitioner.class names it. */
  public static final List<String> TYPES =
      List.of(TYPE_DEFAULT, TYPE_FIELD, TYPE_TIME, TYPE_HOURLY, TYPE_DAILY);

  /** The partitioner types that put files under paths made from a timestamp. */
  public static final List<String> TIME_TYPES = List.of(TYPE_TIME, TYPE_HOURLY, TYPE_DAILY);

  /** Whether partitioner type {@code type} puts files under paths made from a timestamp. */
  public static boolean readsTime(String type) {
    return TIME_TYPES.contains(type);
  }

  public static final String EXTRACTOR_RECORD = "Record";
  public static final String EXTRACTOR_RECORD_FIELD = "RecordField";
  public static final String EXTRACTOR_WALLCLOCK = "Wallclock";

  /** Every timestamp extractor, as timestamp.extractor names it. */
  public static final List<String> EXTRACTORS =
      List.of(EXTRACTOR_RECORD, EXTRACTOR_RECORD_FIELD, EXTRACTOR_WALLCLOCK);

  private final String type;
  private final List<String> fieldNames;
  private final String pathFormat;
  private final long partitionDurationMs;
  private final Locale locale;
  private final ZoneId timezone;
  private final String timestampExtractor;
  private final String timestampField;
  private final String directoryDelim;

  private PartitionerSettings(Builder b) {
    this.type = b.type;
    this.fieldNames = Collections.unmodifiableList(new ArrayList<>(b.fieldNames));
    this.pathFormat = b.pathFormat;
    this.partitionDurationMs = b.partitionDurationMs;
    this.locale = b.locale;
    this.timezone = b.timezone;
    this.timestampExtractor = b.timestampExtractor;
    this.timestampField = b.timestampField;
    this.directoryDelim = b.directoryDelim;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * "default", "field", "time", "hourly" or "daily" (see {@link Partitioners#typeForClassName}).
   */
  public String type() {
    return type;
  }

  /** Field paths of the field partitioner, dots for nesting ("address.city"). */
  public List<String> fieldNames() {
    return fieldNames;
  }

  /**
   * Joda-style pattern of the time partitioner, e.g. {@code 'year'=YYYY/'month'=MM}; null when
   * unset.
   */
  public String pathFormat() {
    return pathFormat;
  }

  /** Time bucket size; 0 when unset. */
  public long partitionDurationMs() {
    return partitionDurationMs;
  }

  public Locale locale() {
    return locale;
  }

  public ZoneId timezone() {
    return timezone;
  }

  /** "Record", "RecordField" or "Wallclock". */
  public String timestampExtractor() {
    return timestampExtractor;
  }

  public String timestampField() {
    return timestampField;
  }

  public String directoryDelim() {
    return directoryDelim;
  }

  @Override
  public String toString() {
    return "PartitionerSettings{type="
        + type
        + ", fieldNames="
        + fieldNames
        + ", pathFormat="
        + pathFormat
        + ", partitionDurationMs="
        + partitionDurationMs
        + ", locale="
        + locale
        + ", timezone="
        + timezone
        + ", timestampExtractor="
        + timestampExtractor
        + ", timestampField="
        + timestampField
        + ", directoryDelim="
        + directoryDelim
        + "}";
  }

  /**
   * Collects the values. It has no defaults of its own: the connector's ConfigDef is the one home
   * of every default, so type, locale, timezone, timestamp extractor and field, and delimiter must
   * be given.
   */
  public static final class Builder {
    private String type;
    private final List<String> fieldNames = new ArrayList<>();
    private String pathFormat;
    private long partitionDurationMs;
    private Locale locale;
    private ZoneId timezone;
    private String timestampExtractor;
    private String timestampField;
    private String directoryDelim;

    private Builder() {}

    /**
     * A short name or a Confluent partitioner class name, see {@link
     * Partitioners#typeForClassName}.
     */
    public Builder type(String typeOrClassName) {
      this.type = Partitioners.typeForClassName(typeOrClassName);
      return this;
    }

    public Builder fieldNames(List<String> names) {
      fieldNames.clear();
      fieldNames.addAll(Objects.requireNonNull(names, "names"));
      return this;
    }

    public Builder pathFormat(String pathFormat) {
      this.pathFormat = pathFormat;
      return this;
    }

    public Builder partitionDurationMs(long partitionDurationMs) {
      this.partitionDurationMs = partitionDurationMs;
      return this;
    }

    public Builder locale(Locale locale) {
      this.locale = Objects.requireNonNull(locale, "locale");
      return this;
    }

    public Builder timezone(ZoneId timezone) {
      this.timezone = Objects.requireNonNull(timezone, "timezone");
      return this;
    }

    public Builder timestampExtractor(String timestampExtractor) {
      this.timestampExtractor = Objects.requireNonNull(timestampExtractor, "timestampExtractor");
      return this;
    }

    public Builder timestampField(String timestampField) {
      this.timestampField = timestampField;
      return this;
    }

    public Builder directoryDelim(String directoryDelim) {
      this.directoryDelim = Objects.requireNonNull(directoryDelim, "directoryDelim");
      return this;
    }

    public PartitionerSettings build() {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(locale, "locale");
      Objects.requireNonNull(timezone, "timezone");
      Objects.requireNonNull(timestampExtractor, "timestampExtractor");
      Objects.requireNonNull(timestampField, "timestampField");
      Objects.requireNonNull(directoryDelim, "directoryDelim");
      return new PartitionerSettings(this);
    }
  }
}
