package io.redstage.sandbox.redshift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.redshiftdata.model.ActiveStatementsExceededException;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;

/** The statement lifecycle with a pick delay, and the active-statement quota. */
class StatementLifecycleTest {
  private static SandboxStack stack;

  @BeforeAll
  static void start() {
    stack =
        SandboxStack.start(
            o -> o.pickDelay(Duration.ofMillis(700)).maxActiveStatements(3).workerThreads(2));
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  @Test
  void statusesProgressFromSubmittedThroughPickedAndStartedToFinished() {
    String id = stack.submit("SELECT pg_sleep(0.7)");
    List<StatusString> seen = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              StatusString s = stack.client.describeStatement(b -> b.id(id)).status();
              if (seen.isEmpty() || seen.get(seen.size() - 1) != s) {
                seen.add(s);
              }
              return s == StatusString.FINISHED;
            });
    assertThat(seen)
        .containsExactly(
            StatusString.SUBMITTED,
            StatusString.PICKED,
            StatusString.STARTED,
            StatusString.FINISHED);
  }

  @Test
  void activeStatementsBeyondTheQuotaAreRefused() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(stack.submit("SELECT pg_sleep(0.5)"));
    }
    assertThatThrownBy(() -> stack.submit("SELECT 1"))
        .isInstanceOf(ActiveStatementsExceededException.class)
        .hasMessageContaining("Active statements exceeded the allowed quota (3)");
    ids.forEach(stack::awaitTerminal);
    assertThat(stack.ok("SELECT 1").status()).isEqualTo(StatusString.FINISHED);
  }
}
