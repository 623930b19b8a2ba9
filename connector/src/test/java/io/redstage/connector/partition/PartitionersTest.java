package io.redstage.connector.partition;

import static io.redstage.connector.partition.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class PartitionersTest {
  @Test
  void confluentClassNamesAndShortNamesMapToTypes() {
    String pkg = "io.confluent.connect.storage.partitioner.";
    assertThat(Partitioners.typeForClassName(pkg + "DefaultPartitioner")).isEqualTo("default");
    assertThat(Partitioners.typeForClassName(pkg + "FieldPartitioner")).isEqualTo("field");
    assertThat(Partitioners.typeForClassName(pkg + "TimeBasedPartitioner")).isEqualTo("time");
    assertThat(Partitioners.typeForClassName(pkg + "HourlyPartitioner")).isEqualTo("hourly");
    assertThat(Partitioners.typeForClassName(pkg + "DailyPartitioner")).isEqualTo("daily");
    assertThat(Partitioners.typeForClassName("Field")).isEqualTo("field");
    assertThat(Partitioners.typeForClassName(" daily ")).isEqualTo("daily");
  }

  @Test
  void unknownPartitionerIsAConfigError() {
    assertThatThrownBy(() -> Partitioners.typeForClassName("com.example.MyPartitioner"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("partitioner.class=com.example.MyPartitioner")
        .hasMessageContaining("default, field, time, hourly or daily");
  }

  @Test
  void defaultPartitionerUsesTheKafkaPartition() {
    Partitioner p = Partitioners.create(TestPartitionerSettings.builder().build());

    assertThat(p.encodePartition(record(null, Map.of()), 0)).isEqualTo("partition=3");
    org.apache.kafka.connect.sink.SinkRecord other =
        new org.apache.kafka.connect.sink.SinkRecord("orders", 7, null, null, null, Map.of(), 1);
    assertThat(p.encodePartition(other, 0)).isEqualTo("partition=7");
    assertThat(p.encodePartition(record(null, Map.of()), 0)).isEqualTo("partition=3");
  }
}
