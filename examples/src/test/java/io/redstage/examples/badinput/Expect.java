package io.redstage.examples.badinput;

/** Where a record must end up. */
enum Expect {
  /** In the format's dead letter queue, with Connect's context headers and a reason naming the field. */
  DLQ("DLQ"),
  /** Its unit alone is quarantined by the loader (report and control table), no good record with it. */
  QUARANTINED("quarantined"),
  /** Its unit is quarantined after load.retry.max-attempts runs; after the fix, release loads it with its row. */
  QUARANTINED_THEN_RELEASED("quarantined, released after fix, loaded"),
  /** COPY rejects the row into a rejects object with its reason; the rest of the unit loads. */
  REJECTED_ROW("rejects object"),
  /** Not poison: the row is in the table with every value the record carried. */
  LANDS("lands with every value"),
  /** The kind does not exist for this format. */
  NOT_APPLICABLE("n/a");

  final String label;

  Expect(String label) {
    this.label = label;
  }
}
