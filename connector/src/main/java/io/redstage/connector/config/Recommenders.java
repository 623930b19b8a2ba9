package io.redstage.connector.config;

import io.redstage.connector.partition.PartitionerSettings;
import io.redstage.connector.partition.Partitioners;
import io.redstage.contract.FileFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import software.amazon.awssdk.regions.Region;

/**
 * What the validate endpoint, and the UIs built on it, offer for a key: the values to pick from,
 * and whether the key matters given the others (a Parquet codec does not with format.class=avro).
 * Advice only: what a key accepts is its validator's business, and a key shown as not visible is
 * still validated and read.
 */
final class Recommenders {
  private Recommenders() {}

  /** A key that always applies, with these values to pick from. */
  static ConfigDef.Recommender values(List<String> values) {
    return when(settings -> true, values);
  }

  /** A key that applies only when {@code applies} holds for the parsed config. */
  static ConfigDef.Recommender when(Predicate<Map<String, Object>> applies) {
    return when(applies, List.of());
  }

  /** A key that applies only when {@code applies} holds, with these values to pick from. */
  static ConfigDef.Recommender when(Predicate<Map<String, Object>> applies, List<String> offered) {
    return new ConfigDef.Recommender() {
      @Override
      public List<Object> validValues(String name, Map<String, Object> parsed) {
        // ConfigDef narrows this list in place when it validates a key twice (as a dependent)
        return new ArrayList<>(offered);
      }

      @Override
      public boolean visible(String name, Map<String, Object> parsed) {
        return applies.test(parsed);
      }
    };
  }

  /**
   * True when format.class names {@code format}, or cannot be read (its own error says so; every
   * key stays shown meanwhile).
   */
  static Predicate<Map<String, Object>> format(FileFormat format) {
    return parsed -> {
      Object value = parsed.get(SinkConfigDef.FORMAT_CLASS);
      try {
        return value == null || Aliases.format(value.toString()) == format;
      } catch (ConfigException e) {
        return true;
      }
    };
  }

  /** True when partitioner.class is one of {@code types}, or cannot be read. */
  static Predicate<Map<String, Object>> partitioner(String... types) {
    return partitioner(Arrays.asList(types));
  }

  /** As {@link #partitioner(String...)}, of a list of types. */
  static Predicate<Map<String, Object>> partitioner(List<String> wanted) {
    return parsed -> {
      Object value = parsed.get(SinkConfigDef.PARTITIONER_CLASS);
      try {
        return value == null || wanted.contains(Partitioners.typeForClassName(value.toString()));
      } catch (ConfigException e) {
        return true;
      }
    };
  }

  /** True when timestamp.extractor is {@code extractor}, or cannot be read. */
  static Predicate<Map<String, Object>> extractor(String extractor) {
    return parsed -> {
      Object value = parsed.get(SinkConfigDef.TIMESTAMP_EXTRACTOR);
      try {
        return value == null || Partitioners.extractorName(value.toString()).equals(extractor);
      } catch (ConfigException e) {
        return true;
      }
    };
  }

  /**
   * True when something reads a record's time (timestamp.extractor): a time partitioner, or
   * rotate.interval.ms; or when either cannot be read.
   */
  static Predicate<Map<String, Object>> readsRecordTime() {
    Predicate<Map<String, Object>> timePartitioner = partitioner(PartitionerSettings.TIME_TYPES);
    return parsed -> {
      Object interval = parsed.get(SinkConfigDef.ROTATE_INTERVAL_MS);
      return timePartitioner.test(parsed) || !(interval instanceof Long) || (Long) interval > 0;
    };
  }

  /** True unless the boolean {@code key} is false. */
  static Predicate<Map<String, Object>> enabled(String key) {
    return parsed -> !Boolean.FALSE.equals(parsed.get(key));
  }

  /** True when the string or password {@code key} is set (not empty). */
  static Predicate<Map<String, Object>> set(String key) {
    return parsed -> {
      Object value = parsed.get(key);
      return value != null && !value.toString().trim().isEmpty();
    };
  }

  /** True when the string {@code key} starts with {@code prefix}, ignoring case. */
  static Predicate<Map<String, Object>> startsWith(String key, String prefix) {
    return parsed -> {
      Object value = parsed.get(key);
      return value != null
          && value
              .toString()
              .trim()
              .toLowerCase(Locale.ROOT)
              .startsWith(prefix.toLowerCase(Locale.ROOT));
    };
  }

  /** True when the string {@code key} is {@code wanted}, ignoring case. */
  static Predicate<Map<String, Object>> is(String key, String wanted) {
    return parsed -> {
      Object value = parsed.get(key);
      return value != null && value.toString().trim().equalsIgnoreCase(wanted);
    };
  }

  /**
   * The AWS regions this SDK knows, without its global pseudo-regions (aws-global and the like),
   * sorted; an S3-compatible store may name its regions otherwise, which the validator accepts.
   */
  static List<String> awsRegions() {
    return Region.regions().stream()
        .filter(r -> !r.isGlobalRegion())
        .map(Region::id)
        .sorted()
        .collect(Collectors.toList());
  }
}
