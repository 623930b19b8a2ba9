package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.load.Loader;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A field name crafted as SQL stays a column name, end to end through the stand-in. */
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
    try (Loader loader = stack.loader(stack.config())) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public.victim")).isZero(); // still there
    assertThat(
            stack.query(
                "SELECT \"v\"\"); drop table public.victim; --\", \"user\" FROM public.hostile_topic_1 WHERE id = 1"))
        .containsExactly(List.of("payload1", "u1"));
  }
}
