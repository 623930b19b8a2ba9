package io.redstage.contract;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a committed data file: {@code
 * <topic><delim><partition><delim><start><delim><end><ext>}, the unit's offsets zero-padded to the
 * connector's {@code filename.offset.zero.pad.width}. The connector writes it; the loader's sweep
 * reads it back to find files no marker names. Markers, not names, say which files a unit has: a
 * name only identifies a file that lost its marker.
 */
public final class DataFileNames {
  /** The connector's default {@code file.delim}, which no Kafka topic name can hold. */
  public static final String DEFAULT_DELIM = "+";

  private DataFileNames() {}

  /** The file name of unit {@code [start, end]} of {@code topic}/{@code partition}. */
  public static String fileName(
      String topic,
      int partition,
      long start,
      long end,
      String delim,
      int padWidth,
      String extension) {
    return unitPrefix(topic, partition, start, delim, padWidth)
        + delim
        + MarkerKeys.pad(end, padWidth)
        + extension;
  }

  /**
   * What every file name of the unit starting at {@code start} begins with, before the end offset
   * is known.
   */
  public static String unitPrefix(
      String topic, int partition, long start, String delim, int padWidth) {
    return topic + delim + partition + delim + MarkerKeys.pad(start, padWidth);
  }

  /** A data file's name taken apart. */
  public static final class Parsed {
    private final String topic;
    private final int partition;
    private final long start;
    private final long end;

    private Parsed(String topic, int partition, long start, long end) {
      this.topic = topic;
      this.partition = partition;
      this.start = start;
      this.end = end;
    }

    public String topic() {
      return topic;
    }

    public int partition() {
      return partition;
    }

    public long start() {
      return start;
    }

    public long end() {
      return end;
    }
  }

  /**
   * Whether {@code fileName} (the last part of a key) is a name the connector gives a file of unit
   * {@code [start, end]} of {@code topic}/{@code partition}, whatever its {@code file.delim} and
   * padding: the loader checks a marker's files against its unit, so that a marker not written by
   * the connector cannot have another topic's files loaded.
   */
  public static boolean isUnitFile(
      String fileName, String topic, int partition, long start, long end) {
    if (!fileName.startsWith(topic)) {
      return false;
    }
    // the delimiter is the same non-empty text three times; offsets have any number of zeros
    // before them (the pad width)
    return Pattern.compile(
            "(.+?)" + partition + "\\1" + "0*" + start + "\\1" + "0*" + end + "(?:\\..*)?",
            Pattern.DOTALL)
        .matcher(fileName.substring(topic.length()))
        .matches();
  }

  private static final Pattern DEFAULT_NAME =
      Pattern.compile("([a-zA-Z0-9._-]{1,249})\\+(\\d{1,10})\\+(\\d{1,20})\\+(\\d{1,20})(\\..*)?");

  /**
   * A file name written with the default delimiter taken apart, offsets of any padding; empty when
   * it is not one (an offset or partition beyond range, start after end included).
   */
  public static Optional<Parsed> parse(String fileName) {
    Matcher m = DEFAULT_NAME.matcher(fileName);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      long start = Long.parseLong(m.group(3));
      long end = Long.parseLong(m.group(4));
      if (start > end) {
        return Optional.empty();
      }
      return Optional.of(new Parsed(m.group(1), Integer.parseInt(m.group(2)), start, end));
    } catch (NumberFormatException e) {
      return Optional.empty(); // out of range: not a name the connector writes
    }
  }
}
