package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A field name crafted as SQL stays a column name, and a field or topic named like one of the
 * loader's own SQL names loads too, end to end through the stand-in.
 */
class HostileNamesIT {
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
  void hostileFieldNameBecomesAColumnNotSql() throws Exception {
    stack.jdbc().createStatement().execute("CREATE TABLE public.victim (x int)");
    String evil = "v\"); DROP TABLE public.victim; --";
    List<MarkerColumn> cols =
        List.of(
            new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), true),
            new MarkerColumn(evil, ColumnType.of(ColumnType.Kind.STRING), true),
            new MarkerColumn("user", ColumnType.of(ColumnType.Kind.STRING), true));
    stack.files.unit(
        "hostile.topic-1",
        0,
        0,
        2,
        FileFormat.JSONL,
        cols,
        o -> row("id", o, evil, "payload" + o, "user", "u" + o));
    // only its topic: the stack is shared with the other tests here
    try (Loader loader = stack.loader(stack.config("hostile.topic-1"))) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.victim")).isZero(); // still there
    assertThat(
            stack.query(
                "SELECT \"v\"\"); drop table public.victim; --\", \"user\" FROM public.hostile_topic_1 WHERE id = 1"))
        .containsExactly(List.of("payload1", "u1"));
  }

  /** A value field named like the row-number column the loader deduplicates with. */
  @Test
  void aFieldNamedLikeTheRowNumberColumnLoads() throws Exception {
    String topic = "clash_append";
    List<MarkerColumn> cols =
        List.of(
            new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), false),
            new MarkerColumn("rs_rn", ColumnType.of(ColumnType.Kind.STRING), true));
    try (Loader loader = stack.loader(stack.config(topic))) {
      stack.files.unit(
          topic, 0, 0, 2, FileFormat.PARQUET, cols, o -> row("id", o, "rs_rn", "rn" + o));
      // overlaps the first: offsets 1 and 2 twice in one batch, deduplicated by the row number
      stack.files.unit(
          topic, 0, 1, 4, FileFormat.PARQUET, cols, o -> row("id", o, "rs_rn", "rn" + o));
      CycleReport report = loader.runOnce();
      assertThat(report.batchesQuarantined()).isZero();
      assertThat(report.unitsLoaded()).isEqualTo(2);
    }
    assertThat(stack.query("SELECT id, rs_rn FROM public." + topic + " ORDER BY id"))
        .containsExactly(
            List.of(0L, "rn0"),
            List.of(1L, "rn1"),
            List.of(2L, "rn2"),
            List.of(3L, "rn3"),
            List.of(4L, "rn4"));
  }

  /**
   * A value field named like the upsert's delete flag is data, not the flag: a true value deletes
   * nothing, and __deleted still does.
   */
  @ParameterizedTest
  @ValueSource(strings = {"delete-insert", "merge"})
  void aFieldNamedLikeTheDeleteFlagLoadsAsData(String strategy) throws Exception {
    String topic = "clash_upsert_" + strategy.replace('-', '_');
    List<MarkerColumn> cols =
        List.of(
            new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), false),
            new MarkerColumn("rs_deleted", ColumnType.of(ColumnType.Kind.BOOLEAN), true),
            new MarkerColumn("rs_rn", ColumnType.of(ColumnType.Kind.STRING), true),
            new MarkerColumn("__deleted", ColumnType.of(ColumnType.Kind.STRING), true));
    Map<String, String> config = upsert(topic, strategy);
    try (Loader loader = stack.loader(config)) {
      // id = offset % 3: offsets 3..5 update ids 0..2, offset 5 deletes id 2
      stack.files.unit(
          topic,
          0,
          0,
          5,
          FileFormat.AVRO,
          cols,
          o ->
              row(
                  "id",
                  o % 3,
                  "rs_deleted",
                  o % 2 == 0,
                  "rs_rn",
                  "v" + o,
                  "__deleted",
                  o == 5 ? "true" : "false"));
      CycleReport report = loader.runOnce();
      assertThat(report.batchesQuarantined()).isZero();
      assertThat(report.unitsLoaded()).isEqualTo(1);
    }
    assertThat(stack.query("SELECT id, rs_deleted, rs_rn FROM public." + topic + " ORDER BY id"))
        .containsExactly(List.of(0L, false, "v3"), List.of(1L, true, "v4"));
  }

  /**
   * A target table named like a temp table of the upsert's transaction (each case in a schema of
   * its own, as the stack is shared).
   */
  @ParameterizedTest
  @ValueSource(strings = {"rs_rows:delete-insert", "rs_rows:merge", "rs_upserts:merge"})
  void aTableNamedLikeATempTableLoads(String tableAndStrategy) throws Exception {
    String table = tableAndStrategy.split(":")[0];
    String strategy = tableAndStrategy.split(":")[1];
    String topic = "clash_" + table + "_" + strategy.replace('-', '_');
    stack.jdbc().createStatement().execute("CREATE SCHEMA IF NOT EXISTS " + topic);
    Map<String, String> config = upsert(topic, strategy);
    config.put("tables.map", topic + ":" + topic + "." + table);
    try (Loader loader = stack.loader(config)) {
      stack.files.unit(
          topic,
          0,
          0,
          3,
          FileFormat.PARQUET,
          TestFiles.ID_NAME,
          o -> row("id", o % 2, "name", "n" + o));
      assertThat(loader.runOnce().batchesQuarantined()).isZero();
    }
    assertThat(stack.query("SELECT id, name FROM " + topic + "." + table + " ORDER BY id"))
        .containsExactly(List.of(0L, "n2"), List.of(1L, "n3"));
  }

  private static Map<String, String> upsert(String topic, String strategy) {
    Map<String, String> config = stack.config(topic);
    config.put("load.mode", "upsert");
    config.put("upsert.key", "id");
    config.put("upsert.strategy", strategy);
    return config;
  }
}
