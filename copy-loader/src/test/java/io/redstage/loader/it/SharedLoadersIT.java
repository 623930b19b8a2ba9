package io.redstage.loader.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import io.redstage.sandbox.redshift.exec.StatementRecord;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several loaders on the same tables claim disjoint shares instead of loading the same units; a
 * killed loader's tables are taken over when its lease ends; every offset lands once.
 */
class SharedLoadersIT {
  static final int TABLES = 12;
  static final int ROWS_PER_UNIT = 20;
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static List<String> topics(String prefix) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < TABLES; i++) {
      out.add(prefix + String.format("%02d", i));
    }
    return out;
  }

  /** One unit of ROWS_PER_UNIT rows per topic: the wave-th of each. */
  static void wave(List<String> topics, int wave) {
    long start = (long) wave * ROWS_PER_UNIT;
    for (String t : topics) {
      stack.files.idNameUnit(t, 0, start, start + ROWS_PER_UNIT - 1);
    }
  }

  static long rows(List<String> topics) throws Exception {
    long n = 0;
    for (String t : topics) {
      List<List<Object>> exists =
          stack.query("SELECT 1 FROM pg_class WHERE relkind = 'r' AND relname = '" + t + "'");
      if (!exists.isEmpty()) {
        n += stack.count("SELECT COUNT(*) FROM public." + t);
      }
    }
    return n;
  }

  static void assertExactlyOnce(List<String> topics, long rowsPerTable) throws Exception {
    for (String t : topics) {
      assertThat(stack.count("SELECT COUNT(*) FROM public." + t)).as(t).isEqualTo(rowsPerTable);
      assertThat(
              stack.count(
                  "SELECT COUNT(*) FROM (SELECT DISTINCT kafka_topic, kafka_partition, kafka_offset FROM public."
                      + t
                      + ") d"))
          .as(t)
          .isEqualTo(rowsPerTable);
    }
  }

  static long unitsLoaded(Loader loader, List<String> topics) {
    return topics.stream().mapToLong(t -> loader.metrics().unitsLoaded("public." + t)).sum();
  }

  Map<String, String> config(List<String> topics) {
    Map<String, String> c = stack.config(String.join(",", topics));
    c.put("loop.interval", "100ms");
    c.put("load.claim-lease", "3s");
    return c;
  }

  /**
   * A load left running by a loader that died holds its table's lock, and every read of that table
   * waits for it. Such a table is left out (SVV_TRANSACTIONS shows the lock) by a loader that read
   * it before and by a new one, which does not even prepare it; the other tables load, and the
   * locked one loads once the lock is gone. Before, the first read of the locked table held up the
   * whole cycle, every table of every loader, until that transaction ended.
   */
  @Test
  void aTableLockedByALoadNobodyKnowsIsLeftOutAndTheOtherTablesLoad() throws Exception {
    List<String> topics = List.of("orphan_locked", "orphan_free");
    wave(topics, 0);
    Map<String, String> config = stack.config(String.join(",", topics));
    Loader before = stack.loader(config);
    before.runOnce(); // creates and reads both tables' loaded intervals
    wave(topics, 1);
    String intervals =
        (String)
            stack
                .query(
                    "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE"
                        + " '_redstage_load_markers__orphan_locked%'")
                .get(0)
                .get(0);
    try (Connection orphan = stack.jdbc();
        Loader fresh = stack.loader(config)) {
      orphan.setAutoCommit(false);
      try (Statement s = orphan.createStatement()) {
        s.execute("LOCK TABLE public.\"" + intervals + "\" IN ACCESS EXCLUSIVE MODE");
      }
      assertTimeoutPreemptively(
          Duration.ofSeconds(60),
          () -> {
            assertThat(before.runOnce().unitsLoaded()).as("orphan_free's second unit").isEqualTo(1);
            assertThat(before.metrics().render())
                .as("the locked table keeps its last figures")
                .contains("redstage_loader_pending_units{table=\"public.orphan_locked\"}");
            before.close(); // gives its claims up
            wave(List.of("orphan_free"), 2);
            assertThat(fresh.runOnce().unitsLoaded())
                .as("a new loader leaves the locked table out before preparing it")
                .isEqualTo(1);
            java.io.ByteArrayOutputStream status = new java.io.ByteArrayOutputStream();
            fresh.status().printText(new java.io.PrintStream(status, true, "UTF-8"));
            assertThat(status.toString("UTF-8"))
                .as("status does not wait for the lock either")
                .containsPattern("public.orphan_locked +- +loading now \\(session \\d+ since ");
            java.io.ByteArrayOutputStream dryRun = new java.io.ByteArrayOutputStream();
            fresh.dryRun(new java.io.PrintStream(dryRun, true, "UTF-8"));
            assertThat(dryRun.toString("UTF-8"))
                .as("nor does dry-run")
                .contains("-- would leave out public.orphan_locked: a load holds its lock now");
          });
      assertThat(stack.count("SELECT COUNT(*) FROM public.orphan_locked")).isEqualTo(ROWS_PER_UNIT);
      orphan.rollback();
      assertThat(fresh.runOnce().unitsLoaded()).isEqualTo(1);
    } finally {
      before.close();
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.orphan_locked"))
        .isEqualTo(2L * ROWS_PER_UNIT);
    assertThat(stack.count("SELECT COUNT(DISTINCT kafka_offset) FROM public.orphan_locked"))
        .isEqualTo(2L * ROWS_PER_UNIT);
    assertThat(stack.count("SELECT COUNT(*) FROM public.orphan_free"))
        .isEqualTo(3L * ROWS_PER_UNIT);
  }

  @Test
  void twoLoadersLoadDisjointTablesAndNoUnitTwice() throws Exception {
    List<String> topics = topics("sh2_");
    Map<String, String> config = config(topics);
    try (Loader a = stack.loader(config);
        Loader b = stack.loader(config)) {
      List<Thread> loops = List.of(LoaderStack.runLoopAsync(a), LoaderStack.runLoopAsync(b));
      for (int w = 0; w < 4; w++) {
        wave(topics, w);
        long expected = (long) (w + 1) * ROWS_PER_UNIT * TABLES;
        await().atMost(Duration.ofSeconds(120)).until(() -> rows(topics) == expected);
      }
      a.stop();
      b.stop();
      assertThat(a.awaitStopped(Duration.ofSeconds(60))).isTrue();
      assertThat(b.awaitStopped(Duration.ofSeconds(60))).isTrue();
      for (Thread t : loops) {
        t.join(10_000);
      }
      long byA = unitsLoaded(a, topics);
      long byB = unitsLoaded(b, topics);
      assertThat(byA + byB)
          .as("units loaded twice: %d", byA + byB - 4 * TABLES)
          .isEqualTo(4L * TABLES);
      assertThat(byA).as("loader a's share").isPositive();
      assertThat(byB).as("loader b's share").isPositive();
    }
    assertExactlyOnce(topics, 4L * ROWS_PER_UNIT);
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM public._redstage_load_markers_claims WHERE target_table LIKE 'public.sh2%'"))
        .as("stopped loaders give their claims up")
        .isZero();
  }

  @Test
  void threeLoadersOneKilledMidBatchEveryOffsetOnce() throws Exception {
    List<String> topics = topics("sh3_");
    Map<String, String> config = config(topics);
    // batches stay in their transaction long enough for the kill to land inside one
    stack
        .redshift
        .faults()
        .slowStatementsMatching("^INSERT INTO \"public\"\\.\"sh3_", Duration.ofMillis(300));
    // the killed loader's statements are told apart by their DbUser, a label only here
    Map<String, String> killedConfig = new HashMap<>(config);
    killedConfig.put("redshift.db-user", "killed_loader");
    try {
      Loader killed = stack.loader(killedConfig);
      try (Loader b = stack.loader(config);
          Loader c = stack.loader(config)) {
        // it starts alone, so that it holds tables when the others start (two loaders claiming
        // first would share every table between them and leave it nothing to die in)
        Thread dying = LoaderStack.runLoopAsync(killed);
        wave(topics, 0);
        awaitRunningLoadOf("killed_loader");
        List<Thread> loops = List.of(LoaderStack.runLoopAsync(b), LoaderStack.runLoopAsync(c));
        StatementRecord inFlight = awaitRunningLoadOf("killed_loader");
        // dies while its batch runs in the warehouse: like a kill -9, it sends nothing more (an
        // interrupt alone lets its loop give its claims up on the way out), so its claims stay
        killed.clients().close();
        // each INSERT runs at least 300 ms: found within 20 ms, it still runs at the kill
        assertThat(inFlight.status().isTerminal())
            .as("the killed loader's batch %s was still running when it died", inFlight.id())
            .isFalse();
        dying.interrupt();
        dying.join(30_000);
        assertThat(
                stack.redshift.statements().stream()
                    .filter(r -> "killed_loader".equals(r.connection().dbUser()))
                    .filter(
                        r ->
                            r.queryString()
                                .contains(
                                    "DELETE FROM \"public\".\"_redstage_load_markers_claims\" WHERE owner = ")))
            .as(
                "the killed loader gave no claim up: the others take its tables when the lease ends")
            .isEmpty();
        for (int w = 1; w < 3; w++) {
          wave(topics, w);
        }
        long expected = 3L * ROWS_PER_UNIT * TABLES;
        await().atMost(Duration.ofSeconds(120)).until(() -> rows(topics) == expected);
        b.stop();
        c.stop();
        assertThat(b.awaitStopped(Duration.ofSeconds(60))).isTrue();
        assertThat(c.awaitStopped(Duration.ofSeconds(60))).isTrue();
        for (Thread t : loops) {
          t.join(10_000);
        }
      }
    } finally {
      stack.redshift.faults().clear();
    }
    assertExactlyOnce(topics, 3L * ROWS_PER_UNIT);
  }

  /** A load batch of {@code dbUser} that the warehouse is running, found within 20 ms. */
  private static StatementRecord awaitRunningLoadOf(String dbUser) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                stack.redshift.statements().stream()
                    .filter(r -> dbUser.equals(r.connection().dbUser()))
                    .filter(r -> !r.status().isTerminal())
                    .filter(r -> r.queryString().contains("INSERT INTO \"public\".\"sh3_"))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  /**
   * A load transaction holds its table's LOCK, which makes reads of the table's loaded intervals
   * wait. A loader must not read the state of tables another loader holds, or each of its cycles
   * waits for the other loader's loads to end.
   */
  @Test
  void aTableAnotherLoaderIsLoadingDoesNotHoldUpTheOthers() throws Exception {
    List<String> topics = List.of("sh4_a", "sh4_b");
    Map<String, String> config = config(topics);
    config.put("load.claim-lease", "1m");
    String claims = "public._redstage_load_markers_claims";
    try (Loader loader = stack.loader(config)) {
      wave(topics, 0);
      loader.runOnce();
      assertThat(rows(topics)).isEqualTo(2L * ROWS_PER_UNIT);
      String intervals =
          (String)
              stack
                  .query(
                      "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE "
                          + "'\\_redstage\\_load\\_markers\\_\\_sh4\\_a\\_%'")
                  .get(0)
                  .get(0);
      wave(topics, 1);
      try (Connection other = stack.jdbc();
          Statement sql = other.createStatement()) {
        // another loader holds sh4_a and is in its load transaction
        sql.execute("DELETE FROM " + claims + " WHERE target_table = 'public.sh4_a'");
        sql.execute(
            "INSERT INTO "
                + claims
                + " (owner, target_table, expires_at) VALUES ('other-loader', '', TIMESTAMP '2100-01-01 00:00:00'),"
                + " ('other-loader', 'public.sh4_a', TIMESTAMP '2100-01-01 00:00:00')");
        other.setAutoCommit(false);
        sql.execute("LOCK TABLE public.\"" + intervals + "\"");
        CompletableFuture<CycleReport> cycle = runOnceInBackground(loader);
        try {
          await()
              .atMost(Duration.ofSeconds(30))
              .alias("a cycle while another loader's transaction holds sh4_a's lock")
              .until(cycle::isDone);
          CycleReport report = cycle.join();
          assertThat(report.unitsLoaded()).isEqualTo(1);
          assertThat(report.unitsLeftOut()).as("sh4_a's two listed units").isEqualTo(2);
          assertThat(stack.count("SELECT COUNT(*) FROM public.sh4_b"))
              .isEqualTo(2L * ROWS_PER_UNIT);
          assertThat(stack.count("SELECT COUNT(*) FROM public.sh4_a")).isEqualTo(ROWS_PER_UNIT);
        } finally {
          other.rollback();
          other.setAutoCommit(true);
          sql.execute("DELETE FROM " + claims + " WHERE owner = 'other-loader'");
        }
      }
      // the other loader is gone: this one takes sh4_a over
      loader.runOnce();
    }
    assertExactlyOnce(topics, 2L * ROWS_PER_UNIT);
  }

  /**
   * A loader renews its claims while its tables load, so that a load longer than the lease does not
   * free its table for another loader (which would wait for the load's LOCK, then load nothing).
   */
  @Test
  void claimsAreRenewedWhileALongLoadRuns() throws Exception {
    List<String> topics = List.of("sh5_a");
    Map<String, String> config = config(topics);
    config.put("load.claim-lease", "3s");
    String expiry =
        "SELECT expires_at FROM public._redstage_load_markers_claims WHERE target_table = 'public.sh5_a'";
    stack
        .redshift
        .faults()
        .slowStatementsMatching("^INSERT INTO \"public\"\\.\"sh5_a\"", Duration.ofSeconds(7));
    try (Loader loader = stack.loader(config)) {
      wave(topics, 0);
      CompletableFuture<CycleReport> cycle = runOnceInBackground(loader);
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions() // until the loader has created the claims table
          .until(() -> !stack.query(expiry).isEmpty());
      Object claimed = stack.query(expiry).get(0).get(0);
      await()
          .atMost(Duration.ofSeconds(6))
          .alias("the claim's expiry moves on while the load runs")
          .until(
              () -> {
                List<List<Object>> now = stack.query(expiry);
                return !now.isEmpty()
                    && ((java.sql.Timestamp) now.get(0).get(0)).after((java.sql.Timestamp) claimed);
              });
      assertThat(cycle.get(60, TimeUnit.SECONDS).unitsLoaded()).isEqualTo(1);
    } finally {
      stack.redshift.faults().clear();
    }
    assertExactlyOnce(topics, ROWS_PER_UNIT);
  }

  static CompletableFuture<CycleReport> runOnceInBackground(Loader loader) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return loader.runOnce();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        });
  }
}
