package io.redstage.connector.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written timestamp text equals DateTimeFormatter's for every instant, in both units. */
class TimeTextTest {
  static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void matchesTheFormatterAcrossYearsZeroToNineThousandNineHundredNinetyNineAndBeyond() {
    long first = Instant.parse("0000-01-01T00:00:00Z").toEpochMilli();
    long last = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      check(random.nextLong(first - 86_400_000L * 800, last + 86_400_000L * 800));
    }
    for (long edge :
        new long[] {
          0,
          -1,
          1,
          999,
          1000,
          -86_400_000L,
          86_399_999L,
          first,
          first - 1,
          last,
          last + 1,
          Instant.parse("2024-02-29T23:59:59.999Z").toEpochMilli(),
          Long.MAX_VALUE / 1000,
          Long.MIN_VALUE / 1000
        }) {
      check(edge);
    }
  }

  @Test
  void readsAsExpected() {
    long t = Instant.parse("2024-05-01T12:03:04.005Z").toEpochMilli();
    assertThat(TimeText.timestamp(t, TimestampUnit.MILLIS)).isEqualTo("2024-05-01T12:03:04.005Z");
    assertThat(TimeText.timestamp(t, TimestampUnit.MICROS))
        .isEqualTo("2024-05-01T12:03:04.005000Z");
    assertThat(TimeText.timestamp(-1, TimestampUnit.MILLIS)).isEqualTo("1969-12-31T23:59:59.999Z");
  }

  /**
   * A reused buffer keeps the date of the last day it wrote: back-and-forth days, and years it
   * leaves to the formatter, must not leave a stale date behind.
   */
  @Test
  void reusedBufferWritesWhatTimestampWrites() {
    long day = 86_400_000L;
    long t = Instant.parse("2024-02-28T23:59:59.999Z").toEpochMilli();
    long beyond = Instant.parse("+10000-01-01T00:00:00Z").toEpochMilli();
    SplittableRandom random = new SplittableRandom(11);
    for (TimestampUnit unit : TimestampUnit.values()) {
      TimeText.Buffer buffer = new TimeText.Buffer(unit);
      long[] sequence = {t, t + 1, t, t + day, beyond, t + day, -1, 0, t + 366 * day, t};
      for (long millis : sequence) {
        checkBuffer(buffer, unit, millis, beyond);
      }
      for (int i = 0; i < 10_000; i++) {
        checkBuffer(buffer, unit, t + random.nextLong(-3 * day, 3 * day), beyond);
      }
    }
  }

  private static void checkBuffer(
      TimeText.Buffer buffer, TimestampUnit unit, long millis, long beyond) {
    int length = buffer.fill(millis);
    if (millis >= beyond) {
      assertThat(length).as("%d", millis).isEqualTo(-1);
    } else {
      assertThat(new String(buffer.chars(), 0, length))
          .as("%d", millis)
          .isEqualTo(TimeText.timestamp(millis, unit));
    }
  }

  private static void check(long epochMillis) {
    Instant instant = Instant.ofEpochMilli(epochMillis);
    assertThat(TimeText.timestamp(epochMillis, TimestampUnit.MILLIS))
        .as("%d", epochMillis)
        .isEqualTo(MILLIS.format(instant));
    assertThat(TimeText.timestamp(epochMillis, TimestampUnit.MICROS))
        .as("%d", epochMillis)
        .isEqualTo(MICROS.format(instant));
  }
}
