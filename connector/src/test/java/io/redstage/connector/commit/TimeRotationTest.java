package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.redstage.connector.config.SinkConfig;
import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import io.redstage.sandbox.s3.LocalS3;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Time-based rules fire for units that open at any moment, through the empty puts a worker makes
 * while no records arrive. The task only visits its partitions once the earliest deadline it knows
 * of has passed, so a unit opened after the others closed, or later than others, must still be
 * seen.
 */
class TimeRotationTest {
  static final String BUCKET = "time-rotation";
  static final Duration WAIT = Duration.ofSeconds(20);
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
  void idleRuleFiresAgainForAUnitOpenedAfterTheLastOneClosed() {
    String prefix = "idle-" + (++run);
    StagingCommitter committer = openedWith(prefix, "rotate.idle.ms", "200");
    try {
      committer.put(List.of(LocalS3Tasks.record(0, 0)));
      awaitMarkers(committer, prefix, 1);
      // No unit is open now; the next one opens with this put and must still be ticked.
      committer.put(List.of(LocalS3Tasks.record(0, 1)));
      awaitMarkers(committer, prefix, 2);
      // A unit of another partition, opened while the first has none.
      committer.put(List.of(LocalS3Tasks.record(1, 0)));
      awaitMarkers(committer, prefix, 3);
    } finally {
      committer.stop();
    }
    assertThat(markers(prefix))
        .extracting(CommitMarker::rotationReason)
        .containsOnly("rotate.idle.ms");
  }

  /**
   * Records that write no row (here ignored tombstones) do not push the idle rule back: a steady
   * stream of them, with no schedule, still closes the unit and commits their offsets.
   */
  @Test
  void aStreamOfRecordsWithoutRowsStillLetsTheIdleRuleCommitTheirOffsets() {
    String prefix = "rowless-" + (++run);
    StagingCommitter committer =
        openedWith(
            prefix,
            "rotate.schedule.interval.ms",
            "-1",
            "rotate.idle.ms",
            "300",
            "behavior.on.null.values",
            "ignore");
    TopicPartition tp = new TopicPartition("events", 0);
    long[] next = {0};
    try {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                // a tombstone every 50 ms, well within the idle time
                committer.put(
                    List.of(new SinkRecord("events", 0, null, null, null, null, next[0]++)));
                return committer.committedOffsets().containsKey(tp);
              });
    } finally {
      committer.stop();
    }
    assertThat(markers(prefix))
        .extracting(CommitMarker::rotationReason, CommitMarker::recordCount)
        .first()
        .isEqualTo(tuple("rotate.idle.ms", 0L));
  }

  @Test
  void scheduleFiresForAPartitionThatOpensAfterTheOthersWereTicked() {
    String prefix = "schedule-" + (++run);
    StagingCommitter committer = openedWith(prefix, "rotate.schedule.interval.ms", "500");
    try {
      committer.put(List.of(LocalS3Tasks.record(0, 0)));
      awaitMarkers(committer, prefix, 1);
      committer.put(List.of(LocalS3Tasks.record(0, 1)));
      committer.put(List.of(LocalS3Tasks.record(1, 0)));
      awaitMarkers(committer, prefix, 3);
    } finally {
      committer.stop();
    }
    assertThat(markers(prefix))
        .extracting(CommitMarker::rotationReason)
        .containsOnly("rotate.schedule.interval.ms");
    assertThat(
            markers(prefix).stream()
                .map(m -> m.partition() + "@" + m.startOffset())
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("0@0", "0@1", "1@0");
  }

  /**
   * Once no record at all reaches the task for rotate.task.idle.ms, every open unit commits at
   * once, long before the partitions' own idle time, whole. The rule then waits rotate.idle.ms
   * before it fires again, so a record that comes after stays in its open unit.
   */
  @Test
  void taskIdleCommitsEveryOpenUnitOnceTheTaskCaughtUpAndThenWaitsTheIdleTime() {
    String prefix = "task-idle-" + (++run);
    StagingCommitter committer =
        openedWith(prefix, "rotate.idle.ms", "600000", "rotate.task.idle.ms", "200");
    try {
      committer.put(
          List.of(LocalS3Tasks.record(0, 0), LocalS3Tasks.record(0, 1), LocalS3Tasks.record(1, 0)));
      committer.put(List.of(LocalS3Tasks.record(0, 2), LocalS3Tasks.record(1, 1)));
      awaitMarkers(committer, prefix, 2);
      committer.put(List.of(LocalS3Tasks.record(0, 3)));
      // five times the task-idle time, far less than rotate.idle.ms
      markersStay(
          prefix,
          2,
          Duration.ofSeconds(1),
          Duration.ofMillis(20),
          () -> {
            committer.put(List.of());
            committer.committedOffsets();
          });
    } finally {
      committer.stop();
    }
    assertThat(markers(prefix))
        .extracting(
            CommitMarker::rotationReason,
            m -> m.partition() + "@" + m.startOffset() + "-" + m.endOffset())
        .containsExactlyInAnyOrder(
            tuple("rotate.task.idle.ms", "0@0-2"), tuple("rotate.task.idle.ms", "1@0-1"));
  }

  /**
   * Neither preCommit, which the worker also calls while a backlog is being read, nor a steady
   * stream of records (every 50 ms, the rule waits 300 ms) lets the task-idle rule fire; the first
   * empty put after the quiet time does.
   */
  @Test
  void onlyAnEmptyPutAfterTheQuietTimeFiresTheTaskIdleRule() {
    String prefix = "task-idle-busy-" + (++run);
    StagingCommitter committer =
        openedWith(prefix, "rotate.idle.ms", "600000", "rotate.task.idle.ms", "300");
    long[] next = {0};
    try {
      markersStay(
          prefix,
          0,
          Duration.ofMillis(1500),
          Duration.ofMillis(50),
          () -> committer.put(List.of(LocalS3Tasks.record(0, next[0]++))));
      markersStay(
          prefix, 0, Duration.ofSeconds(1), Duration.ofMillis(20), committer::committedOffsets);
      awaitMarkers(committer, prefix, 1);
    } finally {
      committer.stop();
    }
    assertThat(markers(prefix))
        .extracting(CommitMarker::rotationReason, CommitMarker::recordCount)
        .containsExactly(tuple("rotate.task.idle.ms", next[0]));
  }

  /**
   * A wall clock set back an hour (NTP, a VM restored from a snapshot) with a unit open: the idle
   * rule counts from the new time and fires after its 200 ms, not after the hour the clock needs to
   * catch up.
   */
  @Test
  void aWallClockSetBackDoesNotHoldTheOpenUnitUntilItCatchesUp() {
    String prefix = "clock-back-" + (++run);
    StagingCommitter committer =
        openedWith(prefix, "rotate.idle.ms", "200", "rotate.schedule.interval.ms", "-1");
    long start = System.nanoTime();
    long base = System.currentTimeMillis();
    java.util.concurrent.atomic.AtomicLong ahead =
        new java.util.concurrent.atomic.AtomicLong(3_600_000);
    committer.useClock(() -> base + ahead.get() + (System.nanoTime() - start) / 1_000_000);
    try {
      committer.put(List.of(LocalS3Tasks.record(0, 0)));
      ahead.set(0);
      awaitMarkers(committer, prefix, 1);
    } finally {
      committer.stop();
    }
    assertThat(markers(prefix))
        .extracting(CommitMarker::rotationReason)
        .containsExactly("rotate.idle.ms");
  }

  /** Waits as a worker does between records: empty puts, and preCommit now and then. */
  private static void awaitMarkers(StagingCommitter committer, String prefix, int count) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        // A marker whose PUT is still in flight can be listed by S3Proxy's in-memory store before
        // its body can be read; the next poll reads it.
        .ignoreException(NoSuchKeyException.class)
        .until(
            () -> {
              committer.put(List.of());
              committer.committedOffsets();
              return markers(prefix).size() >= count;
            });
  }

  /**
   * Runs {@code step} every {@code every} for {@code period} and fails if the markers ever number
   * other than {@code count}.
   */
  private static void markersStay(
      String prefix, int count, Duration period, Duration every, Runnable step) {
    await()
        .during(period)
        .atMost(WAIT)
        .pollInterval(every)
        .until(
            () -> {
              step.run();
              return markers(prefix).size() == count;
            });
  }

  private static List<CommitMarker> markers(String prefix) {
    return S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
  }

  /**
   * A Parquet committer under {@code prefix} with the given settings (key, value, ...), open on
   * partitions 0 and 1 of "events".
   */
  private static StagingCommitter openedWith(String prefix, String... settings) {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("topics.dir", prefix + "/topics");
    props.put("markers.dir", prefix + "/markers");
    props.put("tmp.dir", prefix + "/tmp");
    props.put("format.class", "parquet");
    for (int i = 0; i < settings.length; i += 2) {
      props.put(settings[i], settings[i + 1]);
    }
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props), new NoRewindSinkTaskContext());
    committer.open(Set.of(new TopicPartition("events", 0), new TopicPartition("events", 1)));
    return committer;
  }
}
