package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.connector.RedstageS3SinkConnector;
import io.redstage.connector.RedstageS3SinkTask;
import io.redstage.connector.metrics.TaskMetrics;
import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerFile;
import io.redstage.sandbox.s3.FaultRule;
import io.redstage.sandbox.s3.LocalS3;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real task against S3Proxy, its metrics read as an operator would: from the platform MBeanServer
 * by ObjectName. The values are checked against what the task did (markers in S3, records sent to
 * the dead letter queue), and stop() must leave no MBean behind so that a restarted task registers
 * the same name again.
 */
class TaskMetricsTest {
  static final String BUCKET = "task-metrics";
  static final TopicPartition TP = new TopicPartition("orders", 0);

  /** "Order Id" becomes the column Order_Id: one rename. */
  static final Schema ORDER =
      SchemaBuilder.struct()
          .name("Order")
          .field("Order Id", Schema.INT64_SCHEMA)
          .field("note", Schema.OPTIONAL_STRING_SCHEMA)
          .build();

  static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();
  static final Path DOC = Paths.get("..", "docs", "connector-metrics.md");
  static LocalS3 s3;
  int run;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @Test
  void theTaskReportsWhatItWroteCommittedAndSentToTheDeadLetterQueue() throws Exception {
    String prefix = "counts-" + (++run);
    ObjectName name =
        new ObjectName("io.redstage.connector:type=sink-task-metrics,connector=orders-sink,task=3");
    BadRecordsTest.DlqContext context = new BadRecordsTest.DlqContext();
    RedstageS3SinkTask task = task(context, props(prefix, "orders-sink", "3"));
    try {
      assertThat(attributes(name)).containsExactlyInAnyOrderElementsOf(TaskMetrics.NAMES);
      assertThat(attribute(name, "units-committed-total")).isZero();

      // Three rows in an open unit: held in memory, not yet committed.
      task.put(records(0, 3));
      assertThat(attribute(name, "memory-budget-used-bytes")).isPositive();
      assertThat(attribute(name, "last-committed-offset-lag")).isEqualTo(3);
      assertThat(attribute(name, "records-written-total")).as("counted once committed").isZero();

      // Offsets 3 to 11, offset 3 a tombstone (to the DLQ): units of five rows close at offsets 5
      // and 10.
      List<SinkRecord> rest = new ArrayList<>();
      rest.add(new SinkRecord(TP.topic(), TP.partition(), null, null, null, null, 3));
      rest.addAll(records(4, 12));
      long beforeCommits = System.nanoTime();
      task.put(rest);
      // preCommit reports units as their commits end; the worker calls it again and again.
      await()
          .atMost(SettledCommits.TIMEOUT)
          .until(() -> task.preCommit(Map.of()).get(TP), new OffsetAndMetadata(11)::equals);
      List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
      assertThat(markers).hasSize(2);
      long bytes =
          markers.stream().flatMap(m -> m.files().stream()).mapToLong(MarkerFile::bytes).sum();
      assertThat(attribute(name, "units-committed-total")).isEqualTo(2);
      assertThat(attribute(name, "records-written-total")).isEqualTo(10);
      assertThat(attribute(name, "records-written-rate")).isPositive();
      assertThat(attribute(name, "files-written-total")).isEqualTo(2);
      assertThat(attribute(name, "bytes-written-total")).isEqualTo(bytes).isPositive();
      assertThat(attribute(name, "dlq-records-total"))
          .isEqualTo(context.reported.size())
          .isEqualTo(1);
      assertThat(attribute(name, "dlq-records-rate")).isPositive();
      // measured from a commit of this put, not from the task's start (which came before it)
      double lastCommitAge = attribute(name, "last-commit-age-ms");
      long sinceCommits = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beforeCommits);
      assertThat(lastCommitAge)
          .as("the second unit committed moments ago")
          .isNotNegative()
          .isLessThanOrEqualTo(sinceCommits);
      assertThat(attribute(name, "paused-partitions")).isZero();
      assertThat(attribute(name, "column-renames-total"))
          .as("Order Id, once per topic and field")
          .isEqualTo(1);
      assertThat(attribute(name, "commit-latency-avg-ms")).isNotNaN().isNotNegative();
      assertThat(attribute(name, "commit-latency-max-ms"))
          .isGreaterThanOrEqualTo(attribute(name, "commit-latency-avg-ms"));
      assertThat(attribute(name, "pending-units")).isZero();
      assertThat(attribute(name, "last-committed-offset-lag"))
          .as("offset 11 is in the open unit")
          .isEqualTo(1);
      assertThat(attribute(name, "rewinds-total")).isZero();
    } finally {
      task.stop();
    }
    assertThat(JMX.isRegistered(name)).as("stop() unregisters the task's MBean").isFalse();

    // The restarted task registers the same name and counts from zero.
    RedstageS3SinkTask restarted = task(context, props(prefix, "orders-sink", "3"));
    try {
      assertThat(attribute(name, "units-committed-total")).isZero();
    } finally {
      restarted.stop();
    }
    assertThat(JMX.isRegistered(name)).isFalse();
    assertThat(
            JMX.queryNames(new ObjectName("io.redstage.connector:connector=orders-sink,*"), null))
        .isEmpty();
  }

  @Test
  void aTaskStoppingAfterItsReplacementStartedLeavesTheReplacementsMetrics() throws Exception {
    // Connect's cancel() does not interrupt a task blocked in put(): its replacement (same
    // connector, same task id) starts while the old one still runs, and the old one stops later.
    ObjectName name =
        new ObjectName("io.redstage.connector:type=sink-task-metrics,connector=replaced,task=2");
    Map<String, String> config = Map.of("name", "replaced", TaskMetrics.TASK_ID_CONFIG, "2");
    TaskMetrics cancelled = TaskMetrics.register(config);
    cancelled.memoryUsed(111);
    TaskMetrics replacement = TaskMetrics.register(config);
    replacement.memoryUsed(222);
    try {
      cancelled.close();

      assertThat(JMX.isRegistered(name)).as("the replacement's MBean").isTrue();
      assertThat(attributes(name)).containsExactlyInAnyOrderElementsOf(TaskMetrics.NAMES);
      assertThat(attribute(name, "memory-budget-used-bytes")).isEqualTo(222);
    } finally {
      replacement.close();
    }
    assertThat(JMX.isRegistered(name)).as("the replacement's stop unregisters it").isFalse();
    assertThat(JMX.queryNames(new ObjectName("io.redstage.connector:connector=replaced,*"), null))
        .isEmpty();
  }

  /**
   * last-commit-age-ms counts the time that passed, not the wall clock's reading: a clock set back
   * held it at 0 for as long as the step (a stalled task alerting late), one set forward raised it
   * at once (a false alert).
   */
  @Test
  void theLastCommitAgeCountsTheTimeThatPassed() throws Exception {
    ObjectName name =
        new ObjectName("io.redstage.connector:type=sink-task-metrics,connector=aging,task=0");
    // System.nanoTime's origin is arbitrary, and may be negative
    AtomicLong nanos = new AtomicLong(-TimeUnit.HOURS.toNanos(5));
    TaskMetrics metrics =
        TaskMetrics.register(Map.of("name", "aging", TaskMetrics.TASK_ID_CONFIG, "0"), nanos::get);
    try {
      assertThat(attribute(name, "last-commit-age-ms")).isZero();
      nanos.addAndGet(TimeUnit.SECONDS.toNanos(90));
      assertThat(attribute(name, "last-commit-age-ms")).as("since the start").isEqualTo(90_000);

      metrics.unitCommitted(10, 1, 1000, 5);
      assertThat(attribute(name, "last-commit-age-ms")).isZero();
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1500));
      assertThat(attribute(name, "last-commit-age-ms")).isEqualTo(1500);
    } finally {
      metrics.close();
    }
  }

  @Test
  void aRewindAfterAFailedCommitIsCounted() throws Exception {
    String prefix = "rewinds-" + (++run);
    ObjectName name =
        new ObjectName("io.redstage.connector:type=sink-task-metrics,connector=rewinding,task=0");
    FaultRule rule =
        s3.faults()
            .failAlways(
                S3Fault.INTERNAL_ERROR,
                RequestMatcher.operations(ObjectOperation.PUT_OBJECT)
                    .bucket(BUCKET)
                    .keyPrefix(prefix + "/markers/"));
    BackgroundCommitsTest.RecordingContext context = new BackgroundCommitsTest.RecordingContext();
    Map<String, String> props = props(prefix, "rewinding", "0");
    props.put("s3.part.retries", "0");
    RedstageS3SinkTask task = task(context, props);
    try {
      task.put(records(0, 5));
      await()
          .atMost(SettledCommits.TIMEOUT)
          .until(
              () -> {
                task.preCommit(Map.of());
                task.put(List.of()); // the rewind preCommit found is asked for here
                return !context.rewinds.isEmpty();
              });

      assertThat(context.rewinds).hasSize(1);
      assertThat(attribute(name, "rewinds-total")).isEqualTo(1);
      assertThat(attribute(name, "units-committed-total")).isZero();
      assertThat(attribute(name, "pending-units")).isZero();
      assertThat(attribute(name, "memory-budget-used-bytes"))
          .as("the dropped units hold nothing")
          .isZero();
    } finally {
      s3.faults().remove(rule);
      task.stop();
    }
  }

  @Test
  void theConnectorGivesEachTaskItsIdForTheMetricNames() {
    RedstageS3SinkConnector connector = new RedstageS3SinkConnector();
    connector.start(props("ids", "orders-sink", null));
    List<Map<String, String>> configs = connector.taskConfigs(3);
    assertThat(configs)
        .extracting(c -> c.get(TaskMetrics.TASK_ID_CONFIG))
        .containsExactly("0", "1", "2");
    assertThat(configs)
        .extracting(c -> c.get(TaskMetrics.CONNECTOR_NAME_CONFIG))
        .containsOnly("orders-sink");
  }

  @Test
  void everyAttributeIsDocumented() throws Exception {
    Matcher rows = Pattern.compile("(?m)^\\| `([a-z-]+)` \\|").matcher(Files.readString(DOC));
    List<String> documented = new ArrayList<>();
    while (rows.find()) {
      documented.add(rows.group(1));
    }
    assertThat(documented)
        .as("the attribute table of " + DOC)
        .containsExactlyInAnyOrderElementsOf(TaskMetrics.NAMES);
  }

  private static RedstageS3SinkTask task(SinkTaskContext context, Map<String, String> props) {
    RedstageS3SinkTask task = new RedstageS3SinkTask();
    task.initialize(context);
    task.start(props);
    task.open(Set.of(TP));
    return task;
  }

  private static Set<String> attributes(ObjectName name) throws Exception {
    return Set.of(JMX.getMBeanInfo(name).getAttributes()).stream()
        .map(MBeanAttributeInfo::getName)
        .collect(Collectors.toSet());
  }

  private static double attribute(ObjectName name, String attribute) throws Exception {
    return ((Number) JMX.getAttribute(name, attribute)).doubleValue();
  }

  /** Orders at offsets {@code from} (inclusive) to {@code to} (exclusive). */
  private static List<SinkRecord> records(long from, long to) {
    return LongStream.range(from, to)
        .mapToObj(
            o ->
                new SinkRecord(
                    TP.topic(),
                    TP.partition(),
                    null,
                    null,
                    ORDER,
                    new Struct(ORDER).put("Order Id", o).put("note", "n" + o),
                    o))
        .collect(Collectors.toList());
  }

  private static Map<String, String> props(String prefix, String connector, String taskId) {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("name", connector);
    if (taskId != null) {
      props.put(TaskMetrics.TASK_ID_CONFIG, taskId);
    }
    props.put("topics.dir", prefix + "/topics");
    props.put("markers.dir", prefix + "/markers");
    props.put("flush.size", "5");
    return props;
  }
}
