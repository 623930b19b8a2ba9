package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogBudgetTest {
  @Test
  void logsTheFirstLinesOfAWindowAndCountsTheRestWhenTheNextOneStarts() {
    AtomicLong now = new AtomicLong(0);
    LogBudget budget = new LogBudget(3, Duration.ofMinutes(1), now::get);
    int logged = 0;
    for (int i = 0; i < 10; i++) {
      assertThat(budget.skippedInEndedWindow()).isZero();
      logged += budget.take() ? 1 : 0;
    }
    assertThat(logged).isEqualTo(3);

    now.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(budget.skippedInEndedWindow()).as("the window has not ended").isZero();
    assertThat(budget.take()).isFalse();

    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(budget.skippedInEndedWindow()).isEqualTo(8);
    assertThat(budget.take()).as("a new window logs again").isTrue();

    now.addAndGet(Duration.ofMinutes(5).toNanos());
    assertThat(budget.skippedInEndedWindow()).as("every line of that window was logged").isZero();
  }
}
