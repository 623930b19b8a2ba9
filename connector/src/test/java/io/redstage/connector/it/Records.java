package io.redstage.connector.it;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;

/**
 * Builds JsonConverter envelopes ({"schema":…,"payload":…}) for an ad-event value with many types.
 */
final class Records {
  private Records() {}

  static ObjectNode field(String name, String type, boolean optional) {
    ObjectNode f = PipelineFixture.JSON.createObjectNode();
    f.put("field", name).put("type", type).put("optional", optional);
    return f;
  }

  static ObjectNode adEventSchema(boolean withCountry) {
    ObjectNode s = PipelineFixture.JSON.createObjectNode();
    s.put("type", "struct").put("name", "ad_event").put("optional", false);
    ArrayNode fields = s.putArray("fields");
    fields.add(field("id", "int64", false));
    fields.add(field("campaign", "string", false));
    fields.add(field("clicks", "int32", false));
    fields.add(field("ctr", "double", false));
    fields.add(field("billable", "boolean", false));
    ObjectNode price = field("price", "bytes", false);
    price.put("name", "org.apache.kafka.connect.data.Decimal").put("version", 1);
    price.putObject("parameters").put("scale", "2").put("connect.decimal.precision", "12");
    fields.add(price);
    ObjectNode ts = field("event_time", "int64", false);
    ts.put("name", "org.apache.kafka.connect.data.Timestamp").put("version", 1);
    fields.add(ts);
    ObjectNode day = field("event_date", "int32", false);
    day.put("name", "org.apache.kafka.connect.data.Date").put("version", 1);
    fields.add(day);
    ObjectNode tags = field("tags", "array", true);
    tags.putObject("items").put("type", "string").put("optional", false);
    fields.add(tags);
    ObjectNode geo = field("geo", "struct", true);
    ArrayNode geoFields = geo.putArray("fields");
    geoFields.add(field("city", "string", true));
    geoFields.add(field("lat", "double", true));
    fields.add(geo);
    fields.add(field("note", "string", true));
    if (withCountry) {
      fields.add(field("country", "string", true));
    }
    return s;
  }

  static final long BASE_TIME = 1_718_000_000_000L; // 2024-06-10T06:13:20Z

  static String adEvent(long id, boolean withCountry) {
    ObjectNode env = PipelineFixture.JSON.createObjectNode();
    env.set("schema", adEventSchema(withCountry));
    ObjectNode p = env.putObject("payload");
    p.put("id", id)
        .put("campaign", "c-" + (id % 7))
        .put("clicks", (int) (id % 100))
        .put("ctr", id / 1000.0)
        .put("billable", id % 2 == 0);
    p.put("price", new BigDecimal(id).movePointLeft(2)); // JsonConverter reads numeric decimals
    p.put("event_time", BASE_TIME + id * 1000);
    p.put("event_date", (int) ((BASE_TIME + id * 1000) / 86_400_000L));
    ArrayNode tags = p.putArray("tags");
    tags.add("t" + (id % 3));
    if (id % 5 == 0) {
      p.putNull("geo");
      p.putNull("note");
    } else {
      p.putObject("geo").put("city", "city-" + (id % 11)).put("lat", 50.0 + id % 10);
      p.put("note", "note " + id);
    }
    if (withCountry) {
      p.put("country", "DE");
    }
    return env.toString();
  }
}
