package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TableTurnTest {
  private final AtomicLong now = new AtomicLong();
  private final AtomicInteger waiting = new AtomicInteger();

  private TableTurn turnOf(Duration length) {
    return new TableTurn(length, waiting::get, now::get);
  }

  @Test
  void aBatchBegunBeforeTheTurnEndedKeepsTheTurnGoingUntilItEnds() {
    TableTurn turn = turnOf(Duration.ofSeconds(60));
    boolean longBatch = turn.started();
    assertThat(longBatch).isTrue();
    now.set(Duration.ofSeconds(61).toNanos());
    assertThat(turn.over()).as("another table's long batch still runs").isFalse();
    boolean afterTheTurn = turn.started();
    assertThat(afterTheTurn).as("a batch begun after the turn keeps nothing going").isFalse();
    turn.ended(longBatch);
    assertThat(turn.over()).isTrue();
    turn.ended(afterTheTurn);
    assertThat(turn.over()).isTrue();
  }

  /** A table waiting for a thread would wait for the long batch too: the turn ends for all. */
  @Test
  void noTableGoesOnPastTheTurnWhileAnotherWaitsForAThread() {
    TableTurn turn = turnOf(Duration.ofSeconds(60));
    assertThat(turn.started()).isTrue();
    now.set(Duration.ofSeconds(61).toNanos());
    waiting.set(1);
    assertThat(turn.over()).isTrue();
    waiting.set(0);
    assertThat(turn.over()).isFalse();
  }

  @Test
  void anEndlessTurnIsNeverOver() {
    TableTurn turn = turnOf(null);
    assertThat(turn.started()).isTrue();
    now.set(Long.MAX_VALUE / 2);
    waiting.set(3);
    assertThat(turn.over()).isFalse();
  }
}
