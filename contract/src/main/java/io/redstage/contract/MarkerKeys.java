package io.redstage.contract;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where commit markers live. Keys sort by topic, partition and start offset, so listing one
 * topic-partition's prefix returns its units in offset order: {@code
 * <markersDir>/<topic>/<partition, 10 digits>/<start, 20 digits>+<end, 20 digits>.json}. Fixed
 * widths (not the data files' configurable padding) keep the order right for every offset.
 */
public final class MarkerKeys {
  public static final int PARTITION_WIDTH = 10;
  public static final int OFFSET_WIDTH = 20;
  public static final String SUFFIX = ".json";

  /**
   * The longest key S3 accepts, in UTF-8 bytes. The connector sends a record whose data-file key
   * would be longer to the DLQ; the loader keeps an orphan whose moved key would be.
   */
  public static final int MAX_KEY_BYTES = 1024;

  private static final Pattern UNIT =
      Pattern.compile("(\\d{" + OFFSET_WIDTH + "})\\+(\\d{" + OFFSET_WIDTH + "})\\.json");

  private MarkerKeys() {}

  /** The marker key of the unit {@code [start, end]} of {@code topic}/{@code partition}. */
  public static String markerKey(
      String markersDir, String topic, int partition, long start, long end) {
    return partitionPrefix(markersDir, topic, partition)
        + pad(start, OFFSET_WIDTH)
        + "+"
        + pad(end, OFFSET_WIDTH)
        + SUFFIX;
  }

  /** Prefix under which all markers of one topic-partition sort by start offset. */
  public static String partitionPrefix(String markersDir, String topic, int partition) {
    return topicPrefix(markersDir, topic) + pad(partition, PARTITION_WIDTH) + "/";
  }

  public static String topicPrefix(String markersDir, String topic) {
    return normalizeDir(markersDir) + topic + "/";
  }

  /** {@code dir} with exactly one trailing slash, or empty when {@code dir} is empty. */
  public static String normalizeDir(String dir) {
    String d = dir == null ? "" : dir.trim();
    while (d.endsWith("/")) {
      d = d.substring(0, d.length() - 1);
    }
    return d.isEmpty() ? "" : d + "/";
  }

  /** Left-pads a non-negative number with zeros to {@code width} digits. */
  public static String pad(long value, int width) {
    if (value < 0) {
      throw new IllegalArgumentException("Cannot zero-pad a negative number: " + value);
    }
    String s = Long.toString(value);
    if (s.length() >= width) {
      return s;
    }
    StringBuilder b = new StringBuilder(width);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(s).toString();
  }

  /**
   * A key in the shape of a unit's marker below a markers directory, taken apart: {@code
   * <topic>/<partition folder>/<start>+<end>.json}. The partition folder is kept as found; only a
   * folder of exactly {@link #PARTITION_WIDTH} digits is one the connector writes ({@link
   * #partition()}), so a key under "3/" is not taken for partition 3's.
   */
  public static final class UnitKey {
    private final String topic;
    private final String partitionFolder;
    private final long start;
    private final long end;

    private UnitKey(String topic, String partitionFolder, long start, long end) {
      this.topic = topic;
      this.partitionFolder = partitionFolder;
      this.start = start;
      this.end = end;
    }

    public String topic() {
      return topic;
    }

    /** The partition, when the folder is one the connector writes; empty otherwise. */
    public OptionalInt partition() {
      if (partitionFolder.length() != PARTITION_WIDTH) {
        return OptionalInt.empty();
      }
      try {
        int p = Integer.parseInt(partitionFolder);
        return p >= 0 && partitionFolder.equals(pad(p, PARTITION_WIDTH))
            ? OptionalInt.of(p)
            : OptionalInt.empty();
      } catch (NumberFormatException e) {
        return OptionalInt.empty();
      }
    }

    /** True when the key lies in {@code partition}'s own folder. */
    public boolean inFolderOf(int partition) {
      return partition >= 0 && partitionFolder.equals(pad(partition, PARTITION_WIDTH));
    }

    public long start() {
      return start;
    }

    public long end() {
      return end;
    }
  }

  /**
   * {@code key} taken apart when it has the shape of a unit's marker directly below {@code
   * markersDir} (topic, partition folder, offsets file name); empty for any other key.
   */
  public static Optional<UnitKey> parse(String markersDir, String key) {
    String dir = normalizeDir(markersDir);
    if (!key.startsWith(dir)) {
      return Optional.empty();
    }
    String[] parts = key.substring(dir.length()).split("/", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      return Optional.empty();
    }
    return offsetsOf(key).map(o -> new UnitKey(parts[0], parts[1], o[0], o[1]));
  }

  /**
   * The {@code [start, end]} offsets encoded in a marker key, or empty if the key is not a marker
   * key (offsets beyond a long included).
   */
  public static Optional<long[]> offsetsOf(String key) {
    int slash = key.lastIndexOf('/');
    Matcher m = UNIT.matcher(key.substring(slash + 1));
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
    } catch (NumberFormatException e) {
      // twenty digits beyond Long.MAX_VALUE: no offset, so no marker key (a stray object must not
      // fail every scan)
      return Optional.empty();
    }
  }
}
