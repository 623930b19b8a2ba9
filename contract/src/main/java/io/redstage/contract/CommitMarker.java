package io.redstage.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The commit marker of one commit unit: every record of {@code topic}/{@code partition} with an
 * offset in {@code [startOffset, endOffset]} that the task handled is in {@link #files()} (or went
 * to the DLQ, or was dropped by configuration). Written only after every file is complete in S3;
 * the loader treats the marker as the unit's existence.
 */
public final class CommitMarker {
  /**
   * Version of this JSON layout the connector writes; the loader refuses markers with a newer
   * version. Version 2 added each column's role ({@link ColumnRole}); version 1 markers, which lack
   * it, are still read.
   */
  public static final int FORMAT_VERSION = 2;

  /** The first format version whose columns state their role. */
  public static final int FIRST_VERSION_WITH_ROLES = 2;

  private final int formatVersion;
  private final String topic;
  private final int partition;
  private final long startOffset;
  private final long endOffset;
  private final long recordCount;
  private final String bucket;
  private final long committedAtMs;
  private final String rotationReason;
  private final List<MarkerFile> files;
  private final String writer;

  /** A marker without a {@link #writer()} (written by a connector before the field existed). */
  public CommitMarker(
      int formatVersion,
      String topic,
      int partition,
      long startOffset,
      long endOffset,
      long recordCount,
      String bucket,
      long committedAtMs,
      String rotationReason,
      List<MarkerFile> files) {
    this(
        formatVersion,
        topic,
        partition,
        startOffset,
        endOffset,
        recordCount,
        bucket,
        committedAtMs,
        rotationReason,
        files,
        null);
  }

  @JsonCreator
  public CommitMarker(
      @JsonProperty("formatVersion") int formatVersion,
      @JsonProperty("topic") String topic,
      @JsonProperty("partition") int partition,
      @JsonProperty("startOffset") long startOffset,
      @JsonProperty("endOffset") long endOffset,
      @JsonProperty("recordCount") long recordCount,
      @JsonProperty("bucket") String bucket,
      @JsonProperty("committedAtMs") long committedAtMs,
      @JsonProperty("rotationReason") String rotationReason,
      @JsonProperty("files") List<MarkerFile> files,
      @JsonProperty("writer") String writer) {
    if (endOffset < startOffset) {
      throw new IllegalArgumentException(
          "Cannot build a commit marker for "
              + topic
              + "-"
              + partition
              + ": endOffset "
              + endOffset
              + " is below startOffset "
              + startOffset);
    }
    // a unit's records are at most one per offset of its range (compaction and records set aside
    // make fewer): a count outside that is no unit the connector wrote, and would go into the
    // load-marker table as such
    if (startOffset < 0 || recordCount < 0 || recordCount - 1 > endOffset - startOffset) {
      throw new IllegalArgumentException(
          "Cannot build a commit marker for "
              + topic
              + "-"
              + partition
              + ": "
              + recordCount
              + " records do not fit offsets "
              + startOffset
              + " to "
              + endOffset
              + " (at most one per offset, none below 0)");
    }
    this.formatVersion = formatVersion;
    this.topic = Objects.requireNonNull(topic, "topic");
    this.partition = partition;
    this.startOffset = startOffset;
    this.endOffset = endOffset;
    this.recordCount = recordCount;
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.committedAtMs = committedAtMs;
    this.rotationReason = rotationReason;
    this.files = List.copyOf(Objects.requireNonNull(files, "files"));
    this.writer = writer;
    if (formatVersion >= FIRST_VERSION_WITH_ROLES) {
      this.files.forEach(this::checkRoles);
    }
  }

  /**
   * Every column of a version-2 file has a role, and each metadata role is on one column at most.
   */
  private void checkRoles(MarkerFile file) {
    Set<ColumnRole> seen = EnumSet.noneOf(ColumnRole.class);
    for (MarkerColumn c : file.columns()) {
      ColumnRole role =
          c.role()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "Cannot build a version "
                              + formatVersion
                              + " commit marker for "
                              + unitId()
                              + ": column "
                              + c.name()
                              + " of file "
                              + file.key()
                              + " has no role. Write markers with the connector of this version."));
      if (role.isMetadata() && !seen.add(role)) {
        throw new IllegalArgumentException(
            "Cannot build a commit marker for "
                + unitId()
                + ": file "
                + file.key()
                + " has two columns with the role "
                + role.id()
                + ". Give each Kafka metadata column its own role.");
      }
    }
  }

  /** Whether this marker's columns state their role (format version 2 and later). */
  public boolean statesColumnRoles() {
    return formatVersion >= FIRST_VERSION_WITH_ROLES;
  }

  @JsonProperty
  public int formatVersion() {
    return formatVersion;
  }

  @JsonProperty
  public String topic() {
    return topic;
  }

  @JsonProperty
  public int partition() {
    return partition;
  }

  @JsonProperty
  public long startOffset() {
    return startOffset;
  }

  @JsonProperty
  public long endOffset() {
    return endOffset;
  }

  /**
   * Records written to the files: the sum of {@link #files()}' {@link MarkerFile#records()}, which
   * the loader checks (a marker that breaks it is refused as unreadable). May be below the offset
   * span when records went to the DLQ or were skipped.
   */
  @JsonProperty
  public long recordCount() {
    return recordCount;
  }

  @JsonProperty
  public String bucket() {
    return bucket;
  }

  /** Wall-clock time the marker was written; informational (lag metrics), not part of identity. */
  @JsonProperty
  public long committedAtMs() {
    return committedAtMs;
  }

  /**
   * Which rotation trigger closed the unit (flush.size, bytes, interval, schedule, idle, schema,
   * memory, ...).
   */
  @JsonProperty
  public String rotationReason() {
    return rotationReason;
  }

  @JsonProperty
  public List<MarkerFile> files() {
    return files;
  }

  /**
   * What wrote the marker and its files, e.g. {@code redstage-connector 0.1.0+3ca0183}; null for
   * markers written before the field. Informational (status, quarantine reports, upgrades): an
   * optional field within format version 2, which older loaders ignore.
   */
  @JsonProperty
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public String writer() {
    return writer;
  }

  /** A stable id for logs: {@code topic+partition+start+end}. */
  public String unitId() {
    return topic + "+" + partition + "+" + startOffset + "+" + endOffset;
  }

  public long totalBytes() {
    long total = 0;
    for (MarkerFile f : files) {
      total += f.bytes();
    }
    return total;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof CommitMarker)) {
      return false;
    }
    CommitMarker m = (CommitMarker) o;
    return formatVersion == m.formatVersion
        && topic.equals(m.topic)
        && partition == m.partition
        && startOffset == m.startOffset
        && endOffset == m.endOffset
        && recordCount == m.recordCount
        && bucket.equals(m.bucket)
        && committedAtMs == m.committedAtMs
        && Objects.equals(rotationReason, m.rotationReason)
        && files.equals(m.files)
        && Objects.equals(writer, m.writer);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, startOffset, endOffset, files);
  }

  @Override
  public String toString() {
    return "CommitMarker["
        + unitId()
        + ", "
        + recordCount
        + " records, "
        + files.size()
        + " files]";
  }
}
