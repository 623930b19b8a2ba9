package io.redstage.connector.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class KafkaCoordinatesTest {
  @Test
  void aRecordRenamedByATransformIsNamedByItsConsumedCoordinates() {
    SinkRecord consumed =
        new SinkRecord("eu.orders", 2, null, null, Schema.STRING_SCHEMA, "v", 41L);
    SinkRecord renamed =
        consumed.newRecord(
            "orders", 0, null, null, Schema.STRING_SCHEMA, "v", consumed.timestamp());

    // the build's Kafka (3.6+) keeps the consumed coordinates through transforms
    assertThat(KafkaCoordinates.consumedCoordinatesKnown()).isTrue();
    assertThat(KafkaCoordinates.describe(renamed)).isEqualTo("eu.orders/2/41");
  }

  @Test
  void anUnassignedPartitionOnAnOlderWorkerStopsTheTaskNamingTheRecordAndTheFix() {
    SinkRecord renamed = new SinkRecord("orders", 0, null, null, Schema.STRING_SCHEMA, "v", 10L);

    assertThat(
            KafkaCoordinates.notAssigned(
                    renamed,
                    List.of(new TopicPartition("eu.orders", 0), new TopicPartition("us.orders", 0)))
                .getMessage())
        .startsWith(
            "Cannot write record orders/0/10: this task was not assigned its topic-partition (it has "
                + "['eu.orders-0', 'us.orders-0']). A transform (SMT) changed the record's topic")
        .contains("Remove the transform that renames topics")
        .endsWith("or run the connector on Kafka Connect 3.6 or later.");
  }

  @Test
  void aTopicRenamingTransformIsNamedOnlyWhereConsumedCoordinatesAreUnknown() {
    java.util.Map<String, String> config =
        java.util.Map.of(
            "transforms", "mask, route",
            "transforms.mask.type", "org.apache.kafka.connect.transforms.MaskField$Value",
            "transforms.route.type", "org.apache.kafka.connect.transforms.RegexRouter");

    assertThat(KafkaCoordinates.renamingTransform(config)).as("Kafka 3.6+ in the build").isNull();
    assertThat(KafkaCoordinates.renamingTransform(config, "this worker").getMessage())
        .startsWith(
            "Cannot start the connector: transform 'route' (org.apache.kafka.connect.transforms.RegexRouter) "
                + "changes records' topics, and this worker does not give the sink the consumed ones")
        .endsWith("or run the connector on Kafka Connect 3.6 or later.");
    assertThat(
            KafkaCoordinates.renamingTransform(
                java.util.Map.of(
                    "transforms", "mask",
                    "transforms.mask.type", "org.apache.kafka.connect.transforms.MaskField$Value"),
                "this worker"))
        .isNull();
  }

  @Test
  void onlyWorkersFrom301OnAreKnownToReopenThePartitionsTheyClose() {
    assertThat(KafkaCoordinates.mayDeliverClosedPartitions("2.7.1")).isTrue();
    assertThat(KafkaCoordinates.mayDeliverClosedPartitions("3.0.0")).isTrue();
    assertThat(KafkaCoordinates.mayDeliverClosedPartitions("unknown")).isTrue();
    assertThat(KafkaCoordinates.mayDeliverClosedPartitions("3.0.1")).isFalse();
    assertThat(KafkaCoordinates.mayDeliverClosedPartitions("3.1-SNAPSHOT")).isFalse();
    assertThat(KafkaCoordinates.mayDeliverClosedPartitions("3.9.1")).isFalse();
    assertThat(KafkaCoordinates.mayDeliverClosedPartitions("4.1.0")).isFalse();
  }

  @Test
  void theCooperativeAssignorIsNamedAtStartOnlyOnWorkersBefore301() {
    java.util.Map<String, String> cooperative =
        java.util.Map.of(
            "consumer.override.partition.assignment.strategy",
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");

    assertThat(KafkaCoordinates.cooperativeAssignorWarning(cooperative, "2.7.1"))
        .startsWith(
            "consumer.override.partition.assignment.strategy="
                + "org.apache.kafka.clients.consumer.CooperativeStickyAssignor on Kafka Connect 2.7.1: ")
        .contains("KAFKA-12487")
        .endsWith("upgrade the worker to Kafka Connect 3.0.1 or later.");
    assertThat(KafkaCoordinates.cooperativeAssignorWarning(cooperative, "3.0.1")).isNull();
    assertThat(
            KafkaCoordinates.cooperativeAssignorWarning(
                java.util.Map.of(
                    "consumer.override.partition.assignment.strategy",
                    "org.apache.kafka.clients.consumer.RangeAssignor"),
                "2.7.1"))
        .isNull();
    assertThat(KafkaCoordinates.cooperativeAssignorWarning(java.util.Map.of(), "2.7.1")).isNull();
  }
}
