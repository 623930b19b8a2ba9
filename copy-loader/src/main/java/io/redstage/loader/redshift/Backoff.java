package io.redstage.loader.redshift;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so pollers spread
 * out.
 */
public record Backoff(Duration initial, Duration max) {
  /** The delay before attempt {@code n} (0-based). */
  public Duration delay(int n) {
    long base = initial.toMillis();
    long cap = max.toMillis();
    long exp = n >= 30 ? cap : Math.min(cap, base << n);
    long half = exp / 2;
    return Duration.ofMillis(
        half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0));
  }
}
