package io.redstage.sandbox.redshift.copy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * A decoded scalar (from a Parquet or Avro reader) as it appears inside a SUPER value: numbers and
 * booleans stay JSON numbers and booleans, text stays text, bytes become hex, dates and timestamps
 * their Redshift text form. One place, so nested values read the same whichever format they came
 * from.
 */
final class ScalarJson {
  private ScalarJson() {}

  static JsonNode node(Object v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v == null) {
      return f.nullNode();
    }
    if (v instanceof Long l) {
      return f.numberNode(l);
    }
    if (v instanceof Integer i) {
      return f.numberNode(i);
    }
    if (v instanceof Float x) {
      return f.numberNode(x);
    }
    if (v instanceof Double d) {
      return f.numberNode(d);
    }
    if (v instanceof Boolean b) {
      return f.booleanNode(b);
    }
    if (v instanceof BigDecimal d) {
      return f.numberNode(d);
    }
    if (v instanceof ColumnWriter.Utf8Text u) {
      return f.textNode(new String(u.bytes(), StandardCharsets.UTF_8));
    }
    if (v instanceof byte[] b) {
      return f.textNode(HexFormat.of().formatHex(b));
    }
    if (v instanceof LocalDate d) {
      return f.textNode(TemporalWriter.formatDate(d));
    }
    if (v instanceof LocalDateTime t) {
      return f.textNode(TemporalWriter.formatTimestamp(t));
    }
    if (v instanceof Instant i) {
      return f.textNode(
          TemporalWriter.formatTimestamp(LocalDateTime.ofInstant(i, ZoneOffset.UTC)) + "+00");
    }
    return f.textNode(v.toString());
  }
}
