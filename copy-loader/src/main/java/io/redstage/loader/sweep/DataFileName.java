package io.redstage.loader.sweep;

import io.redstage.contract.DataFileNames;
import io.redstage.loader.discovery.TopicPartition;
import java.util.Optional;

/**
 * The identity the connector puts in a data file's key: {@code <topics.dir>/<topic>/<encoded
 * partition>/<file name>}, the name as {@link DataFileNames} writes it with the default delimiter
 * (Kafka topic names cannot hold '+', so it splits unambiguously).
 */
public record DataFileName(String key, TopicPartition tp, long start, long end) {
  /**
   * The file's identity, or empty when the key below {@code topicsDir} is not a connector data
   * file: a name the contract reads ({@link DataFileNames#parse}) in a folder of its topic.
   */
  public static Optional<DataFileName> parse(String topicsDir, String key) {
    if (!key.startsWith(topicsDir)) {
      return Optional.empty();
    }
    String rest = key.substring(topicsDir.length());
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      return Optional.empty();
    }
    String topicFolder = rest.substring(0, slash);
    return DataFileNames.parse(key.substring(key.lastIndexOf('/') + 1))
        .filter(n -> n.topic().equals(topicFolder))
        .map(
            n ->
                new DataFileName(
                    key, new TopicPartition(n.topic(), n.partition()), n.start(), n.end()));
  }

  /** {@code topic-partition [start, end]}, for logs and reports. */
  public String unit() {
    return tp + " [" + start + ", " + end + "]";
  }
}
