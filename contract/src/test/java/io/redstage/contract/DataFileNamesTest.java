package io.redstage.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DataFileNamesTest {
  @Test
  void aNameWithTheDefaultDelimiterParsesBackToItsUnit() {
    String name = DataFileNames.fileName("orders.v1", 12, 5, 1999, "+", 10, ".parquet");
    assertThat(name).isEqualTo("orders.v1+12+0000000005+0000001999.parquet");
    DataFileNames.Parsed p = DataFileNames.parse(name).orElseThrow();
    assertThat(p.topic()).isEqualTo("orders.v1");
    assertThat(p.partition()).isEqualTo(12);
    assertThat(p.start()).isEqualTo(5);
    assertThat(p.end()).isEqualTo(1999);
    assertThat(name).startsWith(DataFileNames.unitPrefix("orders.v1", 12, 5, "+", 10));
  }

  @Test
  void otherNamesAreNotDataFiles() {
    assertThat(DataFileNames.parse("orders+1+9+5.jsonl")).as("start after end").isEmpty();
    assertThat(DataFileNames.parse("orders+1+99999999999999999999+99999999999999999999.jsonl"))
        .as("beyond a long")
        .isEmpty();
    assertThat(DataFileNames.parse("orders_1_0_9.jsonl")).isEmpty();
    assertThat(DataFileNames.parse("orders+1+0+9")).isPresent();
  }
}
