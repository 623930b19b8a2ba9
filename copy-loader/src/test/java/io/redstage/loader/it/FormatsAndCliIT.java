package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.cli.LoaderCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Avro and JSON Lines loads, and the CLI: dry-run writes nothing, status shows the backlog, once
 * loads.
 */
class FormatsAndCliIT {
  static final List<MarkerColumn> COLS =
      List.of(
          new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), false),
          new MarkerColumn("amount", ColumnType.of(ColumnType.Kind.FLOAT64), true),
          new MarkerColumn("ok", ColumnType.of(ColumnType.Kind.BOOLEAN), true));
  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static String[] args(Map<String, String> config, String... command) {
    List<String> a = new ArrayList<>(List.of(command));
    config.forEach((k, v) -> a.add("-D" + k + "=" + v));
    return a.toArray(String[]::new);
  }

  @Test
  void dryRunStatusAndOnceOverAvroAndJsonLines() throws Exception {
    stack.files.unit(
        "fmt_avro",
        0,
        0,
        9,
        FileFormat.AVRO,
        COLS,
        o -> row("id", o, "amount", o * 1.5, "ok", o % 2 == 0));
    stack.files.unit(
        "fmt_json",
        0,
        0,
        9,
        FileFormat.JSONL,
        COLS,
        o -> row("id", o, "amount", o * 1.5, "ok", o % 2 == 0));
    Map<String, String> config = stack.config();

    StringWriter dry = new StringWriter();
    assertThat(
            LoaderCli.execute(
                args(config, "dry-run"),
                new PrintWriter(dry),
                new PrintWriter(new StringWriter()),
                Map.of()))
        .isZero();
    assertThat(dry.toString())
        .contains("FORMAT AS AVRO 'auto ignorecase'")
        .contains("FORMAT AS JSON 'auto ignorecase'")
        .contains("\"content_length\"")
        .contains("LOCK \"public\".\"_redstage_load_markers__");
    List<S3Object> manifests =
        stack
            .s3
            .client()
            .listObjectsV2(b -> b.bucket(LoaderStack.BUCKET).prefix("_redstage/manifests/"))
            .contents();
    assertThat(manifests).as("dry-run writes no manifest").isEmpty();

    StringWriter status = new StringWriter();
    StringWriter statusErr = new StringWriter();
    assertThat(
            LoaderCli.execute(
                args(config, "status"),
                new PrintWriter(status),
                new PrintWriter(statusErr),
                Map.of()))
        .as(statusErr.toString())
        .isZero();
    assertThat(status.toString())
        .contains("public.fmt_avro")
        .contains("public.fmt_json")
        .contains("2 pending");

    StringWriter once = new StringWriter();
    assertThat(
            LoaderCli.execute(
                args(config, "once"),
                new PrintWriter(once),
                new PrintWriter(new StringWriter()),
                Map.of()))
        .isZero();
    assertThat(once.toString()).contains("loaded 2 unit(s)");

    for (String table : List.of("fmt_avro", "fmt_json")) {
      assertThat(
              stack.query(
                  "SELECT id, amount, ok, kafka_offset, kafka_timestamp FROM public."
                      + table
                      + " WHERE id = 3"))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.subList(0, 4)).containsExactly(3L, 4.5, false, 3L);
                assertThat(((Timestamp) r.get(4)).toLocalDateTime())
                    .isEqualTo(
                        Instant.ofEpochMilli(1_700_000_000_003L)
                            .atOffset(java.time.ZoneOffset.UTC)
                            .toLocalDateTime());
              });
      assertThat(stack.count("SELECT COUNT(*) FROM public." + table)).isEqualTo(10);
    }
  }

  @Test
  void gzipJsonLinesWithANestedValueLoadIntoSuper() throws Exception {
    List<MarkerColumn> cols =
        List.of(
            new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), false),
            new MarkerColumn("attrs", ColumnType.of(ColumnType.Kind.STRUCT), true));
    stack.files.unit(
        "fmt_nested",
        0,
        0,
        4,
        FileFormat.JSONL,
        true,
        cols,
        o -> row("id", o, "attrs", Map.of("color", "c" + o, "tags", List.of(o, o + 1))));
    Map<String, String> config = stack.config();
    config.put("topics", "fmt_nested");
    try (io.redstage.loader.load.Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    assertThat(
            stack.query(
                "SELECT data_type FROM information_schema.columns WHERE table_name = 'fmt_nested' AND column_name = 'attrs'"))
        .singleElement()
        .satisfies(r -> assertThat(r.get(0).toString()).isIn("jsonb", "super"));
    assertThat(stack.query("SELECT attrs::text FROM public.fmt_nested WHERE id = 2"))
        .singleElement()
        .satisfies(
            r -> assertThat(r.get(0).toString()).contains("\"color\": \"c2\"").contains("[2, 3]"));
  }
}
