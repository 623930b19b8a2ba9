package io.redstage.connector.commit;

import io.redstage.connector.format.RecordFormat;
import io.redstage.connector.metrics.TaskMetrics;
import io.redstage.connector.partition.Partitioner;
import io.redstage.connector.partition.TimestampExtractor;
import io.redstage.connector.rotate.RotationPolicy;
import io.redstage.connector.storage.S3Storage;

/** The collaborators every partition writer of a task shares. */
final class Components {
  final S3Storage storage;
  final RecordFormat format;
  final Partitioner partitioner;

  /** Record time for rotate.interval.ms; null when no rotation rule uses record time. */
  final TimestampExtractor timestamps;

  final RotationPolicy rotation;
  final FileNaming naming;
  final BackgroundCommits commits;
  final BadRecordHandler badRecords;
  final PartitionWriter.NullValues nullValues;

  /** store.kafka.keys: the files have a key column, which a delete row may name its row by. */
  final boolean keyColumn;

  final OpenFileHeap heap;
  final TaskMetrics metrics;

  Components(
      S3Storage storage,
      RecordFormat format,
      Partitioner partitioner,
      TimestampExtractor timestamps,
      RotationPolicy rotation,
      FileNaming naming,
      BackgroundCommits commits,
      BadRecordHandler badRecords,
      PartitionWriter.NullValues nullValues,
      boolean keyColumn,
      OpenFileHeap heap,
      TaskMetrics metrics) {
    this.storage = storage;
    this.format = format;
    this.partitioner = partitioner;
    this.timestamps = timestamps;
    this.rotation = rotation;
    this.naming = naming;
    this.commits = commits;
    this.badRecords = badRecords;
    this.nullValues = nullValues;
    this.keyColumn = keyColumn;
    this.heap = heap;
    this.metrics = metrics;
  }
}
