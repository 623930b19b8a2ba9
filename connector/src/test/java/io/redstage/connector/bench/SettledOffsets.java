package io.redstage.connector.bench;

import static org.awaitility.Awaitility.await;

import io.redstage.connector.RedstageS3SinkTask;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The offsets of a benchmark's task once every closed unit has committed. preCommit reports units
 * as their commits end without waiting for the rest, so this calls it, as the worker would, until
 * the task's {@code pending-units} metric has read 0 before two calls in a row that agree: a commit
 * counts as settled just before its result reaches the task thread, and the poll interval between
 * the two calls covers that gap.
 */
final class SettledOffsets {
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final Duration POLL = Duration.ofMillis(10);

  private SettledOffsets() {}

  private static final ObjectName SINK_TASKS = pattern();

  private static ObjectName pattern() {
    try {
      return new ObjectName("io.redstage.connector:type=sink-task-metrics,*");
    } catch (MalformedObjectNameException e) {
      throw new IllegalStateException(e); // a constant pattern
    }
  }

  static Map<TopicPartition, OffsetAndMetadata> of(RedstageS3SinkTask task) {
    MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    Set<ObjectName> names = jmx.queryNames(SINK_TASKS, null);
    if (names.size() != 1) {
      throw new IllegalStateException(
          "Cannot find the benchmark task's metrics: expected one sink task MBean, found "
              + names
              + ". Run one task at a time.");
    }
    ObjectName metrics = names.iterator().next();
    AtomicReference<Map<TopicPartition, OffsetAndMetadata>> settledBefore = new AtomicReference<>();
    AtomicReference<Map<TopicPartition, OffsetAndMetadata>> last = new AtomicReference<>();
    await()
        .atMost(TIMEOUT)
        .pollInterval(POLL)
        .until(
            () -> {
              boolean idle = ((Number) jmx.getAttribute(metrics, "pending-units")).intValue() == 0;
              Map<TopicPartition, OffsetAndMetadata> now = task.preCommit(Map.of());
              last.set(now);
              boolean agrees = idle && now.equals(settledBefore.get());
              settledBefore.set(idle ? now : null);
              return agrees;
            });
    return last.get();
  }
}
