package io.redstage.loader.load;

import io.redstage.loader.redshift.Backoff;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Remembers units that failed alone or were deferred: how often, and when they may be tried again
 * (exponential backoff with jitter, growing with each attempt and each deferral). Units that failed
 * alone, and units released from quarantine, are planned alone. The counts live here for the
 * process and in the failure table across processes ({@link FailureLog}): {@link #restore} merges
 * what the table says at plan time, so a loader run from cron continues the count of the previous
 * run.
 */
public final class FailureTracker {
  /**
   * The failure history of one unit.
   *
   * @param isolate plan the unit alone (it failed alone before, or was released from quarantine)
   * @param conflicts conflicts that deferred it without counting an attempt, since this process
   *     first saw it (what load.retry.max-deferrals limits)
   * @param deferrals every deferral of it since this process first saw it, conflict or not: each
   *     doubles the next deferral's wait
   */
  public record Failure(
      int attempts,
      long notBeforeMs,
      String lastError,
      boolean isolate,
      int conflicts,
      int deferrals) {}

  /** A row of the failure table as read back. */
  public record Persisted(int attempts, long lastAttemptMs, String lastError) {}

  /**
   * A table whose loads a failure of the environment stopped (a privilege, a full disk, COPY's
   * access to S3): in how many cycles in a row, the last one when, with which error.
   */
  public record TableStop(int cycles, long lastSeenMs, String lastError) {}

  private final Map<String, Failure> failures = new ConcurrentHashMap<>();

  /** The release rows (by their time) whose reset this process has applied, by marker key. */
  private final Map<String, Long> releasesApplied = new ConcurrentHashMap<>();

  /**
   * The tables the failure table holds a stop row for, as far as this process knows: what it read
   * at the cycle's start, and what it wrote or deleted since. By table name.
   */
  private final Map<String, TableStop> tableStops = new ConcurrentHashMap<>();

  private final Backoff backoff;
  private final int maxAttempts;
  private final int maxConflicts;

  public FailureTracker(Backoff backoff, int maxAttempts, int maxConflicts) {
    this.backoff = backoff;
    this.maxAttempts = maxAttempts;
    this.maxConflicts = maxConflicts;
  }

  /**
   * Takes over the failure table's rows this process does not know better: the attempt count, and a
   * wait of at least the first backoff step after the last attempt, so a new process does not retry
   * at once. A row of 0 attempts (a release) resets this process's count too, once per release.
   */
  public void restore(Map<String, Persisted> rows) {
    rows.forEach(
        (key, row) ->
            failures.compute(
                key,
                (k, mine) -> {
                  // a row of 0 attempts is a release (Releaser): the count starts afresh, also
                  // in a process that saw the unit fail before another one quarantined it; once
                  // per release, since the row stays until the unit fails alone or loads, and
                  // this process's deferrals and backoff since must go on counting
                  if (row.attempts() == 0) {
                    Long applied = releasesApplied.put(k, row.lastAttemptMs());
                    if (mine == null || applied == null || applied != row.lastAttemptMs()) {
                      return new Failure(0, 0, row.lastError(), true, 0, 0);
                    }
                  }
                  if (mine != null && mine.attempts() >= row.attempts()) {
                    return mine.isolate()
                        ? mine
                        : new Failure(
                            mine.attempts(),
                            mine.notBeforeMs(),
                            mine.lastError(),
                            true,
                            mine.conflicts(),
                            mine.deferrals());
                  }
                  long notBefore = row.lastAttemptMs() + backoff.initial().toMillis();
                  return new Failure(
                      row.attempts(),
                      Math.max(notBefore, mine == null ? 0 : mine.notBeforeMs()),
                      row.lastError(),
                      true,
                      mine == null ? 0 : mine.conflicts(),
                      mine == null ? 0 : mine.deferrals());
                }));
  }

  /**
   * Takes the failure table's table rows as they are: it is their only home, and another loader may
   * have written or deleted one since this process last did.
   */
  public void restoreTableStops(Map<String, TableStop> rows) {
    tableStops.keySet().retainAll(rows.keySet());
    tableStops.putAll(rows);
  }

  /**
   * A failure of the environment stopped {@code table}'s loads in this cycle; returns in how many
   * cycles in a row it has, this one included.
   */
  public int tableStopped(String table, String error, long nowMs) {
    return tableStops
        .merge(
            table,
            new TableStop(1, nowMs, error),
            (old, now) -> new TableStop(old.cycles() + 1, nowMs, error))
        .cycles();
  }

  /**
   * A batch of {@code table} committed; returns true when the failure table may hold a stop row for
   * it (which the caller then deletes).
   */
  public boolean tableLoaded(String table) {
    return tableStops.remove(table) != null;
  }

  /** Records one failed attempt of a unit that failed alone; returns its attempts so far. */
  public int fail(String markerKey, String error, long nowMs) {
    Failure f =
        failures.compute(
            markerKey,
            (k, old) -> {
              int attempts = old == null ? 1 : old.attempts() + 1;
              // the conflicts stay counted: once spent, every later conflict counts an attempt
              return new Failure(
                  attempts,
                  nowMs + backoff.delay(attempts - 1).toMillis(),
                  error,
                  true,
                  old == null ? 0 : old.conflicts(),
                  old == null ? 0 : old.deferrals());
            });
    return f.attempts();
  }

  /**
   * Plans the unit alone from now on without counting an attempt: a batch it was in failed where no
   * split could follow (see {@link OutlivedFailures}).
   */
  public void isolate(String markerKey, String error) {
    failures.compute(
        markerKey,
        (k, old) ->
            old == null
                ? new Failure(0, 0, error, true, 0, 0)
                : new Failure(
                    old.attempts(),
                    old.notBeforeMs(),
                    error,
                    true,
                    old.conflicts(),
                    old.deferrals()));
  }

  /** Whether a unit with this many attempts has used them all. */
  public boolean exhausted(int attempts) {
    return attempts >= maxAttempts;
  }

  /**
   * A transient failure (throttling, conflict, a split that ran out of budget): wait, but do not
   * count towards quarantine. The wait doubles with each deferral of the unit (and each attempt),
   * up to load.retry.backoff-max: a failure that keeps coming back is retried ever less often, so
   * load.retry.max-deferrals conflicts take tens of minutes rather than as many quick cycles.
   */
  public void defer(String markerKey, String error, long nowMs) {
    defer(markerKey, error, nowMs, false);
  }

  /**
   * Like {@link #defer(String, String, long)}; {@code conflict} counts one more conflict (see
   * {@link #conflictsSpent}).
   */
  public void defer(String markerKey, String error, long nowMs, boolean conflict) {
    failures.compute(
        markerKey,
        (k, f) ->
            f == null
                ? new Failure(
                    0, nowMs + backoff.delay(0).toMillis(), error, false, conflict ? 1 : 0, 1)
                : new Failure(
                    f.attempts(),
                    nowMs + backoff.delay(f.attempts() + f.deferrals()).toMillis(),
                    error,
                    f.isolate(),
                    conflict ? f.conflicts() + 1 : f.conflicts(),
                    f.deferrals() + 1));
  }

  /**
   * Whether this unit's conflicts have reached load.retry.max-deferrals: its next one counts like
   * any failure (splits its batch, then counts attempts), so a failure that only looks like a
   * conflict still ends in quarantine.
   */
  public boolean conflictsSpent(String markerKey) {
    Failure f = failures.get(markerKey);
    return f != null && f.conflicts() >= maxConflicts;
  }

  /** How many more conflicts this unit may meet before {@link #conflictsSpent}. */
  public int conflictsLeft(String markerKey) {
    Failure f = failures.get(markerKey);
    return Math.max(0, maxConflicts - (f == null ? 0 : f.conflicts()));
  }

  /**
   * Whether the unit waits out its backoff at {@code nowMs} (the wall clock). No backoff is longer
   * than load.retry.backoff-max (or load.retry.backoff, which a restored row waits, if longer): a
   * wait that still has more to go counts from a clock that went back since (NTP stepping it, a VM
   * restored from a snapshot) or from another host's clock ahead of ours (a failure-table row), and
   * is cut to that maximum from now, instead of holding the unit, and in an upsert table its
   * partition's later units, for as long as the step.
   */
  public boolean waiting(String markerKey, long nowMs) {
    Failure f = failures.get(markerKey);
    if (f == null) {
      return false;
    }
    // a restored row waits load.retry.backoff itself, uncapped
    long longest = Math.max(backoff.max().toMillis(), backoff.initial().toMillis());
    if (f.notBeforeMs() - nowMs > longest) {
      f =
          failures.computeIfPresent(
              markerKey,
              (k, old) ->
                  old.notBeforeMs() - nowMs > longest
                      ? new Failure(
                          old.attempts(),
                          nowMs + longest,
                          old.lastError(),
                          old.isolate(),
                          old.conflicts(),
                          old.deferrals())
                      : old);
    }
    return f != null && f.notBeforeMs() > nowMs;
  }

  /** Units to plan alone: they failed alone before, or were released from quarantine. */
  public Set<String> isolated() {
    return failures.entrySet().stream()
        .filter(e -> e.getValue().isolate())
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }

  /**
   * Forgets every unit whose marker this loader no longer lists: loaded and retired, of another
   * loader's topics (the failure table is shared), or deleted by hand. Nothing else would remove
   * their entries, which {@link #restore} takes from the table each cycle, for the life of the
   * process.
   */
  public void retainListed(Set<String> listedKeys) {
    failures.keySet().retainAll(listedKeys);
    releasesApplied.keySet().retainAll(listedKeys);
  }

  /**
   * Forgets a unit; returns true when it may have a row in the failure table (which the caller then
   * clears).
   */
  public boolean forget(String markerKey) {
    releasesApplied.remove(markerKey);
    Failure f = failures.remove(markerKey);
    return f != null && f.isolate();
  }

  /** The failure of a unit, or null. */
  public Failure failure(String markerKey) {
    return failures.get(markerKey);
  }
}
