package io.redstage.connector.commit;

import static io.redstage.connector.commit.PartitionPauses.Reason.MEMORY;
import static io.redstage.connector.commit.PartitionPauses.Reason.REWIND;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.connector.commit.BackgroundCommitsTest.AssignedContext;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionPausesTest {
  static final TopicPartition P0 = new TopicPartition("orders", 0);
  static final TopicPartition P1 = new TopicPartition("orders", 1);
  static final TopicPartition OTHER = new TopicPartition("orders", 7);

  /** The memory budget resuming its partitions leaves one a rewind still waits for paused. */
  @Test
  void aPartitionPausedForTwoReasonsResumesWhenBothEnd() {
    AssignedContext context = new AssignedContext(Set.of(P0, P1));
    PartitionPauses pauses = new PartitionPauses(context, paused -> {});

    assertThat(pauses.pause(List.of(P1), REWIND)).isEqualTo(1);
    assertThat(pauses.pauseAssigned(MEMORY)).isEqualTo(2);
    assertThat(context.paused).containsExactlyInAnyOrder(P0, P1);
    assertThat(pauses.count(MEMORY)).isEqualTo(2);

    assertThat(pauses.resume(pauses.pausedFor(MEMORY), MEMORY)).isEqualTo(1);
    assertThat(context.paused).containsExactly(P1);
    assertThat(pauses.count(MEMORY)).isZero();
    assertThat(pauses.count(REWIND)).isEqualTo(1);

    assertThat(pauses.resume(List.of(P1), REWIND)).isEqualTo(1);
    assertThat(context.paused).isEmpty();
  }

  /**
   * A partition revoked while paused is resumed when given back (Connect pauses it again itself);
   * one never paused, or paused again meanwhile, is left alone.
   */
  @Test
  void aPartitionRevokedWhilePausedIsResumedWhenGivenBack() {
    AssignedContext context = new AssignedContext(Set.of(P0, P1));
    PartitionPauses pauses = new PartitionPauses(context, paused -> {});
    pauses.pauseAssigned(MEMORY);
    pauses.forget(List.of(P0, P1));
    pauses.pause(List.of(P1), REWIND);

    pauses.reopened(List.of(P0, P1));

    assertThat(context.paused).containsExactly(P1);
    pauses.forget(List.of(P1));
    pauses.reopened(List.of(P1));
    assertThat(context.paused).isEmpty();
  }

  /**
   * Connect keeps a partition revoked while paused in its paused set only until its next
   * assignment, and so does the task: a topics.regex task that sees topics come and go keeps no
   * trace of the partitions it gave up (it kept every one).
   */
  @Test
  void partitionsRevokedWhilePausedAreKeptOnlyUntilTheNextAssignment() {
    Set<TopicPartition> assigned = new HashSet<>();
    AssignedContext context = new AssignedContext(assigned);
    PartitionPauses pauses = new PartitionPauses(context, paused -> {});
    for (int i = 0; i < 1000; i++) {
      TopicPartition tp = new TopicPartition("orders-" + i, 0);
      assigned.clear();
      assigned.add(tp);
      pauses.reopened(List.of(tp));
      pauses.pauseAssigned(MEMORY);
      pauses.forget(List.of(tp));
      assertThat(pauses.revokedWhilePaused()).isEqualTo(1);
    }
  }

  @Test
  void onlyAssignedPartitionsPauseAndForgottenOnesCountNoMore() {
    AssignedContext context = new AssignedContext(Set.of(P0));
    PartitionPauses pauses = new PartitionPauses(context, paused -> {});

    assertThat(pauses.pause(List.of(P0, OTHER), REWIND)).isEqualTo(1);
    assertThat(context.paused).containsExactly(P0);

    pauses.forget(List.of(P0));
    assertThat(pauses.count(REWIND)).isZero();
    assertThat(pauses.pausedFor(REWIND)).isEmpty();
    assertThat(pauses.resume(List.of(P0), REWIND)).isZero();
  }
}
