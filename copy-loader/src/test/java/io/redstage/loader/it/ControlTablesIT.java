package io.redstage.loader.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.redstage.loader.discovery.Unit;
import io.redstage.loader.load.ControlReader;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import io.redstage.loader.load.TableClaims;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.sql.ControlTables;
import io.redstage.loader.sql.ExistingSchemas;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSchema;
import io.redstage.sandbox.s3.FaultRule;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The loader's own SQL through the Redshift stand-in, on units that need no COPY (every record went
 * to the DLQ).
 */
class ControlTablesIT {
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void emptyUnitsAreRecordedAsLoadedOnceAndRetired() throws Exception {
    Unit a = stack.files.marker("dlq-only", 0, 0, 9, List.of());
    Unit b = stack.files.marker("dlq-only", 0, 10, 19, List.of());
    Map<String, String> config = stack.config();
    config.put("markers.retention", "1h");
    try (Loader loader = stack.loader(config)) {
      CycleReport first = loader.runOnce();
      assertThat(first.unitsLoaded()).isEqualTo(2);
      assertThat(first.batchesLoaded()).isEqualTo(1);
      CycleReport second = loader.runOnce();
      assertThat(second.unitsLoaded()).isZero();
      assertThat(second.unitsPending()).isZero();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      loader.status().printText(new PrintStream(out, true, StandardCharsets.UTF_8));
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("2 unit(s) listed, 2 loaded");
    }
    assertThat(
            stack.query(
                "SELECT target_table, topic, kafka_partition, start_offset, end_offset, marker_key, record_count "
                    + "FROM public._redstage_load_markers WHERE topic = 'dlq-only' ORDER BY start_offset"))
        .containsExactly(
            List.of("public.dlq_only", "dlq-only", 0, 0L, 9L, a.markerKey(), 0L),
            List.of("public.dlq_only", "dlq-only", 0, 10L, 19L, b.markerKey(), 0L));

    config.put("markers.retention", "0s");
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().markersRetired()).isEqualTo(2);
      assertThat(loader.runOnce().unitsListed()).isZero();
    }
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM public._redstage_load_markers WHERE topic = 'dlq-only'"))
        .isEqualTo(2);
  }

  /**
   * A loader of a version that knows only the shared load-marker table (one from before per-table
   * loaded intervals, run again after a rollback) loads a unit after this version did: the next
   * process of this version counts it as loaded instead of loading it again. It added marker rows
   * to a table's intervals only while the intervals were empty.
   */
  @Test
  void unitsAnOlderLoaderLoadedAfterThisOneAreNotLoadedAgain() throws Exception {
    String topic = "rolled_back";
    stack.files.idNameUnit(topic, 0, 0, 49);
    Map<String, String> config = stack.config(topic);
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    Unit olderLoaders = stack.files.idNameUnit(topic, 0, 50, 99);
    try (Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      // what that loader's load transaction left: the rows and a load-marker row, no interval
      s.execute(
          "INSERT INTO public."
              + topic
              + " (id, name, kafka_topic, kafka_partition, kafka_offset)"
              + " SELECT o, 'n' || o, '"
              + topic
              + "', 0, o FROM generate_series(50, 99) o");
      s.execute(
          "INSERT INTO public._redstage_load_markers (target_table, topic, kafka_partition,"
              + " start_offset, end_offset, marker_key, batch_id, record_count, loaded_at) VALUES"
              + " ('public."
              + topic
              + "', '"
              + topic
              + "', 0, 50, 99, '"
              + olderLoaders.markerKey()
              + "', 'older', 50, now())");
    }
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isZero();
      assertThat(r.unitsPending()).isZero();
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public." + topic)).isEqualTo(100);
    assertThat(stack.count("SELECT COUNT(DISTINCT kafka_offset) FROM public." + topic))
        .isEqualTo(100);
    // the other tests list every topic's markers: retire these
    config.put("markers.retention", "0s");
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().markersRetired()).isEqualTo(2);
    }
  }

  /**
   * A batch of units without files (every record went to the dead letter queue) loads first into a
   * table that does not exist yet: it creates nothing, and the next batch of the same cycle creates
   * the table. The loader took the table for one without columns, planned ADD COLUMN against it,
   * and failed that batch with "relation does not exist".
   */
  @Test
  void unitsWithoutFilesBeforeTheFirstFilesOfANewTableLoadInOneCycle() throws Exception {
    String topic = "dlq_first";
    stack.files.marker(topic, 0, 0, 9, List.of());
    stack.files.idNameUnit(topic, 0, 10, 19);
    Map<String, String> config = stack.config(topic);
    config.put("batch.max-units", "1");
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(2);
      assertThat(r.batchesFailed()).isZero();
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public." + topic)).isEqualTo(10);
  }

  @Test
  void markersThatCannotMoveAfterTheLoadStayLoadedAndMoveNextCycle() throws Exception {
    stack.files.marker("retire-later", 0, 0, 9, List.of());
    stack.files.marker("retire-later", 1, 0, 9, List.of());
    Map<String, String> config = stack.config("retire-later");
    config.put("markers.retention", "0s");
    FaultRule denied =
        stack
            .s3
            .faults()
            .failAlways(
                S3Fault.ACCESS_DENIED, RequestMatcher.operations(ObjectOperation.COPY_OBJECT));
    try (Loader loader = stack.loader(config)) {
      CycleReport first = loader.runOnce();
      assertThat(first.unitsLoaded()).isEqualTo(2);
      assertThat(first.markersRetired()).as("the move was refused").isZero();
      assertThat(denied.fired()).isPositive();
      stack.s3.faults().remove(denied);

      CycleReport second = loader.runOnce();
      assertThat(second.unitsLoaded()).as("loaded once, not again").isZero();
      assertThat(second.markersRetired()).isEqualTo(2);
      assertThat(loader.runOnce().unitsListed()).isZero();
    } finally {
      stack.s3.faults().remove(denied);
    }
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM public._redstage_load_markers WHERE topic = 'retire-later'"))
        .isEqualTo(2);
  }

  @Test
  void runLoopLoadsNewUnitsAndStopsGracefully() throws Exception {
    Map<String, String> config = stack.config();
    config.put("loop.interval", "100ms");
    config.put("topics", "looped");
    try (Loader loader = stack.loader(config)) {
      Thread loop = LoaderStack.runLoopAsync(loader);
      stack.files.marker("looped", 0, 0, 9, List.of());
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> loader.metrics().unitsLoaded("public.looped") == 1);
      stack.files.marker("looped", 0, 10, 19, List.of());
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> loader.metrics().unitsLoaded("public.looped") == 2);
      loader.stop();
      assertThat(loader.awaitStopped(Duration.ofSeconds(60))).isTrue();
      loop.join(10_000);
      assertThat(loop.isAlive()).isFalse();
      assertThat(loader.metrics().render())
          .contains("redstage_loader_units_loaded_total{table=\"public.looped\"} 2");
    }
  }

  /**
   * A loader that comes back to thousands of pending tables (an initial snapshot of a large
   * database, or downtime) claims and describes them all: one claim or describe statement naming
   * every table passed the Data API's 100 KB limit, which the stand-in enforces, and every cycle
   * failed whole.
   */
  @Test
  void claimsAndDescribesOfThousandsOfTablesStayWithinTheStatementLimit() throws Exception {
    TableRef markers = TableRef.of("public", "many_tables_markers");
    ControlTables control =
        new ControlTables(
            markers,
            TableRef.of("public", "many_tables_quarantine"),
            TableRef.of("public", "many_tables_failures"));
    Set<TableRef> pending = new TreeSet<>();
    for (int i = 0; i < 3_000; i++) {
      pending.add(
          TableRef.of(
              "public", String.format("dbserver1_inventory_customer_addresses_history_%05d", i)));
    }
    TableRef existing = pending.iterator().next();
    try (Connection c = stack.jdbc();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + existing.sql() + " (id BIGINT NOT NULL, note VARCHAR(20))");
    }
    try (Loader loader = stack.loader(stack.config())) {
      DataApi api = loader.dataApi();
      for (String sql : control.createStatements(new ExistingSchemas())) {
        api.execute(sql, "test-control-ddl");
      }
      TableClaims claims =
          new TableClaims(api, control, Duration.ofMinutes(2), java.time.Clock.systemUTC());
      TableClaims.Grant grant = claims.claim(pending, claims.live(), Set.of(), 0);
      assertThat(grant.tables()).isEqualTo(pending);

      Map<TableRef, TableSchema> schemas =
          new ControlReader(api, control).describe(new ArrayList<>(pending));
      assertThat(schemas).containsOnlyKeys(existing);
      assertThat(schemas.get(existing).columns()).containsOnlyKeys("id", "note");
    }
  }

  /**
   * A table whose loaded-intervals table cannot be created (no privilege in its schema, the
   * cluster's table quota reached) waits, and the other tables load; it loads once the statement
   * passes. The failure left the cycle before, and no table loaded.
   */
  @Test
  void aTableWhoseLoadedIntervalsCannotBeCreatedWaitsWhileTheOthersLoad() throws Exception {
    stack.files.idNameUnit("no_privilege", 0, 0, 9);
    stack.files.idNameUnit("with_privilege", 0, 0, 9);
    stack
        .redshift
        .faults()
        .failStatementsMatching(
            "CREATE TABLE IF NOT EXISTS \\S*_redstage_load_markers__no_privilege_",
            2,
            "permission denied for schema public");
    Map<String, String> config = stack.config("no_privilege,with_privilege");
    try (Loader loader = stack.loader(config)) {
      CycleReport first = loader.runOnce();
      assertThat(first.unitsLoaded()).isEqualTo(1);
      assertThat(first.tablesStopped()).isEqualTo(1);
      assertThat(stack.count("SELECT COUNT(*) FROM public.with_privilege")).isEqualTo(10);

      CycleReport second = loader.runOnce();
      assertThat(second.unitsLoaded()).isEqualTo(1);
      assertThat(second.tablesStopped()).isZero();
      assertThat(stack.count("SELECT COUNT(*) FROM public.no_privilege")).isEqualTo(10);
    }
  }

  /**
   * A batch rewrites only the loaded intervals it can merge with: islands of a partition that end
   * before the batch's first offset less one (a reopened partition resuming after a transaction
   * marker leaves one each time) keep their rows. Every batch rewrote all of them, so each got
   * slower as islands accumulated. PostgreSQL's xmin tells a row kept from one rewritten.
   */
  @Test
  void aBatchRewritesOnlyTheIntervalsItMergesWith() throws Exception {
    String topic = "islands";
    stack.files.idNameUnit(topic, 0, 0, 9);
    Map<String, String> config = stack.config(topic);
    // one process: a new one seeds its intervals, which rewrites them once
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      String intervals =
          new ControlTables(
                  TableRef.of("public", "_redstage_load_markers"),
                  TableRef.of("public", "q"),
                  TableRef.of("public", "f"))
              .loadedIntervals(TableRef.of("public", topic))
              .table()
              .sql();
      try (Connection c = stack.jdbc();
          Statement s = c.createStatement()) {
        s.execute(
            "INSERT INTO "
                + intervals
                + " (topic, kafka_partition, start_offset, end_offset) VALUES ('islands', 0, 20, 29), "
                + "('islands', 0, 40, 49)");
      }
      String rows =
          "SELECT start_offset, end_offset, CAST(xmin AS TEXT) FROM "
              + intervals
              + " WHERE topic = 'islands' ORDER BY start_offset";
      List<List<Object>> before = stack.query(rows);
      assertThat(before).hasSize(3);

      stack.files.idNameUnit(topic, 0, 50, 59);
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      List<List<Object>> after = stack.query(rows);
      assertThat(after)
          .extracting(r -> r.get(0), r -> r.get(1))
          .containsExactly(tuple(0L, 9L), tuple(20L, 29L), tuple(40L, 59L));
      assertThat(after.subList(0, 2))
          .as("the islands before offset 49 were not rewritten")
          .isEqualTo(before.subList(0, 2));
      assertThat(stack.count("SELECT COUNT(*) FROM public.islands")).isEqualTo(20);
    }
  }
}
