package io.redstage.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
  void aFileOfAUnitIsKnownByItsNameWhateverTheDelimiterAndPadding() {
    for (String delim : List.of("+", "_", "--", ".")) {
      for (int pad : List.of(1, 10, 20)) {
        String name = DataFileNames.fileName("orders", 3, 0, 1999, delim, pad, ".jsonl.gz");
        assertThat(DataFileNames.isUnitFile(name, "orders", 3, 0, 1999)).as(name).isTrue();
        assertThat(DataFileNames.isUnitFile(name, "orders", 3, 1, 1999)).as(name).isFalse();
        assertThat(DataFileNames.isUnitFile(name, "orders", 3, 0, 199)).as(name).isFalse();
        assertThat(DataFileNames.isUnitFile(name, "orders", 30, 0, 1999)).as(name).isFalse();
      }
    }
    assertThat(DataFileNames.isUnitFile("orders+3+0+1999", "orders", 3, 0, 1999)).isTrue();
    assertThat(DataFileNames.isUnitFile("payroll+3+0+1999.parquet", "orders", 3, 0, 1999))
        .as("another topic's file")
        .isFalse();
    assertThat(DataFileNames.isUnitFile("orders_v2+3+0+1999.parquet", "orders", 3, 0, 1999))
        .as("a topic whose name starts like this one's")
        .isFalse();
    assertThat(DataFileNames.isUnitFile("orders+3+0+1999+x.parquet", "orders", 3, 0, 1999))
        .isFalse();
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
