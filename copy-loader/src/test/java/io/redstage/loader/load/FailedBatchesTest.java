package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.loader.TestUnits;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.TableRef;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FailedBatchesTest {
  private static final Instant RETRY = Instant.parse("2026-01-01T10:00:40Z");

  /**
   * A failed write of the batch's manifests was deferred without a line of its own: the operator
   * saw only "failed 1" in the cycle report.
   */
  @Test
  void aDeferredBatchIsNamedWithItsUnitsErrorAndRetry() {
    Unit unit = TestUnits.simple("orders", 0, 0, 9);
    Batch b = batch(List.of(unit));

    String line =
        FailedBatches.deferred(
            b,
            "Cannot write the COPY manifests of batch x: Access Denied (Status Code: 403)",
            RETRY,
            -1);

    assertThat(line)
        .startsWith(
            "Cannot load public.orders: batch " + b.id() + " (1 unit(s): " + unit.markerKey())
        .contains("Access Denied (Status Code: 403)")
        .contains("retried from 2026-01-01T10:00:40Z")
        .endsWith("without counting an attempt.");
  }

  @Test
  void aDeferredConflictTellsTheDeferralsLeft() {
    String line = FailedBatches.deferred(batch(units(2)), "1023 conflict", RETRY, 7);

    assertThat(line).contains("7 more such failure(s)").contains("load.retry.max-deferrals");
  }

  /** The widening ALTER's and the rejects intent's errors end in a full stop of their own. */
  @Test
  void anErrorsFullStopIsNotDoubled() {
    String line =
        FailedBatches.deferred(
            batch(units(1)), "Cannot widen: lock timeout; the batch is retried.", RETRY, -1);

    assertThat(line).contains("the batch is retried. It is retried from").doesNotContain("..");
  }

  @Test
  void aLargeBatchListsItsFirstTenUnits() {
    List<Unit> units = units(12);

    String line = FailedBatches.deferred(batch(units), "throttled", RETRY, -1);

    assertThat(line).contains("12 unit(s)").contains(units.get(9).markerKey() + ", ...)");
    assertThat(line).doesNotContain(units.get(10).markerKey());
  }

  /**
   * S3's refusal of COPY counts a deferral per process only: the ERROR promised a split after
   * load.retry.max-deferrals refusals, which a 'once' run from cron, starting at 0 each time, never
   * reaches. It says so, and what to do instead.
   */
  @Test
  void aStopByS3sRefusalSaysAOnceRunNeverSplitsTheBatch() {
    Batch b = batch(units(1));

    String line = FailedBatches.stopped(b, "S3ServiceException:Access Denied,Status 403", 2, true);

    assertThat(line)
        .startsWith("Cannot load public.orders: batch " + b.id())
        .contains("in one loader process the batch is split")
        .contains("A 'once' process counts from 0 each time")
        .contains("s3:ListBucket");
    assertThat(FailedBatches.stopped(b, "permission denied for relation orders", 2, false))
        .endsWith("2 other batch(es) wait for the next cycle, and nothing is quarantined for it.");
  }

  private static List<Unit> units(int n) {
    return IntStream.range(0, n).mapToObj(i -> TestUnits.simple("orders", i, 0, 9)).toList();
  }

  private static Batch batch(List<Unit> units) {
    return new Batch(UUID.randomUUID(), TableRef.of("public", "orders"), units, List.of());
  }
}
