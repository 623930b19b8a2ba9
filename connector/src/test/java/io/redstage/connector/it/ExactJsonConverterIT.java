package io.redstage.connector.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerFile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The converter from the plugin ZIP in a real Connect worker: numbers reach the JSON Lines files
 * with their digits, and what Redshift cannot hold (2^70, 40 digits) or what is not JSON goes to
 * the dead letter queue with its reason.
 */
class ExactJsonConverterIT {
  private static final String BUCKET = "exact";
  private static final String TOPIC = "payments";
  private static final String DLQ = "payments-dlq";
  private static final Duration WAIT = Duration.ofSeconds(90);
  static final String TWO_TO_THE_70 = "1180591620717411303424";
  static final String DIGITS_38 = "1234567890123456789012345678.0123456789";
  static final String DIGITS_40 = "12345678901234567890123456789012345678.91";
  private static PipelineFixture fx;

  @BeforeAll
  static void start() {
    fx = new PipelineFixture(BUCKET);
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void numbersArriveExactAndThoseRedshiftCannotHoldGoToTheDeadLetterQueue() throws Exception {
    fx.connect.createTopic(TOPIC, 1);
    fx.connect.createTopic(DLQ, 1);
    List<String> values =
        List.of(
            "{\"id\":0,\"amount\":" + DIGITS_38 + ",\"price\":1.5,\"big\":9223372036854775807}",
            "{\"id\":1,\"big\":" + TWO_TO_THE_70 + "}",
            "{\"id\":2,\"amount\":" + DIGITS_40 + "}",
            "{\"id\":3,\"amount\":",
            "{\"id\":4,\"amount\":0.1}");
    for (String v : values) {
      fx.send(TOPIC, 0, null, v);
    }
    fx.producer.flush();
    Map<String, String> c = fx.baseConfig(TOPIC, BUCKET);
    c.put("format.class", "jsonl");
    c.put("s3.compression.type", "none");
    c.put("value.converter", "io.redstage.connector.convert.ExactJsonConverter");
    c.put("rotate.idle.ms", "1000");
    PipelineFixture.deadLetterQueue(c, DLQ);
    assertThat(fx.connect.createConnector("payments-exact", c)).isEqualTo(201);

    TreeMap<String, CommitMarker> markers =
        fx.awaitCovered(BUCKET, TOPIC, Map.of(0, (long) values.size()), WAIT);
    List<String> lines = new ArrayList<>();
    for (CommitMarker m : markers.values()) {
      for (MarkerFile f : m.files()) {
        lines.addAll(new String(fx.get(BUCKET, f.key()), StandardCharsets.UTF_8).lines().toList());
      }
    }
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .startsWith(
            "{\"id\":0,\"amount\":\""
                + DIGITS_38
                + "\",\"price\":1.5,"
                + "\"big\":9223372036854775807,");
    assertThat(lines.get(1)).startsWith("{\"id\":4,\"amount\":0.1,");

    Map<Long, String> reasons = fx.deadLetterReasons(DLQ, 3, WAIT);
    assertThat(reasons).containsOnlyKeys(1L, 2L, 3L);
    assertThat(reasons.get(1L))
        .startsWith(
            "Cannot write record payments/0/1 as JSON Lines: value field 'big' is an "
                + "integer of 72 bits, outside Redshift BIGINT (64-bit)");
    assertThat(reasons.get(2L))
        .startsWith(
            "Cannot write record payments/0/2 as JSON Lines: value field 'amount' is "
                + "a number of 40 digits, over Redshift's 38 for DECIMAL");
    assertThat(reasons.get(3L))
        .startsWith(
            "Cannot convert the value of a record from topic 'payments' from JSON: "
                + "Unexpected end-of-input")
        .endsWith(
            "Fix the JSON in the producer, or let errors.tolerance=all send such "
                + "records to the dead letter queue.");
    fx.connect.deleteConnector("payments-exact");
  }
}
