package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Debezium-style CDC (unwrapped with __deleted) across batches and partitions gives the source
 * table's state.
 */
class UpsertIT {
  static final List<MarkerColumn> COLS =
      List.of(
          new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), false),
          new MarkerColumn("name", ColumnType.of(ColumnType.Kind.STRING), true),
          new MarkerColumn("__deleted", ColumnType.of(ColumnType.Kind.STRING), true));
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  /** Writes a unit of CDC events: each event is {id, name or null for a delete}. */
  static Unit events(String topic, int partition, long start, Object... idName) {
    long end = start + idName.length / 2 - 1;
    return stack.files.unit(
        topic,
        partition,
        start,
        end,
        FileFormat.AVRO,
        COLS,
        o -> {
          int i = (int) (o - start) * 2;
          Object name = idName[i + 1];
          return row(
              "id",
              ((Number) idName[i]).longValue(),
              "name",
              name,
              "__deleted",
              name == null ? "true" : "false");
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"delete-insert", "merge"})
  void insertsUpdatesDeletesAcrossBatchesAndPartitions(String strategy) throws Exception {
    String topic = "customers_" + strategy.replace('-', '_');
    Map<String, String> config = stack.config();
    config.put("upsert.strategy", strategy);
    config.put("topics", topic);
    config.put("load.mode", "upsert");
    config.put("upsert.key", "id");
    config.put("tables.metadata-columns", "none");
    Map<Long, String> source = new TreeMap<>();
    try (Loader loader = stack.loader(config)) {
      events(topic, 0, 0, 1, "a", 2, "b", 3, "c", 4, "d", 4, null);
      events(topic, 1, 0, 10, "x", 11, "y");
      assertThat(loader.runOnce().rowsLoaded())
          .as("keys 1, 2, 3, 10, 11 written; key 4's latest event is a delete")
          .isEqualTo(5);
      source.putAll(Map.of(1L, "a", 2L, "b", 3L, "c", 10L, "x", 11L, "y"));
      assertThat(state(topic)).isEqualTo(source);

      events(topic, 0, 5, 1, "a2", 2, null, 5, "e");
      events(topic, 0, 8, 5, "e2", 1, "a3");
      events(topic, 1, 2, 10, "x2", 10, "x3", 11, null, 12, "z");
      assertThat(loader.runOnce().rowsLoaded())
          .as("keys 1, 5, 10, 12 updated or inserted; 2 and 11 deleted")
          .isEqualTo(4);
      source.put(1L, "a3");
      source.remove(2L);
      source.put(5L, "e2");
      source.put(10L, "x3");
      source.remove(11L);
      source.put(12L, "z");
      assertThat(state(topic)).isEqualTo(source);

      events(topic, 1, 0, 10, "x", 11, "y"); // an identical replay of an old unit changes nothing
      events(topic, 0, 10, 12, "moved");
      assertThat(loader.runOnce().rowsLoaded())
          .as("only key 12's update; the replayed unit writes nothing")
          .isEqualTo(1);
      source.put(12L, "moved");
      assertThat(loader.metrics().rowsLoaded("public." + topic)).isEqualTo(5 + 4 + 1);
    }
    assertThat(state(topic)).isEqualTo(source);
    assertThat(
            stack.query(
                "SELECT column_name FROM information_schema.columns WHERE table_name = '"
                    + topic
                    + "' ORDER BY ordinal_position"))
        .extracting(r -> r.get(0))
        .containsExactly("id", "name", "__deleted");
  }

  @ParameterizedTest
  @ValueSource(strings = {"delete-insert", "merge"})
  void keysMovingBetweenPartitionsKeepTheNewestRowWhateverTheLoadOrder(String strategy)
      throws Exception {
    String topic = "moving_" + strategy.replace('-', '_');
    Map<String, String> config = upsertById(topic, strategy);
    // record timestamps are 1700000000000 + offset (TestFiles): partition 1's offset 20 is newer
    // than partition 0's offsets 0..2, older than partition 0's offset 30
    try (Loader loader = stack.loader(config)) {
      events(topic, 1, 20, 1, "new", 2, "new2");
      loader.runOnce();
      events(topic, 0, 0, 1, "old", 2, null, 3, "c"); // committed late: older than what is loaded
      loader.runOnce();
      assertThat(state(topic))
          .as("older rows and deletes from another partition do not replace newer rows")
          .isEqualTo(Map.of(1L, "new", 2L, "new2", 3L, "c"));
      assertThat(tombstones(topic))
          .as("a delete older than the key's row is no tombstone")
          .isEmpty();
      events(topic, 0, 30, 1, "newest", 3, null);
      loader.runOnce();
      assertThat(state(topic)).isEqualTo(Map.of(1L, "newest", 2L, "new2"));
      assertThat(tombstones(topic)).isEqualTo(Map.of(3L, List.of(0, 31L)));
    }
    assertThat(
            stack.query(
                "SELECT kafka_partition, kafka_offset FROM public." + topic + " ORDER BY id"))
        .containsExactly(List.of(0, 30L), List.of(1, 21L));
  }

  @ParameterizedTest
  @ValueSource(strings = {"delete-insert", "merge"})
  void aDeleteKeepsItsKeyDeletedAgainstOlderRowsLoadedAfterIt(String strategy) throws Exception {
    String topic = "tomb_" + strategy.replace('-', '_');
    Map<String, String> config = upsertById(topic, strategy);
    // record timestamps are 1700000000000 + offset (TestFiles)
    try (Loader loader = stack.loader(config)) {
      events(topic, 0, 0, 1, "a", 2, "b", 3, "c");
      loader.runOnce();
      events(topic, 1, 20, 1, null, 2, null); // keys 1 and 2 move to partition 1 and are deleted
      loader.runOnce();
      assertThat(state(topic)).isEqualTo(Map.of(3L, "c"));
      assertThat(tombstones(topic))
          .as("one tombstone per deleted key, at its delete")
          .isEqualTo(Map.of(1L, List.of(1, 20L), 2L, List.of(1, 21L)));

      events(topic, 0, 5, 1, "late", 2, "late2"); // older than the deletes, loaded after them
      loader.runOnce();
      assertThat(state(topic))
          .as("rows older than a key's delete do not bring the key back")
          .isEqualTo(Map.of(3L, "c"));
      assertThat(tombstones(topic)).containsOnlyKeys(1L, 2L);

      events(topic, 0, 30, 1, "back", 3, null); // newer than key 1's delete; deletes key 3
      loader.runOnce();
      assertThat(state(topic))
          .as("a row newer than the delete brings the key back")
          .isEqualTo(Map.of(1L, "back"));
      assertThat(tombstones(topic))
          .as("a key that came back has no tombstone; a newly deleted key has one")
          .isEqualTo(Map.of(2L, List.of(1, 21L), 3L, List.of(0, 31L)));

      events(topic, 1, 22, 3, "stale"); // older than key 3's delete at offset 31
      events(topic, 1, 23, 2, null); // a newer delete of key 2 replaces its tombstone
      loader.runOnce();
      assertThat(state(topic)).isEqualTo(Map.of(1L, "back"));
      assertThat(tombstones(topic)).isEqualTo(Map.of(2L, List.of(1, 23L), 3L, List.of(0, 31L)));
    }
  }

  /**
   * upsert.tombstone-retention bounds the deleted-keys table: a delete whose record time is older
   * than the retention by the loader's clock is pruned by the next upsert batch of its table. The
   * documented price: a row older than the pruned delete that loads later brings the key back.
   */
  @ParameterizedTest
  @ValueSource(strings = {"delete-insert", "merge"})
  void tombstonesOlderThanTheRetentionArePrunedByTheNextBatch(String strategy) throws Exception {
    String topic = "pruned_" + strategy.replace('-', '_');
    Map<String, String> config = upsertById(topic, strategy);
    config.put("upsert.tombstone-retention", "1h");
    // record timestamps are 1700000000000 + offset (TestFiles)
    Instant events = Instant.ofEpochMilli(1_700_000_000_000L);
    try (Loader loader = stack.loader(config, clockAt(events.plus(Duration.ofMinutes(30))))) {
      events(topic, 0, 0, 1, "a", 2, "b");
      loader.runOnce();
      events(topic, 1, 20, 1, null);
      loader.runOnce();
      assertThat(tombstones(topic)).as("within the retention").containsOnlyKeys(1L);
    }
    try (Loader loader = stack.loader(config, clockAt(events.plus(Duration.ofHours(2))))) {
      events(topic, 0, 2, 2, "b2");
      loader.runOnce();
      assertThat(tombstones(topic)).as("past the retention").isEmpty();
      assertThat(state(topic)).isEqualTo(Map.of(2L, "b2"));

      events(topic, 0, 3, 1, "late"); // older than key 1's delete at offset 20
      loader.runOnce();
      assertThat(state(topic))
          .as("with its tombstone pruned, an older row brings the key back")
          .isEqualTo(Map.of(1L, "late", 2L, "b2"));
    }
  }

  /** The system clock moved so that it reads {@code at} now. */
  private static Clock clockAt(Instant at) {
    return Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), at));
  }

  /**
   * After upsert.key changes, the deleted-keys table created with the old key lacks the new one:
   * the table's loads stop with a message saying what to do, before any batch runs, instead of
   * every batch failing on the missing column and being quarantined, holding its partitions.
   */
  @Test
  void aChangedUpsertKeyStopsTheTableBeforeItsBatchesFailOnTheDeletedKeysTable() throws Exception {
    String topic = "rekeyed";
    Map<String, String> config = quarantiningAtOnce(upsertById(topic, "delete-insert"));
    try (Loader loader = stack.loader(config)) {
      events(topic, 0, 0, 1, "a", 2, "b");
      events(topic, 0, 2, 1, null);
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(2);
      assertThat(tombstones(topic)).containsOnlyKeys(1L);
    }
    config.put("upsert.key", "name");
    events(topic, 0, 3, 3, "c");
    assertStopsWithoutQuarantine(topic, config);
  }

  /**
   * A column taken out of upsert.key stays in the deleted-keys table, NOT NULL: each delete the
   * table records then fails its batch. The table's loads stop instead, with what to do, as when a
   * column is added to the key.
   */
  @Test
  void aColumnTakenOutOfTheUpsertKeyStopsTheTableBeforeADeleteFailsItsBatch() throws Exception {
    String topic = "unkeyed";
    Map<String, String> config = quarantiningAtOnce(upsertById(topic, "delete-insert"));
    config.put("upsert.key", "id,name");
    try (Loader loader = stack.loader(config)) {
      events(topic, 0, 0, 1, "a", 2, "b");
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    config.put("upsert.key", "id");
    events(topic, 0, 2, 1, null);
    assertStopsWithoutQuarantine(topic, config);
  }

  /**
   * One cycle stops the table's loads, loading and quarantining nothing. Before it, 'status' names
   * the table as waiting for its settings, with the cycle's reason, and exits 3, and 'dry-run'
   * lists it in the same words instead of its SQL (both showed a plain backlog).
   */
  private static void assertStopsWithoutQuarantine(String topic, Map<String, String> config)
      throws Exception {
    String why = "Cannot load public." + topic + " in upsert mode: its deleted-keys table ";
    LoaderStack.Cli status = LoaderStack.cli(config, "status");
    assertThat(status.code()).as(status.err()).isEqualTo(3);
    assertThat(status.out())
        .contains("Tables whose units wait for their settings:\n  public." + topic + ": " + why);
    LoaderStack.Cli dryRun = LoaderStack.cli(config, "dry-run");
    assertThat(dryRun.code()).as("dry-run exits 0 whatever it lists").isZero();
    assertThat(dryRun.out())
        .contains(
            "-- Tables whose units wait for their settings:\n--   public." + topic + ": " + why)
        .doesNotContain("COPY ");
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.tablesStopped()).isEqualTo(1);
      assertThat(r.batchesQuarantined()).isZero();
      assertThat(r.unitsLoaded()).isZero();
    }
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM public._redstage_quarantine WHERE target_table = 'public."
                    + topic
                    + "'"))
        .isZero();
  }

  /** The deleted-keys table of a target: key to its tombstone's partition and offset. */
  static Map<Long, List<Object>> tombstones(String table) throws Exception {
    List<List<Object>> names =
        stack.query(
            "SELECT table_name FROM information_schema.tables WHERE position('__d_"
                + table
                + "_' IN table_name) > 0");
    assertThat(names).as("one deleted-keys table for " + table).hasSize(1);
    Map<Long, List<Object>> m = new TreeMap<>();
    for (List<Object> r :
        stack.query(
            "SELECT id, kafka_partition, kafka_offset, kafka_timestamp FROM public.\""
                + names.get(0).get(0)
                + "\"")) {
      assertThat(r.get(3)).as("the delete's record time is kept").isNotNull();
      assertThat(m.put(((Number) r.get(0)).longValue(), List.of(r.get(1), r.get(2))))
          .as("one tombstone per key")
          .isNull();
    }
    return m;
  }

  @Test
  void appendReportsTheRowsItInserted() throws Exception {
    String topic = "customers_append";
    Map<String, String> config = stack.config();
    config.put("topics", topic);
    config.put("tables.metadata-columns", "none");
    try (Loader loader = stack.loader(config)) {
      events(topic, 0, 0, 1, "a", 2, "b", 2, null);
      events(topic, 1, 0, 10, "x");
      assertThat(loader.runOnce().rowsLoaded())
          .as("every event is a row in append mode")
          .isEqualTo(4);
      events(topic, 0, 3, 3, "c", 4, "d");
      assertThat(loader.runOnce().rowsLoaded()).isEqualTo(2);
      assertThat(loader.metrics().rowsLoaded("public." + topic)).isEqualTo(6);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public." + topic)).isEqualTo(6);
  }

  /**
   * Rows whose key is NULL cannot be matched, so each is kept; with two topics in one table (here
   * by tables.map), a NULL-key row of each topic at the same partition and offset are two rows.
   */
  @ParameterizedTest
  @ValueSource(strings = {"delete-insert", "merge"})
  void nullKeyRowsOfTwoTopicsAtTheSameOffsetAreBothKept(String strategy) throws Exception {
    String suffix = strategy.replace('-', '_');
    String first = "nk_a_" + suffix;
    String second = "nk_b_" + suffix;
    String table = "nullkeys_" + suffix;
    List<MarkerColumn> nullableKey =
        List.of(
            new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), true),
            new MarkerColumn("name", ColumnType.of(ColumnType.Kind.STRING), true),
            new MarkerColumn("__deleted", ColumnType.of(ColumnType.Kind.STRING), true));
    Map<String, String> config = upsertById(first + "," + second, strategy);
    config.put("tables.map", first + ":" + table + "," + second + ":" + table);
    try (Loader loader = stack.loader(config)) {
      for (String topic : List.of(first, second)) {
        stack.files.unit(
            topic,
            0,
            0,
            1,
            FileFormat.AVRO,
            nullableKey,
            o -> row("id", null, "name", topic + "@" + o, "__deleted", "false"));
      }
      loader.runOnce();
    }
    assertThat(stack.query("SELECT name FROM public." + table + " ORDER BY name"))
        .extracting(r -> r.get(0))
        .containsExactly(first + "@0", first + "@1", second + "@0", second + "@1");
  }

  /**
   * A target row with NULL partition and offset (loaded before the table kept those columns, or
   * written by hand) counts as oldest at an equal timestamp: the comparison with NULLs was unknown,
   * and the newer incoming row was dropped.
   */
  @ParameterizedTest
  @ValueSource(strings = {"delete-insert", "merge"})
  void aTargetRowWithoutPartitionAndOffsetIsReplacedByANewerRowOfTheSameTime(String strategy)
      throws Exception {
    String topic = "nullpos_" + strategy.replace('-', '_');
    Map<String, String> config = upsertById(topic, strategy);
    try (Loader loader = stack.loader(config)) {
      events(topic, 0, 0, 1, "a");
      loader.runOnce();
      try (var c = stack.jdbc();
          var sql = c.createStatement()) {
        // offset 5's record time, as the next unit's row will have it
        sql.execute(
            "UPDATE public."
                + topic
                + " SET kafka_partition = NULL, kafka_offset = NULL,"
                + " kafka_timestamp = kafka_timestamp + INTERVAL '5 milliseconds'");
      }
      events(topic, 0, 5, 1, "b");
      loader.runOnce();
    }
    assertThat(state(topic)).containsExactly(Map.entry(1L, "b"));
  }

  /**
   * A unit that can never load (its file is gone) holds the later units of its partition in upsert
   * mode; 'skip' gives it up on the record: its offsets count as handled with 0 rows, its
   * quarantine row is released, and the partition goes on.
   */
  @Test
  void skipGivesUpAQuarantinedUnitAndThePartitionGoesOn() throws Exception {
    String topic = "skip_gone";
    Map<String, String> config = quarantiningAtOnce(upsertById(topic, "delete-insert"));
    // without claims, so that the command-line runs below read the table while this loader is open
    config.put("load.claim-lease", "0");
    Unit gone = events(topic, 0, 0, 1, "a", 2, "b");
    String goneKey = gone.markerKey();
    delete(gone);
    events(topic, 0, 2, 1, "a2", 3, "c");
    try (Loader loader = stack.loader(config)) {
      quarantineWithin(loader, 4);
      CycleReport waiting = loader.runOnce();
      assertThat(waiting.unitsLoaded()).as("the later unit waits behind it").isZero();
      assertThat(waiting.unitsInQuarantine()).isEqualTo(1);
      assertThat(waiting.toString()).contains("in quarantine 1 unit(s)");
      assertThat(onceThroughTheCommandLine(config))
          .as("cron sees the waiting unit on every run, not only the one that quarantined it")
          .isEqualTo(3);
      String batch = batchOf(gone);
      Map<String, String> elsewhere = new java.util.HashMap<>(config);
      elsewhere.put("tables.map", topic + ":" + topic + "_elsewhere");
      try (Loader misconfigured = stack.loader(elsewhere)) {
        assertThatThrownBy(() -> misconfigured.skip(batch))
            .as("recording the offsets for another table would let the unit's rows load after all")
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(
                "Cannot skip unit "
                    + goneKey
                    + ": it was quarantined loading into public.skip_gone, but this configuration"
                    + " maps topic skip_gone to public.skip_gone_elsewhere. Run skip with the"
                    + " configuration of the loader that loads it (the same tables.map, tables.regex"
                    + " and target.schema).");
      }

      // a dry run lists what the skip would give up, and why, and records nothing
      LoaderStack.Cli preview = LoaderStack.cli(config, "skip", "--batch", batch, "--dry-run");
      assertThat(preview.code()).as(preview.err()).isZero();
      assertThat(preview.out())
          .contains("Would give up 1 unit(s):")
          .contains(
              "public.skip_gone skip_gone/0 offsets 0..1 (marker " + goneKey + "), quarantined: ")
          .contains("Nothing recorded (--dry-run)");
      assertThat(
              stack.count(
                  "SELECT COUNT(*) FROM public._redstage_load_markers WHERE marker_key = '"
                      + goneKey
                      + "'"))
          .isZero();
      assertThat(loader.runOnce().unitsInQuarantine()).as("still quarantined").isEqualTo(1);

      Loader.SkipResult r = loader.skip(batch);

      assertThat(r.skipped()).containsExactly(goneKey);
      assertThat(r.units())
          .singleElement()
          .satisfies(
              u -> {
                assertThat(u.markerKey()).isEqualTo(goneKey);
                assertThat(u.reason()).isNotBlank();
              });
      CycleReport after = loader.runOnce();
      assertThat(after.unitsLoaded()).isEqualTo(1);
      assertThat(after.unitsInQuarantine()).isZero();
      assertThat(onceThroughTheCommandLine(config)).isZero();
      assertThat(state(topic)).isEqualTo(Map.of(1L, "a2", 3L, "c"));
      assertThat(
              stack.query(
                  "SELECT record_count, batch_id FROM public._redstage_load_markers WHERE marker_key = '"
                      + goneKey
                      + "'"))
          .singleElement()
          .satisfies(
              row -> {
                assertThat(((Number) row.get(0)).longValue()).isZero();
                assertThat(row.get(1)).isEqualTo(r.recordedAs().get("public." + topic));
              });
      assertThat(
              stack.count(
                  "SELECT COUNT(*) FROM public._redstage_quarantine WHERE marker_key = '"
                      + goneKey
                      + "' AND released_at IS NOT NULL"))
          .isEqualTo(1);
      assertThatThrownBy(() -> loader.skip(batch))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no unreleased quarantined unit has that batch id");
    }
  }

  /**
   * Skip records the skipped unit's offsets as handled, so it refuses while a listed unit that is
   * not loaded overlaps them (a zombie's unit beside its replay's): that unit's rows would be
   * dropped too. Once the other unit has loaded, the skip goes through.
   */
  @Test
  void skipIsRefusedWhileAnOverlappingUnitIsNotLoaded() throws Exception {
    String topic = "skip_overlap";
    Map<String, String> config = quarantiningAtOnce(stack.config(topic));
    Unit gone = events(topic, 0, 0, 1, "a", 2, "b", 3, "c");
    delete(gone);
    try (Loader loader = stack.loader(config)) {
      quarantineWithin(loader, 4);
      Unit replay = events(topic, 0, 1, 2, "b", 3, "c", 4, "d"); // offsets 1..3, beside 0..2
      String batch = batchOf(gone);

      assertThatThrownBy(() -> loader.skip(batch))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Cannot skip unit " + gone.markerKey())
          .hasMessageContaining(replay.markerKey() + " overlaps its offsets and is not loaded");
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      skipThroughTheCommandLine(config, batch);
    }
    assertThat(stack.query("SELECT kafka_offset FROM public." + topic + " ORDER BY 1"))
        .extracting(row -> ((Number) row.get(0)).longValue())
        .containsExactly(1L, 2L, 3L);
  }

  /**
   * A zombie task's unit and its replay's, both quarantined in batches of their own (their files
   * gone): skipping one alone is refused, naming the other batch, since it would give up the
   * other's rows too; skipping both at once goes through, and the partition goes on.
   */
  @Test
  void overlappingUnitsQuarantinedInTwoBatchesAreSkippedTogether() throws Exception {
    String topic = "skip_both";
    Map<String, String> config = quarantiningAtOnce(stack.config(topic));
    Unit zombie = events(topic, 0, 0, 1, "a", 2, "b", 3, "c");
    delete(zombie);
    try (Loader loader = stack.loader(config)) {
      quarantineWithin(loader, 4);
      Unit replay = events(topic, 0, 1, 2, "b", 3, "c", 4, "d"); // offsets 1..3, beside 0..2
      delete(replay);
      quarantineWithin(loader, 4);
      String zombieBatch = batchOf(zombie);
      String replayBatch = batchOf(replay);
      assertThat(zombieBatch).isNotEqualTo(replayBatch);

      assertThatThrownBy(() -> loader.skip(zombieBatch))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(
              replay.markerKey()
                  + " overlaps its offsets and is quarantined in batch "
                  + replayBatch)
          .hasMessageEndingWith(
              "give them up at once: skip --batch "
                  + zombieBatch
                  + " --batch "
                  + replayBatch
                  + ".");
      assertThat(loader.skip(List.of(zombieBatch, replayBatch)).skipped())
          .containsExactlyInAnyOrder(zombie.markerKey(), replay.markerKey());
      events(topic, 0, 4, 4, "d2");
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    assertThat(stack.query("SELECT kafka_offset FROM public." + topic + " ORDER BY 1"))
        .extracting(row -> ((Number) row.get(0)).longValue())
        .containsExactly(4L);
  }

  /**
   * A quarantined unit whose offsets a replay's unit then loads has nothing left to load: its
   * quarantine row is released, so status stops listing it as a batch to fix.
   */
  @Test
  void aQuarantinedUnitThatAReplayCoversIsReleased() throws Exception {
    String topic = "covered_quarantine";
    Map<String, String> config = quarantiningAtOnce(stack.config(topic));
    Unit zombie = events(topic, 0, 1, 2, "b", 3, "c");
    delete(zombie);
    try (Loader loader = stack.loader(config)) {
      quarantineWithin(loader, 4);
      events(topic, 0, 0, 1, "a", 2, "b", 3, "c"); // the replay: offsets 0..2
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      loader.runOnce();
    }
    assertThat(unreleasedQuarantineRows(zombie)).isZero();
    assertThat(stack.query("SELECT kafka_offset FROM public." + topic + " ORDER BY 1"))
        .extracting(row -> ((Number) row.get(0)).longValue())
        .containsExactly(0L, 1L, 2L);
  }

  /**
   * Upsert mode: a zombie task's unit (files gone, quarantined) beside its replay's two units with
   * other boundaries, one of them starting inside it. The replay's units hold every offset of the
   * zombie's, so it holds nothing back: they load, and its quarantine is released as covered. It
   * held the later one for good, and 'skip' refused while that one was not loaded.
   */
  @Test
  void aZombieUnitItsReplayCoversDoesNotHoldItsPartitionInUpsertMode() throws Exception {
    String topic = "upsert_zombie";
    Map<String, String> config = quarantiningAtOnce(upsertById(topic, "delete-insert"));
    Unit zombie = events(topic, 0, 0, 1, "a", 2, "b", 3, "c");
    delete(zombie);
    try (Loader loader = stack.loader(config)) {
      quarantineWithin(loader, 4);
      events(topic, 0, 0, 1, "a"); // offsets 0..0
      events(topic, 0, 1, 2, "b", 3, "c2", 4, "d"); // offsets 1..3, starting inside the zombie's
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(2);
      loader.runOnce();
    }
    assertThat(state(topic)).isEqualTo(Map.of(1L, "a", 2L, "b", 3L, "c2", 4L, "d"));
    assertThat(unreleasedQuarantineRows(zombie)).isZero();
  }

  /**
   * Upsert mode: a marker that cannot be read (here garbage; in life an archived or KMS-refused
   * object kept under markers.dir) whose offsets are all loaded already held every later unit of
   * its partition, every cycle. It has no rows left to apply before them: they load, and the marker
   * is still reported as unreadable.
   */
  @Test
  void anUnreadableMarkerOfLoadedOffsetsHoldsNothingInUpsertMode() throws Exception {
    String topic = "upsert_unreadable_loaded";
    Map<String, String> config = upsertById(topic, "delete-insert");
    try (Loader loader = stack.loader(config)) {
      events(topic, 0, 0, 1, "a", 2, "b", 3, "c", 4, "d", 5, "e");
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      // a zombie's garbled marker of offsets 0..2, loaded already
      String zombie = MarkerKeys.markerKey(LoaderStack.MARKERS, topic, 0, 0, 2);
      stack
          .s3
          .client()
          .putObject(
              b -> b.bucket(LoaderStack.BUCKET).key(zombie), RequestBody.fromString("{not json"));
      events(topic, 0, 5, 1, "a2", 6, "f");
      CycleReport r = loader.runOnce();
      assertThat(r.unreadableMarkers()).as("still reported").isEqualTo(1);
      assertThat(r.unitsLoaded()).isEqualTo(1);
    }
    assertThat(state(topic))
        .isEqualTo(Map.of(1L, "a2", 2L, "b", 3L, "c", 4L, "d", 5L, "e", 6L, "f"));
  }

  /**
   * A skip whose transaction waits past redshift.statement-timeout (behind a load holding the
   * table's lock, here a slowed LOCK) may still commit after the command gives up: it says the
   * outcome is unknown and what to check. When it commits, the next cycle finds the units covered
   * and releases their quarantine rows.
   */
  @Test
  void aSkipThatTimesOutSaysItsOutcomeIsUnknown() throws Exception {
    String topic = "skip_slow";
    Map<String, String> config = quarantiningAtOnce(stack.config(topic));
    Unit gone = events(topic, 0, 0, 1, "a", 2, "b");
    delete(gone);
    Map<String, String> impatient = new HashMap<>(config);
    // long enough for its other statements on a busy machine, shorter than the slowed one
    impatient.put("redshift.statement-timeout", "3s");
    try (Loader loader = stack.loader(config);
        Loader skipper = stack.loader(impatient)) {
      quarantineWithin(loader, 4);
      String batch = batchOf(gone);
      // the skip's transaction records the unit's marker key
      stack
          .redshift
          .faults()
          .slowStatementsMatching(
              "^INSERT INTO .*" + java.util.regex.Pattern.quote(gone.markerKey()),
              java.time.Duration.ofSeconds(8));
      try {
        assertThatThrownBy(() -> skipper.skip(batch))
            .isInstanceOf(io.redstage.loader.redshift.StatementTimeoutException.class)
            .hasMessageStartingWith("Cannot tell whether the skip of batch(es) [" + batch + "]")
            .hasMessageContaining("Run status once the table's loads end");
      } finally {
        stack.redshift.faults().clear();
      }
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(
              () ->
                  stack.count(
                          "SELECT COUNT(*) FROM public._redstage_load_markers WHERE marker_key = '"
                              + gone.markerKey()
                              + "'")
                      == 1);
      loader.runOnce();
    }
    assertThat(unreleasedQuarantineRows(gone)).isZero();
  }

  /**
   * 'release --all' under a configuration in which one table's settings do not resolve (upsert mode
   * with keys per table, none for this one): that table's units are refused with the reason and the
   * others released. The whole command stopped, as if the configuration were invalid.
   */
  @Test
  void releaseAllRefusesTheUnitsOfATableWhoseSettingsDoNotResolve() throws Exception {
    Map<String, String> config = quarantiningAtOnce(stack.config("rel_keyed,rel_keyless"));
    Unit keyed = events("rel_keyed", 0, 0, 1, "a");
    Unit keyless = events("rel_keyless", 0, 0, 2, "b");
    delete(keyed);
    delete(keyless);
    Map<String, String> upsert = new HashMap<>(config);
    upsert.put("load.mode", "upsert");
    upsert.put("table.public.rel_keyed.upsert.key", "id");
    try (Loader loader = stack.loader(config)) {
      for (int i = 0; i < 4; i++) {
        loader.runOnce();
      }
    }
    try (Loader loader = stack.loader(upsert)) {
      Loader.ReleaseResult r = loader.release(null, false);

      assertThat(r.released()).contains(keyed.markerKey()).doesNotContain(keyless.markerKey());
      assertThat(r.refused())
          .containsOnlyKeys(keyless.markerKey())
          .hasValueSatisfying(
              new org.assertj.core.api.Condition<>(
                  v -> v.startsWith("Cannot load table public.rel_keyless in upsert mode"),
                  "the table's own reason"));
    }
  }

  /** {@code config} quarantining a failing unit at its first attempt, without waiting. */
  private static Map<String, String> quarantiningAtOnce(Map<String, String> config) {
    config.put("load.retry.max-attempts", "1");
    config.put("load.retry.backoff", "0s");
    return config;
  }

  private static long unreleasedQuarantineRows(Unit u) throws Exception {
    return stack.count(
        "SELECT COUNT(*) FROM public._redstage_quarantine WHERE marker_key = '"
            + u.markerKey()
            + "' AND released_at IS NULL");
  }

  private static void delete(Unit u) {
    stack
        .s3
        .client()
        .deleteObject(b -> b.bucket(LoaderStack.BUCKET).key(u.marker().files().get(0).key()));
  }

  private static void quarantineWithin(Loader loader, int cycles) throws InterruptedException {
    int quarantined = 0;
    for (int i = 0; i < cycles && quarantined == 0; i++) {
      quarantined += loader.runOnce().batchesQuarantined();
    }
    assertThat(quarantined).isEqualTo(1);
  }

  private static String batchOf(Unit u) throws Exception {
    return (String)
        stack
            .query(
                "SELECT batch_id FROM public._redstage_quarantine WHERE marker_key = '"
                    + u.markerKey()
                    + "'")
            .get(0)
            .get(0);
  }

  private static int onceThroughTheCommandLine(Map<String, String> config) {
    return LoaderStack.cli(config, "once").code();
  }

  private static void skipThroughTheCommandLine(Map<String, String> config, String batch) {
    // through the command line, with the id in upper case as some tools copy it
    LoaderStack.Cli skip =
        LoaderStack.cli(config, "skip", "--batch", batch.toUpperCase(Locale.ROOT));
    assertThat(skip.code()).as(skip.err()).isZero();
    assertThat(skip.out()).contains("Skipped 1 unit(s) of batch " + batch + ".");
  }

  /**
   * Schemaless CDC records may carry the delete flag as text in some files and as a boolean in
   * others. The delete expression followed the first file's type, so a batch whose first file had a
   * boolean flag, loading into the column the text flags had created, failed (COALESCE of text and
   * boolean) and its units ended in quarantine. It now follows the column's type.
   */
  @Test
  void aDeleteFlagGivenAsABooleanLoadsIntoTheTextColumnEarlierFilesCreated() throws Exception {
    String topic = "upsert_flag_types";
    Map<String, String> config = upsertById(topic, "delete-insert");
    List<MarkerColumn> asBoolean =
        List.of(
            new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), false),
            new MarkerColumn("name", ColumnType.of(ColumnType.Kind.STRING), true),
            new MarkerColumn("__deleted", ColumnType.of(ColumnType.Kind.BOOLEAN), true));
    try (Loader loader = stack.loader(config)) {
      stack.files.unit(
          topic,
          0,
          0,
          1,
          FileFormat.JSONL,
          COLS,
          o -> row("id", o, "name", "n" + o, "__deleted", "false"));
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      stack.files.unit(
          topic,
          0,
          2,
          3,
          FileFormat.JSONL,
          asBoolean,
          o -> row("id", o - 2, "name", o == 2 ? null : "m1", "__deleted", o == 2));
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.batchesFailed()).isZero();
    }
    assertThat(state(topic)).as("key 0 deleted, key 1 updated").isEqualTo(Map.of(1L, "m1"));
  }

  /**
   * A delete flag the table holds as an integer (is_deleted 0/1) was ignored without a word: the
   * key's delete was upserted as a live row. Not 0 is a delete now. A flag of another type (here a
   * double) stops its table's loads, quarantining nothing, while the other tables load.
   */
  @Test
  void anIntegerDeleteFlagDeletesAndAFlagOfAnotherTypeStopsOnlyItsTable() throws Exception {
    String ints = "upsert_int_flag";
    String doubles = "upsert_double_flag";
    String other = "upsert_flag_other";
    Map<String, String> config = upsertById(ints + "," + doubles + "," + other, "delete-insert");
    config.put("upsert.delete-flag-columns", "is_deleted");
    stack.files.unit(
        ints,
        0,
        0,
        2,
        FileFormat.PARQUET,
        flagged(ColumnType.Kind.INT32),
        o -> row("id", o == 2 ? 2L : 1L, "name", "v" + o, "is_deleted", o == 1 ? 1 : 0));
    stack.files.unit(
        doubles,
        0,
        0,
        1,
        FileFormat.PARQUET,
        flagged(ColumnType.Kind.FLOAT64),
        o -> row("id", 1L, "name", "v" + o, "is_deleted", o == 1 ? 1.0 : 0.0));
    stack.files.unit(
        other,
        0,
        0,
        1,
        FileFormat.PARQUET,
        COLS,
        o -> row("id", o, "name", "n" + o, "__deleted", "false"));
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.tablesStopped()).as("the table of the double flag").isEqualTo(1);
      assertThat(r.batchesQuarantined()).isZero();
    }
    assertThat(state(ints)).as("key 1's last event is a delete").isEqualTo(Map.of(2L, "v2"));
    assertThat(state(other)).isEqualTo(Map.of(0L, "n0", 1L, "n1"));
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '"
                    + doubles
                    + "'"))
        .as("nothing loaded into the table of the double flag")
        .isZero();
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM public._redstage_quarantine WHERE target_table = 'public."
                    + doubles
                    + "'"))
        .isZero();
  }

  private static List<MarkerColumn> flagged(ColumnType.Kind flag) {
    return List.of(
        new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), false),
        new MarkerColumn("name", ColumnType.of(ColumnType.Kind.STRING), true),
        new MarkerColumn("is_deleted", ColumnType.of(flag), true));
  }

  static Map<Long, String> state(String table) throws Exception {
    Map<Long, String> m = new HashMap<>();
    for (List<Object> r : stack.query("SELECT id, name FROM public." + table)) {
      assertThat(m.put(((Number) r.get(0)).longValue(), (String) r.get(1)))
          .as("one row per key")
          .isNull();
    }
    return new TreeMap<>(m);
  }

  /** A loader config that upserts {@code topic} by {@code id} with {@code strategy}. */
  private static Map<String, String> upsertById(String topic, String strategy) {
    Map<String, String> config = stack.config(topic);
    config.put("upsert.strategy", strategy);
    config.put("load.mode", "upsert");
    config.put("upsert.key", "id");
    return config;
  }
}
