package io.redstage.connector.format;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * Topic, partition and offset of a record as Kafka knows them. Commit units and markers are per
 * consumed topic-partition, so when an SMT renamed the topic or changed the partition, the metadata
 * columns still carry the consumed coordinates ({@code originalTopic()} etc., Kafka 3.6+). On older
 * workers (MSK Connect 2.7.1) those methods do not exist and the record's own coordinates are used.
 */
public final class KafkaCoordinates {
  private static final boolean HAS_ORIGINAL = hasOriginalCoordinates();

  private KafkaCoordinates() {}

  /**
   * True when the worker tells the sink a record's consumed coordinates (Kafka 3.6+): a record's
   * {@link #topic} and {@link #partition} then always name a partition the task was assigned.
   */
  public static boolean consumedCoordinatesKnown() {
    return HAS_ORIGINAL;
  }

  /** Transforms that change a record's topic, by the end of their class name. */
  private static final List<String> RENAMING_TRANSFORMS =
      Arrays.asList(".RegexRouter", ".TimestampRouter", ".ExtractTopic$Key", ".ExtractTopic$Value");

  /**
   * On a worker that does not know consumed coordinates, the error for a connector config whose
   * transforms rename topics, or null (also on later workers, which keep the consumed ones). A
   * rename into a topic-partition the task also holds would not be noticed record by record: the
   * renamed records would join that partition's units.
   */
  public static ConnectException renamingTransform(Map<String, String> connectorConfig) {
    if (HAS_ORIGINAL) {
      return null;
    }
    return renamingTransform(connectorConfig, "this worker, older than Kafka Connect 3.6,");
  }

  static ConnectException renamingTransform(Map<String, String> connectorConfig, String worker) {
    String aliases = connectorConfig.get("transforms");
    if (aliases == null) {
      return null;
    }
    for (String alias : aliases.split(",")) {
      String type = connectorConfig.get("transforms." + alias.trim() + ".type");
      if (type != null && RENAMING_TRANSFORMS.stream().anyMatch(type.trim()::endsWith)) {
        return new ConnectException(
            "Cannot start the connector: transform '"
                + alias.trim()
                + "' ("
                + type.trim()
                + ") changes records' topics, and "
                + worker
                + " does not give the sink the consumed ones, which commit units, markers and offsets "
                + "are keyed by. Remove the transform (map topics to tables in the loader with tables.map or "
                + "tables.regex instead), or run the connector on Kafka Connect 3.6 or later.");
      }
    }
    return null;
  }

  /**
   * The error for a record whose topic-partition the task was not assigned, on a worker that does
   * not know consumed coordinates: a transform renamed its topic or changed its partition. Units,
   * markers and the offsets the task reports would then be keyed by the new name (offsets Connect
   * ignores, so nothing is ever committed; two topics renamed into one would share units, and one's
   * offsets could hide the other's records), so the task stops instead.
   */
  public static ConnectException notAssigned(SinkRecord r, Collection<TopicPartition> assigned) {
    return new ConnectException(
        "Cannot write record "
            + describe(r)
            + ": this task was not assigned its topic-partition (it has "
            + NamesInMessages.list(assigned)
            + "). A transform (SMT) changed the record's topic or partition, and this worker, older "
            + "than Kafka Connect 3.6, does not give the sink the consumed ones, which commit units, "
            + "markers and offsets are keyed by. Remove the transform that renames topics (map topics to "
            + "tables in the loader with tables.map or tables.regex instead), or run the connector on Kafka Connect "
            + "3.6 or later.");
  }

  /**
   * The error for a record of a partition this task closed at a rebalance and was not given again,
   * on a worker that may still deliver such records. Kafka Connect before 3.0.1 closes all of a
   * task's partitions when a cooperative assignor revokes some, reopens only the ones newly
   * assigned, and its consumer goes on fetching the ones it kept (KAFKA-12487, fixed in 3.0.1). The
   * close dropped the partition's open unit, and the consumer does not seek back for it: writing on
   * could commit offsets past the dropped records, which would never reach S3. So the task stops
   * (its restart resumes from the committed offsets), and says why: the {@link #notAssigned}
   * message, which blames a transform, would send the user looking in the wrong place.
   */
  public static ConnectException closedButDelivered(SinkRecord r, String workerVersion) {
    return new ConnectException(
        "Cannot write record "
            + describe(r)
            + ": this task closed topic-partition "
            + topic(r)
            + "-"
            + partition(r)
            + " at a rebalance and was not given it again, yet the worker still delivers its records. "
            + "Kafka Connect workers before 3.0.1 (this one runs Kafka "
            + workerVersion
            + ") do this with a cooperative consumer assignor (CooperativeStickyAssignor): they close "
            + "all of a task's partitions at a rebalance but reopen only the newly assigned ones, while "
            + "the consumer keeps fetching the others (KAFKA-12487). Use the default eager assignor "
            + "(remove consumer.override.partition.assignment.strategy from the connector config and "
            + "consumer.partition.assignment.strategy from the worker config), or upgrade the worker to "
            + "Kafka Connect 3.0.1 or later.");
  }

  /** The worker's Kafka version, as its kafka-clients reports it ("2.7.1"), or "unknown". */
  public static String workerVersion() {
    return AppInfoParser.getVersion();
  }

  /**
   * False only when {@code kafkaVersion} is 3.0.1 or later, whose workers reopen every partition
   * they close (KAFKA-12487); a version that does not parse ("unknown") may be older.
   */
  public static boolean mayDeliverClosedPartitions(String kafkaVersion) {
    int[] v = parse(kafkaVersion);
    if (v == null) {
      return true;
    }
    return v[0] < 3 || (v[0] == 3 && v[1] == 0 && v[2] < 1);
  }

  /**
   * The WARN for a connector config that asks its consumers for the cooperative assignor on a
   * worker that mishandles it (see {@link #closedButDelivered}), or null. Only the connector's
   * override can be seen here: the worker's own consumer.partition.assignment.strategy cannot.
   */
  public static String cooperativeAssignorWarning(
      Map<String, String> connectorConfig, String workerVersion) {
    String strategy = connectorConfig.get("consumer.override.partition.assignment.strategy");
    if (strategy == null
        || !strategy.contains("CooperativeStickyAssignor")
        || !mayDeliverClosedPartitions(workerVersion)) {
      return null;
    }
    return "consumer.override.partition.assignment.strategy="
        + strategy
        + " on Kafka Connect "
        + workerVersion
        + ": workers before 3.0.1 close all of a task's partitions when a cooperative rebalance "
        + "revokes some, and keep delivering the ones the task kept (KAFKA-12487), which stops the "
        + "task at the next such rebalance. Remove the override (the default eager assignor), or "
        + "upgrade the worker to Kafka Connect 3.0.1 or later.";
  }

  /** Major, minor, patch of "2.7.1", "3.0.0-SNAPSHOT" or "3.1"; null when it does not parse. */
  private static int[] parse(String version) {
    if (version == null) {
      return null;
    }
    String[] parts = version.trim().split("[.-]");
    int[] v = new int[3];
    for (int i = 0; i < 3; i++) {
      if (i >= parts.length || !parts[i].matches("[0-9]{1,6}")) {
        if (i < 2) {
          return null;
        }
        break; // "3.1" or "3.1-SNAPSHOT": patch 0
      }
      v[i] = Integer.parseInt(parts[i]);
    }
    return v;
  }

  public static String topic(SinkRecord r) {
    return HAS_ORIGINAL ? r.originalTopic() : r.topic();
  }

  public static int partition(SinkRecord r) {
    Integer p = HAS_ORIGINAL ? r.originalKafkaPartition() : r.kafkaPartition();
    return p == null ? -1 : p;
  }

  public static long offset(SinkRecord r) {
    return HAS_ORIGINAL ? r.originalKafkaOffset() : r.kafkaOffset();
  }

  /** "topic/partition/offset", the way records are named in error messages. */
  public static String describe(SinkRecord r) {
    return topic(r) + "/" + partition(r) + "/" + offset(r);
  }

  private static boolean hasOriginalCoordinates() {
    try {
      SinkRecord.class.getMethod("originalTopic");
      SinkRecord.class.getMethod("originalKafkaPartition");
      SinkRecord.class.getMethod("originalKafkaOffset");
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
