package io.redstage.connector;

import io.redstage.connector.commit.StagingCommitter;
import io.redstage.connector.config.SinkConfig;
import io.redstage.connector.storage.S3ClientFactory;
import io.redstage.connector.storage.S3Settings;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import software.amazon.awssdk.services.s3.S3Client;

/** A thin task: everything happens in the {@link StagingCommitter}. */
public final class RedstageS3SinkTask extends SinkTask {
  private final Function<S3Settings, S3Client> clients;
  private StagingCommitter committer;

  /** The task Kafka Connect creates: its S3 client is built from the connector config. */
  public RedstageS3SinkTask() {
    this(S3ClientFactory::create);
  }

  /**
   * A task whose S3 client comes from {@code clients} (given the settings parsed from the config),
   * for embedding the task in another program or benchmarking it without a network. The task closes
   * the client on stop.
   */
  public RedstageS3SinkTask(Function<S3Settings, S3Client> clients) {
    this.clients = Objects.requireNonNull(clients, "clients");
  }

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    committer = StagingCommitter.create(new SinkConfig(props), context, clients);
  }

  @Override
  public void open(Collection<TopicPartition> partitions) {
    committer.open(partitions);
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    committer.put(records);
  }

  /**
   * Files are committed by rotation, not by the worker's flush; offsets come only from committed
   * units.
   */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(
      Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
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
