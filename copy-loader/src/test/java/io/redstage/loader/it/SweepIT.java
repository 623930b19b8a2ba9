package io.redstage.loader.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.cli.LoaderCli;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.load.Loader;
import io.redstage.loader.sweep.SweepReport;
import io.redstage.sandbox.s3.ObjectOperation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The orphan sweep on S3Proxy and the PostgreSQL stand-in: files of loaded units stay, a file
 * written under other boundaries whose offsets another unit loaded goes once older than sweep.grace
 * (an injected clock ages it), files whose offsets are not loaded stay, a dry run changes nothing,
 * and sweep.max-requests bounds each run.
 */
class SweepIT {
  /** Two days on: every file written now is older than the default 24h grace. */
  static final Clock LATER = Clock.offset(Clock.systemUTC(), Duration.ofDays(2));

  static final List<MarkerColumn> COLUMNS =
      List.of(new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), false));
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static Loader loader(String topic, Clock clock, String... keyValues) {
    Map<String, String> c = new HashMap<>(stack.config());
    c.put("topics", topic);
    c.put("sweep.cursor-key", "_redstage/sweep/" + topic);
    for (int i = 0; i < keyValues.length; i += 2) {
      c.put(keyValues[i], keyValues[i + 1]);
    }
    return stack.loader(c, clock);
  }

  static Unit unit(String topic, long start, long end) {
    return stack.files.unit(
        topic, 0, start, end, FileFormat.PARQUET, COLUMNS, o -> TestFiles.row("id", o));
  }

  /**
   * A data file with no marker: what a replay with other boundaries leaves when its first attempt
   * crashed.
   */
  static String orphan(String topic, long start, long end) {
    Unit u = unit(topic, start, end);
    stack.s3.client().deleteObject(b -> b.bucket(LoaderStack.BUCKET).key(u.markerKey()));
    return fileKey(u);
  }

  static String fileKey(Unit u) {
    return u.marker().files().get(0).key();
  }

  static boolean exists(String key) {
    try {
      stack.s3.client().headObject(b -> b.bucket(LoaderStack.BUCKET).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    }
  }

  static List<String> orphanKeys(SweepReport r) {
    return r.orphans().stream().map(SweepReport.Orphan::key).toList();
  }

  @Test
  void deletesAnOldOrphanAndKeepsLoadedAndUnloadedFilesEvenAfterTheLoadedMarkerIsDeleted()
      throws Exception {
    String topic = "sweep_delete";
    Unit loaded = unit(topic, 0, 99);
    try (Loader loader =
        loader(topic, LATER, "sweep.action", "delete", "markers.loaded.action", "delete")) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      assertThat(stack.count("SELECT COUNT(*) FROM public.sweep_delete")).isEqualTo(100);
      assertThat(exists(loaded.markerKey()))
          .as("retention deleted the loaded unit's marker")
          .isFalse();
      String orphan = orphan(topic, 0, 49);
      String notLoaded = orphan(topic, 100, 149);

      SweepReport dry = loader.sweep(true);
      assertThat(orphanKeys(dry)).containsExactly(orphan);
      assertThat(dry.orphans().get(0).movedTo()).isNull();
      assertThat(exists(orphan)).as("a dry run deletes nothing").isTrue();
      assertThat(exists("_redstage/sweep/" + topic)).as("a dry run writes no cursor").isFalse();

      SweepReport run = loader.sweep(false);
      assertThat(orphanKeys(run)).containsExactly(orphan);
      assertThat(run.complete()).isTrue();
      assertThat(run.keptReferenced())
          .as("the loaded unit's file, known from the load-marker table")
          .isEqualTo(1);
      assertThat(run.keptNotLoaded()).isEqualTo(1);
      assertThat(exists(orphan)).isFalse();
      assertThat(exists(fileKey(loaded))).isTrue();
      assertThat(exists(notLoaded)).isTrue();
      assertThat(stack.count("SELECT COUNT(*) FROM public.sweep_delete")).isEqualTo(100);
    }
  }

  @Test
  void movesAnOrphanAndKeepsAFileWhoseMarkerIsStillPending() throws Exception {
    String topic = "sweep_move";
    Unit loaded = unit(topic, 0, 99);
    try (Loader loader = loader(topic, LATER)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      String orphan = orphan(topic, 50, 99);
      Unit pending =
          unit(topic, 0, 49); // a replay whose marker is written but not yet seen by a cycle

      SweepReport run = loader.sweep(false);
      String movedTo = "_redstage/orphans/" + orphan.substring("topics/".length());
      assertThat(orphanKeys(run)).containsExactly(orphan);
      assertThat(run.orphans().get(0).movedTo()).isEqualTo(movedTo);
      assertThat(exists(orphan)).isFalse();
      assertThat(exists(movedTo)).isTrue();
      assertThat(exists(fileKey(loaded))).isTrue();
      assertThat(exists(fileKey(pending))).as("its marker in markers.dir lists it").isTrue();
      assertThat(run.keptReferenced()).isEqualTo(2);
    }
  }

  @Test
  void keepsAnOrphanWhoseMovedKeyWouldBeTooLongForS3AndFinishesTheRun() throws Exception {
    String topic = "sweep_long";
    unit(topic, 0, 99);
    String orphan = orphan(topic, 0, 49);
    String relative = orphan.substring("topics/".length());
    // path segments of 100 bytes (a filesystem store's names stay short), one byte over S3's limit
    int dirBytes = MarkerKeys.MAX_KEY_BYTES + 1 - relative.length();
    StringBuilder dir = new StringBuilder();
    while (dir.length() + 100 < dirBytes) {
      dir.append("o".repeat(99)).append('/');
    }
    dir.append("o".repeat(dirBytes - dir.length() - 1)).append('/');
    try (Loader loader = loader(topic, LATER, "sweep.moved-dir", dir.toString())) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);

      SweepReport run = loader.sweep(false);
      assertThat(run.orphans()).isEmpty();
      assertThat(run.keptUnmovable()).isEqualTo(1);
      assertThat(run.complete()).as("the run goes past the file").isTrue();
      assertThat(exists(orphan)).isTrue();
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      run.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
      assertThat(printed.toString(StandardCharsets.UTF_8))
          .contains("1 orphan(s) whose key under sweep.moved-dir");
    }
    try (Loader loader = loader(topic, LATER, "sweep.action", "delete")) {
      assertThat(orphanKeys(loader.sweep(false))).containsExactly(orphan);
    }
  }

  /**
   * A connector with another file.delim names its files so the sweep cannot read their offsets: it
   * leaves them, and says how many and why instead of reporting nothing.
   */
  @Test
  void countsAndNamesFilesItCannotReadAndLeavesThem() throws Exception {
    String topic = "sweep_delim";
    String odd = "topics/" + topic + "/partition=0/" + topic + "#0#0000000000#0000000009.parquet";
    stack.s3.client().putObject(b -> b.bucket(LoaderStack.BUCKET).key(odd), RequestBody.empty());
    try (Loader loader = loader(topic, LATER, "sweep.action", "delete")) {
      SweepReport run = loader.sweep(false);

      assertThat(run.orphans()).isEmpty();
      assertThat(run.unrecognised()).isEqualTo(1);
      assertThat(exists(odd)).isTrue();
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      run.print(new PrintStream(text, true, StandardCharsets.UTF_8));
      assertThat(text.toString(StandardCharsets.UTF_8))
          .contains(
              "1 object(s) not named <topic>+<partition>+<start>+<end><extension> (such as "
                  + odd
                  + "; a connector file.delim other than '+' writes such names)");
    }
  }

  @Test
  void keepsAnOrphanYoungerThanTheGracePeriod() throws Exception {
    String topic = "sweep_young";
    unit(topic, 0, 99);
    try (Loader now = loader(topic, Clock.systemUTC(), "sweep.action", "delete")) {
      assertThat(now.runOnce().unitsLoaded()).isEqualTo(1);
      String orphan = orphan(topic, 0, 9);

      SweepReport young = now.sweep(false);
      assertThat(young.orphans()).isEmpty();
      assertThat(young.keptYoung()).isEqualTo(2);
      assertThat(exists(orphan)).isTrue();

      try (Loader later = loader(topic, LATER, "sweep.action", "delete")) {
        assertThat(orphanKeys(later.sweep(false))).containsExactly(orphan);
      }
      assertThat(exists(orphan)).isFalse();
    }
  }

  @Test
  void maxRequestsBoundsEachRunAndTheNextRunContinues() throws Exception {
    String topic = "sweep_budget";
    Unit loaded = unit(topic, 0, 99);
    try (Loader loader =
        loader(topic, LATER, "sweep.action", "delete", "sweep.max-requests", "10")) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      List<String> orphans =
          List.of(
              orphan(topic, 0, 9),
              orphan(topic, 10, 19),
              orphan(topic, 20, 29),
              orphan(topic, 30, 39),
              orphan(topic, 40, 49));

      stack.s3.resetRequestCounts();
      SweepReport first = loader.sweep(false);
      // one LIST page, then per orphan two marker HEADs and one DELETE
      assertThat(first.requests()).isEqualTo(10);
      assertThat(budgeted()).isEqualTo(10);
      assertThat(first.complete()).isFalse();
      assertThat(orphanKeys(first)).containsExactlyElementsOf(orphans.subList(0, 3));
      assertThat(exists(orphans.get(3))).isTrue();

      SweepReport second = loader.sweep(false);
      assertThat(orphanKeys(second)).containsExactlyElementsOf(orphans.subList(3, 5));
      assertThat(second.complete()).isTrue();

      SweepReport third = loader.sweep(false);
      assertThat(third.orphans()).isEmpty();
      assertThat(third.complete()).isTrue();
      assertThat(orphans).noneMatch(SweepIT::exists);
      assertThat(exists(fileKey(loaded))).isTrue();
    }
  }

  /**
   * Topic prefixes are swept in S3's key order: "sw_a-b/" lists before "sw_a/" ('-' sorts before
   * '/'). In topic-name order a run stopped inside "sw_a/" left a cursor that made the next run
   * take "sw_a-b/" for done.
   */
  @Test
  void aRunThatStopsInsideOneTopicDoesNotSkipATopicWhoseKeysSortBeforeIt() throws Exception {
    Unit loadedA = unit("sw_a", 0, 99);
    Unit loadedAb = unit("sw_a-b", 0, 99);
    try (Loader loader =
        loader("sw_a,sw_a-b", LATER, "sweep.action", "delete", "sweep.max-requests", "10")) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(2);
      String orphanAb = orphan("sw_a-b", 0, 9);
      List<String> orphansA =
          List.of(orphan("sw_a", 0, 9), orphan("sw_a", 10, 19), orphan("sw_a", 20, 29));

      SweepReport first = loader.sweep(false);
      assertThat(first.complete()).isFalse();
      SweepReport second = loader.sweep(false);
      assertThat(second.complete()).isTrue();

      assertThat(exists(orphanAb)).as("the orphan of sw_a-b").isFalse();
      assertThat(orphansA).noneMatch(SweepIT::exists);
      assertThat(exists(fileKey(loadedA))).isTrue();
      assertThat(exists(fileKey(loadedAb))).isTrue();
    }
  }

  @Test
  void theCommandRunsADryRunAndPrintsTheSummary() throws Exception {
    String topic = "sweep_cli";
    unit(topic, 0, 9);
    try (Loader loader = loader(topic, Clock.systemUTC())) {
      loader.runOnce();
    }
    orphan(topic, 0, 4);
    List<String> args = new ArrayList<>(List.of("sweep", "--dry-run"));
    Map<String, String> config = new HashMap<>(stack.config());
    config.put("topics", topic);
    config.forEach((k, v) -> args.addAll(List.of("-D", k + "=" + v)));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        LoaderCli.execute(
            args.toArray(String[]::new),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            Map.of());
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains(
            "Dry run: 0 orphan(s) found; examined 2 data file(s), kept 2 younger than the grace period")
        .contains("Reached the end of the listing.");
  }

  @Test
  void runSweepsEverySweepInterval() throws Exception {
    String topic = "sweep_loop";
    unit(topic, 0, 99);
    MutableClock clock = new MutableClock();
    try (Loader loader =
        loader(
            topic,
            clock,
            "sweep.action",
            "delete",
            "sweep.interval",
            "1h",
            "loop.interval",
            "100ms")) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      String orphan = orphan(topic, 0, 9);
      // The orphan is past the grace period, but no sweep is due before the first interval.
      clock.advance(Duration.ofDays(2));
      Thread loop = LoaderStack.runLoopAsync(loader);
      try {
        await()
            .during(Duration.ofMillis(300))
            .atMost(Duration.ofSeconds(5))
            .until(() -> exists(orphan));
        clock.advance(Duration.ofHours(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> !exists(orphan));
      } finally {
        loader.stop();
        assertThat(loader.awaitStopped(Duration.ofSeconds(30))).isTrue();
      }
    }
  }

  static long budgeted() {
    long n = 0;
    for (ObjectOperation op :
        List.of(
            ObjectOperation.LIST_OBJECTS,
            ObjectOperation.HEAD_OBJECT,
            ObjectOperation.COPY_OBJECT,
            ObjectOperation.DELETE_OBJECT,
            ObjectOperation.DELETE_OBJECTS)) {
      n += stack.s3.requestCount(op);
    }
    return n;
  }
}
