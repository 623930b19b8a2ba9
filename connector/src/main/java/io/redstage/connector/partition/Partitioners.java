package io.redstage.connector.partition;

import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Builds partitioners from {@link PartitionerSettings}; invalid settings give a {@link
 * ConfigException} naming the key.
 */
public final class Partitioners {
  /**
   * Preset of {@code hourly} with {@code delim} between its levels ({@code directory.delim}), as in
   * Confluent's HourlyPartitioner.
   */
  static String hourlyPathFormat(String delim) {
    return dailyPathFormat(delim) + delim + "'hour'=HH";
  }

  /** Preset of {@code daily}, as in Confluent's DailyPartitioner. */
  static String dailyPathFormat(String delim) {
    return "'year'=YYYY" + delim + "'month'=MM" + delim + "'day'=dd";
  }

  public static final long HOUR_MS = 3_600_000L;
  public static final long DAY_MS = 24 * HOUR_MS;

  private static final String CONFLUENT_PACKAGE = "io.confluent.connect.storage.partitioner.";
  private static final Map<String, String> TYPES_BY_NAME;

  static {
    Map<String, String> types = new HashMap<>();
    for (String type : PartitionerSettings.TYPES) {
      types.put(type, type);
    }
    types.put(CONFLUENT_PACKAGE + "DefaultPartitioner", PartitionerSettings.TYPE_DEFAULT);
    types.put(CONFLUENT_PACKAGE + "FieldPartitioner", PartitionerSettings.TYPE_FIELD);
    types.put(CONFLUENT_PACKAGE + "TimeBasedPartitioner", PartitionerSettings.TYPE_TIME);
    types.put(CONFLUENT_PACKAGE + "HourlyPartitioner", PartitionerSettings.TYPE_HOURLY);
    types.put(CONFLUENT_PACKAGE + "DailyPartitioner", PartitionerSettings.TYPE_DAILY);
    TYPES_BY_NAME = Collections.unmodifiableMap(types);
  }

  private Partitioners() {}

  /**
   * Our short type for a {@code partitioner.class} value: "default", "field", "time", "hourly" or
   * "daily" (any case), or the Confluent class names {@code
   * io.confluent.connect.storage.partitioner.DefaultPartitioner}, {@code FieldPartitioner}, {@code
   * TimeBasedPartitioner}, {@code HourlyPartitioner}, {@code DailyPartitioner}.
   *
   * @throws ConfigException for any other value
   */
  public static String typeForClassName(String name) {
    String key = name == null ? "" : name.trim();
    String type =
        TYPES_BY_NAME.get(key.startsWith(CONFLUENT_PACKAGE) ? key : key.toLowerCase(Locale.ROOT));
    if (type == null) {
      throw new ConfigException(
          "Cannot use "
              + PartitionerSettings.PARTITIONER_CONFIG
              + "="
              + name
              + ": it is not a partitioner this connector has. Use default, field, time, hourly or daily, or a Confluent "
              + "class name: "
              + CONFLUENT_PACKAGE
              + "{Default,Field,TimeBased,Hourly,Daily}Partitioner.");
    }
    return type;
  }

  public static Partitioner create(PartitionerSettings s) {
    switch (s.type()) {
      case PartitionerSettings.TYPE_DEFAULT:
        return new DefaultPartitioner();
      case PartitionerSettings.TYPE_FIELD:
        return fieldPartitioner(s);
      case PartitionerSettings.TYPE_TIME:
        return timeBased(s, s.pathFormat(), s.partitionDurationMs());
      case PartitionerSettings.TYPE_HOURLY:
        return timeBased(s, hourlyPathFormat(delimiter(s)), HOUR_MS);
      case PartitionerSettings.TYPE_DAILY:
        return timeBased(s, dailyPathFormat(delimiter(s)), DAY_MS);
      default:
        throw new ConfigException(
            "Cannot create partitioner of type "
                + s.type()
                + ". Use "
                + "default, field, time, hourly or daily.");
    }
  }

  /**
   * The extractor {@code configured} names: Record, RecordField or Wallclock, in any case, or
   * Confluent's nested class names for them (e.g. {@code
   * ...TimeBasedPartitioner$RecordTimestampExtractor}).
   *
   * @throws ConfigException for any other name
   */
  public static String extractorName(String configured) {
    String name = configured.trim();
    String simple =
        name.substring(name.lastIndexOf('$') + 1).replaceFirst("TimestampExtractor$", "");
    for (String known : PartitionerSettings.EXTRACTORS) {
      if (simple.equalsIgnoreCase(known)) {
        return known;
      }
    }
    throw new ConfigException(
        "Cannot use "
            + PartitionerSettings.TIMESTAMP_EXTRACTOR_CONFIG
            + "="
            + name
            + ": unknown extractor. Use Record (Kafka timestamp), RecordField (a value field, see "
            + PartitionerSettings.TIMESTAMP_FIELD_CONFIG
            + ") or Wallclock.");
  }

  /** The timestamp extractor named by {@code timestamp.extractor} (see {@link #extractorName}). */
  public static TimestampExtractor timestampExtractor(PartitionerSettings s) {
    String name = extractorName(s.timestampExtractor());
    if (name.equals(PartitionerSettings.EXTRACTOR_RECORD)) {
      return new RecordTimestampExtractor();
    }
    if (name.equals(PartitionerSettings.EXTRACTOR_WALLCLOCK)) {
      return new WallclockTimestampExtractor();
    }
    try {
      return new RecordFieldTimestampExtractor(s.timestampField(), s.timezone());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Cannot use "
              + PartitionerSettings.TIMESTAMP_FIELD_CONFIG
              + "="
              + s.timestampField()
              + " with "
              + PartitionerSettings.TIMESTAMP_EXTRACTOR_CONFIG
              + "=RecordField: "
              + e.getMessage()
              + ". Name the value field holding the event time, with dots for nested fields.");
    }
  }

  private static Partitioner fieldPartitioner(PartitionerSettings s) {
    if (s.fieldNames().isEmpty()) {
      throw new ConfigException(
          "Cannot partition by field: "
              + PartitionerSettings.FIELD_NAME_CONFIG
              + " is empty. "
              + "Set it to one or more value fields, comma-separated (dots for nested fields).");
    }
    List<FieldPath> fields = new ArrayList<>();
    for (String name : s.fieldNames()) {
      try {
        fields.add(FieldPath.parse(name));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "Cannot use "
                + PartitionerSettings.FIELD_NAME_CONFIG
                + "="
                + s.fieldNames()
                + ": "
                + e.getMessage()
                + ". List value fields like country,address.city.");
      }
    }
    return new FieldPartitioner(fields, delimiter(s));
  }

  private static Partitioner timeBased(PartitionerSettings s, String pathFormat, long durationMs) {
    if (pathFormat == null || pathFormat.trim().isEmpty()) {
      throw new ConfigException(
          "Cannot partition by time: "
              + PartitionerSettings.PATH_FORMAT_CONFIG
              + " is empty. "
              + "Set it like 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH, or use the hourly or daily partitioner.");
    }
    if (durationMs <= 0) {
      throw new ConfigException(
          "Cannot partition by time: "
              + PartitionerSettings.DURATION_CONFIG
              + " is "
              + durationMs
              + ". Set it to the bucket size in milliseconds, e.g. 3600000 for hourly paths.");
    }
    // A path.format ending in the directory delimiter ('hour'=HH/) would put an empty folder into
    // every key (the file name is joined with the delimiter again); Confluent drops it too.
    String delim = delimiter(s);
    while (pathFormat.endsWith(delim) && pathFormat.length() > delim.length()) {
      pathFormat = pathFormat.substring(0, pathFormat.length() - delim.length());
    }
    DateTimeFormatter formatter;
    try {
      formatter = JodaPatterns.toFormatter(pathFormat, s.locale());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Cannot use "
              + PartitionerSettings.PATH_FORMAT_CONFIG
              + "="
              + pathFormat
              + ": "
              + e.getMessage()
              + ". Write it in Joda-Time syntax with quoted literals, e.g. 'year'=YYYY/'month'=MM.");
    }
    return new TimeBasedPartitioner(
        formatter, pathFormat, durationMs, s.timezone(), timestampExtractor(s));
  }

  private static String delimiter(PartitionerSettings s) {
    if (s.directoryDelim().isEmpty()) {
      throw new ConfigException(
          "Cannot use an empty "
              + PartitionerSettings.DIRECTORY_DELIM_CONFIG
              + ". Use / (the "
              + "default).");
    }
    return s.directoryDelim();
  }
}
