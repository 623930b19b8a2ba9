package io.redstage.connector.config;

import static io.redstage.connector.config.SinkConfigDef.*;

import io.redstage.connector.partition.PartitionerSettings;
import io.redstage.connector.partition.Partitioners;
import io.redstage.contract.FileFormat;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * The parsed connector config with typed accessors. Cross-key rules are checked on construction.
 */
public final class SinkConfig extends AbstractConfig {
  public static final ConfigDef CONFIG_DEF = SinkConfigDef.create();

  public SinkConfig(Map<String, ?> props) {
    this(props, true);
  }

  SinkConfig(Map<String, ?> props, boolean checkCrossFieldRules) {
    super(CONFIG_DEF, props, false);
    if (checkCrossFieldRules) {
      CrossFieldValidator.throwIfInvalid(this);
    }
  }

  public String bucket() {
    return getString(S3_BUCKET);
  }

  public String topicsDir() {
    return getString(TOPICS_DIR);
  }

  public String markersDir() {
    return getString(MARKERS_DIR);
  }

  public String tmpDir() {
    return getString(TMP_DIR);
  }

  public String directoryDelim() {
    return getString(DIRECTORY_DELIM);
  }

  public String fileDelim() {
    return getString(FILE_DELIM);
  }

  public int zeroPadWidth() {
    return getInt(ZERO_PAD_WIDTH);
  }

  public FileFormat format() {
    return Aliases.format(getString(FORMAT_CLASS));
  }

  public String partitionerType() {
    return Aliases.partitioner(getString(PARTITIONER_CLASS));
  }

  public List<String> partitionFields() {
    return getList(PARTITION_FIELD_NAME);
  }

  /** Record, RecordField or Wallclock (Confluent's class names for them map to these). */
  public String timestampExtractor() {
    return Partitioners.extractorName(getString(TIMESTAMP_EXTRACTOR));
  }

  public String timestampField() {
    return getString(TIMESTAMP_FIELD);
  }

  public int flushSize() {
    return getInt(FLUSH_SIZE);
  }

  public long flushSizeBytes() {
    return getLong(FLUSH_SIZE_BYTES);
  }

  public long rotateIntervalMs() {
    return getLong(ROTATE_INTERVAL_MS);
  }

  public long rotateScheduleIntervalMs() {
    return getLong(ROTATE_SCHEDULE_INTERVAL_MS);
  }

  public long rotateIdleMs() {
    return getLong(ROTATE_IDLE_MS);
  }

  public long rotateTaskIdleMs() {
    return getLong(ROTATE_TASK_IDLE_MS);
  }

  /** What the partitioner and the timestamp extractor are built from. */
  public PartitionerSettings partitionerSettings() {
    return PartitionerSettings.builder()
        .type(partitionerType())
        .fieldNames(partitionFields())
        .pathFormat(getString(PATH_FORMAT))
        .partitionDurationMs(getLong(PARTITION_DURATION_MS))
        .locale(locale())
        .timezone(ZoneId.of(timezone()))
        .timestampExtractor(timestampExtractor())
        .timestampField(timestampField())
        .directoryDelim(directoryDelim())
        .build();
  }

  /**
   * The locale of path.format's month and day names; empty (Confluent's default, which configs
   * exported from it carry) is the default, as for timezone, not Java's root locale.
   */
  public Locale locale() {
    String tag = getString(LOCALE).trim();
    return localeOf(
        tag.isEmpty() ? (String) CONFIG_DEF.configKeys().get(LOCALE).defaultValue : tag);
  }

  /** A language tag, with Java's underscore spelling (en_US) read as en-US. */
  static Locale localeOf(String tag) {
    return Locale.forLanguageTag(tag.trim().replace('_', '-'));
  }

  /**
   * The time zone; empty (Confluent's default, which configs exported from it carry) is the
   * default.
   */
  public String timezone() {
    String zone = getString(TIMEZONE).trim();
    return zone.isEmpty() ? (String) CONFIG_DEF.configKeys().get(TIMEZONE).defaultValue : zone;
  }

  public String behaviorOnNullValues() {
    return getString(BEHAVIOR_ON_NULL_VALUES).toLowerCase(Locale.ROOT);
  }

  public long memoryBufferMaxBytes() {
    return getLong(MEMORY_BUFFER_MAX_BYTES);
  }

  /** A non-empty string setting, or null. */
  String optional(String key) {
    Object raw = get(key);
    String v = raw instanceof Password ? ((Password) raw).value() : (String) raw;
    return v == null || v.trim().isEmpty() ? null : v.trim();
  }
}
