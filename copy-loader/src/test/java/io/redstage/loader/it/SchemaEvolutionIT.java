package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A new optional field mid-stream: per-schema staging tables avoid Parquet's by-position mapping.
 */
class SchemaEvolutionIT {
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static MarkerColumn c(String name, Kind kind) {
    return new MarkerColumn(name, ColumnType.of(kind), true);
  }

  @Test
  void newOptionalFieldsLoadByNameInOneBatchAndAcrossBatches() throws Exception {
    List<MarkerColumn> v1 = List.of(c("id", Kind.INT64), c("name", Kind.STRING));
    List<MarkerColumn> v2 =
        List.of(c("id", Kind.INT64), c("name", Kind.STRING), c("email", Kind.STRING));
    // v3 puts a new field in the middle: by position it would shift every later column
    List<MarkerColumn> v3 =
        List.of(
            c("id", Kind.INT64),
            c("age", Kind.INT32),
            c("name", Kind.STRING),
            c("email", Kind.STRING));
    stack.files.unit("people", 0, 0, 9, FileFormat.PARQUET, v1, o -> row("id", o, "name", "n" + o));
    stack.files.unit(
        "people",
        0,
        10,
        19,
        FileFormat.PARQUET,
        v2,
        o -> row("id", o, "name", "n" + o, "email", o + "@x"));
    Map<String, String> config = stack.config("people"); // the stack is shared: its own topic only
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.batchesLoaded()).as("both schemas in one transaction").isEqualTo(1);
      stack.files.unit(
          "people",
          0,
          20,
          29,
          FileFormat.PARQUET,
          v3,
          o -> row("id", o, "age", (int) o, "name", "n" + o, "email", o + "@x"));
      loader.runOnce();
    }
    assertThat(
            stack.query(
                "SELECT id, name, email, age FROM public.people WHERE id IN (5, 15, 25) ORDER BY id"))
        .containsExactly(
            Arrays.asList(5L, "n5", null, null),
            Arrays.asList(15L, "n15", "15@x", null),
            Arrays.asList(25L, "n25", "25@x", 25));
    assertThat(stack.count("SELECT COUNT(*) FROM public.people")).isEqualTo(30);
  }

  /**
   * Schemaless records partitioned by a field: a unit of 24 JSON Lines files, one per event type,
   * each listing the fields of its own records, in its own order. They share one staging table
   * (COPY maps JSON keys by name); with one staging table per file the unit needed 8 + 2 x 24
   * statements, past the 40 of one load transaction, and was quarantined for good.
   */
  @Test
  void aUnitOfManyJsonLinesFilesWithTheirOwnFieldsLoadsInOneTransaction() throws Exception {
    String topic = "events_by_type";
    int types = 24;
    List<MarkerFile> files = new ArrayList<>();
    for (int t = 0; t < types; t++) {
      String field = "attr_" + t;
      String type = "t" + t;
      boolean idFirst = t % 2 == 0;
      List<MarkerColumn> columns =
          idFirst
              ? List.of(c("id", Kind.INT64), c("type", Kind.STRING), c(field, Kind.INT64))
              : List.of(c(field, Kind.INT64), c("type", Kind.STRING), c("id", Kind.INT64));
      files.add(
          stack.files.jsonlFile(
              topic,
              0,
              0,
              2 * types - 1,
              "type=" + type,
              List.of((long) t, (long) t + types),
              columns,
              o ->
                  idFirst
                      ? row("id", o, "type", type, field, o * 10)
                      : row(field, o * 10, "type", type, "id", o)));
    }
    stack.files.marker(topic, 0, 0, 2 * types - 1, files);
    try (Loader loader = stack.loader(stack.config(topic))) {
      CycleReport r = loader.runOnce();
      assertThat(r.batchesLoaded()).isEqualTo(1);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.events_by_type")).isEqualTo(2L * types);
    assertThat(
            stack.query(
                "SELECT id, type, attr_3, attr_4 FROM public.events_by_type"
                    + " WHERE id IN (3, 4, 27) ORDER BY id"))
        .containsExactly(
            Arrays.asList(3L, "t3", 30L, null),
            Arrays.asList(4L, "t4", null, 40L),
            Arrays.asList(27L, "t3", 270L, null));
  }

  /**
   * Schemaless records partitioned by a field, whose value fields are numbers for some event types
   * and text for others: 45 JSON Lines files in one unit, v0..v4 each int64 or string by file (32
   * combinations). Under MAXERROR (the default) every staging column takes the table's type, so
   * they share one staging table; by type they needed 32, past the 40 statements of one load
   * transaction, and the unit was quarantined with all its good rows. Text that reads as a number
   * loads into the BIGINT column; text that does not rejects only its row.
   */
  @Test
  void aUnitOfJsonLinesFilesWhoseValueColumnsDifferInTypeLoadsUnderMaxError() throws Exception {
    String topic = "events_mixed_types";
    int types = 45;
    int end = 2 * types - 1;
    List<MarkerFile> files = new ArrayList<>();
    List<Long> bad = new ArrayList<>();
    for (int t = 0; t < types; t++) {
      int text = t % 32; // bit j: v<j> is text in this file
      List<MarkerColumn> columns = new ArrayList<>(List.of(c("id", Kind.INT64)));
      for (int j = 0; j < 5; j++) {
        columns.add(c("v" + j, (text >> j & 1) == 1 ? Kind.STRING : Kind.INT64));
      }
      long second = t + types;
      // in every third file with text, the second row's first text value is not a number
      boolean badRow = text != 0 && t % 3 == 1;
      if (badRow) {
        bad.add(second);
      }
      files.add(
          stack.files.jsonlFile(
              topic,
              0,
              0,
              end,
              "type=t" + t,
              List.of((long) t, second),
              columns,
              o -> {
                Map<String, Object> r = new LinkedHashMap<>(row("id", o));
                for (int j = 0; j < 5; j++) {
                  long v = o * 10 + j;
                  boolean isText = (text >> j & 1) == 1;
                  boolean notANumber =
                      o == second && badRow && j == Integer.numberOfTrailingZeros(text);
                  r.put("v" + j, !isText ? (Object) v : notANumber ? "n/a" : Long.toString(v));
                }
                return r;
              }));
    }
    stack.files.marker(topic, 0, 0, end, files);
    try (Loader loader = stack.loader(stack.config(topic))) {
      CycleReport r = loader.runOnce();
      assertThat(r.batchesQuarantined()).isZero();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.rowsRejected()).isEqualTo(bad.size());
    }
    List<Long> good = new ArrayList<>();
    for (long o = 0; o <= end; o++) {
      if (!bad.contains(o)) {
        good.add(o);
      }
    }
    assertThat(bad).hasSize(15);
    assertThat(
            stack.query("SELECT id FROM public." + topic + " ORDER BY id").stream()
                .map(row -> (Long) row.get(0))
                .toList())
        .as("every good row once")
        .isEqualTo(good);
    assertThat(stack.query("SELECT v0, v1, v2 FROM public." + topic + " WHERE id IN (1, 3, 32)"))
        .as("text and numbers alike in the BIGINT columns")
        .containsExactlyInAnyOrder(
            List.of(10L, 11L, 12L), List.of(30L, 31L, 32L), List.of(320L, 321L, 322L));
    JsonNode report =
        stack.object("_redstage/rejects/public." + topic + "/" + stack.batchOf(topic) + ".json");
    List<Long> rejected = new ArrayList<>();
    for (JsonNode row : report.get("rows")) {
      rejected.add(row.get("offset").asLong());
      assertThat(row.get("column").asText()).matches("v[0-4]");
      assertThat(row.get("rawLine").asText()).contains("\"n/a\"");
    }
    assertThat(rejected).containsExactlyInAnyOrderElementsOf(bad);
  }

  /** The columns id and name, which the first unit of a widening test loads. */
  static final List<MarkerColumn> ID_NAME = List.of(c("id", Kind.INT64), c("name", Kind.STRING));

  /**
   * Writes a unit of offsets {@code start..start+9} whose files add 35 int64 fields {@code
   * <prefix>_0..34} (value offset * 100 + i) to {@link #ID_NAME}: more new columns than one load
   * transaction can add, since Redshift adds one per ALTER TABLE.
   */
  /**
   * int promoted to long (the common Avro evolution): the table's INTEGER column, created from the
   * first units, takes the int64 values that fit; a unit with a larger one fails with the overflow
   * error and is quarantined alone, and the units after it load.
   */
  @ParameterizedTest
  @EnumSource(
      value = FileFormat.class,
      names = {"PARQUET", "AVRO"})
  void intPromotedToLongLoadsIntoTheIntegerColumnWhileTheValuesFit(FileFormat format)
      throws Exception {
    String topic = "promoted_" + format.id();
    List<MarkerColumn> v1 = List.of(c("id", Kind.INT64), c("n", Kind.INT32));
    List<MarkerColumn> v2 = List.of(c("id", Kind.INT64), c("n", Kind.INT64));
    stack.files.unit(topic, 0, 0, 1, format, v1, o -> row("id", o, "n", (int) o));
    Map<String, String> config = stack.config(topic);
    config.put("load.retry.max-attempts", "1");
    config.put("load.retry.backoff", "0s");
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
      stack.files.unit(topic, 0, 2, 3, format, v2, o -> row("id", o, "n", o * 1000));
      stack.files.unit(topic, 0, 4, 5, format, v2, o -> row("id", o, "n", 1L << 40));
      stack.files.unit(topic, 0, 6, 7, format, v2, o -> row("id", o, "n", -o));
      int quarantined = 0;
      for (int i = 0; i < 6 && quarantined == 0; i++) {
        quarantined += loader.runOnce().batchesQuarantined();
      }
      assertThat(quarantined).isEqualTo(1);
      loader.runOnce();
    }
    assertThat(stack.query("SELECT id, n FROM public." + topic + " ORDER BY id"))
        .containsExactly(
            List.of(0L, 0),
            List.of(1L, 1),
            List.of(2L, 2000),
            List.of(3L, 3000),
            List.of(6L, -6),
            List.of(7L, -7));
    assertThat(
            stack.query(
                "SELECT DISTINCT start_offset, end_offset FROM public._redstage_quarantine WHERE target_table = 'public."
                    + topic
                    + "'"))
        .containsExactly(List.of(4L, 5L));
  }

  /**
   * A table created with a TIMESTAMPTZ column takes the files' timestamps as the instants they are
   * (UTC), also when the database user has a time zone of its own, in which a plain cast would read
   * them.
   */
  @ParameterizedTest
  @EnumSource(
      value = FileFormat.class,
      names = {"PARQUET", "AVRO"})
  void timestampsLoadIntoATimestamptzColumnAsTheirInstantsWhateverTheUsersTimeZone(
      FileFormat format) throws Exception {
    String topic = "tz_" + format.id();
    long at = java.time.Instant.parse("2024-02-29T13:45:30.123Z").toEpochMilli();
    try (java.sql.Connection c = stack.jdbc();
        java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE TABLE public." + topic + " (id BIGINT, at TIMESTAMPTZ)");
    }
    stack.files.unit(
        topic,
        0,
        0,
        1,
        format,
        List.of(c("id", Kind.INT64), c("at", Kind.TIMESTAMP_MILLIS)),
        o -> row("id", o, "at", at + o));
    stack.redshift.faults().sessionTimeZone("Europe/Berlin");
    try (Loader loader = stack.loader(stack.config(topic))) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    } finally {
      stack.redshift.faults().clear();
    }
    assertThat(
            stack.query(
                "SELECT id, CAST(EXTRACT(EPOCH FROM at) * 1000 AS BIGINT) FROM public."
                    + topic
                    + " ORDER BY id"))
        .containsExactly(List.of(0L, at), List.of(1L, at + 1));
  }

  static void wideUnit(String topic, long start, String prefix) {
    List<MarkerColumn> wide = new ArrayList<>(ID_NAME);
    for (int i = 0; i < 35; i++) {
      wide.add(c(prefix + "_" + i, Kind.INT64));
    }
    stack.files.unit(
        topic,
        0,
        start,
        start + 9,
        FileFormat.PARQUET,
        wide,
        o -> {
          Map<String, Object> r = new LinkedHashMap<>(row("id", o, "name", "n" + o));
          for (int i = 0; i < 35; i++) {
            r.put(prefix + "_" + i, o * 100 + i);
          }
          return r;
        });
  }

  static void narrowUnit(String topic) {
    stack.files.unit(
        topic, 0, 0, 9, FileFormat.PARQUET, ID_NAME, o -> row("id", o, "name", "n" + o));
  }

  /**
   * A NOT NULL column the files do not have loads when the table fills it: a DEFAULT, or an
   * IDENTITY column. Before, every unit was quarantined ("column ... is NOT NULL but the files have
   * no field"), and a release ran into the same check. A NOT NULL column without a default still
   * refuses the unit.
   */
  @Test
  void notNullColumnsWithADefaultOrIdentityAreFilledByTheTable() throws Exception {
    try (java.sql.Connection c = stack.jdbc();
        java.sql.Statement s = c.createStatement()) {
      // the stand-in's PostgreSQL form of IDENTITY(1, 1) and DEFAULT GETDATE() (JDBC goes to it
      // directly, past the Data API's translation)
      s.execute(
          "CREATE TABLE public.filled_by_table (row_id BIGINT GENERATED ALWAYS AS IDENTITY, id"
              + " BIGINT, name VARCHAR(256), kafka_topic VARCHAR(256), kafka_partition INTEGER,"
              + " kafka_offset BIGINT, kafka_timestamp TIMESTAMP,"
              + " loaded_at TIMESTAMP NOT NULL DEFAULT now())");
      s.execute(
          "CREATE TABLE public.not_filled (id BIGINT, name VARCHAR(256), kafka_topic"
              + " VARCHAR(256), kafka_partition INTEGER, kafka_offset BIGINT, kafka_timestamp"
              + " TIMESTAMP, region VARCHAR(10) NOT NULL)");
    }
    stack.files.idNameUnit("filled_by_table", 0, 0, 9);
    stack.files.unit(
        "filled_by_table",
        1,
        0,
        4,
        FileFormat.JSONL,
        List.of(c("id", Kind.INT64), c("name", Kind.STRING)),
        o -> row("id", 100 + o, "name", "j" + o));
    stack.files.idNameUnit("not_filled", 0, 0, 9);
    try (Loader loader = stack.loader(stack.config("filled_by_table,not_filled"))) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(2);
    }
    assertThat(
            stack.count(
                "SELECT COUNT(DISTINCT row_id) FROM public.filled_by_table"
                    + " WHERE row_id IS NOT NULL AND loaded_at IS NOT NULL"))
        .isEqualTo(15);
    assertThat(stack.count("SELECT COUNT(*) FROM public.not_filled")).isZero();
    assertThat(
            stack.query("SELECT error FROM public._redstage_quarantine WHERE topic = 'not_filled'"))
        .singleElement()
        .satisfies(
            row ->
                assertThat(row.get(0).toString())
                    .contains("column region is NOT NULL but the files have no field region"));
  }

  /**
   * Redshift adds one column per ALTER TABLE: 35 new fields in one unit took its load transaction
   * over the Data API's 40 statements, and the unit was quarantined with no way to load it.
   */
  @Test
  void aUnitWithMoreNewFieldsThanALoadTransactionCanAddLoads() throws Exception {
    narrowUnit("widening");
    try (Loader loader = stack.loader(stack.config("widening"))) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      wideUnit("widening", 10, "extra");
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.batchesQuarantined()).isZero();
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.widening")).isEqualTo(20);
    assertThat(stack.query("SELECT extra_0, extra_34 FROM public.widening WHERE id = 15"))
        .containsExactly(List.of(1500L, 1534L));
  }

  /** An ADD COLUMN Redshift refuses on its own (ownership, 1,600 columns) ends in quarantine. */
  @Test
  void columnsThatCannotBeAddedOnTheirOwnEndInQuarantine() throws Exception {
    narrowUnit("refused");
    Map<String, String> config = stack.config("refused");
    config.put("load.retry.max-attempts", "1");
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
      wideUnit("refused", 10, "more");
      stack
          .redshift
          .faults()
          .failStatementsMatching(
              "^ALTER TABLE \"public\".\"refused\"",
              -1,
              "ERROR: must be owner of relation refused");
      try {
        assertThat(loader.runOnce().batchesQuarantined()).isEqualTo(1);
      } finally {
        stack.redshift.faults().clear();
      }
    }
    assertThat(
            stack.query(
                "SELECT error FROM public._redstage_quarantine WHERE target_table = 'public.refused'"))
        .singleElement()
        .satisfies(
            r ->
                assertThat((String) r.get(0))
                    .startsWith("Cannot add column more_0 to public.refused")
                    .contains("must be owner of relation"));
  }

  @Test
  void changedTypeQuarantinesThatTableAndOthersKeepLoading() throws Exception {
    stack.files.unit(
        "typed", 0, 0, 4, FileFormat.PARQUET, List.of(c("v", Kind.INT32)), o -> row("v", (int) o));
    // the stack is shared: its own topics only
    Map<String, String> config = stack.config("typed,untyped");
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
      stack.files.unit(
          "typed",
          0,
          5,
          9,
          FileFormat.PARQUET,
          List.of(c("v", Kind.STRING)),
          o -> row("v", "s" + o));
      stack.files.unit(
          "untyped",
          0,
          0,
          4,
          FileFormat.PARQUET,
          List.of(c("v", Kind.STRING)),
          o -> row("v", "s" + o));
      CycleReport r = loader.runOnce();
      assertThat(r.batchesQuarantined()).isEqualTo(1);
      assertThat(loader.runOnce().unitsPending())
          .as("the quarantined unit stays pending but is held")
          .isEqualTo(1);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.typed")).isEqualTo(5);
    assertThat(stack.count("SELECT COUNT(*) FROM public.untyped")).isEqualTo(5);
    assertThat(
            stack.query(
                "SELECT target_table, start_offset, error FROM public._redstage_quarantine WHERE released_at IS NULL"
                    + " AND target_table IN ('public.typed', 'public.untyped')"))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.get(0)).isEqualTo("public.typed");
              assertThat(row.get(1)).isEqualTo(5L);
              assertThat((String) row.get(2))
                  .contains("column v is INTEGER but the files now hold string");
            });
  }
}
