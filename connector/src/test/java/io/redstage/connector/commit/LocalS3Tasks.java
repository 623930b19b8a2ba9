package io.redstage.connector.commit;

import io.redstage.connector.config.SinkConfig;
import io.redstage.sandbox.s3.LocalS3;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * Task config pointing at S3Proxy, and one committer's whole life for tests that only look at its
 * output.
 */
final class LocalS3Tasks {
  private LocalS3Tasks() {}

  /**
   * The S3 keys of a task config for {@code bucket} on the stand-in; wall-clock and idle rotation
   * off.
   */
  static Map<String, String> props(LocalS3 s3, String bucket) {
    Map<String, String> props = new HashMap<>();
    props.put("s3.bucket.name", bucket);
    props.put("s3.region", s3.region());
    props.put("store.url", s3.endpoint().toString());
    props.put("aws.access.key.id", s3.accessKey());
    props.put("aws.secret.access.key", s3.secretKey());
    props.put("rotate.schedule.interval.ms", "-1");
    props.put("rotate.idle.ms", "-1");
    return props;
  }

  /**
   * Opens a committer on {@code partitions}, puts the records, waits for the closed units' commits
   * and stops it; returns the offsets it committed.
   */
  static Map<TopicPartition, OffsetAndMetadata> putAndCommit(
      Map<String, String> props,
      SinkTaskContext context,
      Collection<TopicPartition> partitions,
      List<SinkRecord> records) {
    return putAndCommitBatches(props, context, partitions, List.of(records));
  }

  /** As {@link #putAndCommit}, with one put per batch. */
  static Map<TopicPartition, OffsetAndMetadata> putAndCommitBatches(
      Map<String, String> props,
      SinkTaskContext context,
      Collection<TopicPartition> partitions,
      List<List<SinkRecord>> batches) {
    StagingCommitter committer = StagingCommitter.create(new SinkConfig(props), context);
    try {
      committer.open(partitions);
      for (List<SinkRecord> batch : batches) {
        committer.put(batch);
      }
      return SettledCommits.offsets(committer);
    } finally {
      committer.stop();
    }
  }

  /**
   * A record of {@link OpenFileHeapTest#record}'s schema at {@code offset} of events-{@code
   * partition}.
   */
  static SinkRecord record(int partition, long offset) {
    SinkRecord r = OpenFileHeapTest.record(offset);
    // a new record, not newRecord(): that keeps the original topic-partition, which the task
    // commits under
    return new SinkRecord(
        "events",
        partition,
        null,
        null,
        r.valueSchema(),
        r.value(),
        offset,
        r.timestamp(),
        r.timestampType());
  }
}
