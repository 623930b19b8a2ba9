package io.redstage.loader.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IntervalSetTest {
  @Test
  void mergesOverlappingAndAdjacentIntervals() {
    IntervalSet s = new IntervalSet();
    s.add(0, 99);
    s.add(150, 199);
    assertThat(s.covers(0, 99)).isTrue();
    assertThat(s.covers(50, 120)).isFalse();
    s.add(100, 149);
    assertThat(s.covers(0, 199)).isTrue();
    s.add(300, 310);
    s.add(250, 305);
    assertThat(s.covers(250, 310)).isTrue();
    assertThat(s.covers(200, 250)).isFalse();
    assertThat(s.toString()).isEqualTo("{0=199, 250=310}");
  }

  @Test
  void theLastOffsetOfTheRangeMergesWithoutOverflow() {
    IntervalSet s = new IntervalSet();
    s.add(10, 20);
    s.add(5, Long.MAX_VALUE);
    assertThat(s.covers(15, 30)).isTrue();
    assertThat(s.toString()).isEqualTo("{5=" + Long.MAX_VALUE + "}");
  }
}
