package io.redstage.examples.badinput;

import static io.redstage.examples.badinput.Expect.DLQ;
import static io.redstage.examples.badinput.Expect.LANDS;
import static io.redstage.examples.badinput.Expect.LANDS_OR_REJECTED_ROW;
import static io.redstage.examples.badinput.Expect.NOT_APPLICABLE;
import static io.redstage.examples.badinput.Expect.QUARANTINED;
import static io.redstage.examples.badinput.Expect.QUARANTINED_THEN_RELEASED;
import static io.redstage.examples.badinput.Expect.REJECTED_ROW;

/**
 * The catalogue of bad input: what each kind is, which field a reason must name, and where the
 * record must end up in each format (issue 9, "Nothing lost, nothing stuck"). {@link Records}
 * builds the records.
 */
enum PoisonKind {
  OVERSIZE_STRING("100 KB string (VARCHAR holds 65,535 bytes)", "name", DLQ, DLQ, DLQ),
  NUL_IN_STRING("U+0000 in a string", "name", DLQ, DLQ, DLQ),
  LONE_SURROGATE("lone surrogate \\ud800 in a string", "name", DLQ, DLQ, DLQ),
  DECIMAL_40("decimal(40,2); schemaless: a 40-digit number", "amount", DLQ, DLQ, DLQ),
  LONG_FIELD_NAME(
      "field name of 130 bytes (identifiers hold 127)",
      Records.LONG_NAME.substring(0, 40),
      DLQ,
      DLQ,
      DLQ),
  FOLDED_NAMES("fields 'id' and 'Id' fold to one column", "Id", DLQ, DLQ, DLQ),
  TIMESTAMP_YEAR_300000(
      "timestamp in year 300000; schemaless: that ISO text", "ts", DLQ, DLQ, LANDS),
  DATE_YEAR_MINUS_5000("date in year -5000; schemaless: that ISO text", "day", DLQ, DLQ, LANDS),
  TOMBSTONE("null value under behavior.on.null.values=fail", null, DLQ, DLQ, DLQ),
  MALFORMED_JSON("bytes JsonConverter cannot parse", null, DLQ, DLQ, DLQ),
  METADATA_NAME_CLASH("a value field named kafka_offset", "kafka_offset", DLQ, DLQ, DLQ),
  EMPTY_STRUCT(
      "nested struct with no fields (Parquet cannot write an empty group)",
      "extra",
      DLQ,
      LANDS,
      LANDS),
  NEW_FIELDS("later record adds fields note and score (not poison)", null, LANDS, LANDS, LANDS),
  NON_OBJECT_NUMBER("top-level value 42 (lands in column 'value')", null, LANDS, LANDS, LANDS),
  NON_OBJECT_ARRAY(
      "top-level value [] (column 'value', which 42 may have made BIGINT first); with a schema, 42 covers it "
          + "(an array beside it is a real type conflict)",
      "value",
      NOT_APPLICABLE,
      NOT_APPLICABLE,
      LANDS_OR_REJECTED_ROW),
  BIG_INTEGER("schemaless integer 2^70 (beyond int64)", "big", NOT_APPLICABLE, NOT_APPLICABLE, DLQ),
  WIDE_NESTED_TEXT(
      "array of two strings of 11,000 euro signs (33,000 bytes each): each fits SUPER, but Avro's COPY "
          + "stages the column as 66,004 bytes of JSON text in a VARCHAR(65535)",
      "tags",
      LANDS,
      DLQ,
      LANDS),
  TYPE_CHANGE(
      "int field qty becomes the string 'twelve' (schemaless: COPY rejects the row, the unit loads)",
      "qty",
      QUARANTINED,
      QUARANTINED,
      REJECTED_ROW),
  SPACE_IN_NAME("field 'Order Id' (renamed, lands in order_id)", null, LANDS, LANDS, LANDS),
  OVERSIZE_FOR_TABLE(
      "300-byte string, tables.varchar-length=256 and tables.varchar-widen=false (passes the connector, COPY fails)",
      "name",
      QUARANTINED_THEN_RELEASED,
      QUARANTINED_THEN_RELEASED,
      REJECTED_ROW);

  final String description;

  /**
   * A text the reason must contain: the field (or the start of its name); null when the record has
   * no field to name.
   */
  final String field;

  private final Expect parquet;
  private final Expect avro;
  private final Expect jsonl;

  PoisonKind(String description, String field, Expect parquet, Expect avro, Expect jsonl) {
    this.description = description;
    this.field = field;
    this.parquet = parquet;
    this.avro = avro;
    this.jsonl = jsonl;
  }

  Expect expected(Format format) {
    switch (format) {
      case PARQUET:
        return parquet;
      case AVRO:
        return avro;
      default:
        return jsonl;
    }
  }

  /**
   * Tombstones go in a second phase: before the fix a tombstone fails the task and loses its open
   * unit.
   */
  boolean secondPhase() {
    return this == TOMBSTONE;
  }
}
