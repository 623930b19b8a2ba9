package io.redstage.connector.metrics;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.MetricsContext;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Meter;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task's metrics, kept in Kafka's own metrics library (kafka-clients, which every Connect
 * worker gives its plugins) and published over JMX as {@code
 * io.redstage.connector:type=sink-task-metrics,connector=<name>,task=<id>}. Only API present from
 * Kafka 2.6 on is used (the {@code MetricsContext} constructor of {@link Metrics} and the
 * no-argument {@link JmxReporter}; its prefix constructor is gone in Kafka 4), so the same plugin
 * reports on Connect 2.7.1 to 4.x. Sensors are thread-safe: commit threads record into them while
 * the task thread runs. Every name is documented in docs/connector-metrics.md; {@link #NAMES} lists
 * them for the test that keeps the two together.
 */
public final class TaskMetrics implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TaskMetrics.class);

  /** The JMX domain. */
  public static final String DOMAIN = "io.redstage.connector";

  /** The JMX {@code type} of the task's MBean. */
  public static final String GROUP = "sink-task-metrics";

  /**
   * The task config key the connector stamps each task's index into: Connect tells a task neither
   * its id nor, on every version, its connector's name, but the connector knows which config goes
   * to which task.
   */
  public static final String TASK_ID_CONFIG = "task.id";

  /**
   * Connect's own key for the connector name, present in every config Connect hands the connector.
   */
  public static final String CONNECTOR_NAME_CONFIG = "name";

  static final String RECORDS_WRITTEN_TOTAL = "records-written-total";
  static final String RECORDS_WRITTEN_RATE = "records-written-rate";
  static final String FILES_WRITTEN_TOTAL = "files-written-total";
  static final String BYTES_WRITTEN_TOTAL = "bytes-written-total";
  static final String BYTES_WRITTEN_RATE = "bytes-written-rate";
  static final String UNITS_COMMITTED_TOTAL = "units-committed-total";
  static final String COMMIT_LATENCY_AVG = "commit-latency-avg-ms";
  static final String COMMIT_LATENCY_MAX = "commit-latency-max-ms";
  static final String PENDING_UNITS = "pending-units";
  static final String MEMORY_USED = "memory-budget-used-bytes";
  static final String REWINDS_TOTAL = "rewinds-total";
  static final String DLQ_RECORDS_TOTAL = "dlq-records-total";
  static final String DLQ_RECORDS_RATE = "dlq-records-rate";
  static final String COLUMN_RENAMES_TOTAL = "column-renames-total";
  static final String OFFSET_LAG = "last-committed-offset-lag";
  static final String LAST_COMMIT_AGE = "last-commit-age-ms";
  static final String PAUSED_PARTITIONS = "paused-partitions";

  /** Every attribute of the task's MBean. */
  public static final List<String> NAMES =
      List.of(
          RECORDS_WRITTEN_TOTAL,
          RECORDS_WRITTEN_RATE,
          FILES_WRITTEN_TOTAL,
          BYTES_WRITTEN_TOTAL,
          BYTES_WRITTEN_RATE,
          UNITS_COMMITTED_TOTAL,
          COMMIT_LATENCY_AVG,
          COMMIT_LATENCY_MAX,
          PENDING_UNITS,
          MEMORY_USED,
          REWINDS_TOTAL,
          DLQ_RECORDS_TOTAL,
          DLQ_RECORDS_RATE,
          COLUMN_RENAMES_TOTAL,
          OFFSET_LAG,
          LAST_COMMIT_AGE,
          PAUSED_PARTITIONS);

  /**
   * The instance whose MBeans each (connector, task id) name shows: the one registered last.
   * Connect's cancel() does not interrupt a task blocked in put(), so a replacement of the same
   * connector and task id registers the same ObjectNames (taking them over) while the old one still
   * runs; JmxReporter unregisters by name, so the old one's late stop() removed the replacement's
   * MBeans until its next restart. Static, so shared by every task of this plugin's classloader: a
   * worker loads a plugin once and runs all of its tasks from it, replacements included. Guarded by
   * itself, which also covers the registration and the unregistration, so neither can interleave.
   */
  private static final Map<List<String>, TaskMetrics> OWNERS = new HashMap<>();

  private final List<String> owner;
  private final Metrics metrics;
  private final Sensor recordsWritten;
  private final Sensor filesWritten;
  private final Sensor bytesWritten;
  private final Sensor unitsCommitted;
  private final Sensor commitLatency;
  private final Sensor rewinds;
  private final Sensor dlqRecords;
  private final Sensor columnRenames;
  private final AtomicInteger pendingUnits = new AtomicInteger();
  private volatile long memoryUsedBytes;
  private volatile long committedOffsetLag;

  /**
   * The clock {@code last-commit-age-ms} is read from: monotonic ({@link System#nanoTime}), as the
   * age an operator alerts on must not follow the wall clock. Set back (NTP stepping it, a VM
   * restored from a snapshot), that held the age at 0 for as long as the step, hiding a stalled
   * task; set forward, it raised the age at once, a false alert.
   */
  private final LongSupplier nanoTime;

  /** When the last unit committed, on {@link #nanoTime}; the task's start before the first. */
  private volatile long lastCommitNanos;

  private volatile long pausedPartitions;

  private TaskMetrics(String connector, String task, LongSupplier nanoTime) {
    owner = List.of(connector, task);
    this.nanoTime = nanoTime;
    lastCommitNanos = nanoTime.getAsLong();
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("connector", connector);
    tags.put("task", task);
    List<MetricsReporter> reporters = Collections.singletonList(new OwnedJmxReporter());
    metrics =
        new Metrics(
            new MetricConfig().tags(tags), reporters, Time.SYSTEM, new KafkaMetricsContext(DOMAIN));
    recordsWritten =
        meter(
            "records-written",
            RECORDS_WRITTEN_RATE,
            RECORDS_WRITTEN_TOTAL,
            "Records per second in committed data files",
            "Records in committed data files");
    filesWritten = total("files-written", FILES_WRITTEN_TOTAL, "Data files committed");
    bytesWritten =
        meter(
            "bytes-written",
            BYTES_WRITTEN_RATE,
            BYTES_WRITTEN_TOTAL,
            "Bytes per second of committed data files",
            "Bytes of committed data files");
    unitsCommitted =
        total("units-committed", UNITS_COMMITTED_TOTAL, "Commit units whose marker was written");
    commitLatency = metrics.sensor("commit-latency");
    commitLatency.add(
        name(COMMIT_LATENCY_AVG, "Average ms from a unit's close to its marker written"),
        new Avg());
    commitLatency.add(
        name(COMMIT_LATENCY_MAX, "Longest ms from a unit's close to its marker written"),
        new Max());
    rewinds =
        total("rewinds", REWINDS_TOTAL, "Rewinds to the last committed offsets after S3 failures");
    dlqRecords =
        meter(
            "dlq-records",
            DLQ_RECORDS_RATE,
            DLQ_RECORDS_TOTAL,
            "Records per second handed to the errant record reporter",
            "Records handed to the errant record reporter (dead letter queue or Connect's error log)");
    columnRenames =
        total(
            "column-renames",
            COLUMN_RENAMES_TOTAL,
            "Distinct topic fields written under another column name");
    gauge(PENDING_UNITS, "Closed units waiting for or in their commit", pendingUnits::get);
    gauge(
        MEMORY_USED,
        "Bytes of the memory budget held by open and committing units",
        () -> memoryUsedBytes);
    gauge(
        OFFSET_LAG,
        "Largest count over partitions of offsets received but not yet in a committed unit",
        () -> committedOffsetLag);
    gauge(
        LAST_COMMIT_AGE,
        "Milliseconds since the task's last unit committed (since its start before the first)",
        () -> Math.max(0, TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - lastCommitNanos)));
    gauge(
        PAUSED_PARTITIONS,
        "Partitions the task paused: until the units and parts waiting for S3 fit the memory budget, or"
            + " until a commit still running on S3 ends before a rewind",
        () -> pausedPartitions);
  }

  /**
   * The metrics of the task whose config is {@code taskConfig}, registered in the platform
   * MBeanServer. A task config without the connector's name or task id (a task run outside a
   * Connect worker) reports as connector {@code unnamed}, task {@code 0}.
   */
  public static TaskMetrics register(Map<String, ?> taskConfig) {
    return register(taskConfig, System::nanoTime);
  }

  /**
   * As {@link #register(Map)}, with {@code nanoTime} for {@link System#nanoTime} (a test steps its
   * own).
   */
  public static TaskMetrics register(Map<String, ?> taskConfig, LongSupplier nanoTime) {
    synchronized (OWNERS) {
      TaskMetrics m =
          new TaskMetrics(
              valueOr(taskConfig, CONNECTOR_NAME_CONFIG, "unnamed"),
              valueOr(taskConfig, TASK_ID_CONFIG, "0"),
              nanoTime);
      OWNERS.put(m.owner, m);
      return m;
    }
  }

  private static String valueOr(Map<String, ?> config, String key, String fallback) {
    Object v = config.get(key);
    return v == null || v.toString().trim().isEmpty() ? fallback : v.toString().trim();
  }

  /** A unit's marker was written, {@code latencyMs} after the unit closed. */
  public void unitCommitted(long records, int files, long bytes, long latencyMs) {
    long now = Time.SYSTEM.milliseconds();
    recordsWritten.record(records, now);
    filesWritten.record(files, now);
    bytesWritten.record(bytes, now);
    unitsCommitted.record(1, now);
    commitLatency.record(latencyMs, now);
    lastCommitNanos = nanoTime.getAsLong();
  }

  /** A unit closed and was handed to the commit threads. */
  public void unitClosed() {
    pendingUnits.incrementAndGet();
  }

  /** A closed unit's commit ended: committed, failed or dropped. */
  public void unitSettled() {
    pendingUnits.decrementAndGet();
  }

  public void recordSentToDlq() {
    dlqRecords.record();
  }

  public void rewound() {
    rewinds.record();
  }

  /** A field of a topic was first written under another column name. */
  public void columnRenamed() {
    columnRenames.record();
  }

  public void memoryUsed(long bytes) {
    memoryUsedBytes = bytes;
  }

  public void committedOffsetLag(long offsets) {
    committedOffsetLag = offsets;
  }

  /**
   * The task holds {@code partitions} paused, for the memory budget or for a rewind waiting for a
   * running commit (0: none paused).
   */
  public void pausedPartitions(int partitions) {
    pausedPartitions = partitions;
  }

  /**
   * Unregisters the task's MBeans, so a restarted task registers the same names again; leaves them
   * registered when a later task of the same connector and task id registered them since (see
   * {@link #OWNERS}): they are that task's now.
   */
  @Override
  public void close() {
    metrics.close();
  }

  private MetricName name(String name, String description) {
    return metrics.metricName(name, GROUP, description);
  }

  private Sensor meter(
      String sensor, String rate, String total, String rateDescription, String totalDescription) {
    Sensor s = metrics.sensor(sensor);
    s.add(new Meter(name(rate, rateDescription), name(total, totalDescription)));
    return s;
  }

  private Sensor total(String sensor, String total, String description) {
    Sensor s = metrics.sensor(sensor);
    s.add(name(total, description), new CumulativeSum());
    return s;
  }

  /** {@code value} is read on the JMX thread whenever the attribute is read. */
  private void gauge(String name, String description, LongSupplier value) {
    metrics.addMetric(name(name, description), (Measurable) (config, now) -> value.getAsLong());
  }

  /**
   * Kafka's JmxReporter, whose close unregisters the MBeans only while this instance still owns
   * their names; everything else is passed on as is.
   */
  private final class OwnedJmxReporter implements MetricsReporter {
    private final JmxReporter jmx = new JmxReporter();

    @Override
    public void contextChange(MetricsContext context) {
      jmx.contextChange(context);
    }

    @Override
    public void configure(Map<String, ?> configs) {
      jmx.configure(configs);
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
      jmx.init(metrics);
    }

    @Override
    public void metricChange(KafkaMetric metric) {
      jmx.metricChange(metric);
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
      jmx.metricRemoval(metric);
    }

    @Override
    public void close() {
      synchronized (OWNERS) {
        if (OWNERS.remove(owner, TaskMetrics.this)) {
          jmx.close();
        } else {
          LOG.info(
              "Left the metrics MBeans of connector '{}' task {} registered: a later task of the same "
                  + "connector and task id registered them while this one was still stopping",
              owner.get(0),
              owner.get(1));
        }
      }
    }
  }
}
