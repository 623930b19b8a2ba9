package io.redstage.connector.rotate;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Decides when an open commit unit of one topic-partition closes. Pure logic: the caller supplies
 * the clock, so the rules are unit-tested without waiting.
 */
public final class RotationPolicy {
  /** {@code lastFiredAtMs} of a task whose task-idle rule has not fired yet. */
  public static final long NEVER = Long.MIN_VALUE;

  private final int flushSize;
  private final long maxFileBytes;
  private final long recordIntervalMs;
  private final long scheduleIntervalMs;
  private final long idleMs;
  private final long taskIdleMs;
  private final ZoneId zone;

  public RotationPolicy(
      int flushSize,
      long maxFileBytes,
      long recordIntervalMs,
      long scheduleIntervalMs,
      long idleMs,
      long taskIdleMs,
      ZoneId zone) {
    this.flushSize = flushSize;
    this.maxFileBytes = maxFileBytes;
    this.recordIntervalMs = recordIntervalMs;
    this.scheduleIntervalMs = scheduleIntervalMs;
    this.idleMs = idleMs;
    this.taskIdleMs = taskIdleMs;
    this.zone = zone;
  }

  public boolean usesRecordTime() {
    return recordIntervalMs > 0;
  }

  /**
   * Checked before a record joins the unit: a record whose time lies a full interval past the
   * unit's first record starts a new unit (deterministic on replay, since it depends on the records
   * only).
   */
  public RotationReason beforeRecord(UnitStats unit, Long recordTimeMs) {
    if (recordIntervalMs > 0
        && recordTimeMs != null
        && unit.firstRecordTimeMs() != null
        && recordTimeMs - unit.firstRecordTimeMs() >= recordIntervalMs) {
      return RotationReason.RECORD_INTERVAL;
    }
    return null;
  }

  /** Checked after a record joined the unit. */
  public RotationReason afterRecord(UnitStats unit) {
    if (unit.records() >= flushSize || unit.recordsWithoutRows() >= flushSize) {
      return RotationReason.FLUSH_SIZE;
    }
    if (unit.largestFileBytes() >= maxFileBytes) {
      return RotationReason.FILE_BYTES;
    }
    return null;
  }

  /** Checked on every put (also empty ones) and before offsets are committed. */
  public RotationReason onTick(UnitStats unit, long nowMs) {
    if (scheduleIntervalMs > 0 && nowMs >= unit.scheduledRotationAtMs(this)) {
      return RotationReason.SCHEDULE;
    }
    if (idleMs > 0 && nowMs - unit.lastRowAtMs() >= idleMs) {
      return RotationReason.IDLE;
    }
    return null;
  }

  /**
   * The first multiple of the schedule interval after {@code openedAtMs} in local time of the
   * configured zone (so a 1 h interval rotates on the hour in that zone, also for half-hour
   * offsets, and an interval that divides a day at the same local times every day). The boundary is
   * a local time, taken back to an instant with the zone's offset at that time, not at the unit's
   * opening: a daily schedule rotates at midnight across a daylight saving change. In the hour
   * clocks go back, a local time happens twice: the offset at the opening is kept, and the boundary
   * is always after the opening. {@link Long#MAX_VALUE} when the boundary lies beyond any time (an
   * interval of Long.MAX_VALUE meaning "never").
   */
  public long nextScheduledRotation(long openedAtMs) {
    ZoneOffset atOpening = zone.getRules().getOffset(Instant.ofEpochMilli(openedAtMs));
    long local = openedAtMs + atOpening.getTotalSeconds() * 1000L;
    long boundaryLocal = Math.floorDiv(local, scheduleIntervalMs) * scheduleIntervalMs;
    // a few steps at most: the hour clocks go back can put the first local boundary before the
    // opening
    while (true) {
      if (boundaryLocal > Long.MAX_VALUE - scheduleIntervalMs - MAX_OFFSET_MS) {
        return Long.MAX_VALUE;
      }
      boundaryLocal += scheduleIntervalMs;
      LocalDateTime wall =
          LocalDateTime.ofEpochSecond(
              Math.floorDiv(boundaryLocal, 1000L),
              (int) Math.floorMod(boundaryLocal, 1000L) * 1_000_000,
              ZoneOffset.UTC);
      // in a gap (spring forward) the local time moves on by the gap; in an overlap the offset at
      // the opening is taken where it is one of the two
      long boundary = ZonedDateTime.ofLocal(wall, zone, atOpening).toInstant().toEpochMilli();
      if (boundary > openedAtMs) {
        return boundary;
      }
    }
  }

  /** The largest offset a zone can have from UTC (18 hours). */
  private static final long MAX_OFFSET_MS = 18 * 3_600_000L;

  /** How long the task may wait for records before a time-based rule could fire for this unit. */
  public long millisUntilNextTick(UnitStats unit, long nowMs) {
    long wait = Long.MAX_VALUE;
    if (scheduleIntervalMs > 0) {
      wait = Math.min(wait, unit.scheduledRotationAtMs(this) - nowMs);
    }
    if (idleMs > 0) {
      wait = Math.min(wait, unit.lastRowAtMs() + idleMs - nowMs);
    }
    return Math.max(wait, 0);
  }

  /**
   * How long until the task-idle rule may close every open unit of the task (0: now), given when
   * the task last received a record from any partition and when the rule last closed units ({@link
   * #NEVER} if it has not). No record for {@code rotate.task.idle.ms} means the consumer has caught
   * up, so waiting longer only delays the data. The rule fires at most once per {@code
   * rotate.idle.ms}, so a task whose records come in bursts closes a partition's units no more
   * often than the idle rule would; with either off it never fires (Long.MAX_VALUE).
   */
  public long millisUntilTaskIdle(long lastRecordAtMs, long lastFiredAtMs, long nowMs) {
    if (taskIdleMs <= 0 || idleMs <= 0) {
      return Long.MAX_VALUE;
    }
    long wait = remaining(nowMs - lastRecordAtMs, taskIdleMs);
    if (lastFiredAtMs != NEVER) {
      wait = Math.max(wait, remaining(nowMs - lastFiredAtMs, idleMs));
    }
    return wait;
  }

  /**
   * What is left of {@code periodMs} after {@code elapsedMs}, without overflow for periods near
   * Long.MAX_VALUE (the settings allow them) or a clock set back (negative elapsed time).
   */
  private static long remaining(long elapsedMs, long periodMs) {
    if (elapsedMs >= periodMs) {
      return 0;
    }
    return elapsedMs <= 0 ? periodMs : periodMs - elapsedMs;
  }
}
