package io.redstage.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
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
                    "kafka_timestamp", ColumnType.of(ColumnType.Kind.TIMESTAMP_MILLIS), true)));
    return new CommitMarker(
        1, "ads", 0, 0, 99, 100, "bucket", 1_700_000_000_000L, "flush.size", List.of(file));
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
            .replace("\"formatVersion\":1", "\"formatVersion\":2");
    assertThatThrownBy(
            () -> MarkerCodec.fromJson(json.getBytes(StandardCharsets.UTF_8), "markers/x.json"))
        .hasMessageContaining("markers/x.json")
        .hasMessageContaining("Upgrade the loader");
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
  }

  @Test
  void parsesAllColumnTypes() {
    for (ColumnType.Kind k : ColumnType.Kind.values()) {
      ColumnType t = k == ColumnType.Kind.DECIMAL ? ColumnType.decimal(10, 3) : ColumnType.of(k);
      assertThat(ColumnType.parse(t.toString())).isEqualTo(t);
    }
  }
}
