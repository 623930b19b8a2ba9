package io.redstage.examples.data;

/**
 * One stream of sample data: a topic, how to make its next record, and how its table should look
 * once loaded. Implementations are not thread-safe; one producer thread drives them.
 */
public interface Scenario {
  /** Short name for progress lines and summaries, e.g. "ad events". */
  String name();

  String topic();

  int partitions();

  /** The connector config file under examples/connect/ that stages this topic. */
  String connectorFile();

  /** The Redshift table the loader maps the topic to, schema-qualified. */
  String table();

  /** Load mode of the table: append or upsert. */
  String mode();

  /** The next record to produce; {@code producedAtMillis} is the wall-clock time it is sent. */
  SampleRecord next(long producedAtMillis);

  /** Rows the table must hold once everything produced so far is loaded (append: every record). */
  long expectedRows();
}
