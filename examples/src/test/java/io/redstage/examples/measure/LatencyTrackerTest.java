package io.redstage.examples.measure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyTrackerTest {
  @Test
  void measuresEachOffsetOnceFromProduceToQueryable() {
    LatencyTracker t = new LatencyTracker();
    for (long o = 0; o < 100; o++) {
      t.produced("ads", 0, o, 1_000 + o);
    }
    t.produced("ads", 1, 0, 1_000);
    assertThat(t.pending("ads")).isEqualTo(101);

    t.queryable("ads", 0, 0, 49, 2_000); // latencies 1000 - o: 951..1000
    t.queryable("ads", 0, 40, 99, 3_000); // 40..49 keep their first time; 50..99: 1901..1950
    t.queryable("ads", 1, 0, 0, 1_500);
    assertThat(t.pending("ads")).as("seen, but no load marker yet").isEqualTo(101);
    t.confirmed("ads", 0, 0, 99);
    assertThat(t.pending("ads")).isEqualTo(1);
    t.confirmed("ads", 1, 0, 0);

    LatencyTracker.Freshness f = t.freshness();
    assertThat(f.records()).isEqualTo(101);
    assertThat(f.p50Millis()).isEqualTo(1000); // 51st of 101 sorted: 500, 951..1000 (50), ...
    assertThat(f.p99Millis()).isEqualTo(1949);
    assertThat(f.maxMillis()).isEqualTo(1950);
    assertThat(t.pending("ads")).isZero();
  }

  @Test
  void percentileIsNearestRank() {
    long[] sorted = {10, 20, 30, 40};
    assertThat(LatencyTracker.percentile(sorted, 50)).isEqualTo(20);
    assertThat(LatencyTracker.percentile(sorted, 99)).isEqualTo(40);
    assertThat(LatencyTracker.percentile(new long[0], 50)).isZero();
  }
}
