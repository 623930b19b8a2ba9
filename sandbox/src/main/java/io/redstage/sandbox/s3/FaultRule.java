package io.redstage.sandbox.s3;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One fault-injection rule registered with a {@link FaultInjector}: either "fail with {@link
 * S3Fault}" or "delay by a duration", for the requests its {@link RequestMatcher} selects, a
 * limited number of times or until removed. Counts how often it fired so tests can assert that the
 * fault really happened. Thread-safe: the stand-in serves requests on many threads, and a rule
 * limited to N fires exactly N times however requests interleave.
 */
public final class FaultRule {
  static final int UNLIMITED = -1;

  private final S3Fault fault;
  private final Duration delay;
  private final RequestMatcher matcher;
  private final int times;
  private final AtomicInteger remaining;
  private final AtomicLong fired = new AtomicLong();

  private FaultRule(S3Fault fault, Duration delay, RequestMatcher matcher, int times) {
    if (times == 0 || times < UNLIMITED) {
      throw new IllegalArgumentException(
          "Cannot register a fault rule for "
              + times
              + " requests: give a positive count (or use the *Always variant).");
    }
    this.fault = fault;
    this.delay = delay;
    this.matcher = Objects.requireNonNull(matcher, "matcher");
    this.times = times;
    this.remaining = new AtomicInteger(times);
  }

  static FaultRule failing(S3Fault fault, RequestMatcher matcher, int times) {
    return new FaultRule(Objects.requireNonNull(fault, "fault"), null, matcher, times);
  }

  static FaultRule delaying(Duration delay, RequestMatcher matcher, int times) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("Cannot delay requests by a negative duration: " + delay);
    }
    return new FaultRule(null, delay, matcher, times);
  }

  /** The error this rule answers with, or null for a delay rule. */
  public S3Fault fault() {
    return fault;
  }

  /** The delay this rule adds, or null for a failing rule. */
  public Duration delay() {
    return delay;
  }

  public RequestMatcher matcher() {
    return matcher;
  }

  public boolean isDelay() {
    return delay != null;
  }

  /** How many requests this rule has failed or delayed so far. */
  public long fired() {
    return fired.get();
  }

  /**
   * How many more requests it will affect; {@link Integer#MAX_VALUE} for a rule without a limit.
   */
  public int remaining() {
    return times == UNLIMITED ? Integer.MAX_VALUE : remaining.get();
  }

  /** True once a limited rule has fired its N times; it then no longer affects requests. */
  public boolean isExhausted() {
    return times != UNLIMITED && remaining.get() == 0;
  }

  boolean matches(ObjectOperation operation, String bucket, String key) {
    return matcher.matches(operation, bucket, key);
  }

  /**
   * Takes one firing if any is left; the compare-and-set keeps "exactly N" under concurrent
   * requests.
   */
  boolean tryFire() {
    if (times != UNLIMITED) {
      int left;
      do {
        left = remaining.get();
        if (left == 0) {
          return false;
        }
      } while (!remaining.compareAndSet(left, left - 1));
    }
    fired.incrementAndGet();
    return true;
  }

  @Override
  public String toString() {
    String what =
        fault != null
            ? "fail with " + fault.httpStatus() + " " + fault.errorCode()
            : "delay " + delay;
    String limit = times == UNLIMITED ? "always" : fired() + " of " + times + " fired";
    return "FaultRule{" + what + ", " + matcher + ", " + limit + "}";
  }
}
