package io.redstage.sandbox.redshift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.InternalServerException;
import software.amazon.awssdk.services.redshiftdata.model.RedshiftDataException;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;

/** Scripted and rate-based faults, as the loader's reliability tests use them. */
class FaultInjectionTest {
  private static SandboxStack stack;

  @BeforeAll
  static void start() {
    stack = SandboxStack.start();
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  @AfterEach
  void clear() {
    stack.redshift.faults().clear();
  }

  @Test
  void throttleNextAnswersThrottlingException() {
    stack.redshift.faults().throttleNext(1, "DescribeStatement");
    String id = stack.submit("SELECT 1");
    assertThatThrownBy(() -> stack.client.describeStatement(b -> b.id(id)))
        .isInstanceOfSatisfying(
            RedshiftDataException.class,
            e -> {
              assertThat(e.isThrottlingException()).isTrue();
              assertThat(e.statusCode()).isEqualTo(400);
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
              assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Rate exceeded");
            });
    assertThat(stack.awaitTerminal(id).status()).isEqualTo(StatusString.FINISHED);
    assertThat(stack.redshift.faults().counters()).containsEntry("throttled.DescribeStatement", 1L);
  }

  @Test
  void failNextWith500AnswersInternalServerException() {
    stack.redshift.faults().failNext(1, "ExecuteStatement", 500);
    assertThatThrownBy(() -> stack.submit("SELECT 1"))
        .isInstanceOfSatisfying(
            InternalServerException.class, e -> assertThat(e.statusCode()).isEqualTo(500));
    assertThat(stack.ok("SELECT 1").status()).isEqualTo(StatusString.FINISHED);
  }

  @Test
  void failNextWith503AnswersANonJsonServiceError() {
    long before = stack.redshift.faults().failedRequestCount();
    stack.redshift.faults().failNext(1, null, 503);
    assertThatThrownBy(() -> stack.submit("SELECT 1"))
        .isInstanceOfSatisfying(
            RedshiftDataException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
    assertThat(stack.redshift.faults().failedRequestCount()).isEqualTo(before + 1);
  }

  @Test
  void theSdkRetryStrategyRidesOverThrottlingAndServerErrors() {
    stack
        .redshift
        .faults()
        .throttleNext(1, "ExecuteStatement")
        .failNext(1, "ExecuteStatement", 500);
    try (RedshiftDataClient retrying = stack.dataClient(true)) {
      String id =
          retrying
              .executeStatement(
                  b -> b.clusterIdentifier("c").database("dev").dbUser("u").sql("SELECT 1"))
              .id();
      assertThat(stack.awaitTerminal(id).status()).isEqualTo(StatusString.FINISHED);
    }
  }

  @Test
  void failStatementsMatchingFailsTheStatementWithTheGivenText() {
    stack
        .redshift
        .faults()
        .failStatementsMatching(
            "^INSERT INTO injected_target", 1, "S3ServiceException:Slow Down,Status 503");
    stack.ok("CREATE TABLE injected_target (a int)");
    DescribeStatementResponse d = stack.run("INSERT INTO injected_target VALUES (1)");
    assertThat(d.status()).isEqualTo(StatusString.FAILED);
    assertThat(d.error()).isEqualTo("ERROR: S3ServiceException:Slow Down,Status 503");
    assertThat(stack.ok("INSERT INTO injected_target VALUES (1)").status())
        .isEqualTo(StatusString.FINISHED);
    assertThat(stack.scalar("SELECT count(*) FROM injected_target")).isEqualTo("1");
  }

  @Test
  void anInjectedFailureInABatchRollsBackTheWholeBatch() {
    stack.ok("CREATE TABLE injected_batch (a int)");
    stack.redshift.faults().failStatementsMatching("^SELECT 'boom'", -1, "injected");
    DescribeStatementResponse d =
        stack.runBatch("INSERT INTO injected_batch VALUES (1)", "SELECT 'boom'");
    assertThat(d.status()).isEqualTo(StatusString.FAILED);
    assertThat(stack.scalar("SELECT count(*) FROM injected_batch")).isEqualTo("0");
  }

  @Test
  void slowStatementsStayStartedForTheDelay() {
    stack.redshift.faults().slowStatementsMatching("slow_marker", Duration.ofMillis(800));
    String id = stack.submit("SELECT 'slow_marker'");
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> stack.client.describeStatement(b -> b.id(id)).status() == StatusString.STARTED);
    DescribeStatementResponse d = stack.awaitTerminal(id);
    assertThat(d.status()).isEqualTo(StatusString.FINISHED);
    assertThat(d.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(800).toNanos());
    assertThat(stack.redshift.faults().slowedStatementCount()).isPositive();
  }

  @Test
  void rateBasedThrottlingHitsAboutTheConfiguredShare() {
    String id = stack.ok("SELECT 1").id();
    stack.redshift.faults().seed(7).throttleRate(0.5, "DescribeStatement");
    int throttled = 0;
    for (int i = 0; i < 200; i++) {
      try {
        stack.client.describeStatement(b -> b.id(id));
      } catch (RedshiftDataException e) {
        assertThat(e.isThrottlingException()).isTrue();
        throttled++;
      }
    }
    assertThat(throttled).isBetween(60, 140);
  }

  /**
   * With statementsAsDbUser a statement runs as its DbUser's role, so what that role may not do
   * fails as on a cluster; the pooled session is the superuser's again afterwards.
   */
  @Test
  void statementsAsDbUserRunWithTheRolesPrivileges() throws Exception {
    try (java.sql.Connection c = stack.jdbc();
        java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + SandboxStack.DB_USER);
      s.execute("CREATE TABLE fi_privileges (id INT)");
      s.execute("GRANT SELECT ON fi_privileges TO " + SandboxStack.DB_USER);
    }
    stack.redshift.faults().statementsAsDbUser(true);
    assertThat(stack.scalar("SELECT current_user")).isEqualTo(SandboxStack.DB_USER);
    assertThat(stack.scalar("SELECT COUNT(*) FROM fi_privileges")).isEqualTo("0");
    assertThat(stack.error("INSERT INTO fi_privileges VALUES (1)"))
        .contains("permission denied for table fi_privileges");

    stack.redshift.faults().clear();
    assertThat(stack.scalar("SELECT current_user")).isNotEqualTo(SandboxStack.DB_USER);
    stack.ok("INSERT INTO fi_privileges VALUES (1)");
  }
}
