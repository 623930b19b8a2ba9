package io.redstage.loader.load;

import io.redstage.loader.redshift.Backoff;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Remembers units whose batch failed: how often, and when they may be tried again (exponential backoff with
 * jitter). Units that failed are planned alone, so a poison unit ends in quarantine by itself. In memory only:
 * a restarted loader retries from scratch, which is safe because the load-marker table decides.
 */
public final class FailureTracker {
  /** The failure history of one unit. */
  public record Failure(int attempts, long notBeforeMs, String lastError) {}

  private final Map<String, Failure> failures = new ConcurrentHashMap<>();
  private final Backoff backoff;
  private final int maxAttempts;

  public FailureTracker(Backoff backoff, int maxAttempts) {
    this.backoff = backoff;
    this.maxAttempts = maxAttempts;
  }

  /** Records one failed attempt; returns true when the unit has used all its attempts. */
  public boolean fail(String markerKey, String error, long nowMs) {
    Failure f = failures.merge(markerKey, new Failure(1, 0, error),
        (old, x) -> new Failure(old.attempts() + 1, 0, error));
    long wait = backoff.delay(f.attempts() - 1).toMillis();
    failures.put(markerKey, new Failure(f.attempts(), nowMs + wait, error));
    return f.attempts() >= maxAttempts;
  }

  /** A transient failure (throttling, conflict): wait, but do not count towards quarantine. */
  public void defer(String markerKey, String error, long nowMs) {
    Failure f = failures.getOrDefault(markerKey, new Failure(0, 0, error));
    failures.put(markerKey, new Failure(f.attempts(), nowMs + backoff.delay(Math.max(0, f.attempts())).toMillis(), error));
  }

  public boolean waiting(String markerKey, long nowMs) {
    Failure f = failures.get(markerKey);
    return f != null && f.notBeforeMs() > nowMs;
  }

  /** Units that failed at least once: planned alone. */
  public Set<String> isolated() {
    return failures.entrySet().stream().filter(e -> e.getValue().attempts() > 0).map(Map.Entry::getKey).collect(Collectors.toSet());
  }

  public void forget(String markerKey) {
    failures.remove(markerKey);
  }

  public void clear() {
    failures.clear();
  }
}
