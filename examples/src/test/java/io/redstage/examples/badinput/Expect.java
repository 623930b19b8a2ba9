package io.redstage.examples.badinput;

/** Where a record must end up. */
enum Expect {
  /**
   * In the format's dead letter queue, with Connect's context headers and a reason naming the
   * field.
   */
  DLQ("DLQ"),
  /**
   * Its unit alone is quarantined by the loader (report and control table), no good record with it.
   * A conflict the loader finds before COPY may quarantine in the first run: retrying cannot help.
   */
  QUARANTINED("quarantined"),
  /**
   * A COPY failure: quarantined only after load.retry.max-attempts separate runs; after the fix,
   * release loads it.
   */
  QUARANTINED_THEN_RELEASED("quarantined, released after fix, loaded"),
  /** COPY rejects the row into a rejects object with its reason; the rest of the unit loads. */
  REJECTED_ROW("rejects object"),
  /**
   * In the table with every value, or, when the column's type was set first by another kind of
   * value (a schemaless `value` column made BIGINT by 42, then []), rejected into a rejects object
   * with the reason: which one depends on which unit created the column.
   */
  LANDS_OR_REJECTED_ROW("lands, or rejects object"),
  /** Not poison: the row is in the table with every value the record carried. */
  LANDS("lands with every value"),
  /** The kind does not exist for this format. */
  NOT_APPLICABLE("n/a");

  final String label;

  Expect(String label) {
    this.label = label;
  }
}
