package io.redstage.connector.rotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class RotationPolicyTest {
  private static final class Unit implements UnitStats {
    long records;
    long withoutRows;
    long bytes;
    Long firstTime;
    long opened;
    long last;

    @Override
    public long records() {
      return records;
    }

    @Override
    public long recordsWithoutRows() {
      return withoutRows;
    }

    @Override
    public long largestFileBytes() {
      return bytes;
    }

    @Override
    public Long firstRecordTimeMs() {
      return firstTime;
    }

    @Override
    public long openedAtMs() {
      return opened;
    }

    @Override
    public long lastRowAtMs() {
      return last;
    }
  }

  private final RotationPolicy policy =
      new RotationPolicy(100, 1000, 60_000, 3_600_000, 10_000, 1_000, ZoneId.of("UTC"));

  @Test
  void flushSizeAndBytesCloseAfterTheRecord() {
    Unit u = new Unit();
    u.records = 99;
    assertThat(policy.afterRecord(u)).isNull();
    u.records = 100;
    assertThat(policy.afterRecord(u)).isEqualTo(RotationReason.FLUSH_SIZE);
    u.records = 1;
    u.bytes = 1000;
    assertThat(policy.afterRecord(u)).isEqualTo(RotationReason.FILE_BYTES);
  }

  @Test
  void recordsWithoutRowsCloseAtFlushSizeTooButDoNotShortenAUnitOfRows() {
    Unit u = new Unit();
    u.records = 60;
    u.withoutRows = 60;
    assertThat(policy.afterRecord(u)).as("120 records, neither kind at 100").isNull();
    u.withoutRows = 100;
    assertThat(policy.afterRecord(u)).isEqualTo(RotationReason.FLUSH_SIZE);
  }

  @Test
  void recordIntervalClosesBeforeTheRecordThatCrossesIt() {
    Unit u = new Unit();
    u.firstTime = 1_000_000L;
    assertThat(policy.beforeRecord(u, 1_059_999L)).isNull();
    assertThat(policy.beforeRecord(u, 1_060_000L)).isEqualTo(RotationReason.RECORD_INTERVAL);
    assertThat(policy.beforeRecord(u, null)).isNull();
  }

  @Test
  void scheduleAlignsToTheIntervalInTheZone() {
    long opened = Instant.parse("2024-03-01T10:17:00Z").toEpochMilli();
    assertThat(policy.nextScheduledRotation(opened))
        .isEqualTo(Instant.parse("2024-03-01T11:00:00Z").toEpochMilli());
    RotationPolicy india =
        new RotationPolicy(100, 1000, -1, 3_600_000, -1, -1, ZoneId.of("Asia/Kolkata"));
    // +05:30: local hours start at :30 UTC
    assertThat(india.nextScheduledRotation(opened))
        .isEqualTo(Instant.parse("2024-03-01T10:30:00Z").toEpochMilli());
  }

  /**
   * A daily schedule rotates at local midnight on both sides of a daylight saving change; with the
   * offset at the unit's opening it rotated an hour late in spring and an hour early in autumn.
   */
  @Test
  void aDailyScheduleRotatesAtLocalMidnightAcrossDaylightSavingChanges() {
    RotationPolicy berlin =
        new RotationPolicy(100, 1000, -1, 86_400_000L, -1, -1, ZoneId.of("Europe/Berlin"));
    // opened 01:30 CET on 31 March 2024; clocks go forward at 02:00 that night
    long spring = Instant.parse("2024-03-31T00:30:00Z").toEpochMilli();
    assertThat(berlin.nextScheduledRotation(spring))
        .isEqualTo(Instant.parse("2024-03-31T22:00:00Z").toEpochMilli()); // midnight CEST
    // opened 01:30 CEST on 27 October 2024; clocks go back at 03:00 that night
    long autumn = Instant.parse("2024-10-26T23:30:00Z").toEpochMilli();
    assertThat(berlin.nextScheduledRotation(autumn))
        .isEqualTo(Instant.parse("2024-10-27T23:00:00Z").toEpochMilli()); // midnight CET
  }

  /**
   * In the hour clocks go back each local minute happens twice: the boundary keeps the offset of
   * the unit's opening, so it is the next minute of that hour, not one an hour before the opening
   * (which closed every unit at its first tick for that hour).
   */
  @Test
  void inTheHourClocksGoBackTheNextBoundaryIsStillAfterTheOpening() {
    RotationPolicy berlin =
        new RotationPolicy(100, 1000, -1, 60_000L, -1, -1, ZoneId.of("Europe/Berlin"));
    // 02:10:30 on 27 October 2024, first in CEST, then again in CET
    assertThat(berlin.nextScheduledRotation(Instant.parse("2024-10-27T00:10:30Z").toEpochMilli()))
        .isEqualTo(Instant.parse("2024-10-27T00:11:00Z").toEpochMilli());
    assertThat(berlin.nextScheduledRotation(Instant.parse("2024-10-27T01:10:30Z").toEpochMilli()))
        .isEqualTo(Instant.parse("2024-10-27T01:11:00Z").toEpochMilli());
    RotationPolicy hourly =
        new RotationPolicy(100, 1000, -1, 3_600_000L, -1, -1, ZoneId.of("Europe/Berlin"));
    long opened = Instant.parse("2024-10-27T00:30:00Z").toEpochMilli(); // 02:30 CEST
    assertThat(hourly.nextScheduledRotation(opened)).isGreaterThan(opened);
  }

  /**
   * Long.MAX_VALUE as the schedule means never: west of UTC the boundary overflowed to a time long
   * past, and every tick closed every open unit by schedule.
   */
  @Test
  void aScheduleOfLongMaxNeverFiresInAnyZone() {
    for (String zone : new String[] {"America/New_York", "UTC", "Asia/Tokyo"}) {
      RotationPolicy never =
          new RotationPolicy(10, 1 << 20, -1, Long.MAX_VALUE, 10_000, 1_000, ZoneId.of(zone));
      long t = 1_718_000_000_000L;
      assertThat(never.nextScheduledRotation(t)).as(zone).isGreaterThan(t);
      Unit u = new Unit();
      u.opened = t;
      u.last = t;
      assertThat(never.onTick(u, t + 1)).as(zone).isNull();
    }
  }

  @Test
  void tickFiresScheduleThenIdle() {
    Unit u = new Unit();
    u.opened = Instant.parse("2024-03-01T10:17:00Z").toEpochMilli();
    u.last = u.opened;
    assertThat(policy.onTick(u, u.opened + 9_999)).isNull();
    assertThat(policy.onTick(u, u.opened + 10_000)).isEqualTo(RotationReason.IDLE);
    u.last = Instant.parse("2024-03-01T10:59:59Z").toEpochMilli();
    assertThat(policy.onTick(u, Instant.parse("2024-03-01T11:00:00Z").toEpochMilli()))
        .isEqualTo(RotationReason.SCHEDULE);
    assertThat(policy.millisUntilNextTick(u, u.last)).isEqualTo(1000);
  }

  @Test
  void disabledRulesNeverFire() {
    RotationPolicy off =
        new RotationPolicy(Integer.MAX_VALUE, Long.MAX_VALUE, -1, -1, -1, -1, ZoneId.of("UTC"));
    Unit u = new Unit();
    u.firstTime = 0L;
    assertThat(off.beforeRecord(u, Long.MAX_VALUE)).isNull();
    assertThat(off.onTick(u, Long.MAX_VALUE)).isNull();
    assertThat(off.millisUntilNextTick(u, 0)).isEqualTo(Long.MAX_VALUE);
    assertThat(off.millisUntilTaskIdle(0, RotationPolicy.NEVER, Long.MAX_VALUE))
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void taskIdleFiresOnceTheTaskGotNoRecordForItsTimeAndThenWaitsTheIdleTime() {
    long last = 5_000_000;
    // first time: only the task's quiet time counts
    assertThat(policy.millisUntilTaskIdle(last, RotationPolicy.NEVER, last + 400)).isEqualTo(600);
    assertThat(policy.millisUntilTaskIdle(last, RotationPolicy.NEVER, last + 1_000)).isZero();
    // after it fired at `last + 1_000`, a quiet moment 2 s later waits for rotate.idle.ms (10 s)
    long fired = last + 1_000;
    long nextLast = fired + 1_000;
    assertThat(policy.millisUntilTaskIdle(nextLast, fired, nextLast + 1_000)).isEqualTo(8_000);
    assertThat(policy.millisUntilTaskIdle(nextLast, fired, fired + 10_000)).isZero();
  }

  @Test
  void taskIdleWaitsOutAnIdleTimeNearLongMaxValueWithoutOverflow() {
    RotationPolicy longIdle =
        new RotationPolicy(100, 1000, -1, -1, Long.MAX_VALUE, 1_000, ZoneId.of("UTC"));
    long fired = 5_000_000;
    assertThat(longIdle.millisUntilTaskIdle(fired + 1_000, fired, fired + 60_000))
        .isEqualTo(Long.MAX_VALUE - 60_000);
    // a clock set back before the last record: the whole quiet time is still ahead
    assertThat(longIdle.millisUntilTaskIdle(fired, RotationPolicy.NEVER, fired - 5_000))
        .isEqualTo(1_000);
  }

  @Test
  void taskIdleIsOffWithoutThePartitionIdleRule() {
    RotationPolicy noIdle =
        new RotationPolicy(100, 1000, -1, 3_600_000, -1, 1_000, ZoneId.of("UTC"));
    assertThat(noIdle.millisUntilTaskIdle(0, RotationPolicy.NEVER, 1_000_000))
        .isEqualTo(Long.MAX_VALUE);
  }
}
