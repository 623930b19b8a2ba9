package io.redstage.loader.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.loader.discovery.TopicPartition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlTablesTest {
  private final ControlTables control =
      new ControlTables(
          TableRef.of("ops", "markers"),
          TableRef.of("ops", "quarantine"),
          TableRef.of("ops", "failures"));
  private final TableRef t = TableRef.of("public", "t");

  @Test
  void markerInsertsStayBelowTheStatementSizeLimit() {
    String topic = "t".repeat(249);
    List<ControlTables.MarkerRow> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      rows.add(
          new ControlTables.MarkerRow(
              t,
              topic,
              i % 7,
              i * 10L,
              i * 10L + 9,
              "_redstage/markers/" + topic + "/" + i + ".json",
              "00000000-0000-0000-0000-000000000001",
              10));
    }
    List<String> sql = control.insertMarkers(rows, Instant.EPOCH);
    assertThat(sql)
        .hasSizeGreaterThan(1)
        .allSatisfy(
            s -> assertThat(s.length()).isLessThanOrEqualTo(ControlTables.MAX_INSERT_CHARS));
    assertThat(
            sql.stream()
                .mapToLong(
                    s -> s.split("CAST\\('1970-01-01 00:00:00.000' AS TIMESTAMP\\)").length - 1)
                .sum())
        .isEqualTo(2000);
  }

  @Test
  void loadedStateQueryAsksOnlyAboutListedRangesAndQuarantine() {
    List<String> q =
        control.loadedStateQueries(
            List.of(new ControlTables.Probe(t, new TopicPartition("orders", 3), 100, 250)),
            x -> false);
    assertThat(q)
        .singleElement()
        .asString()
        .contains(
            "FROM \"ops\".\"markers\" WHERE (target_table = 'public.t' AND topic = 'orders' AND kafka_partition = 3 "
                + "AND end_offset >= 100 AND start_offset <= 250)")
        .contains("UNION ALL SELECT 'Q' AS kind")
        .contains("FROM \"ops\".\"quarantine\" WHERE released_at IS NULL");
    assertThat(control.loadedStateQueries(List.of(), x -> true))
        .singleElement()
        .asString()
        .startsWith("SELECT 'Q'");
    assertThat(control.createStatements(new ExistingSchemas()))
        .first()
        .isEqualTo("CREATE SCHEMA IF NOT EXISTS \"ops\"");
    ExistingSchemas ops = new ExistingSchemas();
    ops.read(control.schemas(), List.of("ops"));
    assertThat(control.createStatements(ops))
        .as("no CREATE SCHEMA of an existing schema: it needs CREATE on the database")
        .noneMatch(ExistingSchemas::isCreate)
        .hasSize(4);
    assertThat(ExistingSchemas.query(ExistingSchemas.creatable(List.of("public", "o'ps", "a"))))
        .isEqualTo("SELECT nspname FROM pg_namespace WHERE nspname IN ('a', 'o''ps')");
    assertThat(control.release(List.of("k1", "k2"), Instant.EPOCH))
        .singleElement()
        .asString()
        .endsWith("WHERE released_at IS NULL AND marker_key IN ('k1', 'k2')");
    assertThat(control.writingQuarantineOrFailures(List.of("A"), List.of("B", "C")))
        .as("one statement takes both tables, in one order for every writer, then the parts")
        .containsExactly("LOCK \"ops\".\"quarantine\", \"ops\".\"failures\"", "A", "B", "C");
    assertThat(control.quarantinedUnits("b-1"))
        .contains("WHERE released_at IS NULL AND batch_id = 'b-1'");
  }

  /**
   * Rejects recovery asks which batches committed every cycle while intents wait, and batch_id is
   * not in the load-marker table's sort key: each batch is also asked by its table, topic,
   * partitions and start offsets, so Redshift reads only the blocks that can hold its rows.
   */
  @Test
  void batchesAreAskedByTheirSortKeyColumnsAsWellAsTheirIds() {
    List<String> q =
        control.batchesLoadedAt(
            List.of(
                new ControlTables.BatchMarkers(
                    "b-1",
                    "public.t",
                    List.of(
                        new ControlTables.StartRange("orders", 0, 100, 250),
                        new ControlTables.StartRange("orders", 3, 7, 7))),
                new ControlTables.BatchMarkers("b-2", "public.u", List.of())));
    assertThat(q)
        .singleElement()
        .isEqualTo(
            "SELECT batch_id, MIN(loaded_at) FROM \"ops\".\"markers\" WHERE ((target_table = 'public.t' AND "
                + "((topic = 'orders' AND kafka_partition = 0 AND start_offset BETWEEN 100 AND 250) OR "
                + "(topic = 'orders' AND kafka_partition = 3 AND start_offset BETWEEN 7 AND 7))) OR "
                + "(target_table = 'public.u')) AND batch_id IN ('b-1', 'b-2') GROUP BY batch_id");
  }

  /**
   * A batch of thousands of partitions (and many batches) is asked in several queries, each within
   * the Data API's statement size, each naming the batches whose ranges it carries, and every range
   * asked once.
   */
  @Test
  void batchesOfManyPartitionsAreAskedInQueriesBelowTheSizeLimit() {
    String topic = "t".repeat(249);
    List<ControlTables.BatchMarkers> batches = new ArrayList<>();
    for (int b = 0; b < 3; b++) {
      List<ControlTables.StartRange> ranges = new ArrayList<>();
      for (int p = 0; p < 2000; p++) {
        ranges.add(new ControlTables.StartRange(topic, p, 1_000_000L * b, 1_000_000L * b + 9));
      }
      batches.add(new ControlTables.BatchMarkers("batch-" + b, "public.t", ranges));
    }
    List<String> q = control.batchesLoadedAt(batches);
    assertThat(q)
        .hasSizeGreaterThan(3)
        .allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(ControlTables.MAX_QUERY_CHARS));
    for (int b = 0; b < 3; b++) {
      String range =
          "start_offset BETWEEN " + 1_000_000L * b + " AND " + (1_000_000L * b + 9) + ")";
      String id = "'batch-" + b + "'";
      assertThat(
              q.stream()
                  .mapToLong(s -> s.split(java.util.regex.Pattern.quote(range)).length - 1)
                  .sum())
          .isEqualTo(2000);
      assertThat(q)
          .allSatisfy(
              s ->
                  assertThat(s.contains(range))
                      .isEqualTo(s.substring(s.indexOf("batch_id IN")).contains(id)));
    }
  }

  @Test
  void failureRowsAreReplacedInOneTransactionAndDeletedInChunks() {
    List<String> sql =
        control.upsertFailures(
            List.of(
                new ControlTables.FailureRow(
                    "k'1", "public.t", 2, "COPY failed: bad\\row", Instant.EPOCH)));
    assertThat(sql)
        .containsExactly(
            "DELETE FROM \"ops\".\"failures\" WHERE marker_key IN ('k''1')",
            "INSERT INTO \"ops\".\"failures\" (marker_key, target_table, attempts, last_error, last_attempt_at) VALUES "
                + "('k''1', 'public.t', 2, 'COPY failed: bad/row', CAST('1970-01-01 00:00:00.000' AS TIMESTAMP))");
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      keys.add("_redstage/markers/orders/0000000001/" + "0".repeat(20) + i + ".json");
    }
    List<String> deletes = control.deleteFailures(keys);
    assertThat(deletes)
        .hasSizeGreaterThan(1)
        .allSatisfy(
            s -> assertThat(s.length()).isLessThanOrEqualTo(ControlTables.MAX_INSERT_CHARS));
    assertThat(deletes.stream().mapToLong(s -> s.split("'_redstage/markers").length - 1).sum())
        .isEqualTo(3000);
    assertThat(control.createStatements(new ExistingSchemas()))
        .hasSize(5)
        .last()
        .asString()
        .startsWith("CREATE TABLE IF NOT EXISTS \"ops\".\"failures\"");
  }

  /**
   * A table's stop row is replaced and deleted by its table alone: a DELETE by marker key, whose
   * key all tables' rows share, would take the other tables' rows too.
   */
  @Test
  void aTableStopRowIsReplacedAndDeletedByItsTableOnly() {
    assertThat(
            control.upsertTableStop(
                new ControlTables.FailureRow(
                    ControlTables.TABLE_STOP_KEY,
                    "public.t",
                    3,
                    "ERROR: permission denied for table t",
                    Instant.EPOCH)))
        .containsExactly(
            "DELETE FROM \"ops\".\"failures\" WHERE marker_key = '' AND target_table = 'public.t'",
            "INSERT INTO \"ops\".\"failures\" (marker_key, target_table, attempts, last_error, last_attempt_at) VALUES "
                + "('', 'public.t', 3, 'ERROR: permission denied for table t', CAST('1970-01-01 00:00:00.000' AS TIMESTAMP))");
    assertThat(control.deleteTableStop("public.t"))
        .containsExactly(
            "DELETE FROM \"ops\".\"failures\" WHERE marker_key = '' AND target_table = 'public.t'");
    assertThatThrownBy(
            () ->
                control.upsertTableStop(
                    new ControlTables.FailureRow("k", "public.t", 1, "e", Instant.EPOCH)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void quarantineErrorTextCannotBreakOutOfItsLiteral() {
    List<String> sql =
        control.insertQuarantine(
            List.of(new ControlTables.QuarantineRow("b", t, "x", 0, 0, 9, "k")),
            "boom\\'); DROP TABLE t; --",
            Instant.EPOCH);
    assertThat(sql.get(0)).contains("'boom/''); DROP TABLE t; --'");
  }

  @Test
  void preparedTargetsAreAskedInTheirOwnLoadedIntervalsTable() {
    TableRef other = TableRef.of("sales", "Orders-2026");
    List<String> q =
        control.loadedStateQueries(
            List.of(
                new ControlTables.Probe(t, new TopicPartition("orders", 3), 100, 250),
                new ControlTables.Probe(other, new TopicPartition("o2", 0), 0, 9)),
            x -> x.equals(t));
    assertThat(q)
        .singleElement()
        .asString()
        .contains(
            "FROM "
                + control.loadedIntervals(t).table().sql()
                + " WHERE (topic = 'orders' AND kafka_partition = 3 AND end_offset >= 100 AND start_offset <= 250)")
        .contains(
            "FROM \"ops\".\"markers\" WHERE (target_table = 'sales.orders-2026' AND topic = 'o2'");
    assertThat(control.loadedIntervals(t).table().schema()).isEqualTo("ops");
    assertThat(control.loadedIntervals(t).table().table())
        .startsWith("markers__t_")
        .hasSize("markers__t_".length() + 12);
    assertThat(control.loadedIntervals(other).table().table()).startsWith("markers__orders_2026_");
    assertThat(control.loadedIntervals(TableRef.of("x", "t")).table())
        .isNotEqualTo(control.loadedIntervals(t).table());
    assertThat(
            control
                .loadedIntervals(TableRef.of("public", "a".repeat(127)))
                .table()
                .table()
                .length())
        .as("PostgreSQL's limit, which the stand-in keeps")
        .isEqualTo(63);
    assertThat(
            control
                .loadedIntervals(TableRef.of("public", "kill_committed_moving_markers"))
                .table()
                .table())
        .as("as much of the target's name as fits")
        .startsWith("markers__kill_committed_moving_markers_")
        .hasSizeLessThanOrEqualTo(63);
  }

  /**
   * Tens of thousands of pending tables of long names fit no one transaction of 40 statements: the
   * claim goes as several, each taking the LOCK, the first dropping the old claims; every statement
   * stays below the Data API's 100 KB in bytes (multibyte names included) and every table is named.
   */
  @Test
  void aClaimOfTensOfThousandsOfTablesGoesAsSeveralTransactions() {
    List<TableRef> wanted = new java.util.ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      wanted.add(TableRef.of("public", "dbserver1_inventory_ä_" + "x".repeat(60) + "_" + i));
    }
    ClaimTable claims = control.claims();
    List<List<String>> txs =
        claims.claims("me", wanted, Instant.EPOCH, Instant.EPOCH.plusSeconds(60));
    assertThat(txs).hasSizeGreaterThan(1);
    assertThat(txs.get(0).get(1)).startsWith("DELETE FROM");
    String all = String.join("\n", txs.stream().flatMap(List::stream).toList());
    for (List<String> tx : txs) {
      assertThat(tx).hasSizeLessThanOrEqualTo(LoadSqlBuilder.MAX_STATEMENTS);
      assertThat(tx.get(0)).isEqualTo("LOCK " + claims.table().sql());
      assertThat(tx)
          .allSatisfy(
              q ->
                  assertThat(q.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                      .isLessThan(LoadSqlBuilder.MAX_STATEMENT_BYTES));
    }
    java.util.Set<String> named = new java.util.HashSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("'([^']*)'").matcher(all);
    while (m.find()) {
      named.add(m.group(1));
    }
    assertThat(named).containsAll(wanted.stream().map(TableRef::name).toList());
  }

  @Test
  void aBatchLocksOnlyItsTargetAndMergesTheTouchedPartitionsIntervals() {
    TableRef loaded = control.loadedIntervals(t).table();
    assertThat(control.loadedIntervals(t).lock()).isEqualTo("LOCK " + loaded.sql());
    List<String> sql =
        control
            .loadedIntervals(t)
            .record(
                List.of(
                    new ControlTables.MarkerRow(t, "orders", 0, 0, 9, "k0", "b", 10),
                    new ControlTables.MarkerRow(t, "orders", 0, 10, 19, "k1", "b", 10)));
    assertThat(sql).hasSize(4);
    assertThat(sql.get(0))
        .isEqualTo(
            "INSERT INTO "
                + loaded.sql()
                + " (topic, kafka_partition, start_offset, end_offset) VALUES ('orders', 0, 0, 9), ('orders', 0, 10, 19)");
    assertThat(sql.get(1))
        .startsWith("CREATE TEMP TABLE \"rs_loaded\" AS SELECT topic, kafka_partition")
        .endsWith(
            " WHERE (topic = 'orders' AND kafka_partition IN (0) AND end_offset >= CASE kafka_partition "
                + "WHEN 0 THEN -1 END)) i) s) g GROUP BY topic, kafka_partition, island");
    assertThat(sql.get(2))
        .as(
            "only the rows the batch can merge with: those ending at its first offset less one or later")
        .isEqualTo(
            "DELETE FROM "
                + loaded.sql()
                + " WHERE (topic = 'orders' AND kafka_partition IN (0) AND end_offset >= CASE "
                + "kafka_partition WHEN 0 THEN -1 END)");
    assertThat(control.loadedIntervals(t).record(List.of())).isEmpty();
    // what the table holds and every marker row of its target, merged, whoever wrote them
    assertThat(control.loadedIntervals(t).seed())
        .hasSize(4)
        .satisfies(s -> assertThat(s.get(0)).isEqualTo(control.loadedIntervals(t).lock()))
        .satisfies(
            s ->
                assertThat(s.get(1))
                    .startsWith("CREATE TEMP TABLE \"rs_loaded\" AS ")
                    .contains(
                        "FROM "
                            + loaded.sql()
                            + " UNION ALL SELECT topic, kafka_partition, start_offset, end_offset FROM"
                            + " \"ops\".\"markers\" WHERE target_table = 'public.t')"))
        .satisfies(s -> assertThat(s.get(2)).isEqualTo("DELETE FROM " + loaded.sql()));
    assertThat(control.loadedIntervals(t).create())
        .startsWith("CREATE TABLE IF NOT EXISTS " + loaded.sql())
        .endsWith("SORTKEY (topic, kafka_partition, start_offset)");
  }

  /**
   * A seed reads the target's marker rows from a given time on (its watermark less the margin), or
   * all of them when the intervals table is empty (created or dropped since); the watermark is read
   * with the cluster's time and written apart from the seed, under its own LOCK.
   */
  @Test
  void aSeedReadsFromAGivenTimeUnlessItsIntervalsAreEmptyAndTheWatermarkIsKeptApart() {
    TableRef loaded = control.loadedIntervals(t).table();
    SeedWatermarkTable watermarks = control.seedWatermarks();
    assertThat(watermarks.table()).isEqualTo(TableRef.of("ops", "markers_seeds"));
    assertThat(watermarks.create())
        .isEqualTo(
            "CREATE TABLE IF NOT EXISTS \"ops\".\"markers_seeds\""
                + " (target_table VARCHAR(300) NOT NULL, seeded_at TIMESTAMP NOT NULL)");
    assertThat(watermarks.read(t))
        .isEqualTo(
            "SELECT MAX(CASE WHEN seeded_at <= "
                + SqlText.UTC_NOW
                + " THEN seeded_at END), "
                + SqlText.UTC_NOW
                + " FROM \"ops\".\"markers_seeds\" WHERE target_table = 'public.t'");
    assertThat(watermarks.record(t, Instant.EPOCH))
        .containsExactly(
            "LOCK \"ops\".\"markers_seeds\"",
            "DELETE FROM \"ops\".\"markers_seeds\" WHERE target_table = 'public.t'",
            "INSERT INTO \"ops\".\"markers_seeds\" (target_table, seeded_at)"
                + " VALUES ('public.t', CAST('1970-01-01 00:00:00.000' AS TIMESTAMP))");

    List<String> sql = control.loadedIntervals(t).seed(Instant.parse("2026-12-05T10:00:00Z"));
    List<String> full = control.loadedIntervals(t).seed();
    assertThat(sql).hasSize(4).hasSameSizeAs(full);
    assertThat(sql.get(0)).isEqualTo("LOCK " + loaded.sql()).isEqualTo(full.get(0));
    assertThat(sql.get(1))
        .isEqualTo(
            full.get(1)
                .replace(
                    "WHERE target_table = 'public.t')",
                    "WHERE target_table = 'public.t' AND (loaded_at >= CAST('2026-12-05"
                        + " 10:00:00.000' AS TIMESTAMP) OR NOT EXISTS (SELECT 1 FROM "
                        + loaded.sql()
                        + ")))"))
        .isNotEqualTo(full.get(1));
    assertThat(sql.subList(2, 4)).isEqualTo(full.subList(2, 4));
    assertThat(SeedWatermarkTable.MARGIN).isEqualTo(java.time.Duration.ofHours(48));
  }

  /**
   * The seed-watermark table's name cannot be a per-target table's, whose names end in "_" and 12
   * hex digits, whatever the target is called.
   */
  @Test
  void theSeedWatermarkTableIsNamedApartFromThePerTargetTables() {
    String name = control.seedWatermarks().table().table();
    assertThat(name).isEqualTo("markers_seeds").doesNotMatch(".*_[0-9a-f]{12}");
    assertThat(control.loadedIntervals(TableRef.of("markers", "seeds")).table().table())
        .matches("markers__seeds_[0-9a-f]{12}");
    assertThat(name).isNotEqualTo(control.claims().table().table());
  }

  @Test
  void aClaimTakesOnlyTablesNoOtherLoaderHoldsInOneLockedTransaction() {
    ClaimTable claims = control.claims();
    assertThat(claims.table()).isEqualTo(TableRef.of("ops", "markers_claims"));
    List<String> sql = claims.claim("me", List.of(t), Instant.EPOCH, Instant.EPOCH.plusSeconds(60));
    assertThat(sql)
        .containsExactly(
            "LOCK \"ops\".\"markers_claims\"",
            "DELETE FROM \"ops\".\"markers_claims\" WHERE expires_at <= CAST('1970-01-01 00:00:00.000' AS TIMESTAMP) OR owner = 'me'",
            "INSERT INTO \"ops\".\"markers_claims\" (owner, target_table, expires_at) SELECT 'me', w.target_table, "
                + "CAST('1970-01-01 00:01:00.000' AS TIMESTAMP) FROM (SELECT CAST('' AS VARCHAR(300)) AS target_table "
                + "UNION ALL SELECT 'public.t') w WHERE w.target_table = '' OR NOT EXISTS "
                + "(SELECT 1 FROM \"ops\".\"markers_claims\" c WHERE c.target_table = w.target_table)");
    assertThat(claims.claimedBy("me")).endsWith("WHERE owner = 'me' AND target_table <> ''");
    assertThat(claims.release("me"))
        .as("a release waits its turn on the same LOCK instead of conflicting with a claim")
        .containsExactly(
            "LOCK \"ops\".\"markers_claims\"",
            "DELETE FROM \"ops\".\"markers_claims\" WHERE owner = 'me'");
    assertThat(claims.renew("me", Instant.EPOCH.plusSeconds(60)))
        .as("a renewal extends every row of the owner, under the same LOCK")
        .containsExactly(
            "LOCK \"ops\".\"markers_claims\"",
            "UPDATE \"ops\".\"markers_claims\" SET expires_at = CAST('1970-01-01 00:01:00.000' AS TIMESTAMP) WHERE owner = 'me'");
  }
}
