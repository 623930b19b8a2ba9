package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.redstage.connector.config.SinkConfig;
import io.redstage.connector.storage.InterceptedS3Client;
import io.redstage.connector.storage.S3ClientFactory;
import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerColumn;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import io.redstage.sandbox.s3.FaultRule;
import io.redstage.sandbox.s3.LocalS3;
import io.redstage.sandbox.s3.ObjectOperation;
import io.redstage.sandbox.s3.RequestMatcher;
import io.redstage.sandbox.s3.S3Fault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Units commit on a background thread: neither put() nor preCommit waits for S3, preCommit reports
 * only units whose marker is written, markers of a partition appear in offset order, and a failed
 * commit lets no later unit commit before the task rewinds to the committed offsets. Against
 * S3Proxy with injected faults.
 */
class BackgroundCommitsTest {
  static final String BUCKET = "background-commits";
  static final TopicPartition P0 = new TopicPartition("events", 0);
  static final TopicPartition P1 = new TopicPartition("events", 1);
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

  @AfterEach
  void clearFaults() {
    s3.faults().clear();
  }

  @Test
  void putReturnsBeforeSlowCommitsWhoseOffsetsFollowOnceCommitted() {
    String prefix = "slow-" + (++run);
    // Every marker PUT takes 1 s: 6 units would hold put() for 6 s if it committed them itself; in
    // the background
    // each partition's 3 units commit one after the other, so the first markers appear after about
    // 1 s.
    s3.faults().delayAlways(Duration.ofSeconds(1), markerPuts(prefix));
    RecordingContext context = new RecordingContext();
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props(prefix, 10)), context);
    try {
      committer.open(Set.of(P0, P1));
      long started = System.nanoTime();
      committer.put(records(0, 30));
      long putMillis = (System.nanoTime() - started) / 1_000_000;
      assertThat(markers(prefix))
          .as("markers right after put (it returned after %d ms)", putMillis)
          .hasSizeLessThan(6);

      Map<TopicPartition, OffsetAndMetadata> committed = SettledCommits.offsets(committer);

      assertThat(committed)
          .containsEntry(P0, new OffsetAndMetadata(30))
          .containsEntry(P1, new OffsetAndMetadata(30));
      assertThat(markers(prefix)).hasSize(6);
      assertThat(context.rewinds).isEmpty();
    } finally {
      committer.stop();
    }
  }

  @Test
  void aFailedCommitLetsNoLaterUnitOfThePartitionCommitAndRewinds() {
    String prefix = "fail-" + (++run);
    // The marker of partition 0's second unit (offsets 10-19) fails, retries included.
    FaultRule rule = failMarker(prefix, 10, 19);
    RecordingContext context = new RecordingContext();
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props(prefix, 10)), context);
    try {
      committer.open(Set.of(P0, P1));
      committer.put(records(0, 40));
      SettledCommits.offsets(committer);
      assertThat(context.rewinds)
          .as("found in preCommit: asked for at the next put, not inside a rebalance callback")
          .isEmpty();
      committer.put(List.of());

      // partition 1, if its commit still ran when the failure was found, in a rewind of its own
      Map<TopicPartition, Long> from = context.rewound();
      assertThat(from).containsEntry(P0, 10L).containsKey(P1);
      List<long[]> p0 = unitRanges(prefix, 0);
      assertThat(p0)
          .as("partition 0 units committed before the rewind")
          .containsExactly(new long[] {0, 9});

      // The worker redelivers from the rewind offsets; S3 works again.
      s3.faults().remove(rule);
      committer.put(records(from, 40));
      Map<TopicPartition, OffsetAndMetadata> committed = SettledCommits.offsets(committer);

      assertThat(committed)
          .containsEntry(P0, new OffsetAndMetadata(40))
          .containsEntry(P1, new OffsetAndMetadata(40));
      for (int p = 0; p < 2; p++) {
        long next = 0;
        for (long[] unit : unitRanges(prefix, p)) {
          assertThat(unit[0]).as("partition %d: units contiguous, no gap", p).isEqualTo(next);
          next = unit[1] + 1;
        }
        assertThat(next).isEqualTo(40);
      }
    } finally {
      committer.stop();
    }
  }

  /**
   * A unit that opens with tombstones whose keys are not Structs is written from its own records
   * only (a file of metadata columns): a rewind and a new task that starts at the tombstones write
   * the same bytes. Before, it borrowed the partition's last value schema, so a task that started
   * there had none and failed at the same tombstone on every restart.
   */
  @Test
  void aUnitOpeningWithStringKeyedTombstonesIsWrittenTheSameByARewindAndByANewTask() {
    String prefix = "replay-schema-" + (++run);
    Schema key = Schema.STRING_SCHEMA;
    Schema v1 =
        SchemaBuilder.struct()
            .name("Order")
            .field("id", Schema.OPTIONAL_INT64_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    List<SinkRecord> records = new ArrayList<>();
    for (long o = 0; o <= 6; o++) {
      String k = Long.toString(o);
      if (o >= 3 && o <= 5) {
        records.add(new SinkRecord("events", 0, key, k, null, null, o)); // tombstones: unit 3-5
      } else {
        records.add(
            new SinkRecord(
                "events", 0, key, k, v1, new Struct(v1).put("id", o).put("note", "n"), o));
      }
    }
    FaultRule rule = failMarker(prefix, 3, 5);
    Map<String, String> props = props(prefix, 3);
    props.put("format.class", "avro");
    props.put("behavior.on.null.values", "write");
    props.put("store.kafka.keys", "true");
    RecordingContext context = new RecordingContext();
    StagingCommitter committer = StagingCommitter.create(new SinkConfig(props), context);
    byte[] firstAttempt;
    String unitFile;
    try {
      committer.open(Set.of(P0));
      committer.put(records);
      SettledCommits.offsets(committer);
      committer.put(List.of()); // asks for the rewind preCommit found
      assertThat(context.rewinds).hasSize(1);
      assertThat(context.rewinds.get(0)).containsEntry(P0, 3L);
      unitFile =
          S3Objects.keys(s3.client(), BUCKET, prefix + "/topics/").stream()
              .filter(k -> k.contains("+0000000003+0000000005"))
              .findFirst()
              .orElseThrow();
      firstAttempt = S3Objects.get(s3.client(), BUCKET, unitFile);
      committer.put(records.subList(3, records.size())); // the rewind's replay
      SettledCommits.offsets(committer);
      assertThat(S3Objects.get(s3.client(), BUCKET, unitFile)).isEqualTo(firstAttempt);
    } finally {
      committer.stop();
    }

    s3.faults().remove(rule);
    StagingCommitter restarted =
        StagingCommitter.create(new SinkConfig(props), new RecordingContext());
    try {
      restarted.open(Set.of(P0));
      restarted.put(records.subList(3, records.size()));
      assertThat(SettledCommits.offsets(restarted))
          .containsEntry(P0, new OffsetAndMetadata(6)); // 6 opens the next unit
    } finally {
      restarted.stop();
    }
    // the same boundaries give the same key, and a key never receives other bytes
    assertThat(S3Objects.get(s3.client(), BUCKET, unitFile)).isEqualTo(firstAttempt);
    CommitMarker deletes =
        markers(prefix).stream().filter(m -> m.startOffset() == 3).findFirst().orElseThrow();
    assertThat(deletes.endOffset()).isEqualTo(5);
    assertThat(deletes.files().get(0).columns())
        .extracting(MarkerColumn::name)
        .contains("kafka_key", "kafka_deleted")
        .doesNotContain("id", "note");
    assertThat(deletes.files().get(0).records()).isEqualTo(3);
  }

  /**
   * A stop while an open file's part is still being sent: the part is interrupted, and its upload
   * is aborted all the same. The abort ran on the interrupted thread, where the SDK refused it at
   * once, and the upload was left for the stale-upload cleanup of a task started a day later.
   */
  @Test
  void aStopWhileAPartIsInFlightLeavesNoOpenUpload() {
    stopWithPartsUnderWay("stop-part-" + (++run), 1, Map.of());
  }

  /**
   * A stop while one partition's part is being sent and another's waits behind it for the only
   * upload thread: the waiting part never runs, and its upload was left open for the stale-upload
   * cleanup, because an abort waits for the stream's part to end.
   */
  @Test
  void aStopWhileAPartWaitsForTheUploadThreadLeavesNoOpenUpload() {
    stopWithPartsUnderWay("stop-queued-" + (++run), 2, Map.of("s3.upload.threads", "1"));
  }

  /**
   * Opens a 6 MB file on each of {@code partitions} partitions (one 5 MiB part each, sent slowly;
   * the units stay open), stops the task once every multipart upload has started, and expects none
   * left open.
   */
  private void stopWithPartsUnderWay(String prefix, int partitions, Map<String, String> extra) {
    s3.faults()
        .delayAlways(
            Duration.ofSeconds(3),
            RequestMatcher.operations(ObjectOperation.UPLOAD_PART).keyPrefix(prefix + "/tmp/"));
    Map<String, String> props = props(prefix, 100_000);
    props.put("s3.part.size", Integer.toString(5 * 1024 * 1024));
    props.putAll(extra);
    Schema blob = SchemaBuilder.struct().name("Blob").field("data", Schema.STRING_SCHEMA).build();
    String big = "z".repeat(60_000);
    List<SinkRecord> records = new ArrayList<>();
    for (int partition = 0; partition < partitions; partition++) {
      for (long o = 0; o < 100; o++) {
        records.add(
            new SinkRecord(
                "events", partition, null, null, blob, new Struct(blob).put("data", big), o));
      }
    }
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props), new RecordingContext());
    committer.open(partitions == 1 ? Set.of(P0) : Set.of(P0, P1));
    committer.put(records);
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> openUploads(prefix + "/tmp/") == partitions); // parts sent or queued
    committer.stop();

    await()
        .atMost(15, TimeUnit.SECONDS)
        .untilAsserted(() -> assertThat(openUploads(prefix + "/tmp/")).isZero());
  }

  private static int openUploads(String keyPrefix) {
    return s3.client()
        .listMultipartUploads(b -> b.bucket(BUCKET).prefix(keyPrefix))
        .uploads()
        .size();
  }

  @Test
  void commitsThatKeepFailingFailTheTaskAfterFiveAttempts() {
    String prefix = "down-" + (++run);
    s3.faults().failAlways(S3Fault.SERVICE_UNAVAILABLE, markerPuts(prefix));
    RecordingContext context = new RecordingContext();
    Map<String, String> props = props(prefix, 5);
    props.put("s3.part.retries", "0");
    StagingCommitter committer = StagingCommitter.create(new SinkConfig(props), context);
    try {
      committer.open(Set.of(P0));
      assertThatThrownBy(
              () -> {
                // each failure is found by preCommit, and the put after it only asks for the
                // rewind (its records are skipped): two puts per attempt
                for (int attempt = 0;
                    attempt < 2 * (TaskRewinds.MAX_CONSECUTIVE_FAILURES + 1);
                    attempt++) {
                  committer.put(records(Map.of(P0, 0L), 10));
                  SettledCommits.offsets(committer);
                }
              })
          .isInstanceOf(ConnectException.class)
          .hasMessageContaining("Cannot write to S3 after 5 attempts");
      assertThat(context.rewinds)
          .hasSize(TaskRewinds.MAX_CONSECUTIVE_FAILURES - 1)
          .allSatisfy(r -> assertThat(r).containsEntry(P0, 0L));
      assertThat(markers(prefix)).isEmpty();
    } finally {
      committer.stop();
    }
  }

  /**
   * One partition whose every commit fails stops the task, even while another partition's commits
   * succeed in between (which end the task's run of failures).
   */
  @Test
  void aPartitionThatNeverCommitsFailsTheTaskWhileOthersCommit() {
    String prefix = "stuck-" + (++run);
    failAlways(ObjectOperation.PUT_OBJECT, prefix + "/markers/events/0000000000/");
    Map<String, String> props = props(prefix, 5);
    props.put("s3.part.retries", "0");
    assertPartition0StopsTheTaskWhilePartition1Commits(
        prefix, props, i -> records(Map.of(P0, 0L, P1, 10 * i), 10 * i + 10));
  }

  /**
   * One partition whose open file's parts always fail (a policy denying its temporary prefix) stops
   * the task naming it, while another partition commits in between: the failure, seen by a later
   * put on the part pool's record, counts against the partition the file belongs to.
   */
  @Test
  void aPartitionWhosePartsAlwaysFailFailsTheTaskWhileOthersCommit() {
    String prefix = "parts-stuck-" + (++run);
    s3.faults().failAlways(S3Fault.INTERNAL_ERROR, partition0Parts(prefix));
    Map<String, String> props = partsFailingProps(prefix);
    props.put("flush.size", "10");
    assertPartition0StopsTheTaskWhilePartition1Commits(
        prefix,
        props,
        i -> {
          // partition 0: 6 MiB, a part handed over; partition 1: one unit of 10 records
          List<SinkRecord> batch = new ArrayList<>(partsOfPartition0().subList(0, 6));
          batch.addAll(records(Map.of(P1, 10 * i), 10 * i + 10));
          return batch;
        });
  }

  /**
   * Puts round after round ({@code round} gives round i's records) until the task stops naming
   * partition 0, and checks that partition 1 committed meanwhile and partition 0 never did.
   */
  private static void assertPartition0StopsTheTaskWhilePartition1Commits(
      String prefix, Map<String, String> props, LongFunction<List<SinkRecord>> round) {
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props), new RecordingContext());
    try {
      committer.open(Set.of(P0, P1));
      assertThatThrownBy(
              () -> {
                for (long i = 0; i < 4 * (TaskRewinds.MAX_CONSECUTIVE_FAILURES + 1); i++) {
                  committer.put(round.apply(i));
                  SettledCommits.offsets(committer);
                }
              })
          .isInstanceOf(ConnectException.class)
          .hasMessageContaining("Cannot write to S3 after 5 attempts for partition events-0");
      assertThat(unitRanges(prefix, 1)).as("partition 1 went on committing").isNotEmpty();
      assertThat(unitRanges(prefix, 0)).isEmpty();
    } finally {
      committer.stop();
    }
  }

  /**
   * A part still being sent when its file is dropped (its partition revoked) and failing afterwards
   * concerns no file the task holds: it must not rewind the partitions the task kept.
   */
  @Test
  void aPartOfAFileDroppedAtARebalanceThatFailsAfterwardsRewindsNothing() {
    String prefix = "revoked-part-" + (++run);
    // the part fails 2 s after it is sent: after the rebalance below
    s3.faults().delayAlways(Duration.ofSeconds(2), partition0Parts(prefix));
    s3.faults().failAlways(S3Fault.INTERNAL_ERROR, partition0Parts(prefix));
    RecordingContext context = new RecordingContext();
    Map<String, String> props = partsFailingProps(prefix);
    props.put("flush.size", "10");
    StagingCommitter committer = StagingCommitter.create(new SinkConfig(props), context);
    try {
      committer.open(Set.of(P0, P1));
      List<SinkRecord> batch = new ArrayList<>(partsOfPartition0().subList(0, 6));
      batch.addAll(records(Map.of(P1, 0L), 10));
      committer.put(batch);
      committer.close(Set.of(P0));
      await().atMost(SettledCommits.TIMEOUT).until(() -> committer.partUploads().bytes() == 0);

      committer.put(records(Map.of(P1, 10L), 20));
      SettledCommits.offsets(committer);

      assertThat(context.rewinds).isEmpty();
      assertThat(unitRanges(prefix, 1)).hasSize(2);
    } finally {
      committer.stop();
    }
  }

  /**
   * A part of a closed unit's file fails while the unit's commit waits for a build slot: the task
   * finds the failure first and rewinds, but cannot take the file from the running commit, which
   * then meets the same part and fails. One failure, counted once against its partition: counted
   * twice, a partition stopped the task after three failures instead of five.
   */
  @Test
  void aPartFailureFoundByTheTaskAndThenByItsRunningCommitCountsOnce() throws Exception {
    String prefix = "part-seen-twice-" + (++run);
    AssignedContext context = new AssignedContext(Set.of(P0));
    try (CommitWaitingForSlot waiting = new CommitWaitingForSlot(prefix, context)) {
      StagingCommitter committer = waiting.committer;
      waiting.sendParts.countDown(); // part 1 fails while its unit's commit waits for the slot
      awaitRewinds(committer, context, 1);
      assertThat(context.paused).as("waits for its running commit").containsExactly(P0);
      assertThat(committer.failuresSinceCommit(P0)).isEqualTo(1);

      waiting.releaseSlot.countDown(); // the commit goes on and meets the failed part
      awaitRewinds(committer, context, 2);
      assertThat(context.rewinds.get(1)).isEqualTo(Map.of(P0, 0L));
      assertThat(committer.failuresSinceCommit(P0)).as("one failure, one attempt").isEqualTo(1);
      assertThat(markers(prefix)).isEmpty();
    }
  }

  /**
   * A part of a revoked partition's unit fails while that unit's commit, already running, waits for
   * a build slot: the failure is the dropped commit's, and must not rewind the partition the task
   * kept (before, the task found it first and rewound every partition it held).
   */
  @Test
  void aPartOfARevokedPartitionsRunningCommitThatFailsRewindsNothing() throws Exception {
    String prefix = "revoked-running-part-" + (++run);
    AssignedContext context = new AssignedContext(Set.of(P0, P1));
    try (CommitWaitingForSlot waiting = new CommitWaitingForSlot(prefix, context)) {
      StagingCommitter committer = waiting.committer;
      committer.close(Set.of(P0)); // revoked while its commit runs (it waits for the slot)

      waiting.sendParts.countDown(); // part 1 fails while the dropped commit waits
      await().atMost(SettledCommits.TIMEOUT).until(() -> committer.partUploads().bytes() == 0);
      committer.put(records(Map.of(P1, 0L), 3));
      waiting.releaseSlot.countDown(); // the dropped commit goes on, meets the failed part, settles
      committer.put(records(Map.of(P1, 3L), 7)); // offsets 3 to 6: the unit 0-5 closes
      SettledCommits.offsets(committer);

      assertThat(context.rewinds).as("partition 1 was kept: nothing to rewind").isEmpty();
      assertThat(unitRanges(prefix, 0)).isEmpty();
      assertThat(unitRanges(prefix, 1)).containsExactly(new long[] {0, 5});
    }
  }

  /**
   * A committer (the context's partitions open, flush.size 6) whose unit of partition 0's first six
   * records has closed and whose commit waits for the one build slot, which another build holds
   * until {@link #releaseSlot} opens. The unit's part 1 was handed over and is sent only once
   * {@link #sendParts} opens, to fail: partition 0's parts fail (see {@link #partsFailingProps}).
   */
  private static final class CommitWaitingForSlot implements AutoCloseable {
    final CountDownLatch sendParts = new CountDownLatch(1);
    final CountDownLatch releaseSlot = new CountDownLatch(1);
    final StagingCommitter committer;
    private final Thread holder;

    CommitWaitingForSlot(String prefix, AssignedContext context) throws InterruptedException {
      s3.faults().failAlways(S3Fault.INTERNAL_ERROR, partition0Parts(prefix));
      BuildSlots slots = new BuildSlots(1);
      CountDownLatch slotHeld = new CountDownLatch(1);
      holder = holdingSlot(slots, slotHeld, releaseSlot);
      Map<String, String> props = partsFailingProps(prefix);
      props.put("flush.size", "6");
      committer =
          ComponentsFactory.committer(
              new SinkConfig(props),
              context,
              settings ->
                  InterceptedS3Client.around(S3ClientFactory.create(settings))
                      .before("uploadPart", request -> awaitGate(sendParts))
                      .client(),
              slots);
      try {
        assertThat(slotHeld.await(60, TimeUnit.SECONDS)).isTrue();
        committer.open(context.assignment());
        committer.put(partsOfPartition0().subList(0, 6)); // part 1 handed over; the unit closes
        await().atMost(SettledCommits.TIMEOUT).until(() -> slots.waiting() == 1);
      } catch (RuntimeException | Error | InterruptedException e) {
        close();
        throw e;
      }
    }

    @Override
    public void close() throws InterruptedException {
      sendParts.countDown();
      releaseSlot.countDown();
      committer.stop();
      holder.join(TimeUnit.SECONDS.toMillis(60));
    }
  }

  /**
   * Starts a thread whose build holds a slot of {@code slots} from {@code held} until {@code
   * release}.
   */
  private static Thread holdingSlot(BuildSlots slots, CountDownLatch held, CountDownLatch release) {
    Thread holder =
        new Thread(
            () -> {
              try {
                slots.build(
                    "another unit's file",
                    () -> {
                      held.countDown();
                      awaitGate(release);
                    });
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    holder.start();
    return holder;
  }

  /**
   * A commit thread waiting for S3 to take a part while it finishes a file gives its build slot
   * back: with the slot held, every other unit's build, small ones too, waited for a slow S3.
   */
  @Test
  void aBuildWaitingForAPartLetsAnotherUnitBuildAndCommit() throws Exception {
    String prefix = "slot-freed-" + (++run);
    CountDownLatch partSending = new CountDownLatch(1);
    CountDownLatch sendParts = new CountDownLatch(1);
    BuildSlots slots = new BuildSlots(1);
    StagingCommitter committer =
        ComponentsFactory.committer(
            new SinkConfig(lastRowGroupProps(prefix, 120)),
            new RecordingContext(),
            settings ->
                InterceptedS3Client.around(S3ClientFactory.create(settings))
                    .before(
                        "uploadPart",
                        request -> {
                          partSending.countDown();
                          awaitGate(sendParts);
                        })
                    .client(),
            slots);
    try {
      committer.open(Set.of(P0, P1));
      // ~12 MiB in the open row group: finishing the file hands part 1 over, and waits for it to
      // be sent before it hands part 2 over
      committer.put(textRecords(P0, 120, 50_000));
      assertThat(partSending.await(60, TimeUnit.SECONDS)).isTrue();

      committer.put(textRecords(P1, 120, 10)); // one small file, built from its held rows
      await().atMost(Duration.ofSeconds(30)).until(() -> unitRanges(prefix, 1).size() == 1);
      assertThat(unitRanges(prefix, 0)).as("its part still held").isEmpty();

      sendParts.countDown();
      Map<TopicPartition, OffsetAndMetadata> committed = SettledCommits.offsets(committer);
      assertThat(committed)
          .containsEntry(P0, new OffsetAndMetadata(120))
          .containsEntry(P1, new OffsetAndMetadata(120));
      assertThat(markers(prefix))
          .filteredOn(m -> m.partition() == 0)
          .singleElement()
          .satisfies(m -> assertThat(m.totalBytes()).isGreaterThan(10L << 20));
    } finally {
      sendParts.countDown();
      committer.stop();
    }
  }

  @Test
  void aPartUploadThatFailsWhileTheFileIsOpenRewindsInsteadOfFailingTheTask() {
    String prefix = "part-" + (++run);
    failAlways(ObjectOperation.UPLOAD_PART, prefix + "/tmp/");
    RecordingContext context = new RecordingContext();
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(partsFailingProps(prefix)), context);
    try {
      committer.open(Set.of(P0));
      committer.put(partsOfPartition0());
      // the part fails on the part pool: the put sees it when it hands over the next part, if the
      // part has failed by then, or else the next put (Connect calls it without records too)
      await()
          .atMost(SettledCommits.TIMEOUT)
          .until(() -> !context.rewinds.isEmpty() || committer.partUploads().failed());
      committer.put(List.of());
      SettledCommits.offsets(committer);

      assertThat(context.rewinds).hasSize(1);
      assertThat(context.rewinds.get(0)).containsEntry(P0, 0L);
      assertThat(markers(prefix)).isEmpty();
      await()
          .atMost(SettledCommits.TIMEOUT)
          .until(
              () ->
                  s3.client()
                      .listMultipartUploads(r -> r.bucket(BUCKET).prefix(prefix))
                      .uploads()
                      .isEmpty());
    } finally {
      committer.stop();
    }
  }

  /**
   * A rebalance does not wait for S3: close() gives up the revoked partition's commits that have
   * not started and returns while its running one is held up; the other partition's commits go on.
   * When the partition comes back at once, its first commit waits for the one still running, so its
   * markers keep their order.
   */
  @Test
  void closeDropsTheRevokedPartitionsQueuedCommitsAndDoesNotWaitForTheRunningOne() {
    String prefix = "revoke-" + (++run);
    String held = markerKey(prefix, 1, 0, 9);
    FaultRule hold = holdOnce(held, Duration.ofSeconds(8));
    RecordingContext context = new RecordingContext();
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props(prefix, 10)), context);
    try {
      committer.open(Set.of(P0, P1));
      committer.put(records(0, 30)); // three units per partition
      await().atMost(SettledCommits.TIMEOUT).until(() -> hold.fired() == 1);

      committer.close(Set.of(P1));
      assertThat(S3Objects.keys(s3.client(), BUCKET, held))
          .as("close returned while partition 1's first marker was still held up")
          .isEmpty();

      // Given back at once, resumed at offset 5 here so that its units differ from the old ones.
      committer.open(Set.of(P1));
      committer.put(records(Map.of(P1, 5L), 30));
      await()
          .atMost(SettledCommits.TIMEOUT)
          .until(() -> committer.committedOffsets().containsKey(P1));
      assertThat(S3Objects.keys(s3.client(), BUCKET, held))
          .as("the partition's first new unit committed after the old running one")
          .containsExactly(held);

      assertThat(SettledCommits.offsets(committer))
          .containsEntry(P0, new OffsetAndMetadata(30))
          .containsEntry(P1, new OffsetAndMetadata(25));
      assertThat(unitRanges(prefix, 0))
          .containsExactly(new long[] {0, 9}, new long[] {10, 19}, new long[] {20, 29});
      assertThat(unitRanges(prefix, 1))
          .as("the revoked partition's queued units [10, 19] and [20, 29] never committed")
          .containsExactly(new long[] {0, 9}, new long[] {5, 14}, new long[] {15, 24});
      assertThat(context.rewinds).isEmpty();
    } finally {
      committer.stop();
    }
  }

  /**
   * A rewind does not wait for S3: partition 0's commit fails while partition 1's second commit
   * runs, held up by S3. Partition 0 is rewound at once; partition 1 is paused, its records
   * skipped, and rewound only once its commit has ended, to after the unit that commit wrote, where
   * its next unit starts. Before, the put that found the failure waited for partition 1's commit on
   * the task thread, as long as S3 took.
   */
  @Test
  void aRewindDoesNotWaitForAnotherPartitionsRunningCommit() {
    String prefix = "rewind-running-" + (++run);
    String held = markerKey(prefix, 1, 10, 19);
    FaultRule hold = holdOnce(held, Duration.ofSeconds(10));
    FaultRule fail = failMarker(prefix, 0, 9);
    AssignedContext context = new AssignedContext(Set.of(P0, P1));
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props(prefix, 10)), context);
    try {
      committer.open(Set.of(P0, P1));
      committer.put(records(0, 20)); // two units per partition
      await().atMost(SettledCommits.TIMEOUT).until(() -> hold.fired() == 1);
      awaitRewinds(committer, context, 1);
      assertThat(S3Objects.keys(s3.client(), BUCKET, held))
          .as("partition 0 rewound while partition 1's marker was still held up")
          .isEmpty();
      assertThat(context.rewinds.get(0)).isEqualTo(Map.of(P0, 0L));
      assertThat(context.paused).containsExactly(P1);

      // Fetched before the pause: skipped, the rewind delivers them again.
      s3.faults().remove(fail);
      committer.put(records(Map.of(P1, 20L), 30));
      awaitRewinds(committer, context, 2);
      assertThat(context.rewinds.get(1))
          .as("partition 1 goes on after the unit its running commit wrote")
          .isEqualTo(Map.of(P1, 20L));
      assertThat(context.paused).isEmpty();

      committer.put(records(Map.of(P0, 0L, P1, 20L), 30));
      assertThat(SettledCommits.offsets(committer))
          .containsEntry(P0, new OffsetAndMetadata(30))
          .containsEntry(P1, new OffsetAndMetadata(30));
      assertThat(unitRanges(prefix, 0))
          .containsExactly(new long[] {0, 9}, new long[] {10, 19}, new long[] {20, 29});
      assertThat(unitRanges(prefix, 1))
          .as(
              "the next unit starts after the one that committed while dropped; none of the skipped records")
          .containsExactly(new long[] {0, 9}, new long[] {10, 19}, new long[] {20, 29});
      assertThat(context.rewinds).hasSize(2);
    } finally {
      committer.stop();
    }
  }

  /**
   * A partition revoked while it waits for its running commit, and given back: Connect keeps it in
   * its own set of paused partitions and pauses it again at the new assignment; the task resumes it
   * (before, it stayed paused for good) and writes its records.
   */
  @Test
  void aPartitionRevokedWhileItsRewindWaitsIsResumedWhenGivenBack() {
    String prefix = "rewind-revoked-" + (++run);
    String held = markerKey(prefix, 1, 0, 9);
    FaultRule hold = holdOnce(held, Duration.ofSeconds(5));
    FaultRule fail = failMarker(prefix, 0, 9);
    AssignedContext context = new AssignedContext(Set.of(P0, P1));
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props(prefix, 10)), context);
    try {
      committer.open(Set.of(P0, P1));
      committer.put(records(0, 10));
      await().atMost(SettledCommits.TIMEOUT).until(() -> hold.fired() == 1);
      awaitRewinds(committer, context, 1);
      assertThat(context.paused).containsExactly(P1);

      s3.faults().remove(fail);
      committer.close(Set.of(P1));
      committer.open(Set.of(P1));
      assertThat(context.paused).as("given back: fetched again").isEmpty();

      // Connect resumes it from its committed offset: nothing of it was reported yet
      committer.put(records(Map.of(P0, 0L, P1, 0L), 20));
      assertThat(SettledCommits.offsets(committer))
          .containsEntry(P0, new OffsetAndMetadata(20))
          .containsEntry(P1, new OffsetAndMetadata(20));
      assertThat(unitRanges(prefix, 1)).containsExactly(new long[] {0, 9}, new long[] {10, 19});
      assertThat(context.rewinds).as("the revoked partition's rewind was dropped").hasSize(1);
    } finally {
      committer.stop();
    }
  }

  /** Calls put without records until the task has asked for {@code count} rewinds. */
  private static void awaitRewinds(
      StagingCommitter committer, RecordingContext context, int count) {
    await()
        .atMost(SettledCommits.TIMEOUT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              committer.put(List.of());
              return context.rewinds.size() >= count;
            });
  }

  /**
   * A commit still running at a rewind that then fails too: its partition is rewound to before it
   * once it has failed, and its unit queued behind it never commits.
   */
  @Test
  void aCommitRunningAtARewindThatFailsRewindsItsPartitionToBeforeIt() {
    String prefix = "rewind-running-fails-" + (++run);
    String held = markerKey(prefix, 1, 0, 9);
    FaultRule hold = holdOnce(held, Duration.ofSeconds(5));
    FaultRule failHeld = failAlways(ObjectOperation.PUT_OBJECT, held);
    FaultRule fail = failMarker(prefix, 0, 9);
    AssignedContext context = new AssignedContext(Set.of(P0, P1));
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props(prefix, 10)), context);
    try {
      committer.open(Set.of(P0, P1));
      committer.put(records(0, 20)); // two units per partition
      awaitRewinds(committer, context, 2);
      assertThat(hold.fired()).isEqualTo(1);
      assertThat(context.rewinds).containsExactly(Map.of(P0, 0L), Map.of(P1, 0L));
      assertThat(unitRanges(prefix, 1))
          .as("neither the failed unit nor the one queued behind it committed")
          .isEmpty();
      assertThat(context.paused).isEmpty();

      s3.faults().remove(fail);
      s3.faults().remove(failHeld);
      committer.put(records(0, 20));
      assertThat(SettledCommits.offsets(committer))
          .containsEntry(P0, new OffsetAndMetadata(20))
          .containsEntry(P1, new OffsetAndMetadata(20));
      assertThat(unitRanges(prefix, 1)).containsExactly(new long[] {0, 9}, new long[] {10, 19});
    } finally {
      committer.stop();
    }
  }

  /**
   * A put that fails before it reaches a partition seen for the first time still rewinds that
   * partition, to its first offset in the batch: Connect counts the whole batch as delivered.
   */
  @Test
  void aPutThatFailsRewindsAPartitionItHadNotReachedYet() {
    String prefix = "unreached-" + (++run);
    // the part fails after 3 s: after the first put, which it must not rewind
    s3.faults()
        .delayAlways(
            Duration.ofSeconds(3),
            RequestMatcher.operations(ObjectOperation.UPLOAD_PART)
                .bucket(BUCKET)
                .keyPrefix(prefix + "/tmp/"));
    failAlways(ObjectOperation.UPLOAD_PART, prefix + "/tmp/");
    RecordingContext context = new RecordingContext();
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(partsFailingProps(prefix)), context);
    try {
      committer.open(Set.of(P0, P1));
      committer.put(partsOfPartition0().subList(0, 6));
      assertThat(context.rewinds).isEmpty();
      await().atMost(SettledCommits.TIMEOUT).until(() -> committer.partUploads().failed());
      // The failure of partition 0's part 1 shows before the put reaches partition 1's first
      // records (offsets 7 and 8).
      List<SinkRecord> records = new ArrayList<>(partsOfPartition0().subList(6, 12));
      for (long offset = 7; offset < 9; offset++) {
        records.add(
            new SinkRecord(
                P1.topic(), P1.partition(), null, null, null, Map.of("n", offset), offset));
      }
      committer.put(records);

      assertThat(context.rewinds).hasSize(1);
      assertThat(context.rewinds.get(0)).containsEntry(P0, 0L).containsEntry(P1, 7L);
    } finally {
      committer.stop();
    }
  }

  /**
   * A rewind found by preCommit is asked for at the next put, which skips its records of the
   * rewound partitions: inside a rebalance callback those were fetched before the seek, past the
   * rewind point. It names only the partitions the task still holds.
   */
  @Test
  void aRewindFoundByPreCommitSkipsRecordsFetchedBeforeTheSeekAndRevokedPartitions() {
    String prefix = "deferred-" + (++run);
    FaultRule rule = failMarker(prefix, 10, 19);
    RecordingContext context = new RecordingContext();
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props(prefix, 10)), context);
    try {
      committer.open(Set.of(P0, P1));
      committer.put(records(0, 30));
      SettledCommits.offsets(committer); // finds partition 0's failed commit
      s3.faults().remove(rule);
      committer.close(Set.of(P1)); // revoked in the same rebalance

      // Fetched before the seek: partition 0 past its rewind point.
      committer.put(records(Map.of(P0, 30L), 40));
      assertThat(context.rewinds).hasSize(1);
      assertThat(context.rewinds.get(0)).isEqualTo(Map.of(P0, 10L));

      // After the seek.
      committer.put(records(Map.of(P0, 10L), 40));
      assertThat(SettledCommits.offsets(committer)).containsEntry(P0, new OffsetAndMetadata(40));
      long next = 0;
      for (long[] unit : unitRanges(prefix, 0)) {
        assertThat(unit[0]).as("partition 0: units contiguous, no gap").isEqualTo(next);
        next = unit[1] + 1;
      }
      assertThat(next).isEqualTo(40);
    } finally {
      committer.stop();
    }
  }

  @Test
  void aFileWhoseLastRowGroupFillsAPartWhileCommittingStillCommits() {
    String prefix = "finish-" + (++run);
    RecordingContext context = new RecordingContext();
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(lastRowGroupProps(prefix, 60)), context);
    try {
      committer.open(Set.of(P0));
      // 60 records of 100 KB of random text (two strings of 50 KB, within Redshift's VARCHAR limit)
      // stay in the
      // open row group (64 MiB), so the ~6 MiB reach the upload only when a commit thread finishes
      // the file, and
      // part 1 fills while that commit runs.
      List<SinkRecord> records = textRecords(P0, 60, 50_000);
      Map<TopicPartition, OffsetAndMetadata> committed =
          assertTimeoutPreemptively(
              Duration.ofSeconds(60),
              () -> {
                committer.put(records);
                return SettledCommits.offsets(committer);
              });

      assertThat(committed).containsEntry(P0, new OffsetAndMetadata(60));
      assertThat(markers(prefix))
          .singleElement()
          .satisfies(m -> assertThat(m.totalBytes()).isGreaterThan(5L << 20));
      assertThat(context.rewinds).isEmpty();
    } finally {
      committer.stop();
    }
  }

  @Test
  void aPermanentOutageFailsTheTaskEvenWhenEachBatchIsSmallerThanAUnit() {
    String prefix = "outage-" + (++run);
    s3.faults()
        .failAlways(
            S3Fault.SERVICE_UNAVAILABLE,
            RequestMatcher.operations(ObjectOperation.PUT_OBJECT)
                .bucket(BUCKET)
                .keyMatching(Pattern.compile(Pattern.quote(prefix + "/") + ".*")));
    RecordingContext context = new RecordingContext();
    Map<String, String> props = props(prefix, 20);
    props.put("s3.part.retries", "0");
    StagingCommitter committer = StagingCommitter.create(new SinkConfig(props), context);
    try {
      committer.open(Set.of(P0));
      // The worker delivers 10 records at a time from where the task asked to resume; puts that
      // only fill the open
      // unit succeed, so they must not reset the count of failed attempts.
      assertThatThrownBy(
              () -> {
                long next = 0;
                for (int round = 0; round < 30; round++) {
                  int before = context.rewinds.size();
                  committer.put(records(Map.of(P0, next), next + 10));
                  SettledCommits.offsets(committer);
                  next =
                      context.rewinds.size() > before
                          ? context.rewinds.get(context.rewinds.size() - 1).get(P0)
                          : next + 10;
                }
              })
          .isInstanceOf(ConnectException.class)
          .hasMessageContaining("Cannot write to S3 after 5 attempts");
      // Connect only logs what preCommit throws: the next put fails the task.
      assertThatThrownBy(() -> committer.put(records(Map.of(P0, 0L), 10)))
          .hasMessageContaining("Cannot write to S3 after 5 attempts");
    } finally {
      committer.stop();
    }
  }

  @Test
  void aCommitFailureThatIsNotAnS3FailureStopsTheTaskAtTheNextPut() {
    String prefix = "bug-" + (++run);
    AtomicBoolean failOnce = new AtomicBoolean(true);
    // The first marker PUT throws an IllegalStateException, standing for an encoder bug or an Error
    // in finish().
    StagingCommitter committer =
        StagingCommitter.create(
            new SinkConfig(props(prefix, 10)),
            new RecordingContext(),
            settings ->
                aroundMarkerPuts(
                    S3ClientFactory.create(settings),
                    key -> {
                      if (failOnce.getAndSet(false)) {
                        throw new IllegalStateException("injected failure");
                      }
                    },
                    key -> {}));
    try {
      committer.open(Set.of(P0));
      committer.put(records(Map.of(P0, 0L), 30));
      assertThatThrownBy(() -> SettledCommits.offsets(committer))
          .isInstanceOf(ConnectException.class)
          .hasMessageStartingWith(
              "Cannot commit unit 0 of events-0: java.lang.IllegalStateException: injected failure")
          .hasCauseInstanceOf(IllegalStateException.class);
      // Connect logs the preCommit failure and goes on; the next put must fail the task, not drop
      // units silently.
      assertThatThrownBy(() -> committer.put(records(Map.of(P0, 0L), 30)))
          .isInstanceOf(ConnectException.class)
          .hasMessageStartingWith("Cannot commit unit 0 of events-0");
      assertThat(markers(prefix)).isEmpty();
    } finally {
      committer.stop();
    }
  }

  /**
   * An Error while a unit's files are completed (out of memory building one, say) stops the task
   * and aborts the unit's multipart uploads: none is left open, billed, after stop.
   */
  @Test
  void anErrorCompletingAMultipartFileLeavesNoUploadOpen() {
    String prefix = "error-" + (++run);
    Map<String, String> props = props(prefix, 100);
    props.put("s3.part.size", Integer.toString(5 * 1024 * 1024));
    StagingCommitter committer =
        StagingCommitter.create(
            new SinkConfig(props),
            new RecordingContext(),
            settings ->
                InterceptedS3Client.around(S3ClientFactory.create(settings))
                    .failing("completeMultipartUpload", new AssertionError("injected error"))
                    .client());
    Schema blob = SchemaBuilder.struct().name("Blob").field("data", Schema.STRING_SCHEMA).build();
    String big = "e".repeat(60_000);
    List<SinkRecord> records = new ArrayList<>();
    for (long o = 0; o < 100; o++) { // 6 MB in one unit: a multipart upload of two parts
      records.add(
          new SinkRecord("events", 0, null, null, blob, new Struct(blob).put("data", big), o));
    }
    try {
      committer.open(Set.of(P0));
      committer.put(records);
      assertThatThrownBy(() -> SettledCommits.offsets(committer))
          .isInstanceOf(ConnectException.class)
          .hasMessageContaining("injected error");
    } finally {
      committer.stop();
    }
    assertThat(openUploads(prefix + "/tmp/")).isZero();
    assertThat(markers(prefix)).isEmpty();
  }

  @Test
  void preCommitReturnsWhileACommitRunsAndReportsItsOffsetAfterItEnds() throws Exception {
    String prefix = "held-" + (++run);
    // Partition 0's first marker PUT waits for the gate: its two units cannot commit until then.
    CountDownLatch gate = new CountDownLatch(1);
    String heldMarker = markerKey(prefix, 0, 9);
    StagingCommitter committer =
        StagingCommitter.create(
            new SinkConfig(props(prefix, 10)),
            new RecordingContext(),
            settings ->
                aroundMarkerPuts(
                    S3ClientFactory.create(settings),
                    key -> {
                      if (key.equals(heldMarker)) {
                        awaitGate(gate);
                      }
                    },
                    key -> {}));
    try {
      committer.open(Set.of(P0, P1));
      committer.put(records(0, 20));

      // Partition 1 commits beside the held commit, and preCommit reports it without waiting.
      await()
          .atMost(SettledCommits.TIMEOUT)
          .untilAsserted(
              () ->
                  assertThat(
                          assertTimeoutPreemptively(
                              Duration.ofSeconds(10), committer::committedOffsets))
                      .as("offsets while partition 0's first commit is held")
                      .containsEntry(P1, new OffsetAndMetadata(20))
                      .doesNotContainKey(P0));
      assertThat(committer.pendingCommits())
          .as("partition 0's units, still committing")
          .isEqualTo(2);
      assertThat(markers(prefix)).noneMatch(m -> m.partition() == 0);

      gate.countDown();
      await()
          .atMost(SettledCommits.TIMEOUT)
          .untilAsserted(
              () ->
                  assertThat(committer.committedOffsets())
                      .containsEntry(P0, new OffsetAndMetadata(20))
                      .containsEntry(P1, new OffsetAndMetadata(20)));
      assertThat(committer.pendingCommits()).isZero();
    } finally {
      gate.countDown();
      committer.stop();
    }
  }

  private static void awaitGate(CountDownLatch gate) {
    try {
      if (!gate.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never opened the gate");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void partitionsCommitInParallelAndEachPartitionInOffsetOrder() {
    String prefix = "parallel-" + (++run);
    // The marker of partition 0's first unit takes 1 s; partition 1 must not wait behind it,
    // partition 0's second
    // unit must.
    String slowMarker = markerKey(prefix, 0, 9);
    s3.faults()
        .delayAlways(
            Duration.ofSeconds(1),
            RequestMatcher.operations(ObjectOperation.PUT_OBJECT)
                .bucket(BUCKET)
                .keyPrefix(slowMarker));
    List<String> markersInOrder = Collections.synchronizedList(new ArrayList<>());
    Map<String, String> props = props(prefix, 10);
    props.put("s3.upload.threads", "2");
    StagingCommitter committer =
        StagingCommitter.create(
            new SinkConfig(props),
            new RecordingContext(),
            settings ->
                aroundMarkerPuts(S3ClientFactory.create(settings), key -> {}, markersInOrder::add));
    try {
      committer.open(Set.of(P0, P1));
      committer.put(records(0, 20));
      Map<TopicPartition, OffsetAndMetadata> committed = SettledCommits.offsets(committer);

      assertThat(committed)
          .containsEntry(P0, new OffsetAndMetadata(20))
          .containsEntry(P1, new OffsetAndMetadata(20));
      assertThat(markersInOrder).hasSize(4);
      int p0First = markersInOrder.indexOf(slowMarker);
      assertThat(markersInOrder.subList(0, p0First))
          .as("partition 1 committed while partition 0 waited")
          .anyMatch(k -> k.contains("/0000000001/"));
      assertThat(markersInOrder.subList(p0First + 1, 4))
          .as("partition 0's second unit after its first")
          .anyMatch(k -> k.contains("/0000000000/"));
    } finally {
      committer.stop();
    }
  }

  /**
   * The real client, calling {@code before} and {@code after} (once it completed) every marker PUT
   * with its key.
   */
  private static S3Client aroundMarkerPuts(
      S3Client real, Consumer<String> before, Consumer<String> after) {
    return InterceptedS3Client.around(real)
        .before("putObject", request -> markerKey(request).ifPresent(before))
        .after("putObject", request -> markerKey(request).ifPresent(after))
        .client();
  }

  /** The key of a marker PUT's request; empty for any other request. */
  private static Optional<String> markerKey(Object request) {
    return Optional.ofNullable(request)
        .filter(PutObjectRequest.class::isInstance)
        .map(r -> ((PutObjectRequest) r).key())
        .filter(key -> key.contains("/markers/"));
  }

  private static Map<String, String> props(String prefix, int flushSize) {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("format.class", "jsonl");
    props.put("topics.dir", prefix + "/topics");
    props.put("markers.dir", prefix + "/markers");
    props.put("tmp.dir", prefix + "/tmp");
    props.put("flush.size", Integer.toString(flushSize));
    props.put("s3.retry.backoff.ms", "1");
    return props;
  }

  /** Part uploads of partition 0's open files under {@code prefix}'s tmp.dir. */
  private static RequestMatcher partition0Parts(String prefix) {
    return RequestMatcher.operations(ObjectOperation.UPLOAD_PART)
        .bucket(BUCKET)
        .keyMatching(Pattern.compile(Pattern.quote(prefix) + "/tmp/(.*/)?events/0/.*"));
  }

  /** Holds the next PUT of {@code key} for {@code delay} before S3 takes it. */
  private static FaultRule holdOnce(String key, Duration delay) {
    return s3.faults()
        .delayNext(
            1,
            delay,
            RequestMatcher.operations(ObjectOperation.PUT_OBJECT).bucket(BUCKET).keyPrefix(key));
  }

  /** Makes every {@code operation} on keys under {@code keyPrefix} fail, retries included. */
  private static FaultRule failAlways(ObjectOperation operation, String keyPrefix) {
    return s3.faults()
        .failAlways(
            S3Fault.INTERNAL_ERROR,
            RequestMatcher.operations(operation).bucket(BUCKET).keyPrefix(keyPrefix));
  }

  /** Fails every PUT of partition 0's marker of unit [start, end], retries included. */
  private static FaultRule failMarker(String prefix, long start, long end) {
    return failAlways(ObjectOperation.PUT_OBJECT, markerKey(prefix, start, end));
  }

  /** The marker key of partition 0's unit [start, end] under {@code prefix}. */
  private static String markerKey(String prefix, long start, long end) {
    return markerKey(prefix, 0, start, end);
  }

  /** The marker key of unit [start, end] of {@code partition} under {@code prefix}. */
  private static String markerKey(String prefix, int partition, long start, long end) {
    return prefix
        + "/markers/events/"
        + String.format("%010d/%020d+%020d", partition, start, end)
        + ".json";
  }

  /**
   * Units of 1,000 records in 5 MiB parts, each part sent once: a part that fails shows at once.
   */
  private static Map<String, String> partsFailingProps(String prefix) {
    Map<String, String> props = props(prefix, 1000);
    props.put("s3.part.retries", "0");
    props.put("s3.part.size", Integer.toString(5 << 20));
    return props;
  }

  /**
   * 12 records of 1 MiB for partition 0: its file passes two 5 MiB parts, sent by the part pool
   * while the unit is open, so the failure of part 1 shows when part 2 is handed over, inside put.
   * 32 strings of 32 KiB each: within Redshift's limit.
   */
  private static List<SinkRecord> partsOfPartition0() {
    List<String> big = Collections.nCopies(32, "x".repeat(1 << 15));
    List<SinkRecord> records = new ArrayList<>();
    for (long offset = 0; offset < 12; offset++) {
      records.add(
          new SinkRecord(P0.topic(), P0.partition(), null, null, null, Map.of("s", big), offset));
    }
    return records;
  }

  private static RequestMatcher markerPuts(String prefix) {
    return RequestMatcher.operations(ObjectOperation.PUT_OBJECT)
        .bucket(BUCKET)
        .keyMatching(Pattern.compile(Pattern.quote(prefix + "/markers/") + ".*"));
  }

  /** Offsets {@code start} until {@code end} of partitions 0 and 1, interleaved. */
  private static List<SinkRecord> records(long start, long end) {
    return records(Map.of(P0, start, P1, start), end);
  }

  /**
   * The records of each partition in {@code from}, from its offset until {@code end}, interleaved.
   */
  private static List<SinkRecord> records(Map<TopicPartition, Long> from, long end) {
    List<SinkRecord> out = new ArrayList<>();
    for (long offset = 0; offset < end; offset++) {
      for (TopicPartition tp : List.of(P0, P1)) {
        Long first = from.get(tp);
        if (first != null && offset >= first) {
          out.add(
              new SinkRecord(
                  tp.topic(), tp.partition(), null, null, null, Map.of("n", offset), offset));
        }
      }
    }
    return out;
  }

  /**
   * Parquet units of {@code flushSize} records in 5 MiB parts, uncompressed, whose rows stay in one
   * open row group (64 MiB): a large file's bytes reach its upload only when a commit thread
   * finishes it.
   */
  private static Map<String, String> lastRowGroupProps(String prefix, int flushSize) {
    Map<String, String> props = props(prefix, flushSize);
    props.put("format.class", "parquet");
    props.put("s3.part.size", Integer.toString(5 << 20));
    props.put("parquet.row.group.size.bytes", Integer.toString(64 << 20));
    props.put("parquet.codec", "none");
    return props;
  }

  /**
   * {@code count} records of {@code partition} from offset 0, each two strings of {@code chars}
   * random letters (which neither compress nor fit a dictionary).
   */
  private static List<SinkRecord> textRecords(TopicPartition partition, int count, int chars) {
    Schema schema =
        SchemaBuilder.struct()
            .field("s", Schema.STRING_SCHEMA)
            .field("t", Schema.STRING_SCHEMA)
            .build();
    Random random = new Random(5);
    List<SinkRecord> records = new ArrayList<>();
    for (long offset = 0; offset < count; offset++) {
      Struct value = new Struct(schema);
      for (String field : List.of("s", "t")) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < chars; i++) {
          text.append((char) ('a' + random.nextInt(26)));
        }
        value.put(field, text.toString());
      }
      records.add(
          new SinkRecord(
              partition.topic(), partition.partition(), null, null, schema, value, offset));
    }
    return records;
  }

  private static List<CommitMarker> markers(String prefix) {
    return S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
  }

  /** [start, end] of each committed unit of one partition, in offset order. */
  private static List<long[]> unitRanges(String prefix, int partition) {
    List<long[]> ranges = new ArrayList<>();
    for (CommitMarker m : markers(prefix)) {
      if (m.partition() == partition) {
        ranges.add(new long[] {m.startOffset(), m.endOffset()});
      }
    }
    ranges.sort((a, b) -> Long.compare(a[0], b[0]));
    return ranges;
  }

  /** A {@link RecordingContext} with an assignment, which keeps the partitions paused now. */
  static final class AssignedContext extends RecordingContext {
    final Set<TopicPartition> assignment;
    final Set<TopicPartition> paused = new java.util.HashSet<>();

    AssignedContext(Set<TopicPartition> assignment) {
      this.assignment = assignment;
    }

    @Override
    public Set<TopicPartition> assignment() {
      return assignment;
    }

    @Override
    public void pause(TopicPartition... partitions) {
      Collections.addAll(paused, partitions);
    }

    @Override
    public void resume(TopicPartition... partitions) {
      List.of(partitions).forEach(paused::remove);
    }
  }

  /** Records the rewinds the task asks for; no dead letter queue. */
  static class RecordingContext extends NoRewindSinkTaskContext {
    final List<Map<TopicPartition, Long>> rewinds = new ArrayList<>();

    /** Where each partition was last asked to rewind to, over every rewind so far. */
    Map<TopicPartition, Long> rewound() {
      Map<TopicPartition, Long> out = new HashMap<>();
      rewinds.forEach(out::putAll);
      return out;
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
      rewinds.add(new HashMap<>(offsets));
    }
  }
}
