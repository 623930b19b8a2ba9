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
