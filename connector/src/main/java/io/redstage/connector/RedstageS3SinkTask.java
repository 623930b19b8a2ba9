package io.redstage.connector;

import io.redstage.connector.commit.StagingCommitter;
import io.redstage.connector.config.SinkConfig;
import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/** A thin task: everything happens in the {@link StagingCommitter}. */
public final class RedstageS3SinkTask extends SinkTask {
  private StagingCommitter committer;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    committer = StagingCommitter.create(new SinkConfig(props), context);
  }

  @Override
  public void open(Collection<TopicPartition> partitions) {
    committer.open(partitions);
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    committer.put(records);
  }

  /** Files are committed by rotation, not by the worker's flush; offsets come only from committed units. */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    return committer.committedOffsets();
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
    committer.close(partitions);
  }

  @Override
  public void stop() {
    if (committer != null) {
      committer.stop();
    }
  }
}
