package io.redstage.loader.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.loader.discovery.TopicPartition;
import org.junit.jupiter.api.Test;

class DataFileNameTest {
  @Test
  void readsTopicPartitionAndOffsetsWithAnyPaddingAndExtension() {
    DataFileName f =
        DataFileName.parse(
                "topics/",
                "topics/orders.v1/country=NL/city=Delft/orders.v1+3+00000000000000000010+00000000000000000019.jsonl.gz")
            .orElseThrow();
    assertThat(f.tp()).isEqualTo(new TopicPartition("orders.v1", 3));
    assertThat(f.start()).isEqualTo(10);
    assertThat(f.end()).isEqualTo(19);
    assertThat(
            DataFileName.parse("topics/", "topics/t/partition=0/t+0+5+7.parquet")
                .orElseThrow()
                .unit())
        .isEqualTo("t-0 [5, 7]");
  }

  @Test
  void rejectsKeysTheConnectorDoesNotWrite() {
    assertThat(DataFileName.parse("topics/", "other/t/partition=0/t+0+0+9.parquet"))
        .as("outside topics.dir")
        .isEmpty();
    assertThat(DataFileName.parse("topics/", "topics/t/partition=0/u+0+0+9.parquet"))
        .as("topic differs from its directory")
        .isEmpty();
    assertThat(DataFileName.parse("topics/", "topics/t+0+0+9.parquet"))
        .as("no topic directory")
        .isEmpty();
    assertThat(DataFileName.parse("topics/", "topics/t/partition=0/t+0+9+0.parquet"))
        .as("start after end")
        .isEmpty();
    assertThat(DataFileName.parse("topics/", "topics/t/partition=0/t+0+0.parquet"))
        .as("no end offset")
        .isEmpty();
    assertThat(
            DataFileName.parse(
                "topics/",
                "topics/t/partition=0/t+0+99999999999999999999+99999999999999999999.parquet"))
        .as("offset beyond a long")
        .isEmpty();
    assertThat(DataFileName.parse("topics/", "topics/t/partition=0/_SUCCESS")).isEmpty();
  }
}
