package io.redstage.examples.badinput;

import io.redstage.examples.quickstart.SandboxStack;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The three file formats under test: each has its own topic, DLQ topic, connector and target table.
 */
enum Format {
  PARQUET("parquet", true),
  AVRO("avro", true),
  JSONL("jsonl", false);

  /** Records per unit: small, so that poison records share units with good ones. */
  static final String FLUSH_SIZE = "20";

  final String formatClass;

  /**
   * Parquet and Avro get JsonConverter envelopes with a schema; JSON Lines gets schemaless JSON.
   */
  final boolean schemas;

  Format(String formatClass, boolean schemas) {
    this.formatClass = formatClass;
    this.schemas = schemas;
  }

  String topic() {
    return "bad-" + formatClass;
  }

  String dlqTopic() {
    return topic() + "-dlq";
  }

  String table() {
    return "bad_" + formatClass;
  }

  String connectorName() {
    return topic() + "-to-s3";
  }

  /**
   * The connector config JSON posted to the worker: errors.tolerance=all with a DLQ and its context
   * headers.
   */
  Map<String, String> connectorConfig(SandboxStack stack) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("connector.class", "io.redstage.connector.RedstageS3SinkConnector");
    c.put("tasks.max", "1");
    c.put("topics", topic());
    c.put("s3.bucket.name", SandboxStack.BUCKET);
    c.put("s3.region", stack.s3.region());
    c.putAll(stack.connectorS3Keys());
    c.put("format.class", formatClass);
    c.put("flush.size", FLUSH_SIZE);
    c.put("rotate.schedule.interval.ms", "3000");
    c.put("rotate.idle.ms", "1000");
    c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    // Schemaless JSON goes through the plugin's ExactJsonConverter: Kafka's JsonConverter would
    // turn 2^70 into 0 and a
    // 40-digit number into a double before the sink could see (and refuse) them.
    c.put(
        "value.converter",
        schemas
            ? "org.apache.kafka.connect.json.JsonConverter"
            : "io.redstage.connector.convert.ExactJsonConverter");
    c.put("value.converter.schemas.enable", Boolean.toString(schemas));
    c.put("errors.tolerance", "all");
    c.put("errors.deadletterqueue.topic.name", dlqTopic());
    c.put("errors.deadletterqueue.topic.replication.factor", "1");
    c.put("errors.deadletterqueue.context.headers.enable", "true");
    return c;
  }
}
