package io.redstage.sandbox.s3;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Fault injection for {@link LocalS3}: register rules that fail or delay matching requests, then
 * assert on how often they fired. Rules are evaluated in registration order for each object-level
 * request: a delay rule sleeps and evaluation continues, the first failing rule that fires ends the
 * request with its error (a real S3 error response: status, XML body with the error code). Limited
 * rules are dropped once they have fired N times.
 *
 * <pre>
 *   FaultRule rule = s3.faults().failNext(2, S3Fault.SLOW_DOWN, RequestMatcher.methods("PUT", "POST").keyPrefix("topics/"));
 *   ... run the code under test ...
 *   assertThat(rule.fired()).isEqualTo(2);
 * </pre>
 */
public final class FaultInjector {
  private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);

  private final List<FaultRule> rules = new CopyOnWriteArrayList<>();
  private final AtomicLong injectedFailures = new AtomicLong();
  private final AtomicLong injectedDelays = new AtomicLong();

  FaultInjector() {}

  /** Fails the next {@code times} matching requests with {@code fault}. */
  public FaultRule failNext(int times, S3Fault fault, RequestMatcher matcher) {
    return register(FaultRule.failing(fault, matcher, times));
  }

  /** Fails every matching request with {@code fault} until the rule is removed. */
  public FaultRule failAlways(S3Fault fault, RequestMatcher matcher) {
    return register(FaultRule.failing(fault, matcher, FaultRule.UNLIMITED));
  }

  /**
   * Delays the next {@code times} matching requests by {@code delay} before serving them normally.
   */
  public FaultRule delayNext(int times, Duration delay, RequestMatcher matcher) {
    return register(FaultRule.delaying(delay, matcher, times));
  }

  /** Delays every matching request by {@code delay} until the rule is removed. */
  public FaultRule delayAlways(Duration delay, RequestMatcher matcher) {
    return register(FaultRule.delaying(delay, matcher, FaultRule.UNLIMITED));
  }

  public boolean remove(FaultRule rule) {
    return rules.remove(rule);
  }

  /** Removes every rule; the injected-fault counters keep their values. */
  public void clear() {
    rules.clear();
  }

  /** The rules that can still fire, in evaluation order. */
  public List<FaultRule> activeRules() {
    return new ArrayList<>(rules);
  }

  /** Requests failed by any rule since start. */
  public long injectedFailures() {
    return injectedFailures.get();
  }

  /** Requests delayed by any rule since start. */
  public long injectedDelays() {
    return injectedDelays.get();
  }

  private FaultRule register(FaultRule rule) {
    rules.add(rule);
    return rule;
  }

  /**
   * Applies the rules to one request, on the server thread that serves it: sleeps for delay rules,
   * throws the S3 error of the first failing rule that fires.
   */
  void beforeRequest(ObjectOperation operation, String bucket, String key) {
    for (FaultRule rule : rules) {
      if (!rule.matches(operation, bucket, key) || !rule.tryFire()) {
        continue;
      }
      if (rule.isExhausted()) {
        rules.remove(rule);
      }
      if (rule.isDelay()) {
        injectedDelays.incrementAndGet();
        LOG.info("Delaying {} s3://{}/{} by {} ({})", operation, bucket, key, rule.delay(), rule);
        sleep(rule.delay());
      } else {
        injectedFailures.incrementAndGet();
        LOG.info("Failing {} s3://{}/{} ({})", operation, bucket, key, rule);
        throw toS3Exception(rule.fault());
      }
    }
  }

  private static void sleep(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * S3Proxy turns an AwsServiceException carrying an error code into an S3 error response with that
   * status.
   */
  private static S3Exception toS3Exception(S3Fault fault) {
    return (S3Exception)
        S3Exception.builder()
            .statusCode(fault.httpStatus())
            .message(fault.message())
            .awsErrorDetails(
                AwsErrorDetails.builder()
                    .errorCode(fault.errorCode())
                    .errorMessage(fault.message())
                    .serviceName("S3")
                    .build())
            .build();
  }
}
