package io.redstage.connector.commit;

import io.redstage.connector.metrics.TaskMetrics;
import java.time.Duration;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records that cannot be written to the dead letter queue through Connect's
 * ErrantRecordReporter (errors.tolerance=all + errors.deadletterqueue.topic.name), or fails the
 * task with the same message when no reporter is configured, or when the reporter refuses it
 * (errors.tolerance=none). Good records keep flowing into the same unit. Every error passed here
 * already names the record ("Cannot write record t/p/o ...: why. What to do."), so its message is
 * used as it is.
 */
final class BadRecordHandler {
  private static final Logger LOG = LoggerFactory.getLogger(BadRecordHandler.class);

  /** Connect's own key naming the dead letter queue topic (the worker reads it, not us). */
  static final String DLQ_TOPIC_CONFIG = "errors.deadletterqueue.topic.name";

  /**
   * Added to a bad record's message when the task has no reporter: Connect gives a sink task one
   * only with a dead letter queue topic or errors.log.enable, so errors.tolerance=all alone, which
   * several messages advise, still fails the task.
   */
  static final String NO_REPORTER =
      " (This task has no dead letter queue: to send such records there and go on, set errors.tolerance=all"
          + " and "
          + DLQ_TOPIC_CONFIG
          + ".)";

  /**
   * Added to a bad record's message when Connect's error handler refuses to set it aside: the task
   * has a reporter, but errors.tolerance=none stops it at the first bad record.
   */
  static final String TOLERANCE_NONE =
      " (The task stops here: errors.tolerance=none. Set errors.tolerance=all to send such records to"
          + " the dead letter queue ("
          + DLQ_TOPIC_CONFIG
          + ") and go on.)";

  /** Bad records logged one by one per minute; the rest of the minute's are counted in one line. */
  private static final int LOGGED_PER_MINUTE = 10;

  private final ErrantRecordReporter reporter;
  private final TaskMetrics metrics;

  /** A stream of bad records would otherwise log one WARN each. The task thread's only (put). */
  private final LogBudget logBudget;

  /** Where a reported record goes, for the log line: the DLQ topic, or only Connect's error log. */
  private final String destination;

  BadRecordHandler(SinkTaskContext context, TaskMetrics metrics, String dlqTopic) {
    this.reporter = reporterOf(context);
    this.metrics = metrics;
    this.logBudget = new LogBudget(LOGGED_PER_MINUTE, Duration.ofMinutes(1), System::nanoTime);
    this.destination =
        dlqTopic == null || dlqTopic.trim().isEmpty()
            ? "Set aside, not written (errors.tolerance=all without "
                + DLQ_TOPIC_CONFIG
                + ": Connect's error log has it)"
            : "To the dead letter queue " + dlqTopic.trim();
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
      throw new ConnectException(error.getMessage() + NO_REPORTER, error);
    }
    try {
      reporter.report(record, error);
    } catch (ConnectException refused) {
      // errors.tolerance=none with a reporter (a DLQ topic or errors.log.enable): Connect's handler
      // throws its own "Tolerance exceeded" here; the task's failure must still say which record
      // and why, first
      throw new ConnectException(error.getMessage() + TOLERANCE_NONE, refused);
    }
    metrics.recordSentToDlq();
    long skipped = logBudget.skippedInEndedWindow();
    if (skipped > 0) {
      LOG.warn(
          "{}: {} more record(s) in the last minute, not logged one by one (the task's "
              + "dlq-records-total counts them all)",
          destination,
          skipped);
    }
    if (logBudget.take()) {
      LOG.warn("{}: {}", destination, error.getMessage());
    }
  }
}
