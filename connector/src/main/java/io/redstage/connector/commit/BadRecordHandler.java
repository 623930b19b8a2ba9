package io.redstage.connector.commit;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records that cannot be converted to the dead letter queue through Connect's
 * ErrantRecordReporter (errors.tolerance=all + errors.deadletterqueue.topic.name), or fails the task with
 * an error naming the record when no reporter is configured. Good records keep flowing either way.
 */
final class BadRecordHandler {
  private static final Logger LOG = LoggerFactory.getLogger(BadRecordHandler.class);
  private final ErrantRecordReporter reporter;

  BadRecordHandler(SinkTaskContext context) {
    this.reporter = reporterOf(context);
  }

  private static ErrantRecordReporter reporterOf(SinkTaskContext context) {
    try {
      return context.errantRecordReporter();
    } catch (NoSuchMethodError | NoClassDefFoundError e) {
      return null; // workers older than Kafka 2.6 have no DLQ API for sink tasks
    }
  }

  void report(SinkRecord record, RuntimeException error) {
    String where = io.redstage.connector.format.KafkaCoordinates.describe(record);
    if (reporter == null) {
      throw new ConnectException("Cannot write record " + where + ": " + error.getMessage()
          + ". Fix the producer or converter, or set errors.tolerance=all and errors.deadletterqueue.topic.name "
          + "to send such records to a dead letter queue.", error);
    }
    LOG.warn("Sending record {} to the dead letter queue: {}", where, error.getMessage());
    reporter.report(record, error);
  }
}
