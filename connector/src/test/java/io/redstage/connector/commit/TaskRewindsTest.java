package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TaskRewindsTest {
  @Test
  void theRewindLogNamesTheFirstPartitionsAndHowManyMore() {
    Map<TopicPartition, Long> rewind = new HashMap<>();
    for (int p = 11; p >= 0; p--) {
      rewind.put(new TopicPartition("orders", p), 100L + p);
    }
    assertThat(TaskRewinds.firstRewinds(rewind))
        .startsWith("orders-0 to 100, orders-1 to 101, orders-2 to 102")
        .endsWith("orders-9 to 109, and 2 more");
    assertThat(TaskRewinds.firstRewinds(Map.of(new TopicPartition("a", 3), 7L)))
        .isEqualTo("a-3 to 7");
    assertThat(TaskRewinds.firstPartitions(rewind.keySet()))
        .startsWith("orders-0, orders-1, orders-2")
        .endsWith("orders-9, and 2 more");
  }

  /**
   * Five failures with no unit committed between them stop the task; a unit committed beside a
   * failure (settled by the same check that found it) ends the run, whichever call found it.
   */
  @Test
  void unitsCommittedBesideEachFailureEndTheRun() {
    IOException e = new IOException("S3 answered HTTP 503");
    TaskRewinds committing =
        new TaskRewinds(new PartitionPauses(new NoRewindSinkTaskContext(), paused -> {}));
    for (long units = 1; units <= 10; units++) {
      assertThat(committing.failed(e, List.of(), units)).isNull();
    }
    TaskRewinds stuck =
        new TaskRewinds(new PartitionPauses(new NoRewindSinkTaskContext(), paused -> {}));
    for (int i = 1; i < TaskRewinds.MAX_CONSECUTIVE_FAILURES; i++) {
      assertThat(stuck.failed(e, List.of(), 3)).isNull();
    }
    assertThat(stuck.failed(e, List.of(), 3))
        .hasMessageStartingWith("Cannot write to S3 after 5 attempts: S3 answered HTTP 503");
  }

  /**
   * Units that commit while the failed ones are dropped end the run before the failure is logged:
   * the log still names the failure's own attempt (it said "attempt 0 of 5").
   */
  @Test
  void theLogNamesTheFailuresAttemptWhenUnitsCommitWhileDropping() {
    TaskRewinds rewinds =
        new TaskRewinds(new PartitionPauses(new NoRewindSinkTaskContext(), paused -> {}));
    IOException e = new IOException("S3 answered HTTP 503");
    assertThat(rewinds.failed(e, List.of(), 0)).isNull();
    assertThat(rewinds.failed(e, List.of(), 0)).isNull();
    rewinds.sawCommittedUnits(1);
    assertThat(rewinds.failureAttempt()).isEqualTo(2);
    assertThat(rewinds.failed(e, List.of(), 1)).isNull();
    assertThat(rewinds.failureAttempt()).isEqualTo(1);
  }
}
