package io.redstage.examples.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * Builds values the way Kafka Connect's JsonConverter with {@code schemas.enable=true} reads them:
 * an envelope {@code {"schema": ..., "payload": ...}} whose schema uses Connect types and logical
 * types (Timestamp, Date, Decimal). This is what a producer without a schema registry sends so that
 * Parquet and Avro files get typed columns; with a registry the same records would go through
 * AvroConverter.
 */
public final class ConnectJson {
  static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode schema;
  private final ArrayNode fields;
  private String schemaText;

  private ConnectJson(String name) {
    schema = JSON.createObjectNode();
    schema.put("type", "struct").put("name", name).put("optional", false);
    fields = schema.putArray("fields");
  }

  /**
   * A struct schema named {@code name} (a Connect schema name, e.g. shop.public.customers.Value).
   */
  public static ConnectJson struct(String name) {
    return new ConnectJson(name);
  }

  public ConnectJson field(String name, String type, boolean optional) {
    fields.add(
        JSON.createObjectNode().put("field", name).put("type", type).put("optional", optional));
    return this;
  }

  /** Connect Timestamp: epoch milliseconds in the payload. */
  public ConnectJson timestamp(String name, boolean optional) {
    fields.add(
        JSON.createObjectNode()
            .put("field", name)
            .put("type", "int64")
            .put("optional", optional)
            .put("name", "org.apache.kafka.connect.data.Timestamp")
            .put("version", 1));
    return this;
  }

  /** Connect Date: days since the epoch in the payload. */
  public ConnectJson date(String name, boolean optional) {
    fields.add(
        JSON.createObjectNode()
            .put("field", name)
            .put("type", "int32")
            .put("optional", optional)
            .put("name", "org.apache.kafka.connect.data.Date")
            .put("version", 1));
    return this;
  }

  /** Connect Decimal with a fixed scale; JsonConverter accepts a JSON number in the payload. */
  public ConnectJson decimal(String name, int precision, int scale, boolean optional) {
    ObjectNode f =
        JSON.createObjectNode()
            .put("field", name)
            .put("type", "bytes")
            .put("optional", optional)
            .put("name", "org.apache.kafka.connect.data.Decimal")
            .put("version", 1);
    f.putObject("parameters")
        .put("scale", Integer.toString(scale))
        .put("connect.decimal.precision", Integer.toString(precision));
    fields.add(f);
    return this;
  }

  /** The envelope of one payload, as UTF-8 bytes. The schema text is rendered once and reused. */
  public byte[] envelope(ObjectNode payload) {
    if (schemaText == null) {
      schemaText = schema.toString();
    }
    return ("{\"schema\":" + schemaText + ",\"payload\":" + payload.toString() + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }
}
