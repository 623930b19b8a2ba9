package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.connector.rotate.RotationPolicy;
import io.redstage.connector.rotate.RotationReason;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The schedule boundary an open unit keeps from its first check, on the ticks that follow. */
class CommitUnitScheduleTest {
  private static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  private static RotationPolicy schedule(long intervalMs, String zone) {
    return new RotationPolicy(
        Integer.MAX_VALUE, Long.MAX_VALUE, -1, intervalMs, -1, -1, ZoneId.of(zone));
  }

  /**
   * Opened at 01:30 CET on 31 March 2024, the night clocks go forward: the kept boundary is local
   * midnight in summer time, and the ticks on both sides of the change compare against it.
   */
  @Test
  void aDailyUnitKeepsItsMidnightBoundaryOverTicksAcrossADaylightSavingChange() {
    RotationPolicy berlin = schedule(86_400_000L, "Europe/Berlin");
    CommitUnit unit = new CommitUnit(0, at("2024-03-31T00:30:00Z"));
    long midnightCest = at("2024-03-31T22:00:00Z");

    assertThat(berlin.onTick(unit, at("2024-03-31T00:59:59Z"))).isNull();
    assertThat(berlin.onTick(unit, at("2024-03-31T01:00:00Z"))).as("03:00 CEST").isNull();
    assertThat(berlin.millisUntilNextTick(unit, at("2024-03-31T12:00:00Z")))
        .isEqualTo(midnightCest - at("2024-03-31T12:00:00Z"));
    assertThat(berlin.onTick(unit, midnightCest - 1)).isNull();
    assertThat(berlin.onTick(unit, midnightCest)).isEqualTo(RotationReason.SCHEDULE);
    assertThat(unit.scheduledRotationAtMs(berlin)).isEqualTo(midnightCest);
  }

  /** A wall clock set back before the opening moves the opening, and with it the boundary. */
  @Test
  void aClockSetBackBeforeTheOpeningMovesTheKeptBoundary() {
    RotationPolicy hourly = schedule(3_600_000L, "UTC");
    CommitUnit unit = new CommitUnit(0, at("2024-03-01T10:17:00Z"));
    assertThat(hourly.onTick(unit, at("2024-03-01T10:30:00Z"))).isNull();
    assertThat(unit.scheduledRotationAtMs(hourly)).isEqualTo(at("2024-03-01T11:00:00Z"));

    unit.clockSetBack(at("2024-03-01T10:20:00Z"));
    assertThat(unit.scheduledRotationAtMs(hourly))
        .as("set back to after the opening")
        .isEqualTo(at("2024-03-01T11:00:00Z"));

    unit.clockSetBack(at("2024-03-01T09:50:00Z"));
    assertThat(hourly.onTick(unit, at("2024-03-01T09:59:59Z"))).isNull();
    assertThat(hourly.onTick(unit, at("2024-03-01T10:00:00Z"))).isEqualTo(RotationReason.SCHEDULE);
  }
}
