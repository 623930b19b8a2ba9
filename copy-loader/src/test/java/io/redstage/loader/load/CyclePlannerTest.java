package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.ColumnRole;
import io.redstage.contract.ColumnType;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.TestUnits;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.BatchPlanner;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.discovery.OffsetRange;
import io.redstage.loader.discovery.TopicPartition;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.redshift.Backoff;
import io.redstage.loader.sql.TableMapper;
import io.redstage.loader.sql.TableRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CyclePlannerTest {
  static final TableRef ORDERS = TableRef.of("public", "orders");

  static CyclePlanner planner(FailureTracker failures, String mode) {
    Map<String, String> m =
        new HashMap<>(
            Map.of(
                "s3.bucket.name",
                "b",
                "redshift.database",
                "dev",
                "redshift.workgroup-name",
                "wg",
                "load.mode",
                mode));
    if (mode.equals("upsert")) {
      m.put("upsert.key", "id");
    }
    return new CyclePlanner(
        new TableMapper("public", List.of(), null, null),
        new TableSettingsResolver(LoaderConfig.of(m)),
        new BatchPlanner(1L << 40, 1000, 8, 2000, UUID::randomUUID),
        failures);
  }

  static FailureTracker tracker() {
    return new FailureTracker(new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(1)), 3, 10);
  }

  /**
   * A unit of orders 0 [start, start + 9] whose offset column is {@code offsetColumn}, committed at
   * {@code committedAtMs}, with a headers column named hdrs when {@code headers}.
   */
  static Unit naming(String offsetColumn, long start, long committedAtMs, boolean headers) {
    List<MarkerColumn> cols = new ArrayList<>();
    cols.add(TestUnits.col("id", ColumnType.Kind.INT64));
    for (MarkerColumn m : TestUnits.metadataColumns()) {
      cols.add(
          m.role().orElseThrow() == ColumnRole.OFFSET
              ? new MarkerColumn(offsetColumn, m.type(), m.nullable(), ColumnRole.OFFSET)
              : m);
    }
    if (headers) {
      cols.add(
          new MarkerColumn(
              "hdrs", ColumnType.of(ColumnType.Kind.STRING), true, ColumnRole.HEADERS));
    }
    MarkerFile f =
        TestUnits.file(
            TestUnits.dataKey("orders", "partition=0", 0, start, start + 9, ".jsonl"),
            100,
            10,
            FileFormat.JSONL,
            cols);
    CommitMarker m =
        new CommitMarker(
            CommitMarker.FORMAT_VERSION,
            "orders",
            0,
            start,
            start + 9,
            10,
            TestUnits.BUCKET,
            committedAtMs,
            "flush.size",
            List.of(f));
    return new Unit(MarkerKeys.markerKey(TestUnits.MARKERS, "orders", 0, start, start + 9), m);
  }

  /**
   * Units that name the offset column two ways: an append table plans those that agree with the
   * first committed, whatever their offsets, and the others after them; an upsert table plans all
   * (its load stops with the names, in offset order). A role one marker does not state agrees with
   * any name (a headers column only the newer units have).
   */
  @Test
  void anAppendTablePlansTheUnitsNamedAsTheFirstCommittedFirst() {
    Unit renamedEarly = naming("record_offset", 0, 5_000, false);
    Unit original = naming("kafka_offset", 10, 1_000, false);
    Unit originalLater = naming("kafka_offset", 20, 6_000, true);
    List<Unit> listed = List.of(renamedEarly, original, originalLater);
    CyclePlanner.Plan append =
        planner(tracker(), "append").plan(listed, Map.of(), new LoadState(), 0);
    assertThat(append.batches().get(ORDERS))
        .flatMap(Batch::units)
        .containsExactly(original, originalLater);
    assertThat(append.pendingUnits()).isEqualTo(3);
    assertThat(append.backlog().get(ORDERS).heldBack()).as("waiting their turn, not held").isZero();

    CyclePlanner.Plan later =
        planner(tracker(), "append").plan(List.of(renamedEarly), Map.of(), new LoadState(), 0);
    assertThat(later.batches().get(ORDERS)).flatMap(Batch::units).containsExactly(renamedEarly);

    CyclePlanner.Plan upsert =
        planner(tracker(), "upsert").plan(listed, Map.of(), new LoadState(), 0);
    assertThat(upsert.batches().get(ORDERS)).flatMap(Batch::units).hasSize(3);
  }

  /**
   * Two topics whose names map to one table by default (shop.Orders and shop.orders) hold an upsert
   * table, as a table whose settings do not resolve: one's keys would replace or delete the other's
   * rows. An append table loads them (its rows keep their topic), and so does an upsert table that
   * tables.map names for both.
   */
  @Test
  void topicsMergedIntoAnUpsertTableByTheirNamesAloneHoldIt() {
    Unit lower = TestUnits.simple("shop.orders", 0, 0, 9);
    Unit upper = TestUnits.simple("shop.Orders", 0, 0, 9);
    TableRef shop = TableRef.of("public", "shop_orders");
    CyclePlanner.Plan upsert =
        planner(tracker(), "upsert").plan(List.of(lower, upper), Map.of(), new LoadState(), 0);
    assertThat(upsert.batches()).doesNotContainKey(shop);
    assertThat(upsert.unconfigured().get(shop))
        .startsWith("Cannot load topics [shop.Orders, shop.orders] into the upsert table")
        .contains("Name each in tables.map");
    assertThat(upsert.backlog().get(shop).heldBack()).isEqualTo(2);

    CyclePlanner.Plan append =
        planner(tracker(), "append").plan(List.of(lower, upper), Map.of(), new LoadState(), 0);
    assertThat(append.batches().get(shop)).flatMap(Batch::units).hasSize(2);
    assertThat(append.unconfigured()).isEmpty();
  }

  /**
   * What shares a table is what is listed now: a topic whose markers were all retired counted for
   * the life of a 'run' process, so the remaining topic's upsert table waited "for its settings"
   * until a restart.
   */
  @Test
  void aTopicNoLongerListedNoLongerSharesItsTable() {
    Unit lower = TestUnits.simple("shop.orders", 0, 0, 9);
    Unit upper = TestUnits.simple("shop.Orders", 0, 0, 9);
    TableRef shop = TableRef.of("public", "shop_orders");
    CyclePlanner planner = planner(tracker(), "upsert");
    assertThat(planner.plan(List.of(lower, upper), Map.of(), new LoadState(), 0).unconfigured())
        .containsKey(shop);

    CyclePlanner.Plan alone = planner.plan(List.of(upper), Map.of(), new LoadState(), 0);

    assertThat(alone.unconfigured()).isEmpty();
    assertThat(alone.batches().get(shop)).flatMap(Batch::units).containsExactly(upper);
  }

  @Test
  void theMergedTopicsMetricCountsTheListedTopics() {
    Unit lower = TestUnits.simple("shop.orders", 0, 0, 9);
    Unit upper = TestUnits.simple("shop.Orders", 0, 0, 9);
    Unit other = TestUnits.simple("orders", 0, 0, 9);
    CyclePlanner planner = planner(tracker(), "append");
    assertThat(planner.mergedTopics(List.of(lower, upper, other)))
        .containsExactly(Map.entry("public.shop_orders", 2L));
    assertThat(planner.mergedTopics(List.of(upper, other))).isEmpty();
  }

  @Test
  void coveredUnitsAreLoadedPartiallyCoveredArePending() {
    LoadState state = new LoadState();
    state.addLoaded(ORDERS.name(), new TopicPartition("orders", 0), 0, 99);
    Unit same = TestUnits.simple("orders", 0, 0, 99);
    Unit subset = TestUnits.simple("orders", 0, 0, 49);
    Unit overlap = TestUnits.simple("orders", 0, 50, 120);
    CyclePlanner.Plan plan =
        planner(tracker(), "append").plan(List.of(same, subset, overlap), Map.of(), state, 0);
    assertThat(plan.loaded()).containsExactlyInAnyOrder(same, subset);
    assertThat(plan.batches().get(ORDERS))
        .singleElement()
        .satisfies(b -> assertThat(b.units()).containsExactly(overlap));
  }

  @Test
  void quarantinedAndWaitingUnitsAreHeldAndBlockTheirPartitionInUpsertMode() {
    FailureTracker failures = tracker();
    Unit u1 = TestUnits.simple("orders", 0, 0, 9);
    Unit u2 = TestUnits.simple("orders", 0, 10, 19);
    Unit p1 = TestUnits.simple("orders", 1, 0, 9);
    failures.fail(u1.markerKey(), "boom", 1000);
    List<Unit> all = List.of(u1, u2, p1);
    CyclePlanner.Plan append =
        planner(failures, "append").plan(all, Map.of(), new LoadState(), 1000);
    assertThat(append.batches().get(ORDERS)).flatMap(Batch::units).containsExactly(u2, p1);
    CyclePlanner.Plan upsert =
        planner(failures, "upsert").plan(all, Map.of(), new LoadState(), 1000);
    assertThat(upsert.batches().get(ORDERS)).flatMap(Batch::units).containsExactly(p1);
    assertThat(upsert.backlog().get(ORDERS).heldBack()).isEqualTo(2);

    LoadState q = new LoadState();
    q.addQuarantined(p1.markerKey(), "batch-1");
    CyclePlanner.Plan afterBackoff = planner(failures, "append").plan(all, Map.of(), q, 1_000_000);
    List<List<Unit>> batches =
        afterBackoff.batches().get(ORDERS).stream().map(Batch::units).toList();
    assertThat(batches).containsExactly(List.of(u1), List.of(u2));
  }

  @Test
  void anUnreadableMarkerHoldsTheLaterUnitsOfItsPartitionInUpsertMode() {
    Unit before = TestUnits.simple("orders", 0, 0, 9);
    // the marker of offsets 10-19 cannot be read: the scan has no unit for it
    Unit after = TestUnits.simple("orders", 0, 20, 29);
    Unit other = TestUnits.simple("orders", 1, 20, 29);
    List<Unit> all = List.of(before, after, other);
    Map<TopicPartition, List<OffsetRange>> unreadable =
        Map.of(new TopicPartition("orders", 0), List.of(new OffsetRange(10, 19)));

    CyclePlanner.Plan upsert =
        planner(tracker(), "upsert").plan(all, unreadable, new LoadState(), 0);
    assertThat(upsert.batches().get(ORDERS)).flatMap(Batch::units).containsExactly(before, other);
    assertThat(upsert.backlog().get(ORDERS).heldBack()).isEqualTo(1);

    CyclePlanner.Plan append =
        planner(tracker(), "append").plan(all, unreadable, new LoadState(), 0);
    assertThat(append.batches().get(ORDERS))
        .as("append order does not matter: every readable unit loads")
        .flatMap(Batch::units)
        .containsExactly(before, after, other);
  }

  /**
   * An unreadable marker whose offsets are all loaded (a zombie's unit beside its replay's, kept
   * while archived or refused) held every later unit of its upsert partition for good; it has no
   * rows left to apply before them. One of offsets not all loaded still holds them.
   */
  @Test
  void anUnreadableMarkerOfLoadedOffsetsHoldsNothingInUpsertMode() {
    Unit after = TestUnits.simple("orders", 0, 10, 19);
    LoadState state = new LoadState();
    state.addLoaded(ORDERS.name(), new TopicPartition("orders", 0), 0, 9);
    TopicPartition tp = new TopicPartition("orders", 0);

    CyclePlanner.Plan loaded =
        planner(tracker(), "upsert")
            .plan(List.of(after), Map.of(tp, List.of(new OffsetRange(0, 4))), state, 0);
    assertThat(loaded.batches().get(ORDERS)).flatMap(Batch::units).containsExactly(after);
    assertThat(loaded.backlog().get(ORDERS).heldBack()).isZero();

    CyclePlanner.Plan partly =
        planner(tracker(), "upsert")
            .plan(List.of(after), Map.of(tp, List.of(new OffsetRange(5, 10))), state, 0);
    assertThat(partly.batches()).doesNotContainKey(ORDERS);
    assertThat(partly.backlog().get(ORDERS).heldBack()).isEqualTo(1);
  }

  @Test
  void failureTrackerCountsAttemptsAndBacksOff() {
    FailureTracker f = tracker();
    assertThat(f.fail("k", "e", 0)).isEqualTo(1);
    assertThat(f.waiting("k", 1000)).isTrue();
    assertThat(f.waiting("k", 10_001)).isFalse();
    assertThat(f.fail("k", "e", 20_000)).isEqualTo(2);
    assertThat(f.exhausted(f.fail("k", "e", 60_000))).isTrue();
    f.defer("t", "throttled", 0);
    assertThat(f.isolated()).containsExactly("k");
  }

  @Test
  void restoredAttemptsContinueTheCountAndWaitTheBackoffFromTheLastAttempt() {
    FailureTracker f = tracker();
    f.restore(
        Map.of(
            "k",
            new FailureTracker.Persisted(2, 100_000, "COPY failed"),
            "released",
            new FailureTracker.Persisted(0, 100_000, "released")));
    assertThat(f.waiting("k", 105_000))
        .as("a new process waits load.retry.backoff after the persisted attempt")
        .isTrue();
    assertThat(f.waiting("k", 110_001)).isFalse();
    assertThat(f.waiting("released", 100_000)).isFalse();
    assertThat(f.isolated()).containsExactlyInAnyOrder("k", "released");
    assertThat(f.exhausted(f.fail("k", "COPY failed", 200_000)))
        .as("third attempt across processes")
        .isTrue();
    assertThat(f.forget("k")).isTrue();
    f.defer("t", "throttled", 0);
    assertThat(f.forget("t")).as("deferred only: no row in the failure table").isFalse();
  }

  @Test
  void aBacklogSumsItsUnitsAndHasNoOldestWithoutUnits() {
    Unit tenRecords = TestUnits.simple("orders", 0, 0, 9);
    Unit twentyRecords = TestUnits.simple("orders", 1, 0, 19);
    assertThat(CyclePlanner.TableBacklog.of(List.of(tenRecords, twentyRecords), 1))
        .isEqualTo(new CyclePlanner.TableBacklog(2, 2000, 30, 1000, 1));
    assertThat(CyclePlanner.TableBacklog.of(List.of(), 0))
        .isEqualTo(new CyclePlanner.TableBacklog(0, 0, 0, Long.MAX_VALUE, 0));
  }
}
