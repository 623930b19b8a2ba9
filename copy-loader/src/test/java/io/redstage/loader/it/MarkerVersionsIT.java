package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Markers of format version 2 name the metadata columns by role; version-1 markers (connectors
 * before roles) still load, with the names the deprecated metadata.*-column keys give.
 */
class MarkerVersionsIT {
  static final List<MarkerColumn> COLS =
      List.of(new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), true));
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
  void versionOneMarkersLoadExactlyOnceWithTheConfiguredNames() throws Exception {
    TestFiles v1 = stack.files.as(1, "src_topic", "src_partition", "src_offset", "src_ts");
    v1.unit("mv_old", 0, 0, 4, FileFormat.PARQUET, COLS, o -> row("id", o));
    v1.unit("mv_old", 0, 5, 9, FileFormat.PARQUET, COLS, o -> row("id", o));
    // the replay of a unit with other boundaries: its offsets are loaded already
    v1.unit("mv_old", 0, 3, 7, FileFormat.PARQUET, COLS, o -> row("id", o));
    Map<String, String> config = stack.config("mv_old");
    config.put("metadata.topic-column", "src_topic");
    config.put("metadata.partition-column", "src_partition");
    config.put("metadata.offset-column", "src_offset");
    config.put("metadata.timestamp-column", "src_ts");
    config.put("tables.metadata-columns", "src_offset");
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
      loader.runOnce();
    }
    assertThat(stack.query("SELECT id, src_offset FROM public.mv_old ORDER BY id"))
        .hasSize(10)
        .allSatisfy(r -> assertThat(((Number) r.get(0)).longValue()).isEqualTo(r.get(1)));
  }

  @Test
  void versionTwoMarkersNeedNoMetadataKeys() throws Exception {
    TestFiles v2 = stack.files.as(2, "t", "p", "o", "ts");
    v2.unit("mv_new", 0, 0, 4, FileFormat.PARQUET, COLS, o -> row("id", o));
    v2.unit("mv_new", 0, 2, 6, FileFormat.PARQUET, COLS, o -> row("id", o));
    Map<String, String> config = stack.config("mv_new");
    config.put("tables.metadata-columns", "all");
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
    }
    assertThat(stack.query("SELECT o, p, t FROM public.mv_new ORDER BY o"))
        .extracting(r -> ((Number) r.get(0)).longValue())
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
  }

  /**
   * The connector's offset column renamed on a running pipeline: an append table loads the units of
   * the older name first and the others after them, each batch with one name, where it stopped
   * until an operator moved one name's markers aside. Every record lands once.
   */
  @Test
  void unitsThatNameTheOffsetColumnDifferentlyLoadOlderNamesFirst() throws Exception {
    mixedNamesAndAnotherTopic("mv_mixed", "mv_other");
    try (Loader loader = stack.loader(stack.config("mv_mixed,mv_other"))) {
      CycleReport first = loader.runOnce();
      assertThat(first.tablesStopped()).isZero();
      // the newer name's unit loads in a later cycle, or in this one's top-up once the older
      // name's unit has loaded, when the other table's load still runs then
      assertThat(first.unitsLoaded()).isBetween(2, 3);
      CycleReport second = loader.runOnce();
      assertThat(second.tablesStopped()).isZero();
      assertThat(first.unitsLoaded() + second.unitsLoaded()).isEqualTo(3);
      assertThat(loader.runOnce().unitsPending()).as("pending when a cycle plans").isZero();
    }
    assertThat(
            stack.query("SELECT id, kafka_offset, record_offset FROM public.mv_mixed ORDER BY id"))
        .as("each row once, its offset in the column its unit named")
        .extracting(r -> r.get(0) + "/" + r.get(1) + "/" + r.get(2))
        .containsExactly(
            "0/0/null",
            "1/1/null",
            "2/2/null",
            "3/3/null",
            "4/4/null",
            "5/null/5",
            "6/null/6",
            "7/null/7",
            "8/null/8",
            "9/null/9");
    assertThat(stack.count("SELECT COUNT(*) FROM public.mv_other")).isEqualTo(5);
  }

  /** An upsert table still stops over two names: its rows must apply in offset order. */
  @Test
  void anUpsertTableWhoseUnitsNameTheOffsetColumnDifferentlyStops() throws Exception {
    mixedNamesAndAnotherTopic("mv_mixed_u", "mv_other_u");
    Map<String, String> config = stack.config("mv_mixed_u,mv_other_u");
    config.put("load.mode", "upsert");
    config.put("upsert.key", "id");
    try (Loader loader = stack.loader(config)) {
      CycleReport report = loader.runOnce();
      // a table that cannot load shows in the report (and so in 'once''s exit code) and metrics
      assertThat(report.tablesStopped()).isEqualTo(1);
      assertThat(report.toString()).contains("tables stopped 1");
      assertThat(loader.metrics().render())
          .contains("redstage_loader_failures_total{kind=\"table\",table=\"public.mv_mixed_u\"} 1");
    }
    assertThat(
            stack.count(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'mv_mixed_u'"))
        .isZero();
    assertThat(stack.count("SELECT COUNT(*) FROM public.mv_other_u")).isEqualTo(5);
  }

  /**
   * A marker whose two files name the offset column differently (garbled, or written by hand): the
   * scanner took it, and the append table stopped every cycle, the good units of its other
   * partitions included. It is an unreadable marker now, naming both names: only its unit waits.
   */
  @Test
  void aMarkerWhoseFilesNameAMetadataColumnDifferentlyIsUnreadable() throws Exception {
    String topic = "mv_files_differ";
    MarkerFile a =
        stack.files.jsonlFile(
            topic, 0, 0, 9, "p=a", List.of(0L, 1L, 2L, 3L, 4L), COLS, o -> row("id", o));
    MarkerFile b =
        stack
            .files
            .as(2, "kafka_topic", "kafka_partition", "kafka_offs", "kafka_timestamp")
            .jsonlFile(topic, 0, 0, 9, "p=b", List.of(5L, 6L, 7L, 8L, 9L), COLS, o -> row("id", o));
    Unit bad = stack.files.marker(topic, 0, 0, 9, List.of(a, b));
    stack.files.unit(topic, 1, 0, 9, FileFormat.JSONL, COLS, o -> row("id", o));
    stack.files.unit(topic, 2, 0, 9, FileFormat.JSONL, COLS, o -> row("id", o));
    try (Loader loader = stack.loader(stack.config(topic))) {
      CycleReport first = loader.runOnce();
      CycleReport second = loader.runOnce();
      assertThat(first.tablesStopped()).isZero();
      assertThat(second.tablesStopped()).isZero();
      assertThat(second.unreadableMarkers()).isEqualTo(1);
    }
    assertThat(stack.query("SELECT DISTINCT kafka_partition FROM public.mv_files_differ"))
        .as("the good units of partitions 1 and 2 loaded")
        .extracting(r -> ((Number) r.get(0)).intValue())
        .containsExactlyInAnyOrder(1, 2);
    assertThat(stack.count("SELECT COUNT(*) FROM public.mv_files_differ")).isEqualTo(20);
    MarkerScanner.ScanResult scan =
        new MarkerScanner(
                stack.s3.client(),
                LoaderStack.BUCKET,
                LoaderStack.MARKERS,
                List.of(topic),
                Pattern.compile(".*"))
            .scan();
    assertThat(scan.rejected())
        .containsOnlyKeys(bad.markerKey())
        .allSatisfy(
            (k, why) ->
                assertThat(why)
                    .startsWith("Cannot use commit marker s3://" + LoaderStack.BUCKET + "/" + k)
                    .contains("names the offset column 'kafka_offset'")
                    .contains("names it 'kafka_offs'")
                    .contains("Write the marker again with the names its files hold"));
  }

  /**
   * Offsets 0-4 of {@code mixed} under the default offset column name, 5-9 under record_offset, and
   * offsets 0-4 of {@code other}.
   */
  private static void mixedNamesAndAnotherTopic(String mixed, String other) {
    stack.files.unit(mixed, 0, 0, 4, FileFormat.PARQUET, COLS, o -> row("id", o));
    stack
        .files
        .as(2, "kafka_topic", "kafka_partition", "record_offset", "kafka_timestamp")
        .unit(mixed, 0, 5, 9, FileFormat.PARQUET, COLS, o -> row("id", o));
    stack.files.unit(other, 0, 0, 4, FileFormat.PARQUET, COLS, o -> row("id", o));
  }
}
