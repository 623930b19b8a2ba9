package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.redstage.connector.config.SinkConfig;
import io.redstage.connector.testing.S3Objects;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import io.redstage.sandbox.s3.LocalS3;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against S3Proxy: while S3 is slower than the records arrive, put() waits for commits no longer
 * than a third of the consumer's max.poll.interval.ms, then pauses the partitions, and resumes them
 * once the commits fit the memory budget; every record still commits once.
 */
class BackPressureTest {
  static final String BUCKET = "back-pressure";
  static final TopicPartition P0 = new TopicPartition("events", 0);
  static final TopicPartition P1 = new TopicPartition("events", 1);
  static LocalS3 s3;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @Test
  void slowCommitsPauseThePartitionsInsteadOfHoldingPutPastThePollInterval() throws Exception {
    String prefix = "slow-s3";
    Map<String, String> props = slowMarkers(prefix);
    PauseRecordingContext context = new PauseRecordingContext(Set.of(P0, P1));
    StagingCommitter committer = StagingCommitter.create(new SinkConfig(props), context);
    try {
      committer.open(Set.of(P0, P1));
      long started = System.nanoTime();
      committer.put(records(100, 60_000));
      long putMillis = (System.nanoTime() - started) / 1_000_000;

      assertThat(putMillis)
          .as("put() returned before the slow markers, instead of waiting for them")
          .isLessThan(10_000);
      assertThat(context.paused).containsExactlyInAnyOrder(P0, P1);
      assertThat(context.resumed).isEmpty();
      assertThat(pausedPartitionsAttribute()).isEqualTo(2);

      // Connect calls put() without records while the partitions are paused
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                committer.put(List.of());
                return !context.resumed.isEmpty();
              });
      assertThat(context.resumed).containsExactlyInAnyOrder(P0, P1);
      assertThat(pausedPartitionsAttribute()).isZero();
      Map<TopicPartition, OffsetAndMetadata> committed = SettledCommits.offsets(committer);
      assertThat(committed)
          .containsEntry(P0, new OffsetAndMetadata(100))
          .containsEntry(P1, new OffsetAndMetadata(100));
      assertThat(S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/")).hasSize(20);
    } finally {
      committer.stop();
      s3.faults().clear();
    }
  }

  /**
   * While paused, Connect's puts carry no records although a backlog waits: they must not count as
   * a consumer that found nothing, or the task-idle rule closes every open unit (small files, and
   * more commits for the S3 that is already too slow).
   */
  @Test
  void emptyPutsWhilePausedDoNotCloseOpenUnitsAsIdle() throws Exception {
    String prefix = "paused-idle";
    Map<String, String> props = slowMarkers(prefix);
    props.put("rotate.task.idle.ms", "200");
    // a partition-idle rule on (its 10 minutes never pass here): the task-idle rule looks at open
    // units only when some time rule could fire
    props.put("rotate.idle.ms", "600000");
    PauseRecordingContext context = new PauseRecordingContext(Set.of(P0, P1));
    StagingCommitter committer = StagingCommitter.create(new SinkConfig(props), context);
    try {
      committer.open(Set.of(P0, P1));
      // ten full units per partition, and one open unit of offsets 100..104
      committer.put(records(105, 60_000));
      assertThat(context.paused).containsExactlyInAnyOrder(P0, P1);
      double pending = attribute("pending-units");

      // each empty put waits up to 500 ms for commits: well past the 200 ms task-idle time
      for (int i = 0; i < 3; i++) {
        committer.put(List.of());
      }
      assertThat(context.resumed).as("the slow markers still hold the budget").isEmpty();
      assertThat(attribute("pending-units"))
          .as("the open units stayed open while paused")
          .isEqualTo(pending);

      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                committer.put(List.of());
                return !context.resumed.isEmpty();
              });
      // resumed, an empty put is an idle one again: the open units close and commit
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                committer.put(List.of());
                Map<TopicPartition, OffsetAndMetadata> o = committer.committedOffsets();
                return new OffsetAndMetadata(105).equals(o.get(P0))
                    && new OffsetAndMetadata(105).equals(o.get(P1));
              });
    } finally {
      committer.stop();
      s3.faults().clear();
    }
  }

  /**
   * A file larger than a part streams its full parts to S3 while it is written: when S3 is slow to
   * take them, put() neither waits for a part without a limit (it could pass the poll interval with
   * every part S3 holds back) nor makes any S3 call itself; the parts count in the memory budget,
   * the partitions pause, and every record lands once when S3 catches up.
   */
  @Test
  void slowPartsOfStreamedFilesPauseThePartitionsInsteadOfHoldingPut() throws Exception {
    String prefix = "slow-parts";
    Map<String, String> props = streamedFiles(prefix, 200);
    props.put("memory.buffer.max.bytes", Integer.toString(8 * 1024 * 1024));
    props.put("consumer.override.max.poll.interval.ms", "1500");
    // the first part of each partition's file: a second part fills behind it in the same put()
    s3.faults()
        .delayNext(
            2,
            Duration.ofSeconds(15),
            RequestMatcher.operations(ObjectOperation.UPLOAD_PART).bucket(BUCKET));
    PauseRecordingContext context = new PauseRecordingContext(Set.of(P0, P1));
    StagingCommitter committer = StagingCommitter.create(new SinkConfig(props), context);
    try {
      committer.open(Set.of(P0, P1));
      long started = System.nanoTime();
      // 200 records of 60 KB per partition: one file of about 12 MB each, three parts
      committer.put(records(200, 60_000));
      long putMillis = (System.nanoTime() - started) / 1_000_000;

      assertThat(putMillis)
          .as("put() returned before the slow parts, instead of waiting for them")
          .isLessThan(10_000);
      assertThat(context.paused).containsExactlyInAnyOrder(P0, P1);

      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                committer.put(List.of());
                Map<TopicPartition, OffsetAndMetadata> o = committer.committedOffsets();
                return new OffsetAndMetadata(200).equals(o.get(P0))
                    && new OffsetAndMetadata(200).equals(o.get(P1));
              });
      assertThat(context.resumed).containsExactlyInAnyOrder(P0, P1);
      List<String> files =
          S3Objects.keys(s3.client(), BUCKET, prefix + "/topics/").stream()
              .filter(k -> k.endsWith(".jsonl"))
              .toList();
      assertThat(files).hasSize(2);
      for (String file : files) {
        String text = new String(S3Objects.get(s3.client(), BUCKET, file), StandardCharsets.UTF_8);
        assertThat(text.lines()).as(file).hasSize(200);
      }
      assertThat(S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/")).hasSize(2);
      assertThat(openUploads(prefix)).isZero();
    } finally {
      committer.stop();
      s3.faults().clear();
    }
  }

  /**
   * A rebalance drops the open streamed files of the partitions it takes away: their multipart
   * uploads are aborted on the part pool, not on the task thread, which a slow S3 would hold in
   * close() for every such file in turn.
   */
  @Test
  void closingPartitionsAbortsTheirStreamedFilesWithoutWaitingForS3() throws Exception {
    String prefix = "slow-aborts";
    StagingCommitter committer = withOpenStreamedFiles(prefix, Duration.ofSeconds(15));
    try {
      long started = System.nanoTime();
      committer.close(Set.of(P0, P1));
      long closeMillis = (System.nanoTime() - started) / 1_000_000;

      assertThat(closeMillis)
          .as("close() returned without waiting for the slow aborts")
          .isLessThan(10_000);
      await().atMost(Duration.ofSeconds(60)).until(() -> openUploads(prefix) == 0);
      assertThat(S3Objects.keys(s3.client(), BUCKET, prefix + "/")).isEmpty();
    } finally {
      committer.stop();
      s3.faults().clear();
    }
  }

  /**
   * A task that stops drops its open streamed files: their aborts run to their end, even when S3 is
   * slow to answer, rather than being interrupted with the part uploads (S3 would keep billing for
   * the parts).
   */
  @Test
  void stopFinishesTheAbortsOfOpenStreamedFilesWhenS3IsSlow() throws Exception {
    String prefix = "stop-aborts";
    StagingCommitter committer = withOpenStreamedFiles(prefix, Duration.ofSeconds(3));
    try {
      committer.stop();
    } finally {
      s3.faults().clear();
    }
    assertThat(openUploads(prefix)).as("aborted before stop() returned").isZero();
  }

  /**
   * A committer of partitions 0 and 1 whose open files have each sent their first part (100 records
   * of 60 KB, 5 MiB parts), and S3 taking {@code abortDelay} to answer the next two aborts.
   */
  private static StagingCommitter withOpenStreamedFiles(String prefix, Duration abortDelay) {
    StagingCommitter committer =
        StagingCommitter.create(
            new SinkConfig(streamedFiles(prefix, 1000)), new PauseRecordingContext(Set.of(P0, P1)));
    try {
      committer.open(Set.of(P0, P1));
      committer.put(records(100, 60_000));
      await().atMost(Duration.ofSeconds(60)).until(() -> sentParts(prefix) == 2);
      s3.faults()
          .delayNext(
              2,
              abortDelay,
              RequestMatcher.operations(ObjectOperation.ABORT_MULTIPART_UPLOAD).bucket(BUCKET));
      return committer;
    } catch (RuntimeException | Error e) {
      committer.stop();
      throw e;
    }
  }

  /** Parts S3 holds for the open uploads under {@code prefix}. */
  private static int sentParts(String prefix) {
    return s3.client().listMultipartUploads(r -> r.bucket(BUCKET).prefix(prefix)).uploads().stream()
        .mapToInt(
            u ->
                s3.client()
                    .listParts(r -> r.bucket(BUCKET).key(u.key()).uploadId(u.uploadId()))
                    .parts()
                    .size())
        .sum();
  }

  private static int openUploads(String prefix) {
    return s3.client().listMultipartUploads(r -> r.bucket(BUCKET).prefix(prefix)).uploads().size();
  }

  /** The task's paused-partitions attribute (a task outside a worker reports as unnamed, 0). */
  private static double pausedPartitionsAttribute() throws Exception {
    return attribute("paused-partitions");
  }

  /**
   * JSON Lines files that stream as multipart uploads of 5 MiB parts, {@code flushSize} records.
   */
  private static Map<String, String> streamedFiles(String prefix, int flushSize) {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("format.class", "jsonl");
    props.put("topics.dir", prefix + "/topics");
    props.put("markers.dir", prefix + "/markers");
    props.put("tmp.dir", prefix + "/tmp");
    props.put("flush.size", Integer.toString(flushSize));
    props.put("s3.part.size", Integer.toString(5 * 1024 * 1024));
    return props;
  }

  /**
   * JSON Lines units of 10 records, an 8 MiB budget, put() waiting at most 500 ms (a third of the
   * poll interval), and the first marker of each partition taking 15 s: the units behind it, over
   * the budget, wait that long.
   */
  private static Map<String, String> slowMarkers(String prefix) {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("format.class", "jsonl");
    props.put("topics.dir", prefix + "/topics");
    props.put("markers.dir", prefix + "/markers");
    props.put("flush.size", "10");
    props.put("memory.buffer.max.bytes", Integer.toString(8 * 1024 * 1024));
    props.put("consumer.override.max.poll.interval.ms", "1500");
    s3.faults()
        .delayNext(
            2,
            Duration.ofSeconds(15),
            RequestMatcher.operations(ObjectOperation.PUT_OBJECT)
                .bucket(BUCKET)
                .keyMatching(Pattern.compile(Pattern.quote(prefix + "/markers/") + ".*")));
    return props;
  }

  /** An attribute of the task's MBean (a task outside a worker reports as unnamed, 0). */
  private static double attribute(String name) throws Exception {
    return ((Number)
            ManagementFactory.getPlatformMBeanServer()
                .getAttribute(
                    new ObjectName(
                        "io.redstage.connector:type=sink-task-metrics,connector=unnamed,task=0"),
                    name))
        .doubleValue();
  }

  /** {@code perPartition} records of partitions 0 and 1, interleaved, each with a large field. */
  private static List<SinkRecord> records(int perPartition, int padBytes) {
    String pad = "x".repeat(padBytes);
    List<SinkRecord> out = new ArrayList<>();
    for (long offset = 0; offset < perPartition; offset++) {
      for (TopicPartition tp : List.of(P0, P1)) {
        out.add(
            new SinkRecord(
                tp.topic(),
                tp.partition(),
                null,
                null,
                null,
                Map.of("n", offset, "pad", pad),
                offset));
      }
    }
    return out;
  }

  /** A worker context that holds an assignment and records what the task pauses and resumes. */
  static final class PauseRecordingContext extends NoRewindSinkTaskContext {
    private final Set<TopicPartition> assignment;
    final List<TopicPartition> paused = new ArrayList<>();
    final List<TopicPartition> resumed = new ArrayList<>();

    PauseRecordingContext(Set<TopicPartition> assignment) {
      this.assignment = assignment;
    }

    @Override
    public Set<TopicPartition> assignment() {
      return assignment;
    }

    @Override
    public void pause(TopicPartition... partitions) {
      paused.addAll(Arrays.asList(partitions));
    }

    @Override
    public void resume(TopicPartition... partitions) {
      resumed.addAll(Arrays.asList(partitions));
    }
  }
}
