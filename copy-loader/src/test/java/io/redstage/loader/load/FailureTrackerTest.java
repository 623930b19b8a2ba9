package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.loader.redshift.Backoff;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FailureTrackerTest {
  private final FailureTracker tracker =
      new FailureTracker(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8)), 3, 10);

  @Test
  void aHigherCountInTheTableWinsAndALowerOneDoesNot() {
    tracker.fail("u", "boom", 0);
    tracker.restore(Map.of("u", new FailureTracker.Persisted(2, 0, "from another loader")));
    assertThat(tracker.failure("u").attempts()).isEqualTo(2);
    tracker.restore(Map.of("u", new FailureTracker.Persisted(1, 0, "older")));
    assertThat(tracker.failure("u").attempts()).isEqualTo(2);
  }

  /**
   * The wall clock set back an hour (NTP, a VM restored from a snapshot) while a unit waits out its
   * backoff: it waits at most load.retry.backoff-max (8 s here) from the new time, not the hour
   * plus its backoff. A failure-table row from a host whose clock is ahead is cut the same way.
   */
  @Test
  void aBackoffLastsAtMostTheMaximumWhenTheClockGoesBack() {
    long hour = Duration.ofHours(1).toMillis();
    tracker.fail("u", "boom", 2 * hour);
    assertThat(tracker.waiting("u", hour)).as("from the new time, within the maximum").isTrue();
    assertThat(tracker.waiting("u", hour + 8_001)).isFalse();

    tracker.restore(Map.of("v", new FailureTracker.Persisted(1, 5 * hour, "another host's clock")));
    assertThat(tracker.waiting("v", hour)).isTrue();
    assertThat(tracker.waiting("v", hour + 8_001)).isFalse();
  }

  /**
   * This loader saw two failures, another one made the third and quarantined the unit, then it was
   * released (a row of 0 attempts): its count starts afresh here too, instead of the next failure
   * quarantining it again after a single try.
   */
  @Test
  void aReleaseResetsTheCountOfAProcessThatSawEarlierFailures() {
    tracker.fail("u", "boom", 0);
    tracker.fail("u", "boom", 1_000);
    tracker.restore(Map.of("u", new FailureTracker.Persisted(0, 5_000, "released")));

    FailureTracker.Failure f = tracker.failure("u");
    assertThat(f.attempts()).isZero();
    assertThat(f.isolate()).as("a released unit loads alone").isTrue();
    assertThat(tracker.waiting("u", 5_000)).as("no backoff left from before").isFalse();
    assertThat(tracker.exhausted(tracker.fail("u", "boom", 6_000))).isFalse();
  }

  /**
   * The release row stays until the unit fails alone or loads, and every cycle reads it: only the
   * first reading resets, so deferrals and backoff counted since go on (else a unit whose COPY S3
   * keeps refusing would never reach load.retry.max-deferrals).
   */
  @Test
  void aReleaseResetsOncePerReleaseNotEveryCycle() {
    FailureTracker.Persisted released = new FailureTracker.Persisted(0, 5_000, "released");
    tracker.fail("u", "boom", 0);
    tracker.restore(Map.of("u", released));
    tracker.defer("u", "S3 refused COPY", 6_000, true);
    tracker.restore(Map.of("u", released)); // the next cycle reads the same row

    assertThat(tracker.failure("u").conflicts()).isEqualTo(1);
    assertThat(tracker.waiting("u", 6_001)).as("the deferral's backoff holds").isTrue();

    tracker.restore(Map.of("u", new FailureTracker.Persisted(0, 9_000, "released again")));
    assertThat(tracker.failure("u").conflicts()).as("a new release resets").isZero();
  }

  /**
   * Every deferral doubles the next wait, conflict or not, up to load.retry.backoff-max (8 s here):
   * a conflict that keeps coming back spends load.retry.max-deferrals over minutes, not in as many
   * quick cycles. Only conflicts count towards that limit, and no deferral counts an attempt.
   */
  @Test
  void eachDeferralDoublesTheWaitUpToTheMaximum() {
    long now = 0;
    for (int n = 0; n < 6; n++) {
      tracker.defer("u", n % 2 == 0 ? "1023 conflict" : "throttled", now, n % 2 == 0);
      long wait = tracker.failure("u").notBeforeMs() - now;
      long full = Math.min(1_000L << n, 8_000);
      assertThat(wait).as("wait after deferral %d", n + 1).isBetween(full / 2, full);
      now = tracker.failure("u").notBeforeMs();
    }
    FailureTracker.Failure f = tracker.failure("u");
    assertThat(f.deferrals()).isEqualTo(6);
    assertThat(f.conflicts()).as("only the conflicts").isEqualTo(3);
    assertThat(tracker.conflictsLeft("u")).as("of load.retry.max-deferrals 10").isEqualTo(7);
    assertThat(f.attempts()).isZero();
  }

  /** A unit that failed alone waits longer with each deferral after its attempts. */
  @Test
  void aDeferralAfterAnAttemptWaitsLongerThanTheAttempt() {
    tracker.fail("u", "bad file", 0); // waits 0.5-1 s
    tracker.defer("u", "throttled", 1_000);
    assertThat(tracker.failure("u").notBeforeMs()).isBetween(2_000L, 3_000L);
    tracker.defer("u", "throttled", 3_000);
    assertThat(tracker.failure("u").notBeforeMs()).isBetween(5_000L, 7_000L);
    assertThat(tracker.failure("u").attempts()).isEqualTo(1);
  }

  /**
   * Entries of units this loader does not list (another loader's topics in the shared failure
   * table, units loaded and retired) are dropped, or a long run kept them all.
   */
  @Test
  void unitsNoLongerListedAreForgotten() {
    tracker.restore(
        Map.of(
            "mine", new FailureTracker.Persisted(1, 0, "e"),
            "theirs", new FailureTracker.Persisted(2, 0, "e")));
    tracker.fail("retired", "e", 0);

    tracker.retainListed(Set.of("mine"));

    assertThat(tracker.failure("mine")).isNotNull();
    assertThat(tracker.failure("theirs")).isNull();
    assertThat(tracker.failure("retired")).isNull();
  }

  /**
   * A table's stop counts the cycles in a row, across processes (the count read from the table goes
   * on); a commit of the table ends it, and only then does the caller delete the row.
   */
  @Test
  void aTableStopCountsCyclesUntilTheTableLoads() {
    tracker.restoreTableStops(Map.of("public.t", new FailureTracker.TableStop(2, 0, "before")));
    assertThat(tracker.tableStopped("public.t", "permission denied", 5_000)).isEqualTo(3);
    assertThat(tracker.tableStopped("public.other", "Disk Full", 5_000)).isEqualTo(1);

    assertThat(tracker.tableLoaded("public.t")).as("its row is to be deleted").isTrue();
    assertThat(tracker.tableLoaded("public.t")).as("once").isFalse();
    assertThat(tracker.tableStopped("public.t", "permission denied", 6_000))
        .as("a new stop starts afresh")
        .isEqualTo(1);
  }

  /**
   * The table's rows are the truth at a cycle's start: a row another loader deleted (it loaded the
   * table) is not deleted again, one it wrote is.
   */
  @Test
  void tableStopsAreTakenFromTheTableAsTheyAre() {
    tracker.tableStopped("public.loaded_elsewhere", "e", 0);
    tracker.restoreTableStops(Map.of("public.t", new FailureTracker.TableStop(1, 0, "e")));

    assertThat(tracker.tableLoaded("public.loaded_elsewhere")).isFalse();
    assertThat(tracker.tableLoaded("public.t")).isTrue();
  }
}
