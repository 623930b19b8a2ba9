package io.redstage.examples.badinput;

/** A produced record and the offset the broker gave it. */
record Sent(Produced record, long offset) {
  Format format() {
    return record.format();
  }

  int partition() {
    return record.partition();
  }

  /** "topic/partition/offset", as reasons and reports name a record. */
  String coordinates() {
    return record.format().topic() + "/" + record.partition() + "/" + offset;
  }
}
