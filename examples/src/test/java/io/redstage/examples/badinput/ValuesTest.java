package io.redstage.examples.badinput;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValuesTest {
  @Test
  void numbersCompareByValueAcrossJavaTypes() {
    assertThat(Values.same(new BigDecimal("12.50"), new BigDecimal("12.5"))).isTrue();
    assertThat(Values.same(0.05, new BigDecimal("0.05"))).isTrue();
    assertThat(Values.same(7L, 7)).isTrue();
    assertThat(Values.same(Records.TWO_POW_70, 0L)).as("a truncated 2^70").isFalse();
  }

  @Test
  void timestampsAndDatesMatchTheirColumnOrTheirIsoText() {
    Instant ts = Instant.parse("2024-05-01T00:01:01.001Z");
    assertThat(Values.same(ts, LocalDateTime.of(2024, 5, 1, 0, 1, 1, 1_000_000))).isTrue();
    assertThat(Values.same(ts, "2024-05-01T00:01:01.001Z")).isTrue();
    assertThat(Values.same(ts, LocalDateTime.of(2024, 5, 1, 0, 1, 1)))
        .as("milliseconds lost")
        .isFalse();
    assertThat(Values.same(LocalDate.of(2024, 1, 2), "2024-01-02")).isTrue();
    assertThat(Values.same(LocalDate.of(2024, 1, 2), "not a date")).isFalse();
  }

  @Test
  void nestedValuesCompareAsJsonWithNumbersByValue() throws Exception {
    Object expected = Records.JSON.readTree("{\"city\":\"c\",\"zip\":10001}");
    assertThat(Values.same(expected, "{\"zip\": 10001.0, \"city\": \"c\"}")).isTrue();
    assertThat(Values.same(expected, Records.JSON.readTree("{\"city\":\"c\"}"))).isFalse();
  }

  @Test
  void differencesNameMissingColumnsAndChangedValues() {
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("id", 1L);
    expected.put("name", "a");
    expected.put("note", "n");
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", 1L);
    row.put("name", "b");
    assertThat(Values.differences(expected, row))
        .containsExactly("name: expected a, got b", "note: no such column");
  }
}
