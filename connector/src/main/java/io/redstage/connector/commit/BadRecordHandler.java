package io.redstage.connector.commit;

import io.redstage.connector.metrics.TaskMetrics;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records that cannot be written to the dead letter queue through Connect's
 * ErrantRecordReporter (errors.tolerance=all + errors.deadletterqueue.topic.name), or fails the
 * task with the same message when no reporter is configured (with errors.tolerance=none the
 * reporter itself fails the task). Good records keep flowing into the same unit. Every error passed
 * here already names the record ("Cannot write record t/p/o ...: why. What to do."), so its message
 * is used as it is.
 */
final class BadRecordHandler {
  private static final Logger LOG = LoggerFactory.getLogger(BadRecordHandler.class);
  private final ErrantRecordReporter reporter;
  private final TaskMetrics metrics;

  BadRecordHandler(SinkTaskContext context, TaskMetrics metrics) {
    this.reporter = reporterOf(context);
    this.metrics = metrics;
  }

  private static ErrantRecordReporter reporterOf(SinkTaskContext context) {
    try {
      return context.errantRecordReporter();
    } catch (NoSuchMethodError | NoClassDefFoundError e) {
      return null; // workers older than Kafka 2.6 have no DLQ API for sink tasks
    }
  }

  void report(SinkRecord record, RuntimeException error) {
    if (reporter == null) {
      throw new ConnectException(error.getMessage(), error);
    }
    LOG.warn("To the dead letter queue: {}", error.getMessage());
    reporter.report(record, error);
    metrics.recordSentToDlq();
  }
}
