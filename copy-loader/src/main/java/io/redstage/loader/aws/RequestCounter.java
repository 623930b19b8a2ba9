package io.redstage.loader.aws;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts AWS API calls per operation ("S3.ListObjectsV2", "RedshiftData.DescribeStatement") and
 * HTTP attempts, for metrics and for the benchmark's "requests per cycle" figures.
 */
public final class RequestCounter implements ExecutionInterceptor {
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final AtomicLong attempts = new AtomicLong();

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attrs) {
    String service = attrs.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
    String op = attrs.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    calls.computeIfAbsent(service + "." + op, k -> new AtomicLong()).incrementAndGet();
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attrs) {
    attempts.incrementAndGet();
  }

  /** Calls so far whose name starts with {@code prefix} (e.g. "S3." or "RedshiftData."). */
  public long calls(String prefix) {
    long n = 0;
    for (Map.Entry<String, AtomicLong> e : calls.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        n += e.getValue().get();
      }
    }
    return n;
  }

  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    calls.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  public long attempts() {
    return attempts.get();
  }
}
