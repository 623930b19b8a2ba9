package io.redstage.loader.it;

import static io.redstage.loader.config.LoaderConfigDef.CONTROL_FAILURES_TABLE;
import static io.redstage.loader.config.LoaderConfigDef.CONTROL_MARKERS_TABLE;
import static io.redstage.loader.config.LoaderConfigDef.CONTROL_QUARANTINE_TABLE;
import static io.redstage.loader.config.LoaderConfigDef.CONTROL_SCHEMA;
import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.cli.LoaderCli;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import io.redstage.loader.sql.ControlTables;
import io.redstage.loader.sql.TableRef;
import io.redstage.sandbox.s3.FaultRule;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Injected throttling, 5xx and FAILED statements are retried; a poison batch is quarantined, others
 * keep loading.
 */
class FailureHandlingIT {
  static final List<MarkerColumn> COLS =
      List.of(new MarkerColumn("v", ColumnType.of(ColumnType.Kind.STRING), true));
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @AfterEach
  void clearFaults() {
    stack.redshift.faults().clear();
  }

  static void unit(String topic, long start, long end) {
    stack.files.unit(topic, 0, start, end, FileFormat.PARQUET, COLS, o -> row("v", "v" + o));
  }

  @Test
  void throttlingAnd5xxAreRetriedBySdkAndPolling() throws Exception {
    unit("f_throttle", 0, 9);
    Map<String, String> config = stack.config();
    config.put("topics", "f_throttle"); // each test loads only its own topics: the stack is shared
    try (Loader loader = stack.loader(config)) {
      loader.ensureControlTables();
      stack
          .redshift
          .faults()
          .throttleNext(3, "DescribeStatement")
          .failNext(2, "BatchExecuteStatement", 500)
          .throttleNext(1, "BatchExecuteStatement")
          .failNext(1, "GetStatementResult", 502);
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.batchesFailed()).isZero();
    }
    assertThat(stack.redshift.faults().throttledCount()).isGreaterThanOrEqualTo(4);
    assertThat(stack.count("SELECT COUNT(*) FROM public.f_throttle")).isEqualTo(10);
  }

  /**
   * A load that outlives redshift.statement-timeout goes on in Redshift: later cycles wait for that
   * statement instead of starting another transaction for the same units, which would queue behind
   * its locks, COPY the files again and load nothing.
   */
  @Test
  void aLoadThatOutlivesTheStatementTimeoutIsWaitedForAndNotStartedAgain() throws Exception {
    Map<String, String> config = stack.config("f_outlived");
    config.put("redshift.statement-timeout", "1s");
    String lock = loadedIntervalsLock(config, "f_outlived");
    try (Loader loader = stack.loader(config)) {
      unit("f_outlived", 0, 9);
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      // the next load's first statement, its LOCK, held back as a busy cluster's queue would: the
      // loader stops waiting for it before it has started
      stack
          .redshift
          .faults()
          .slowStatementsMatching("^" + Pattern.quote(lock) + "$", Duration.ofSeconds(4));
      unit("f_outlived", 10, 19);
      assertThat(loader.runOnce().unknownOutcomes()).isEqualTo(1);
      CycleReport whileRunning = loader.runOnce();
      assertThat(whileRunning.unknownOutcomes()).as("no second load statement").isZero();
      assertThat(whileRunning.batchesLoaded() + whileRunning.batchesFailed()).isZero();
      assertThat(whileRunning.unitsLeftOut())
          .as("the table's units are left out while its statement runs")
          .isEqualTo(2);
      // the first statement loaded the unit: no cycle, not even the one that saw it finish, ran
      // another
      assertThat(batchesUntilSettled(loader, Duration.ofSeconds(30))).isZero();
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.f_outlived")).isEqualTo(20);
  }

  /**
   * A batch whose load always outlives redshift.statement-timeout and then fails (one bad row in a
   * batch a busy cluster runs slower than the timeout) was planned again whole, cycle after cycle:
   * nobody read its error, and no row of the table loaded, with only unknown outcomes in the logs.
   * Its units now load one by one after its failure, so the good ones load.
   */
  @Test
  void aBatchThatOutlivesTheTimeoutAndThenFailsLoadsItsGoodUnitsOneByOne() throws Exception {
    Map<String, String> config = outlivingConfig("f_outlived_bad");
    try (Loader loader = stack.loader(config)) {
      loadsOutliveTheTimeoutFromNowOn(loader, config, "f_outlived_bad");
      for (long start = 10; start < 40; start += 10) {
        stack.files.unit(
            "f_outlived_bad",
            0,
            start,
            start + 9,
            FileFormat.JSONL,
            ID_COLUMN,
            o -> row("id", o == 35 ? "not-a-number" : o));
      }
      cyclesUntil(
          loader,
          Duration.ofSeconds(60),
          () -> stack.count("SELECT COUNT(*) FROM public.f_outlived_bad") == 30);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.f_outlived_bad WHERE id BETWEEN 30 AND 39"))
        .as("the bad unit's rows wait")
        .isZero();
  }

  /**
   * A unit whose every load outlives redshift.statement-timeout and then fails counted an attempt
   * each time but was never quarantined: it ran again every cycle, holding its table for each run.
   * After load.retry.max-attempts such failures it is now quarantined, as a unit whose loads fail
   * in time is, and a unit committed after it loads.
   */
  @Test
  void aUnitWhoseLoadsOutliveTheTimeoutAndFailIsQuarantinedAfterItsAttempts() throws Exception {
    Map<String, String> config = outlivingConfig("f_outlived_one");
    config.put("load.retry.max-attempts", "2");
    config.put("load.retry.backoff", "0s");
    try (Loader loader = stack.loader(config)) {
      loadsOutliveTheTimeoutFromNowOn(loader, config, "f_outlived_one");
      stack.files.unit(
          "f_outlived_one",
          0,
          10,
          19,
          FileFormat.JSONL,
          ID_COLUMN,
          o -> row("id", o == 15 ? "not-a-number" : o));
      cyclesUntil(
          loader,
          Duration.ofSeconds(60),
          () ->
              stack.count(
                      "SELECT COUNT(*) FROM public._redstage_quarantine WHERE topic ="
                          + " 'f_outlived_one' AND released_at IS NULL")
                  == 1);
      stack.redshift.faults().clear();
      stack.files.unit("f_outlived_one", 0, 20, 29, FileFormat.JSONL, ID_COLUMN, o -> row("id", o));
      cyclesUntil(
          loader,
          Duration.ofSeconds(30),
          () -> stack.count("SELECT COUNT(*) FROM public.f_outlived_one") == 20);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.f_outlived_one WHERE id BETWEEN 10 AND 19"))
        .isZero();
    assertThat(
            stack.query(
                "SELECT start_offset, error FROM public._redstage_quarantine WHERE topic ="
                    + " 'f_outlived_one'"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(((Number) r.get(0)).longValue()).isEqualTo(10L);
              assertThat((String) r.get(1)).contains("outlived redshift.statement-timeout 2 times");
            });
  }

  /**
   * While a load statement that outlived redshift.statement-timeout still runs, it holds its
   * table's LOCK, and every read of that table's loaded intervals waits for it: the next cycles
   * leave that table out and load the others.
   */
  @Test
  void aTableWhoseLoadOutlivedTheTimeoutDoesNotHoldUpOtherTables() throws Exception {
    Map<String, String> config = stack.config("f_slow,f_other");
    config.put("redshift.statement-timeout", "1s");
    try (Loader loader = stack.loader(config)) {
      unit("f_slow", 0, 9);
      unit("f_other", 0, 9);
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(2);
      // the next load of f_slow stays inside its transaction, past its LOCK, for 8 s
      stack
          .redshift
          .faults()
          .slowStatementsMatching("^INSERT INTO \"public\"\\.\"f_slow\"", Duration.ofSeconds(8));
      unit("f_slow", 10, 19);
      assertThat(loader.runOnce().unknownOutcomes()).isEqualTo(1);
      unit("f_other", 10, 19);
      CycleReport meanwhile = loader.runOnce();
      assertThat(stack.count("SELECT COUNT(*) FROM public.f_slow"))
          .as("the cycle ended while f_slow's statement still held its lock")
          .isEqualTo(10);
      assertThat(meanwhile.unitsLeftOut()).isEqualTo(2);
      assertThat(meanwhile.unitsLoaded()).isEqualTo(1);
      assertThat(stack.count("SELECT COUNT(*) FROM public.f_other")).isEqualTo(20);
      assertThat(batchesUntilSettled(loader, Duration.ofSeconds(60)))
          .as("batches after the slow statement ended")
          .isZero();
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.f_slow")).isEqualTo(20);
  }

  /**
   * The LOCK statement with which a load of {@code table} (in public) starts, under {@code config}.
   */
  private static String loadedIntervalsLock(Map<String, String> config, String table) {
    LoaderConfig c = LoaderConfig.of(config);
    return new ControlTables(
            TableRef.of(c.string(CONTROL_SCHEMA), c.string(CONTROL_MARKERS_TABLE)),
            TableRef.of(c.string(CONTROL_SCHEMA), c.string(CONTROL_QUARANTINE_TABLE)),
            TableRef.of(c.string(CONTROL_SCHEMA), c.string(CONTROL_FAILURES_TABLE)))
        .loadedIntervals(TableRef.of("public", table))
        .lock();
  }

  /**
   * Runs cycles until nothing is pending or left out (an outlived statement has ended and the state
   * shows its units); returns the batches they ran or lost track of.
   */
  static int batchesUntilSettled(Loader loader, Duration atMost) {
    int[] batchesRun = {0};
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              CycleReport r = loader.runOnce();
              batchesRun[0] += r.batchesLoaded() + r.batchesFailed() + r.unknownOutcomes();
              return r.unitsPending() == 0 && r.unitsLeftOut() == 0;
            });
    return batchesRun[0];
  }

  @Test
  void conflictFailureIsRetriedWithoutQuarantine() throws Exception {
    unit("f_conflict", 0, 9);
    Map<String, String> config = stack.config();
    config.put("topics", "f_conflict");
    try (Loader loader = stack.loader(config)) {
      loader.ensureControlTables();
      stack
          .redshift
          .faults()
          .failStatementsMatching(
              "INSERT INTO \"public\".\"f_conflict\"",
              4,
              "1023 DETAIL: Serializable isolation violation on table - 100, transactions forming the cycle are: 1, 2");
      List<CycleReport> reports = new ArrayList<>();
      for (int i = 0;
          i < 6
              && stack.count(
                      "SELECT COUNT(*) FROM public._redstage_load_markers WHERE topic = 'f_conflict'")
                  == 0;
          i++) {
        reports.add(loader.runOnce());
      }
      assertThat(reports).extracting(CycleReport::batchesQuarantined).containsOnly(0);
      assertThat(reports).extracting(CycleReport::batchesFailed).contains(1);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.f_conflict")).isEqualTo(10);
  }

  /**
   * A conflict that lasts a few minutes must not spend a unit's deferrals: each deferral doubles
   * the wait (from 30-60 s here), so four deferrals take over 7 minutes. Before, every deferral
   * waited the first step, cycles 10 s apart spent them in under 6 minutes and the fifth conflict
   * quarantined the unit.
   */
  @Test
  void aConflictOfAFewMinutesSpendsNoDeferralsItNeedsLater() throws Exception {
    unit("f_conflict_minutes", 0, 9);
    Map<String, String> config = stack.config("f_conflict_minutes");
    config.put("load.retry.max-deferrals", "4");
    config.put("load.retry.max-attempts", "1");
    config.put("load.retry.backoff", "60s");
    config.put("load.retry.backoff-max", "10m");
    MutableClock clock = new MutableClock();
    try (Loader loader = stack.loader(config, clock)) {
      loader.ensureControlTables();
      stack
          .redshift
          .faults()
          .failStatementsMatching(
              "^INSERT INTO \"public\".\"f_conflict_minutes\"",
              -1,
              "1023 DETAIL: Serializable isolation violation on table - 100, transactions forming the cycle are: 1, 2");
      Instant start = clock.instant();
      List<CycleReport> reports = new ArrayList<>();
      while (Duration.between(start, clock.instant()).compareTo(Duration.ofMinutes(6)) < 0) {
        reports.add(loader.runOnce());
        clock.advance(Duration.ofSeconds(10));
      }
      stack.redshift.faults().clear();
      clock.advance(Duration.ofMinutes(10));
      reports.add(loader.runOnce());

      assertThat(reports).extracting(CycleReport::batchesQuarantined).containsOnly(0);
      assertThat(reports.stream().mapToInt(CycleReport::batchesFailed).sum())
          .as("the conflict kept coming back")
          .isBetween(3, 4);
      assertThat(reports.get(reports.size() - 1).unitsLoaded()).isEqualTo(1);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.f_conflict_minutes")).isEqualTo(10);
  }

  /**
   * COPY's role losing access to the files (S3 answers 403) fails every batch of the table alike:
   * splitting and quarantining each unit set the whole backlog aside, to be released and loaded
   * alone one by one. Now the table stops for the cycle, nothing is quarantined, the other tables
   * load, and the backlog loads once S3 allows COPY again.
   */
  @Test
  void copyDeniedByS3StopsTheTableWithoutQuarantiningItsUnits() throws Exception {
    for (int i = 0; i < 3; i++) {
      unit("f_denied", i * 10, i * 10 + 9);
    }
    unit("f_allowed", 0, 9);
    Map<String, String> config = stack.config("f_denied,f_allowed");
    config.put("load.retry.max-attempts", "1");
    config.put("load.retry.backoff", "0s");
    config.put("batch.max-units", "1"); // three batches: the later two must not even run
    FaultRule denied =
        stack
            .s3
            .faults()
            .failAlways(
                S3Fault.ACCESS_DENIED,
                RequestMatcher.operations(ObjectOperation.GET_OBJECT)
                    .keyPrefix("topics/f_denied/"));
    try (Loader loader = stack.loader(config)) {
      List<CycleReport> reports = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          reports.add(loader.runOnce());
        }
      } finally {
        stack.s3.faults().remove(denied);
      }
      assertThat(reports).extracting(CycleReport::batchesQuarantined).containsOnly(0);
      assertThat(reports).extracting(CycleReport::tablesStopped).containsOnly(1);
      assertThat(reports).extracting(CycleReport::batchesFailed).containsOnly(1);
      assertThat(loader.metrics().render())
          .contains(
              "redstage_loader_failures_total{kind=\"environment\",table=\"public.f_denied\"} 3");
      assertThat(stack.count("SELECT COUNT(*) FROM public.f_allowed")).isEqualTo(10);
      assertThat(
              stack.count(
                  "SELECT COUNT(*) FROM public._redstage_quarantine WHERE target_table = 'public.f_denied'"))
          .isZero();

      CycleReport after = loader.runOnce();
      assertThat(after.tablesStopped()).isZero();
      assertThat(after.unitsLoaded()).isEqualTo(3);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.f_denied")).isEqualTo(30);
  }

  /**
   * A write of the failure table that outlives redshift.statement-timeout (here its LOCK waits 10 s
   * against a 5 s timeout, which the loads themselves stay well within) is logged like a refused
   * one: the stopped table counts once, the other table loads, and the stopped one loads once its
   * environment allows it.
   */
  @Test
  void aStopWhoseRecordOutlivesTheStatementTimeoutStopsNoLoad() throws Exception {
    unit("f_env_slow", 0, 9);
    unit("f_env_slow_neighbour", 0, 9);
    Map<String, String> config = stack.config("f_env_slow,f_env_slow_neighbour");
    config.put("redshift.statement-timeout", "5s");
    try (Loader loader = stack.loader(config)) {
      loader.ensureControlTables();
      stack
          .redshift
          .faults()
          .failStatementsMatching(
              "^COPY \"rs_stage_1\" FROM 's3://staging/_redstage/manifests/public\\.f_env_slow/",
              -1,
              "permission denied for relation f_env_slow")
          // every write of the failure table (and the quarantine table) starts with this LOCK
          .slowStatementsMatching(
              "^LOCK \"public\".\"_redstage_quarantine\"", Duration.ofSeconds(10));
      CycleReport stopped = loader.runOnce();
      assertThat(stopped.tablesStopped()).as("the environment's stop, counted once").isEqualTo(1);
      assertThat(stopped.unitsLoaded()).isEqualTo(1);
      assertThat(stack.count("SELECT COUNT(*) FROM public.f_env_slow_neighbour")).isEqualTo(10);

      stack.redshift.faults().clear();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> loader.runOnce().unitsPending() == 0);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.f_env_slow")).isEqualTo(10);
  }

  /**
   * The failure-table row that tells 'status' about a table its environment stopped is a report,
   * not part of a load: when it cannot be written the cycle goes on, the other tables load, and the
   * table loads once its environment allows it.
   */
  @Test
  void aStopThatCannotBeRecordedStopsNoLoad() throws Exception {
    unit("f_env_unrecorded", 0, 9);
    unit("f_env_neighbour", 0, 9);
    try (Loader loader = stack.loader(stack.config("f_env_unrecorded,f_env_neighbour"))) {
      loader.ensureControlTables();
      stack
          .redshift
          .faults()
          .failStatementsMatching(
              "^COPY \"rs_stage_1\" FROM 's3://staging/_redstage/manifests/public\\.f_env_unrecorded/",
              -1,
              "permission denied for relation f_env_unrecorded")
          // every write of the failure table (and the quarantine table) starts with this LOCK
          .failStatementsMatching(
              "^LOCK \"public\".\"_redstage_quarantine\"",
              -1,
              "permission denied for relation _redstage_load_failures");
      CycleReport stopped = loader.runOnce();
      assertThat(stopped.tablesStopped()).as("the environment's stop, nothing else").isEqualTo(1);
      assertThat(stopped.unitsLoaded()).isEqualTo(1);
      assertThat(stack.count("SELECT COUNT(*) FROM public.f_env_neighbour")).isEqualTo(10);
      assertThat(
              stack.count(
                  "SELECT COUNT(*) FROM public._redstage_load_failures"
                      + " WHERE target_table = 'public.f_env_unrecorded'"))
          .isZero();

      stack.redshift.faults().clear();
      CycleReport after = loader.runOnce();
      assertThat(after.tablesStopped()).isZero();
      assertThat(after.unitsLoaded()).isEqualTo(1);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.f_env_unrecorded")).isEqualTo(10);
  }

  /**
   * What looks like a failure of the environment but concerns one unit (COPY's 403 for a missing
   * file, when the role may not list the bucket) must not hold the table for ever.
   */
  @Test
  void anEnvironmentFailureThatNeverClearsEndsInQuarantineAfterItsDeferrals() throws Exception {
    List<CycleReport> reports =
        cyclesUntilQuarantined(
            "f_env_endless",
            "^COPY ",
            "S3ServiceException:Access Denied,Status 403,Error AccessDenied");
    assertThat(reports)
        .as("two are taken for the environment's, the third counts its one attempt")
        .extracting(CycleReport::tablesStopped, CycleReport::batchesQuarantined)
        .containsExactly(tuple(1, 0), tuple(1, 0), tuple(0, 1));
  }

  /** A privilege is never one unit's: however long it lasts, nothing is quarantined for it. */
  @Test
  void aPrivilegeThatNeverClearsHoldsTheTableWithoutQuarantine() throws Exception {
    List<CycleReport> reports =
        cyclesUntilQuarantined(
            "f_env_privilege", "^COPY ", "permission denied for relation f_env_privilege");
    assertThat(reports)
        .hasSize(8)
        .allSatisfy(
            r -> {
              assertThat(r.tablesStopped()).isEqualTo(1);
              assertThat(r.batchesQuarantined()).isZero();
            });
  }

  /**
   * Cycles over a unit of {@code topic} whose statements matching {@code statement} always fail
   * with {@code error}, with 2 deferrals and 1 attempt allowed, until it is quarantined (8 at
   * most).
   */
  private static List<CycleReport> cyclesUntilQuarantined(
      String topic, String statement, String error) throws Exception {
    unit(topic, 0, 9);
    Map<String, String> config = stack.config(topic);
    config.put("load.retry.max-deferrals", "2");
    config.put("load.retry.max-attempts", "1");
    config.put("load.retry.backoff", "0s");
    try (Loader loader = stack.loader(config)) {
      loader.ensureControlTables();
      stack.redshift.faults().failStatementsMatching(statement, -1, error);
      List<CycleReport> reports = new ArrayList<>();
      for (int i = 0; i < 8 && reports.stream().allMatch(r -> r.batchesQuarantined() == 0); i++) {
        reports.add(loader.runOnce());
      }
      return reports;
    }
  }

  @Test
  void aConflictThatNeverClearsEndsInQuarantineAfterItsDeferrals() throws Exception {
    List<CycleReport> reports =
        cyclesUntilQuarantined(
            "f_endless",
            "^INSERT INTO \"public\".\"f_endless\"", // not the quarantine row that quotes it
            "1023 DETAIL: Serializable isolation violation on table - 100, transactions forming the cycle are: 1, 2");
    assertThat(reports)
        .as("two conflicts are deferred, the third counts its one attempt")
        .extracting(CycleReport::batchesQuarantined)
        .containsExactly(0, 0, 1);
    assertThat(
            stack.query(
                "SELECT error FROM public._redstage_quarantine WHERE target_table = 'public.f_endless'"))
        .singleElement()
        .satisfies(r -> assertThat((String) r.get(0)).contains("Serializable isolation violation"));
  }

  /**
   * A batch that adds more columns than one transaction holds adds them first, in ALTERs of their
   * own: a conflict there is deferred and counted like one inside the load transaction, so one that
   * never clears ends in quarantine after load.retry.max-deferrals. It was deferred without being
   * counted, holding the unit back for ever.
   */
  @Test
  void aConflictOfTheUpFrontAlterIsCountedAsADeferral() throws Exception {
    String topic = "f_alter_endless";
    unit(topic, 0, 9);
    Map<String, String> config = stack.config(topic);
    config.put("load.retry.max-deferrals", "2");
    config.put("load.retry.max-attempts", "1");
    config.put("load.retry.backoff", "0s");
    List<MarkerColumn> wide = new ArrayList<>(COLS);
    for (int c = 0; c < 45; c++) {
      wide.add(new MarkerColumn("c" + c, ColumnType.of(ColumnType.Kind.STRING), true));
    }
    List<CycleReport> reports = new ArrayList<>();
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      stack.files.unit(
          topic,
          0,
          10,
          19,
          FileFormat.PARQUET,
          wide,
          o -> {
            Map<String, Object> row = new java.util.LinkedHashMap<>(row("v", "v" + o));
            wide.subList(1, wide.size()).forEach(c -> row.put(c.name(), c.name() + o));
            return row;
          });
      stack
          .redshift
          .faults()
          .failStatementsMatching(
              "^ALTER TABLE \"public\".\"" + topic + "\" ADD COLUMN",
              -1,
              "1023 DETAIL: Serializable isolation violation on table - 100, transactions forming the cycle are: 1, 2");
      for (int i = 0; i < 8 && reports.stream().allMatch(r -> r.batchesQuarantined() == 0); i++) {
        reports.add(loader.runOnce());
      }
    }
    assertThat(reports)
        .as("two conflicts are deferred, the third counts its one attempt")
        .extracting(CycleReport::batchesFailed, CycleReport::batchesQuarantined)
        .containsExactly(tuple(1, 0), tuple(1, 0), tuple(1, 1));
    assertThat(
            stack.query(
                "SELECT error FROM public._redstage_quarantine WHERE target_table = 'public."
                    + topic
                    + "'"))
        .singleElement()
        .satisfies(
            r ->
                assertThat((String) r.get(0))
                    .contains("Cannot add column c")
                    .contains("Serializable isolation violation"));
  }

  @Test
  void aMissingFileIsNoConflictWhateverItsKeyHoldsAndTheUnitsBesideItLoad() throws Exception {
    stack.files.unit("f_missing", 0, 0, 1022, FileFormat.PARQUET, COLS, o -> row("v", "v" + o));
    // its key holds "1023" (the start offset), which once read as Redshift's conflict code
    Unit gone =
        stack.files.unit(
            "f_missing", 0, 1023, 2046, FileFormat.PARQUET, COLS, o -> row("v", "v" + o));
    String fileKey = gone.marker().files().get(0).key();
    assertThat(fileKey).contains("1023");
    stack.s3.client().deleteObject(b -> b.bucket(LoaderStack.BUCKET).key(fileKey));
    Map<String, String> config = stack.config("f_missing");
    config.put("load.retry.max-attempts", "1");
    config.put("load.retry.backoff", "0s");
    try (Loader loader = stack.loader(config)) {
      loader.ensureControlTables();
      int quarantined = 0;
      for (int i = 0; i < 4 && quarantined == 0; i++) {
        quarantined += loader.runOnce().batchesQuarantined();
      }
      assertThat(quarantined).isEqualTo(1);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.f_missing")).isEqualTo(1023);
    assertThat(
            stack.query(
                "SELECT error FROM public._redstage_quarantine WHERE target_table = 'public.f_missing'"))
        .singleElement()
        .satisfies(r -> assertThat((String) r.get(0)).contains(fileKey));
  }

  @Test
  void poisonBatchIsQuarantinedOtherTablesLoadAndReleaseLoadsIt() throws Exception {
    unit("f_poison", 0, 9);
    unit("f_poison", 10, 19);
    unit("f_healthy", 0, 9);
    Map<String, String> config = stack.config();
    config.put("load.retry.max-attempts", "2");
    config.put("topics", "f_poison,f_healthy");
    try (Loader loader = stack.loader(config)) {
      loader.ensureControlTables();
      stack
          .redshift
          .faults()
          .failStatementsMatching(
              "COPY \"rs_stage_1\" FROM 's3://staging/_redstage/manifests/public\\.f_poison/",
              -1,
              "Load into table 'rs_stage_1' failed. Check 'stl_load_errors' system table for details.");
      int quarantined = 0;
      for (int i = 0; i < 6 && quarantined < 2; i++) {
        quarantined += loader.runOnce().batchesQuarantined();
      }
      assertThat(quarantined)
          .as("each failing unit retried alone, then quarantined alone")
          .isEqualTo(2);
      assertThat(stack.count("SELECT COUNT(*) FROM public.f_healthy")).isEqualTo(10);
      assertThat(
              stack.count(
                  "SELECT COUNT(*) FROM public._redstage_quarantine WHERE target_table = 'public.f_poison' AND released_at IS NULL"))
          .isEqualTo(2);
      List<List<Object>> q =
          stack.query(
              "SELECT DISTINCT batch_id, error FROM public._redstage_quarantine WHERE target_table = 'public.f_poison'");
      assertThat(q)
          .allSatisfy(
              r -> assertThat((String) r.get(1)).contains("Load into table 'rs_stage_1' failed"));
      String report =
          stack
              .s3
              .client()
              .getObjectAsBytes(
                  b ->
                      b.bucket(LoaderStack.BUCKET)
                          .key("_redstage/quarantine/public.f_poison/" + q.get(0).get(0) + ".json"))
              .asUtf8String();
      assertThat(report)
          .contains("\"table\" : \"public.f_poison\"")
          .contains("topics/f_poison/partition=0/")
          .as("which build wrote each unit")
          .contains("\"writer\" : \"" + TestFiles.WRITER + "\"");
      assertThat(loader.runOnce().batchesLoaded()).as("quarantined units are held").isZero();
      assertThat(loader.metrics().render())
          .as("and counted as held, not only pending")
          .containsPattern("redstage_loader_held_units\\{table=\"public.f_poison\"} [1-9]");
    }
    stack.redshift.faults().clear();
    StringWriter out = new StringWriter();
    List<String> args = new ArrayList<>(List.of("release", "--all"));
    config.forEach((k, v) -> args.add("-D" + k + "=" + v));
    int code =
        LoaderCli.execute(
            args.toArray(String[]::new),
            new PrintWriter(out),
            new PrintWriter(new StringWriter()),
            Map.of());
    assertThat(code).isZero();
    assertThat(out.toString()).contains("unit(s) of all quarantined batches; each loads alone");
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(2);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.f_poison")).isEqualTo(20);
  }

  @Test
  void realCopyErrorIsReportedWithFileLineAndColumn() throws Exception {
    copyErrorIsReportedWithFileLineAndColumn("f_baddata");
  }

  /**
   * What Redshift reports for the sub-statements a failed batch rolled back is not documented: if
   * those before the COPY read ABORTED, the failure is still the COPY's, and its load errors are
   * read (the LOCK used to be blamed, leaving the report without them).
   */
  @Test
  void realCopyErrorIsReportedWhenTheSubStatementsBeforeItReadAborted() throws Exception {
    stack.redshift.faults().abortRolledBackSubStatements(true);
    copyErrorIsReportedWithFileLineAndColumn("f_baddata_aborted");
  }

  /**
   * A failed COPY the Data API gives no query id (a real batch once answered -1 for its
   * sub-statements): its load errors are read by its files, and the report still names the file,
   * line and column.
   */
  @Test
  void aCopyErrorWithoutAQueryIdIsReadByItsFiles() throws Exception {
    stack.redshift.faults().subStatementQueryIds(false);
    copyErrorIsReportedWithFileLineAndColumn("f_baddata_no_query_id");
  }

  private static void copyErrorIsReportedWithFileLineAndColumn(String topic) throws Exception {
    List<MarkerColumn> cols =
        List.of(new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), true));
    stack.files.unit(
        topic, 0, 0, 4, FileFormat.JSONL, cols, o -> row("id", o == 3 ? "not-a-number" : o));
    Map<String, String> config = stack.config();
    config.put("load.retry.max-attempts", "1");
    config.put("load.json.max-errors", "0"); // all-or-nothing COPY: the bad row fails the unit
    config.put("topics", topic);
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().batchesQuarantined()).isEqualTo(1);
    }
    List<List<Object>> q =
        stack.query(
            "SELECT batch_id, error FROM public._redstage_quarantine WHERE target_table = 'public."
                + topic
                + "'");
    assertThat(q)
        .singleElement()
        .satisfies(
            r ->
                assertThat((String) r.get(1))
                    .contains("(COPY ")
                    .contains("first rejected row:")
                    .contains("topics/" + topic + "/partition=0/")
                    .contains("line 4")
                    .contains("column id"));
    String report =
        stack
            .s3
            .client()
            .getObjectAsBytes(
                b ->
                    b.bucket(LoaderStack.BUCKET)
                        .key(
                            "_redstage/quarantine/public."
                                + topic
                                + "/"
                                + q.get(0).get(0)
                                + ".json"))
            .asUtf8String();
    assertThat(report).contains("\"loadErrors\"").contains("line 4");
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM public._redstage_load_markers WHERE topic = '" + topic + "'"))
        .isZero();
  }

  /** Runs cycles of {@code loader} until {@code done}, at most for {@code atMost}. */
  private static void cyclesUntil(Loader loader, Duration atMost, Callable<Boolean> done) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              loader.runOnce();
              return done.call();
            });
  }

  /** One INT64 column {@code id}: the outlived-load cases' units. */
  private static final List<MarkerColumn> ID_COLUMN =
      List.of(new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), true));

  /**
   * {@code topic}'s config for loads that outlive a 1-s statement timeout, with all-or-nothing
   * COPYs (a bad row fails its batch).
   */
  private static Map<String, String> outlivingConfig(String topic) {
    Map<String, String> config = stack.config(topic);
    config.put("redshift.statement-timeout", "1s");
    config.put("load.json.max-errors", "0");
    return config;
  }

  /**
   * Loads a first unit of {@code topic}, then makes every later load of its table outlive the
   * timeout, as on a cluster whose queue is that long.
   */
  private static void loadsOutliveTheTimeoutFromNowOn(
      Loader loader, Map<String, String> config, String topic) throws Exception {
    String lock = loadedIntervalsLock(config, topic);
    stack.files.unit(topic, 0, 0, 9, FileFormat.JSONL, ID_COLUMN, o -> row("id", o));
    assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    stack
        .redshift
        .faults()
        .slowStatementsMatching("^" + Pattern.quote(lock) + "$", Duration.ofMillis(1500));
  }
}
