package io.redstage.connector.commit;

import io.redstage.connector.rotate.RotationPolicy;
import io.redstage.connector.rotate.UnitStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The open commit unit of one topic-partition: every record handled from {@link #startOffset} to
 * {@link #endOffset}, spread over one file per encoded partition.
 */
final class CommitUnit implements UnitStats {
  final long startOffset;
  long endOffset;
  private long records;
  private long recordsWithoutRows;
  private long openedAtMs;
  private long scheduledRotationAtMs = NOT_YET_CHECKED;
  private long lastRowAtMs;
  private Long firstRecordTimeMs;
  private long largestFileBytes;
  private final Map<String, UnitFile> files = new LinkedHashMap<>();
  private boolean aborted;
  private long truncatedStrings;

  /**
   * Whether a record was handled: written, or set aside (dead letter queue, an ignored tombstone).
   * A unit opens before its first record is written; a record rejected with no dead letter queue
   * then fails the task and is handled by nothing, so the unit's offsets claim no record yet.
   */
  private boolean handledAny;

  /**
   * {@link #scheduledRotationAtMs} until the unit's first check (a boundary is after an opening).
   */
  private static final long NOT_YET_CHECKED = Long.MIN_VALUE;

  CommitUnit(long startOffset, long nowMs) {
    this.startOffset = startOffset;
    this.endOffset = startOffset;
    this.openedAtMs = nowMs;
    this.lastRowAtMs = nowMs;
  }

  void handled(long offset, long nowMs, Long recordTimeMs) {
    handledAny = true;
    endOffset = Math.max(endOffset, offset);
    if (firstRecordTimeMs == null) {
      firstRecordTimeMs = recordTimeMs;
    }
  }

  /**
   * Strings of this unit's records cut to their byte limit (behavior.on.oversize.string=truncate).
   */
  void truncated(long strings) {
    truncatedStrings += strings;
  }

  long truncatedStrings() {
    return truncatedStrings;
  }

  /**
   * The wall clock was set back to {@code nowMs}: times after it become {@code nowMs}, so the idle
   * and schedule rules count from now instead of waiting for the clock to catch up.
   */
  void clockSetBack(long nowMs) {
    if (nowMs < openedAtMs) {
      openedAtMs = nowMs;
      scheduledRotationAtMs = NOT_YET_CHECKED;
    }
    lastRowAtMs = Math.min(lastRowAtMs, nowMs);
  }

  /** See {@link #handledAny}. */
  boolean handledAny() {
    return handledAny;
  }

  /** A record of the unit has no row (dead letter queue, an ignored tombstone). */
  void setAside() {
    recordsWithoutRows++;
  }

  @Override
  public long recordsWithoutRows() {
    return recordsWithoutRows;
  }

  void written(long nowMs) {
    records++;
    lastRowAtMs = nowMs;
  }

  UnitFile file(String encodedPartition) {
    return files.get(encodedPartition);
  }

  /**
   * Any open file of the unit (all share the unit's schema), or null before the first record is
   * written.
   */
  UnitFile anyFile() {
    return files.isEmpty() ? null : files.values().iterator().next();
  }

  void addFile(UnitFile file) {
    files.put(file.encodedPartition, file);
  }

  Collection<UnitFile> files() {
    return new ArrayList<>(files.values());
  }

  long bufferedBytes() {
    long total = 0;
    for (UnitFile f : files.values()) {
      total += f.bufferedBytes();
    }
    return total;
  }

  void abort() {
    aborted = true;
    for (UnitFile f : files.values()) {
      f.abort();
    }
    files.clear();
  }

  /** True once the unit was dropped (its uploads aborted) instead of committed. */
  boolean aborted() {
    return aborted;
  }

  @Override
  public long records() {
    return records;
  }

  /** Records the current size of one of the unit's files; the unit tracks the largest seen. */
  void noteFileBytes(long bytes) {
    largestFileBytes = Math.max(largestFileBytes, bytes);
  }

  @Override
  public long largestFileBytes() {
    return largestFileBytes;
  }

  @Override
  public Long firstRecordTimeMs() {
    return firstRecordTimeMs;
  }

  @Override
  public long openedAtMs() {
    return openedAtMs;
  }

  /**
   * Worked out at the unit's first check and kept: the boundary is a calendar computation in the
   * zone, and the rules check every open unit on every put.
   */
  @Override
  public long scheduledRotationAtMs(RotationPolicy rotation) {
    if (scheduledRotationAtMs == NOT_YET_CHECKED) {
      scheduledRotationAtMs = rotation.nextScheduledRotation(openedAtMs);
    }
    return scheduledRotationAtMs;
  }

  @Override
  public long lastRowAtMs() {
    return lastRowAtMs;
  }
}
