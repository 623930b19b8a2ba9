package io.redstage.loader.sweep;

import io.redstage.loader.discovery.TopicPartition;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The identity the connector puts in a data file's name: {@code <topics.dir>/<topic>/<encoded
 * partition>/<topic>+<partition>+<start>+<end><ext>}. Kafka topic names cannot hold '+', so the
 * name splits unambiguously; the offsets may have any zero padding.
 */
public record DataFileName(String key, TopicPartition tp, long start, long end) {
  private static final Pattern NAME =
      Pattern.compile("([a-zA-Z0-9._-]{1,249})\\+(\\d{1,10})\\+(\\d{1,20})\\+(\\d{1,20})(\\..*)?");

  /**
   * The file's identity, or empty when the key below {@code topicsDir} is not a connector data
   * file.
   */
  public static Optional<DataFileName> parse(String topicsDir, String key) {
    if (!key.startsWith(topicsDir)) {
      return Optional.empty();
    }
    String rest = key.substring(topicsDir.length());
    int slash = rest.indexOf('/');
    Matcher m = NAME.matcher(key.substring(key.lastIndexOf('/') + 1));
    if (slash <= 0 || !m.matches() || !rest.substring(0, slash).equals(m.group(1))) {
      return Optional.empty();
    }
    try {
      long start = Long.parseLong(m.group(3));
      long end = Long.parseLong(m.group(4));
      if (start > end) {
        return Optional.empty();
      }
      return Optional.of(
          new DataFileName(
              key, new TopicPartition(m.group(1), Integer.parseInt(m.group(2))), start, end));
    } catch (NumberFormatException e) {
      return Optional.empty(); // out of range: not a name the connector writes
    }
  }

  /** {@code topic-partition [start, end]}, for logs and reports. */
  public String unit() {
    return tp + " [" + start + ", " + end + "]";
  }
}
