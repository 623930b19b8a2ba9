package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.contract.FileFormat;
import io.redstage.loader.load.Loader;
import io.redstage.sandbox.s3.FaultRule;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packaged loader ({@code redstage-copy-loader-*-all.jar}, {@code run}) as its own process,
 * killed with SIGKILL at each step of a batch's life, then a new loader on the same tables: every
 * offset lands exactly once. Each step is reached by holding the request that starts it in the
 * stand-ins (a statement or an S3 request that waits), so the kill lands exactly there; what the
 * held request does after the kill (complete or not) is one of the states a real kill leaves.
 */
class KilledAtEveryStepIT {
  static final int PARTITIONS = 2;
  static final int UNITS_PER_PARTITION = 3;
  static final int ROWS_PER_UNIT = 50;
  static final String MANIFESTS = "_redstage/manifests/";
  static final String MARKERS_LOADED = "_redstage/markers-loaded/";

  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  /** Where in a batch's life the loader dies. */
  enum Step {
    /** Its claim transaction on the table runs (the claim commits after the kill). */
    CLAIMING,
    /** The batch's COPY manifest is being written. */
    WRITING_MANIFEST,
    /** The load transaction runs in the warehouse (it commits after the kill). */
    IN_LOAD_TRANSACTION,
    /** The transaction committed; the loader deletes the batch's manifests. */
    COMMITTED_DELETING_MANIFESTS,
    /** Committed and seen; the loader moves the loaded markers out of the markers prefix. */
    COMMITTED_MOVING_MARKERS,
    /**
     * A value is longer than the new table's VARCHAR: the loader widens the column, outside the
     * load transaction (the ALTER commits after the kill).
     */
    WIDENING_A_COLUMN
  }

  @ParameterizedTest
  @EnumSource(Step.class)
  void everyOffsetOnceAfterAKillAt(Step step) throws Exception {
    String topic = "kill_" + step.name().toLowerCase(Locale.ROOT);
    // names longer than the default VARCHAR(256) make the loader widen the column
    String pad = step == Step.WIDENING_A_COLUMN ? "x".repeat(300) : "";
    for (int p = 0; p < PARTITIONS; p++) {
      for (int u = 0; u < UNITS_PER_PARTITION; u++) {
        long start = (long) u * ROWS_PER_UNIT;
        stack.files.unit(
            topic,
            p,
            start,
            start + ROWS_PER_UNIT - 1,
            FileFormat.PARQUET,
            TestFiles.ID_NAME,
            o -> row("id", o, "name", "n" + o + pad));
      }
    }
    Map<String, String> config = stack.config(topic);
    config.put("loop.interval", "100ms");
    config.put("load.claim-lease", "2s");
    config.put("markers.retention", "0s");
    // the load transaction of each cycle holds one unit, so the steps come round several times
    config.put("batch.max-units", "2");

    List<FaultRule> held = new ArrayList<>();
    long slowedBefore = stack.redshift.faults().slowedStatementCount();
    BooleanSupplier reached = hold(step, held, slowedBefore);
    Process loader = startLoader(config, topic);
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> reached.getAsBoolean() || !loader.isAlive());
      assertThat(loader.isAlive()).as("the loader runs until it is killed").isTrue();
      loader.destroyForcibly(); // SIGKILL: no shutdown hook, no finally blocks
      assertThat(loader.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      loader.destroyForcibly();
      stack.redshift.faults().clear();
      held.forEach(stack.s3.faults()::remove);
    }

    long expected = (long) PARTITIONS * UNITS_PER_PARTITION * ROWS_PER_UNIT;
    try (Loader next = stack.loader(config)) {
      // the dead loader's claim expires after its lease; then this one takes the table over
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                next.runOnce();
                return rows(topic) == expected && next.runOnce().unitsListed() == 0;
              });
    }
    assertThat(rows(topic)).isEqualTo(expected);
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM (SELECT DISTINCT kafka_partition, kafka_offset FROM public."
                    + topic
                    + ") d"))
        .as("no offset twice")
        .isEqualTo(expected);
    // a batch planned while the dead loader's transaction still ran may append a second marker row
    // for a unit (its rows are dropped by the offset check); every unit has at least one
    assertThat(
            stack.count(
                "SELECT COUNT(DISTINCT marker_key) FROM public._redstage_load_markers WHERE topic = '"
                    + topic
                    + "'"))
        .as("every unit recorded as loaded")
        .isEqualTo((long) PARTITIONS * UNITS_PER_PARTITION);
  }

  /** Installs what holds the loader at {@code step}; returns when it is held there. */
  static BooleanSupplier hold(Step step, List<FaultRule> held, long slowedBefore) {
    Duration statementHold = Duration.ofSeconds(3);
    Duration requestHold = Duration.ofSeconds(20);
    switch (step) {
      case CLAIMING -> {
        stack
            .redshift
            .faults()
            .slowStatementsMatching(
                "^INSERT INTO .*_claims.* \\(owner, target_table", statementHold);
        return () -> stack.redshift.faults().slowedStatementCount() > slowedBefore;
      }
      case WRITING_MANIFEST -> {
        return heldRequest(
            held, requestHold, RequestMatcher.operations(ObjectOperation.PUT_OBJECT), MANIFESTS);
      }
      case IN_LOAD_TRANSACTION -> {
        stack.redshift.faults().slowStatementsMatching("^COPY ", statementHold);
        return () -> stack.redshift.faults().slowedStatementCount() > slowedBefore;
      }
      case COMMITTED_DELETING_MANIFESTS -> {
        return heldRequest(
            held, requestHold, RequestMatcher.operations(ObjectOperation.DELETE_OBJECTS), null);
      }
      case COMMITTED_MOVING_MARKERS -> {
        return heldRequest(
            held,
            requestHold,
            RequestMatcher.operations(ObjectOperation.COPY_OBJECT),
            MARKERS_LOADED);
      }
      case WIDENING_A_COLUMN -> {
        stack.redshift.faults().slowStatementsMatching("ALTER COLUMN", statementHold);
        return () -> stack.redshift.faults().slowedStatementCount() > slowedBefore;
      }
      default -> throw new IllegalArgumentException(step.name());
    }
  }

  static BooleanSupplier heldRequest(
      List<FaultRule> held, Duration delay, RequestMatcher matcher, String keyPrefix) {
    FaultRule rule =
        stack
            .s3
            .faults()
            .delayAlways(delay, keyPrefix == null ? matcher : matcher.keyPrefix(keyPrefix));
    held.add(rule);
    return () -> rule.fired() > 0;
  }

  static long rows(String table) throws Exception {
    boolean exists =
        !stack
            .query("SELECT 1 FROM pg_class WHERE relkind = 'r' AND relname = '" + table + "'")
            .isEmpty();
    return exists ? stack.count("SELECT COUNT(*) FROM public." + table) : 0;
  }

  /** The packaged loader's {@code run} in its own JVM, with {@code config} as its file. */
  static Process startLoader(Map<String, String> config, String name) throws IOException {
    Path dir = Files.createDirectories(Path.of("target", "killed-at-every-step"));
    Path file = dir.resolve(name + ".properties");
    Properties props = new Properties();
    props.putAll(config);
    try (var out = Files.newBufferedWriter(file)) {
      props.store(out, "KilledAtEveryStepIT");
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(
            java.toString(),
            "-Xmx256m",
            "-jar",
            loaderJar().toString(),
            "--config",
            file.toString(),
            "run")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile())
        .start();
  }

  static Path loaderJar() throws IOException {
    try (DirectoryStream<Path> jars =
        Files.newDirectoryStream(Path.of("target"), "redstage-copy-loader-*-all.jar")) {
      for (Path jar : jars) {
        return jar;
      }
    }
    throw new IllegalStateException(
        "Cannot start the packaged loader: no target/redstage-copy-loader-*-all.jar. Run the IT "
            + "with mvn verify, which packages it first.");
  }
}
