package io.redstage.loader.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.loader.discovery.TopicPartition;
import io.redstage.loader.sql.TableRef;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LoadedUnitsTest {
  static DataFileName file(long start, long end) {
    return new DataFileName("k", new TopicPartition("t", 0), start, end);
  }

  @Test
  void anOrphanIsCoveredByOtherUnitsButIsNotOneOfThem() {
    LoadedUnits loaded = new LoadedUnits();
    loaded.add(new TopicPartition("t", 0), 0, 49, 50);
    loaded.add(new TopicPartition("t", 0), 50, 99, 50);
    assertThat(loaded.covers(file(20, 79))).isTrue();
    assertThat(loaded.isLoadedUnit(file(20, 79))).isFalse();
    assertThat(loaded.isLoadedUnit(file(50, 99))).isTrue();
    assertThat(loaded.covers(file(90, 100))).as("offset 100 is not loaded").isFalse();
    assertThat(new LoadedUnits().covers(file(0, 0))).isFalse();
  }

  /**
   * A unit given up with skip is recorded with 0 records: its offsets are handled but its rows are
   * not in the warehouse, so an orphan overlapping them (perhaps the only copy) is not covered.
   */
  @Test
  void skippedOffsetsDoNotCoverAnOrphanButTheSkippedUnitStaysKnown() {
    LoadedUnits loaded = new LoadedUnits();
    loaded.add(new TopicPartition("t", 0), 0, 49, 50);
    loaded.add(new TopicPartition("t", 0), 50, 99, 0);
    assertThat(loaded.covers(file(20, 79))).isFalse();
    assertThat(loaded.covers(file(0, 49))).isTrue();
    assertThat(loaded.isLoadedUnit(file(50, 99))).isTrue();
  }

  @Test
  void queriesAskOnlyForTheOffsetRangesListedAndSplitLongConditionLists() {
    Map<TopicPartition, long[]> ranges = new TreeMap<>();
    ranges.put(new TopicPartition("it's", 2), new long[] {10, 99});
    List<String> one = LoadedUnits.queries(TableRef.of("public", "_redstage_load_markers"), ranges);
    assertThat(one)
        .singleElement()
        .asString()
        .contains(
            "topic = 'it''s' AND kafka_partition = 2 AND end_offset >= 10 AND start_offset <= 99");
    for (int p = 0; p < 2000; p++) {
      ranges.put(new TopicPartition("topic", p), new long[] {0, 1});
    }
    List<String> many =
        LoadedUnits.queries(TableRef.of("public", "_redstage_load_markers"), ranges);
    assertThat(many)
        .hasSizeGreaterThan(1)
        .allSatisfy(sql -> assertThat(sql.length()).isLessThan(61_000));
  }
}
