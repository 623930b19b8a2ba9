package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RejectsIntentTest {
  static final RejectsIntent INTENT =
      new RejectsIntent(
          "b-1",
          "public.t",
          "2026-12-04T20:00:00.123Z",
          "kafka_offset",
          List.of(
              new RejectsIntent.UnitFiles(
                  "m/a.json", "a", 0, 0, 9, List.of("s3://b/a-1.jsonl", "s3://b/a-2.jsonl")),
              new RejectsIntent.UnitFiles(
                  "m/c.json", "c", 3, 10, 19, List.of("s3://b/c-1.parquet"))),
          List.of(
              new RejectsIntent.DataFile("s3://b/a-1.jsonl", 6),
              new RejectsIntent.DataFile("s3://b/a-2.jsonl", 4)),
          null,
          null,
          null,
          null,
          null);

  @Test
  void survivesItsJsonForm() throws Exception {
    RejectsIntent back = RejectsIntent.parse(INTENT.json());
    assertThat(back).isEqualTo(INTENT);
    assertThat(back.created()).isEqualTo(Instant.parse("2026-12-04T20:00:00.123Z"));
    RejectsIntent counted =
        RejectsIntent.parse(
            INTENT.withRejectedRows(3, Instant.parse("2026-12-04T20:05:00Z")).json());
    assertThat(counted.rejectedRows()).isEqualTo(3);
    assertThat(counted.counted()).isEqualTo(Instant.parse("2026-12-04T20:05:00Z"));
    RejectsIntent checked =
        new RejectsIntent(
            INTENT.batchId(),
            INTENT.table(),
            INTENT.createdAt(),
            INTENT.offsetColumn(),
            INTENT.units(),
            INTENT.jsonFiles(),
            null,
            null,
            7,
            java.util.Map.of(0, 10L, 2, 4L),
            null);
    assertThat(RejectsIntent.parse(checked.json())).isEqualTo(checked);
    assertThat(RejectsIntent.parse(checked.withRejectedRows(1, Instant.EPOCH).json()).jsonGroups())
        .containsEntry(2, 4L);
    assertThat(checked.processStopped()).isTrue();
    assertThat(checked.withRejectedRows(1, Instant.EPOCH).processStopped()).isFalse();
    assertThat(
            RejectsIntent.parse(checked.withCountFromStatement(1, Instant.EPOCH).json())
                .processStopped())
        .isTrue();
  }

  /**
   * An intent without a count has no count fields (a loader of the version before them refused any
   * field it did not know), and fields of a later version are ignored.
   */
  @Test
  void anIntentWithoutACountReadsAsTheVersionBeforeAndLaterFieldsAreIgnored() throws Exception {
    String json = new String(INTENT.json(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(json).doesNotContain("rejectedRows").doesNotContain("countedAt");
    String later = json.substring(0, json.length() - 1) + ",\"laterField\":1}";
    assertThat(RejectsIntent.parse(later.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo(INTENT);
  }

  @Test
  void findsTheUnitOfEachFile() {
    assertThat(INTENT.unitsByFile().get("s3://b/a-2.jsonl").markerKey()).isEqualTo("m/a.json");
    assertThat(INTENT.unitsByFile().get("s3://b/c-1.parquet").partition()).isEqualTo(3);
    assertThat(INTENT.unitsByFile()).hasSize(3);
  }
}
