package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.sql.TableRef;
import io.redstage.sandbox.s3.LocalS3;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The load-error views keep 256 characters of a file name, and what tells a batch's files apart
 * ({@code +<partition>+<start>+<end>}) comes last: with a long topic, both partitions' files of a
 * time-based layout share the name the views keep. Their rejected rows each go to their own unit,
 * none is merged with another file's row of the same line number or left out as repeated, and a row
 * whose file the lines cannot tell is listed with its candidates, never under the first file's
 * unit. The views answer from canned rows (as STL_LOAD_ERRORS gives them: the name cut, the raw
 * line trimmed and cut at 1 KB); the data files are in S3Proxy.
 */
class LongFileNamesTest {
  static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  static final String BUCKET = "staging";
  static final String TOPIC =
      "cdc.prod-server.inventory_db.public." + "customer_addresses_history_".repeat(3);

  static LocalS3 s3;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  /** A time-based layout: both partitions' files in one folder, told apart by their names. */
  static String url(int partition, long start, long end) {
    return "s3://"
        + BUCKET
        + "/topics/"
        + TOPIC
        + "/year=2026/month=12/day=06/hour=12/"
        + TOPIC
        + "+"
        + partition
        + "+"
        + String.format("%020d", start)
        + "+"
        + String.format("%020d", end)
        + ".jsonl";
  }

  static final String P0 = url(0, 0, 9);
  static final String P1 = url(1, 0, 9);

  /** Writes a data file whose line n (from 1) is {@code lines.get(n - 1)}. */
  static void put(String url, List<String> lines) {
    String key = url.substring(("s3://" + BUCKET + "/").length());
    s3.client()
        .putObject(
            b -> b.bucket(BUCKET).key(key),
            RequestBody.fromString(String.join("\n", lines) + "\n"));
  }

  static String line(String note, Object amount, long offset) {
    return "{\"note\":\""
        + note
        + "\",\"amount\":"
        + (amount instanceof String s ? "\"" + s + "\"" : amount)
        + ",\"kafka_offset\":"
        + offset
        + "}";
  }

  /** Ten lines, offsets 0-9, the rows at {@code bad} (line numbers) with a bad amount. */
  static List<String> file(String note, Set<Integer> bad) {
    List<String> out = new ArrayList<>();
    for (int n = 1; n <= 10; n++) {
      out.add(line(note, bad.contains(n) ? "x" : n, n - 1));
    }
    return out;
  }

  /** A row as STL_LOAD_ERRORS gives it: the name cut at 256, the raw line at 1,024. */
  static List<Object> viewRow(String url, long line, String rawLine, long query) {
    return Arrays.asList(
        LoadErrorReader.stored(url),
        line,
        "amount",
        "1207",
        "Invalid digit",
        rawLine.length() > 1024 ? rawLine.substring(0, 1024) : rawLine,
        query);
  }

  static LoadErrorReader reader(List<List<Object>> rows) {
    LoadErrorReader.Queries views =
        (sql, name) ->
            new QueryResult(List.of("file", "line", "col", "code", "reason", "raw", "q"), rows);
    return new LoadErrorReader(views, false, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static RejectsIntent intent() {
    return new RejectsIntent(
        "b",
        "public.t",
        NOW.toString(),
        "kafka_offset",
        List.of(
            new RejectsIntent.UnitFiles("m/p0.json", TOPIC, 0, 0, 9, List.of(P0)),
            new RejectsIntent.UnitFiles("m/p1.json", TOPIC, 1, 0, 9, List.of(P1))),
        List.of(new RejectsIntent.DataFile(P0, 10), new RejectsIntent.DataFile(P1, 10)),
        null,
        null,
        null,
        null,
        null);
  }

  static RepeatedRejects.Kept keep(List<Map<String, Object>> rows) throws Exception {
    return new RepeatedRejects(
            (sql, name) -> new QueryResult(List.of("a", "b", "c", "d", "e"), List.of()),
            TableRef.of("public", "_redstage_load_markers"))
        .keep("public.t", "b", rows, (t, b) -> Set.of());
  }

  @Test
  void theTwoFilesShareTheNameTheViewsKeep() {
    assertThat(P0.length()).isGreaterThan(LoadErrorReader.FILE_NAME_CHARS);
    assertThat(LoadErrorReader.stored(P0)).isEqualTo(LoadErrorReader.stored(P1));
  }

  @Test
  void rowsOfOneLineNumberInBothFilesGoToBothUnits() throws Exception {
    // both partitions rejected their offset 5 (line 6), with lines alike to the byte
    put(P0, file("same", Set.of(6)));
    put(P1, file("same", Set.of(6)));
    String bad = line("same", "x", 5);
    List<List<Object>> rows = List.of(viewRow(P0, 6, bad, 77), viewRow(P1, 6, bad, 77));

    // by query (a committed COPY with its query id)
    List<LoadErrorReader.LoadError> byQuery =
        LoadErrorReader.withFullNames(
            reader(rows).rejected(77, List.of(P0, P1), 10, "b"), List.of(P0, P1));
    List<Map<String, Object>> report = new RejectRows(s3.client()).of(byQuery, intent());
    assertThat(report)
        .extracting(r -> r.get("partition"), r -> r.get("offset"), r -> r.get("file"))
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(0, 5L, P0),
            org.assertj.core.groups.Tuple.tuple(1, 5L, P1));
    RepeatedRejects.Kept kept = keep(report);
    assertThat(kept.rows()).hasSize(2);
    assertThat(kept.repeated()).isZero();
  }

  @Test
  void readByFileTwoFilesRowsOfOneLineNumberStayTwoAndARolledBackAttemptsRowsOnce()
      throws Exception {
    String bad = line("same", "x", 5);
    // query 70: an attempt that rolled back; query 77: the committed one. Each listed both rows.
    List<List<Object>> rows =
        List.of(
            viewRow(P0, 6, bad, 70),
            viewRow(P1, 6, bad, 70),
            viewRow(P0, 6, bad, 77),
            viewRow(P1, 6, bad, 77));
    List<LoadErrorReader.LoadError> byFile =
        reader(rows).rejectedInFiles(List.of(P0, P1), NOW, 100, "b").rows();
    assertThat(byFile).hasSize(2);
    // neither is credited to the first file by default: which one is the lines' to tell
    assertThat(byFile)
        .extracting(LoadErrorReader.LoadError::file)
        .doesNotContain(P0)
        .containsOnly(LoadErrorReader.stored(P0));
  }

  @Test
  void aCutRawLineGoesToTheFileWhoseLineStartsSoAndGetsThatFilesOffset() throws Exception {
    // line 3 of partition 1 is bad; line 3 of partition 0 is good, with a line as long: the raw
    // line (cut at 1 KB, the offset comes last) matches one file only
    put(P0, file("a".repeat(1100), Set.of()));
    put(P1, file("b".repeat(1100), Set.of(3)));
    String bad = line("b".repeat(1100), "x", 2);
    List<LoadErrorReader.LoadError> found =
        LoadErrorReader.withFullNames(
            reader(List.of(viewRow(P1, 3, bad, 77))).rejected(77, List.of(P0, P1), 10, "b"),
            List.of(P0, P1));
    List<Map<String, Object>> report = new RejectRows(s3.client()).of(found, intent());
    assertThat(report).hasSize(1);
    assertThat(report.get(0))
        .containsEntry("file", P1)
        .containsEntry("partition", 1)
        .containsEntry("offset", 2L)
        .containsEntry("markerKey", "m/p1.json")
        .doesNotContainKey("candidates");
  }

  @Test
  void aRowTheLinesCannotPlaceIsListedWithItsCandidatesAndNoUnit() throws Exception {
    // both files' line 3 start with the same 1 KB (the view's raw line); only partition 1's is
    // bad: partition 0's is a good record, which must not be named, so neither unit is
    put(P0, file("c".repeat(1100), Set.of()));
    List<String> p1 = file("c".repeat(1100), Set.of());
    p1.set(2, line("c".repeat(1100), "x", 2));
    put(P1, p1);
    String bad = p1.get(2);
    List<LoadErrorReader.LoadError> found =
        LoadErrorReader.withFullNames(
            reader(List.of(viewRow(P1, 3, bad, 77))).rejected(77, List.of(P0, P1), 10, "b"),
            List.of(P0, P1));
    List<Map<String, Object>> report = new RejectRows(s3.client()).of(found, intent());
    assertThat(report).hasSize(1);
    Map<String, Object> row = report.get(0);
    assertThat(row.get("topic")).isNull();
    assertThat(row.get("partition")).isNull();
    assertThat(row.get("markerKey")).isNull();
    assertThat(row.get("offset")).isNull();
    assertThat(row.get("fileUnknown")).asString().contains("256 characters");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> candidates = (List<Map<String, Object>>) row.get("candidates");
    assertThat(candidates)
        .extracting(c -> c.get("file"), c -> c.get("partition"), c -> c.get("offsetAtLine"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(P0, 0, 2L),
            org.assertj.core.groups.Tuple.tuple(P1, 1, 2L));
    // with no coordinates, no dedupe leaves it out
    assertThat(keep(report).rows()).hasSize(1);
  }
}
