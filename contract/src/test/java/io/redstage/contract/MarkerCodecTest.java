package io.redstage.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarkerCodecTest {
  private static CommitMarker sample() {
    MarkerFile file =
        new MarkerFile(
            "topics/ads/partition=0/ads+0+0000000000+0000000099.snappy.parquet",
            4096,
            100,
            FileFormat.PARQUET,
            "snappy",
            "partition=0",
            List.of(
                new MarkerColumn("id", ColumnType.of(ColumnType.Kind.INT64), false),
                new MarkerColumn("price", ColumnType.decimal(18, 2), true),
                new MarkerColumn(
                    "kafka_offset", ColumnType.of(ColumnType.Kind.INT64), false, ColumnRole.OFFSET),
                new MarkerColumn(
                    "kafka_timestamp",
                    ColumnType.of(ColumnType.Kind.TIMESTAMP_MILLIS),
                    true,
                    ColumnRole.TIMESTAMP)));
    return new CommitMarker(
        CommitMarker.FORMAT_VERSION,
        "ads",
        0,
        0,
        99,
        100,
        "bucket",
        1_700_000_000_000L,
        "flush.size",
        List.of(file));
  }

  @Test
  void aColumnOfOnlyNullsSaysSoAndReadsAsAStringWhereTheFlagIsUnknown() {
    MarkerColumn nulls = MarkerColumn.ofNulls("coupon");
    assertThat(nulls.type()).isEqualTo(ColumnType.of(ColumnType.Kind.STRING));
    assertThat(nulls.nullsOnly()).isTrue();
    CommitMarker marker = sample();
    MarkerFile f = marker.files().get(0);
    List<MarkerColumn> columns = new ArrayList<>(f.columns());
    columns.add(nulls);
    MarkerFile withNulls =
        new MarkerFile(
            f.key(),
            f.bytes(),
            f.records(),
            f.format(),
            f.compression(),
            f.encodedPartition(),
            columns);
    String json =
        new String(
            MarkerCodec.toJson(
                new CommitMarker(
                    marker.formatVersion(),
                    marker.topic(),
                    marker.partition(),
                    marker.startOffset(),
                    marker.endOffset(),
                    marker.recordCount(),
                    marker.bucket(),
                    marker.committedAtMs(),
                    marker.rotationReason(),
                    List.of(withNulls))),
            StandardCharsets.UTF_8);
    assertThat(json).contains("\"nullsOnly\":true").containsOnlyOnce("nullsOnly");

    MarkerColumn read =
        MarkerCodec.fromJson(json.getBytes(StandardCharsets.UTF_8), "k")
            .files()
            .get(0)
            .columns()
            .get(columns.size() - 1);
    assertThat(read).isEqualTo(nulls);
    // a marker without the flag (every other column, and markers of earlier connectors)
    assertThat(MarkerCodec.fromJson(MarkerCodec.toJson(sample()), "k").files().get(0).columns())
        .noneMatch(MarkerColumn::nullsOnly);
  }

  /**
   * The writer is optional within format version 2: a marker without it (an older connector's)
   * reads as null and is written without the field, one with it keeps it.
   */
  @Test
  void theWriterIsOptional() {
    CommitMarker old = sample();
    assertThat(old.writer()).isNull();
    assertThat(new String(MarkerCodec.toJson(old), StandardCharsets.UTF_8))
        .doesNotContain("writer");
    CommitMarker m =
        new CommitMarker(
            old.formatVersion(),
            old.topic(),
            old.partition(),
            old.startOffset(),
            old.endOffset(),
            old.recordCount(),
            old.bucket(),
            old.committedAtMs(),
            old.rotationReason(),
            old.files(),
            "redstage-connector 0.1.0+abc1234");
    CommitMarker back = MarkerCodec.fromJson(MarkerCodec.toJson(m), "k");
    assertThat(back.writer()).isEqualTo("redstage-connector 0.1.0+abc1234");
    assertThat(back).isEqualTo(m).isNotEqualTo(old);
  }

  @Test
  void roundTripsEveryField() {
    CommitMarker marker = sample();
    CommitMarker back = MarkerCodec.fromJson(MarkerCodec.toJson(marker), "k");
    assertThat(back).isEqualTo(marker);
    assertThat(back.files().get(0).columns().get(1).type().precision()).isEqualTo(18);
    assertThat(back.totalBytes()).isEqualTo(4096);
  }

  @Test
  void writesTypesAsText() {
    String json = new String(MarkerCodec.toJson(sample()), StandardCharsets.UTF_8);
    assertThat(json)
        .contains(
            "\"type\":\"decimal(18,2)\"",
            "\"type\":\"timestamp-millis\"",
            "\"format\":\"parquet\"");
  }

  @Test
  void rejectsNewerFormatVersionWithAnInstruction() {
    String json =
        new String(MarkerCodec.toJson(sample()), StandardCharsets.UTF_8)
            .replace("\"formatVersion\":2", "\"formatVersion\":3");
    assertThatThrownBy(
            () -> MarkerCodec.fromJson(json.getBytes(StandardCharsets.UTF_8), "markers/x.json"))
        .hasMessageContaining("markers/x.json")
        .hasMessageContaining("Upgrade the loader");
  }

  /**
   * A newer marker may hold what this version cannot bind (a new column type here): its reader is
   * told to upgrade, not that the object is not a marker (which invites deleting it).
   */
  @Test
  void aNewerMarkerThatCannotBeBoundStillSaysUpgrade() {
    String json =
        new String(MarkerCodec.toJson(sample()), StandardCharsets.UTF_8)
            .replace("\"formatVersion\":2", "\"formatVersion\":3")
            .replace("\"type\":\"int64\"", "\"type\":\"timestamp-nanos\"");
    assertThatThrownBy(
            () -> MarkerCodec.fromJson(json.getBytes(StandardCharsets.UTF_8), "markers/x.json"))
        .hasMessage(
            "Cannot read commit marker markers/x.json: format version 3 is newer than 2. Upgrade the "
                + "loader to the connector's version.");
  }

  /** Anything but exactly one marker is refused instead of read some way. */
  @Test
  void refusesWhatIsNotExactlyOneMarker() {
    String json = new String(MarkerCodec.toJson(sample()), StandardCharsets.UTF_8);
    List<String> bad =
        List.of(
            json + " garbage",
            json.replace("{\"formatVersion\":2,", "{\"formatVersion\":3,\"formatVersion\":2,"),
            json.replace("\"formatVersion\":2,", ""),
            json.replace("\"formatVersion\":2", "\"formatVersion\":0"),
            json.replace("\"endOffset\":99", "\"endOffset\":null"),
            json.replace("\"bytes\":4096", "\"bytes\":-10"),
            json.replace("\"recordCount\":100", "\"recordCount\":101"),
            json.replace("\"recordCount\":100", "\"recordCount\":-1"));
    for (String b : bad) {
      assertThatThrownBy(() -> MarkerCodec.fromJson(b.getBytes(StandardCharsets.UTF_8), "m.json"))
          .as(b)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Cannot read commit marker m.json");
    }
  }

  /** COPY must be told a JSON file's compression: one the loader does not know is refused. */
  @Test
  void refusesAJsonLinesCompressionTheLoaderCannotName() {
    assertThatThrownBy(
            () ->
                new MarkerFile(
                    "topics/ads/f.jsonl.zst", 1, 1, FileFormat.JSONL, "zstd", "p", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JSON Lines compression 'zstd'")
        .hasMessageContaining("Upgrade the loader");
    assertThat(new MarkerFile("k", 1, 1, FileFormat.JSONL, "gzip", "p", List.of()).compression())
        .isEqualTo("gzip");
  }

  @Test
  void writesEachColumnsRole() {
    String json = new String(MarkerCodec.toJson(sample()), StandardCharsets.UTF_8);
    assertThat(json)
        .contains("\"formatVersion\":2")
        .contains("\"name\":\"id\",\"type\":\"int64\",\"nullable\":false,\"role\":\"value\"")
        .contains("\"role\":\"offset\"", "\"role\":\"timestamp\"");
    MarkerFile file =
        MarkerCodec.fromJson(json.getBytes(StandardCharsets.UTF_8), "k").files().get(0);
    assertThat(file.column(ColumnRole.OFFSET)).map(MarkerColumn::name).hasValue("kafka_offset");
    assertThat(file.column(ColumnRole.TOPIC)).isEmpty();
  }

  @Test
  void readsVersionOneMarkersWithoutRoles() {
    String v1 =
        "{\"formatVersion\":1,\"topic\":\"ads\",\"partition\":0,\"startOffset\":0,"
            + "\"endOffset\":9,\"recordCount\":10,\"bucket\":\"b\",\"committedAtMs\":1,"
            + "\"rotationReason\":\"idle\",\"files\":[{\"key\":\"topics/ads/f.parquet\","
            + "\"bytes\":10,\"records\":10,\"format\":\"parquet\",\"columns\":["
            + "{\"name\":\"id\",\"type\":\"int64\",\"nullable\":false},"
            + "{\"name\":\"kafka_offset\",\"type\":\"int64\",\"nullable\":false}]}]}";
    CommitMarker marker = MarkerCodec.fromJson(v1.getBytes(StandardCharsets.UTF_8), "old.json");
    assertThat(marker.statesColumnRoles()).isFalse();
    assertThat(marker.files().get(0).columns()).allSatisfy(c -> assertThat(c.role()).isEmpty());
    assertThat(marker.files().get(0).column(ColumnRole.OFFSET)).isEmpty();
  }

  @Test
  void rejectsAVersionTwoFileWithOneRoleTwice() {
    String json =
        new String(MarkerCodec.toJson(sample()), StandardCharsets.UTF_8)
            .replace("\"role\":\"timestamp\"", "\"role\":\"offset\"");
    assertThatThrownBy(
            () -> MarkerCodec.fromJson(json.getBytes(StandardCharsets.UTF_8), "markers/x.json"))
        .hasMessageContaining("markers/x.json")
        .hasMessageContaining("two columns with the role offset");
  }

  @Test
  void rejectsAVersionTwoColumnWithoutRole() {
    String json =
        new String(MarkerCodec.toJson(sample()), StandardCharsets.UTF_8)
            .replace(",\"role\":\"value\"", "");
    assertThatThrownBy(
            () -> MarkerCodec.fromJson(json.getBytes(StandardCharsets.UTF_8), "markers/x.json"))
        .hasMessageContaining("column id of file")
        .hasMessageContaining("has no role");
  }

  @Test
  void rejectsGarbageNamingTheSource() {
    assertThatThrownBy(
            () -> MarkerCodec.fromJson("{".getBytes(StandardCharsets.UTF_8), "markers/bad.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot read commit marker markers/bad.json");
  }

  @Test
  void markerKeysSortByOffsetAndParseBack() {
    String a = MarkerKeys.markerKey("_markers/", "ads", 3, 9, 99);
    String b = MarkerKeys.markerKey("_markers", "ads", 3, 100, 250);
    assertThat(a)
        .isEqualTo("_markers/ads/0000000003/00000000000000000009+00000000000000000099.json");
    assertThat(a.compareTo(b)).isNegative();
    assertThat(MarkerKeys.offsetsOf(b))
        .hasValueSatisfying(o -> assertThat(o).containsExactly(100, 250));
    assertThat(MarkerKeys.offsetsOf("_markers/ads/x.json")).isEmpty();
    assertThat(
            MarkerKeys.offsetsOf(
                "_markers/ads/0000000000/99999999999999999999+99999999999999999999.json"))
        .as("beyond a long: not a marker key, rather than a failure")
        .isEmpty();
  }

  @Test
  void parsesAllColumnTypes() {
    for (ColumnType.Kind k : ColumnType.Kind.values()) {
      ColumnType t = k == ColumnType.Kind.DECIMAL ? ColumnType.decimal(10, 3) : ColumnType.of(k);
      assertThat(ColumnType.parse(t.toString())).isEqualTo(t);
    }
  }
}
