package io.redstage.loader.redshift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.redstage.loader.TestHttp;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;

/**
 * The Data API wrapper's own logic (polling, failure parsing, ClientToken reuse across SDK retries,
 * in-flight cap) against a scripted HTTP endpoint that speaks the Data API's JSON 1.1 protocol.
 * End-to-end behaviour against the Redshift stand-in is covered by the ITs.
 */
class DataApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private HttpServer server;
  private final Deque<String[]> script = new ArrayDeque<>();
  private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<String> targets = Collections.synchronizedList(new ArrayList<>());
  private RedshiftDataClient client;
  private final List<Duration> sleeps = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server =
        TestHttp.start(
            ex -> {
              byte[] body = ex.getRequestBody().readAllBytes();
              requests.add(JSON.readTree(body));
              targets.add(ex.getRequestHeaders().getFirst("X-Amz-Target"));
              String[] next;
              synchronized (script) {
                next = script.poll();
              }
              if (next == null) {
                next =
                    new String[] {
                      "500",
                      "{\"__type\":\"InternalServerException\",\"message\":\"script exhausted\"}"
                    };
              }
              TestHttp.reply(ex, Integer.parseInt(next[0]), "application/x-amz-json-1.1", next[1]);
            });
    client =
        RedshiftDataClient.builder()
            .endpointOverride(TestHttp.endpoint(server))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
            .overrideConfiguration(
                o ->
                    o.retryStrategy(
                        io.redstage.loader.aws.AwsClientsAccess.retryStrategy(
                            "standard", 4, Duration.ofMillis(1))))
            .build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop(0);
  }

  private DataApi api() {
    return new DataApi(
        client,
        new DataApiTarget(null, "wg", "dev", null, null),
        2,
        new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2)),
        Duration.ofMinutes(1),
        sleeps::add);
  }

  private void reply(int status, String body) {
    script.add(new String[] {String.valueOf(status), body});
  }

  private void reply(int status, JsonNode body) {
    reply(status, body.toString());
  }

  static final String ID = "d9b6c0c9-0747-4bf4-b142-e8883122f766";

  /**
   * A DescribeStatement answer about the batch {@link #ID}: its status and, when given, its
   * sub-statements ({@link #sub}).
   */
  private static ObjectNode described(String status, ObjectNode... subStatements) {
    ObjectNode d = JSON.createObjectNode().put("Id", ID).put("Status", status);
    if (subStatements.length > 0) {
      d.putArray("SubStatements").addAll(List.of(subStatements));
    }
    return d;
  }

  /** Sub-statement {@code n} (from 1) of the batch {@link #ID}, as DescribeStatement lists it. */
  private static ObjectNode sub(int n, String status) {
    return JSON.createObjectNode().put("Id", ID + ":" + n).put("Status", status);
  }

  /**
   * ListStatements matches names by prefix: a statement whose name only starts with the one asked
   * for is not it. The one named exactly is described for its sub-statements' counts.
   */
  @Test
  void finishedFindsTheStatementNamedExactlyOverPages() {
    String other = "0a0b0c0d-0000-4000-8000-000000000000";
    ObjectNode page1 = JSON.createObjectNode().put("NextToken", "t2");
    page1
        .putArray("Statements")
        .addObject()
        .put("Id", other)
        .put("StatementName", "redstage-b-1x")
        .put("Status", "FINISHED");
    ObjectNode page2 = JSON.createObjectNode();
    page2
        .putArray("Statements")
        .addObject()
        .put("Id", ID)
        .put("StatementName", "redstage-b-1")
        .put("Status", "FINISHED");
    reply(200, page1);
    reply(200, page2);
    reply(200, described("FINISHED", sub(1, "FINISHED").put("ResultRows", 7)));
    ObjectNode none = JSON.createObjectNode();
    none.putArray("Statements");
    reply(200, none);

    Optional<DataApi.Outcome> found = api().finished("redstage-b-1");
    assertThat(found)
        .hasValueSatisfying(
            o -> {
              assertThat(o.id()).isEqualTo(ID);
              assertThat(o.subStatementRows()).containsExactly(7L);
            });
    assertThat(requests.get(0).get("StatementName").asText()).isEqualTo("redstage-b-1");
    assertThat(requests.get(0).get("Status").asText()).isEqualTo("FINISHED");
    assertThat(requests.get(1).get("NextToken").asText()).isEqualTo("t2");
    assertThat(targets.get(2)).endsWith("DescribeStatement");
    assertThat(api().finished("redstage-b-2")).isEmpty();
  }

  @Test
  void throttledSubmitIsRetriedWithTheSameClientTokenThenPolledWithBackoff() throws Exception {
    reply(400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
    reply(
        500,
        "{\"__type\":\"BatchExecuteStatementException\",\"Message\":\"boom\",\"StatementId\":\"x\"}");
    reply(200, "{\"Id\":\"" + ID + "\",\"CreatedAt\":1717171717}");
    reply(200, described("SUBMITTED"));
    reply(200, described("STARTED"));
    reply(
        200,
        described(
                "FINISHED",
                sub(1, "FINISHED").put("ResultRows", 0),
                sub(2, "FINISHED").put("ResultRows", 42))
            .put("HasResultSet", false));
    DataApi.Outcome o =
        api()
            .executeBatch(
                List.of("LOCK m", "INSERT INTO t SELECT 1"), "batch-token-1", "redstage-b");
    assertThat(o.subStatementRows()).containsExactly(0L, 42L);
    assertThat(targets.subList(0, 3)).containsOnly("RedshiftData.BatchExecuteStatement");
    assertThat(requests.subList(0, 3))
        .extracting(r -> r.get("ClientToken").asText())
        .containsOnly("batch-token-1");
    assertThat(requests.get(0).get("WorkgroupName").asText()).isEqualTo("wg");
    assertThat(requests.get(0).has("ClusterIdentifier")).isFalse();
    assertThat(sleeps).hasSize(2);
    assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(sleeps.get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void failedSubStatementIsReportedWithIndexAndQueryId() {
    reply(200, "{\"Id\":\"" + ID + "\"}");
    reply(
        200,
        described(
                "FAILED",
                sub(1, "FINISHED"),
                sub(2, "FAILED")
                    .put("RedshiftQueryId", 77)
                    .put(
                        "Error",
                        "ERROR: Load into table 'rs_stage_1' failed. Check 'sys_load_error_detail' system table for details."),
                sub(3, "ABORTED"))
            .put("Error", "batch failed"));
    assertThatThrownBy(() -> api().executeBatch(List.of("LOCK m", "COPY x", "INSERT"), "t", "n"))
        .isInstanceOfSatisfying(
            StatementFailedException.class,
            e -> {
              assertThat(e.failedIndex()).isEqualTo(1);
              assertThat(e.redshiftQueryId()).isEqualTo(77);
              assertThat(e.error()).contains("Load into table 'rs_stage_1' failed");
              assertThat(e.isTransient()).isFalse();
            });
  }

  /**
   * Redshift does not document the status of the sub-statements a failure rolled back: if those
   * before the failing one read ABORTED, the FAILED one is still the one reported (not the LOCK),
   * so its load errors are read.
   */
  @Test
  void theFailedSubStatementIsReportedWhenThoseBeforeItReadAborted() {
    reply(200, "{\"Id\":\"" + ID + "\"}");
    reply(
        200,
        described(
                "FAILED",
                sub(1, "ABORTED").put("RedshiftQueryId", 76),
                sub(2, "FAILED")
                    .put("RedshiftQueryId", 77)
                    .put(
                        "Error",
                        "ERROR: Load into table 'rs_stage_1' failed. Check 'stl_load_errors' system table for details."),
                sub(3, "ABORTED"))
            .put("Error", "batch failed"));
    assertThatThrownBy(() -> api().executeBatch(List.of("LOCK m", "COPY x", "INSERT"), "t", "n"))
        .isInstanceOfSatisfying(
            StatementFailedException.class,
            e -> {
              assertThat(e.failedIndex()).isEqualTo(1);
              assertThat(e.redshiftQueryId()).isEqualTo(77);
              assertThat(e.error()).contains("Load into table 'rs_stage_1' failed");
            });
  }

  /** A batch with no FAILED sub-statement (cancelled) names its first ABORTED one. */
  @Test
  void aBatchWithOnlyAbortedSubStatementsNamesTheFirst() {
    reply(200, "{\"Id\":\"" + ID + "\"}");
    reply(
        200,
        described(
            "ABORTED",
            sub(1, "FINISHED"),
            sub(2, "ABORTED").put("RedshiftQueryId", 78),
            sub(3, "ABORTED")));
    assertThatThrownBy(() -> api().executeBatch(List.of("LOCK m", "COPY x", "INSERT"), "t", "n"))
        .isInstanceOfSatisfying(
            StatementFailedException.class,
            e -> {
              assertThat(e.failedIndex()).isEqualTo(1);
              assertThat(e.redshiftQueryId()).isEqualTo(78);
              assertThat(e.error()).isEqualTo("ABORTED");
            });
  }

  /**
   * Once a statement is submitted it may commit whatever polling it says: a polling error that is
   * not transient is an unknown outcome (left to the load-marker table), never a failure that would
   * count an attempt against units whose rows may be loaded.
   */
  @Test
  void aFailedPollOfASubmittedStatementIsAnUnknownOutcome() {
    reply(200, "{\"Id\":\"" + ID + "\"}");
    reply(400, "{\"__type\":\"ValidationException\",\"message\":\"no such statement\"}");
    assertThatThrownBy(() -> api().executeBatch(List.of("LOCK m", "INSERT"), "t", "n"))
        .isInstanceOf(StatementOutcomeUnknownException.class)
        .hasMessageContaining("Cannot learn the outcome of statement " + ID)
        .hasMessageContaining("left to the load-marker table")
        .hasCauseInstanceOf(DataApiException.class);
  }

  /**
   * An outlived statement's end and its failure come from one DescribeStatement: before, a second
   * call read the failure, and when that call failed the failure was lost (its units planned as if
   * nothing had happened). A describe that fails transiently reads as running, so it is asked
   * again.
   */
  @Test
  void oneDescribeSaysAStatementEndedAndHowItFailed() {
    reply(
        200,
        described("FAILED", sub(1, "FINISHED"), sub(2, "FAILED").put("Error", "bad value"))
            .put("Error", "batch failed"));
    DataApi.StatementProgress failed = api().describe(ID);
    assertThat(failed.progress()).isEqualTo(DataApi.Progress.ENDED);
    assertThat(failed.failure())
        .hasValueSatisfying(
            e -> {
              assertThat(e.failedIndex()).isEqualTo(1);
              assertThat(e.error()).contains("bad value");
            });
    assertThat(requests).hasSize(1);

    reply(200, described("FINISHED"));
    assertThat(api().describe(ID))
        .isEqualTo(new DataApi.StatementProgress(DataApi.Progress.FINISHED, Optional.empty()));

    for (int i = 0; i < 3; i++) {
      reply(500, "{\"__type\":\"InternalServerException\",\"message\":\"try later\"}");
    }
    assertThat(api().describe(ID))
        .isEqualTo(new DataApi.StatementProgress(DataApi.Progress.RUNNING, Optional.empty()));
  }

  static final String THROTTLED =
      "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}";

  /** The DataApiException a submission ended with. */
  private DataApiException submissionFailure() {
    try {
      api().executeBatch(List.of("LOCK m", "INSERT INTO t SELECT 1"), "batch-token", "n");
    } catch (DataApiException e) {
      return e;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the submission did not fail");
  }

  @Test
  void aSubmissionThrottledAtEveryAttemptWasRefused() {
    for (int i = 0; i < 4; i++) {
      reply(400, THROTTLED);
    }
    DataApiException e = submissionFailure();
    assertThat(requests).as("the SDK's four attempts").hasSize(4);
    assertThat(e.isTransient()).isTrue();
    assertThat(e.submissionRefused()).isTrue();
  }

  @Test
  void aSubmissionRefusedOnceWithoutRetryWasRefused() {
    reply(400, "{\"__type\":\"ValidationException\",\"message\":\"Sqls must have at most 40\"}");
    DataApiException e = submissionFailure();
    assertThat(requests).hasSize(1);
    assertThat(e.submissionRefused()).isTrue();
  }

  @Test
  void tooManyActiveStatementsAtEveryAttemptWasRefused() {
    for (int i = 0; i < 4; i++) {
      reply(400, "{\"__type\":\"ActiveStatementsExceededException\",\"message\":\"Too many\"}");
    }
    DataApiException e = submissionFailure();
    assertThat(e.getMessage()).contains("too many active Data API statements");
    assertThat(e.submissionRefused()).isTrue();
  }

  /** The 500 may have come after the statement was created: the later refusals do not undo it. */
  @Test
  void aSubmissionWhoseEarlierAttemptGotA5xxMayHaveCreatedItsStatement() {
    reply(400, THROTTLED);
    reply(500, "{\"__type\":\"InternalServerException\",\"message\":\"boom\"}");
    reply(400, THROTTLED);
    reply(400, THROTTLED);
    DataApiException e = submissionFailure();
    assertThat(requests).hasSize(4);
    assertThat(e.getMessage()).contains("ThrottlingException");
    assertThat(e.submissionRefused()).isFalse();
  }

  @Test
  void aSubmissionThatEndsWithA5xxWasNotRefused() {
    for (int i = 0; i < 4; i++) {
      reply(500, "{\"__type\":\"InternalServerException\",\"message\":\"boom\"}");
    }
    assertThat(submissionFailure().submissionRefused()).isFalse();
  }

  /** Only the submission: once a statement id exists, a refused DescribeStatement is unknown. */
  @Test
  void aRefusedPollOfASubmittedStatementIsNoRefusedSubmission() {
    reply(200, "{\"Id\":\"" + ID + "\"}");
    reply(400, "{\"__type\":\"ValidationException\",\"message\":\"no such statement\"}");
    DataApiException e = submissionFailure();
    assertThat(e).isInstanceOf(StatementOutcomeUnknownException.class);
    assertThat(e.submissionRefused()).isFalse();
  }

  @Test
  void serializationConflictIsTransientAndValidationErrorsAreNot() {
    assertThat(
            new StatementFailedException(
                    "i", "ERROR: 1023 DETAIL: Serializable isolation violation on table", 0, -1)
                .isTransient())
        .isTrue();
    reply(
        400,
        "{\"__type\":\"ValidationException\",\"message\":\"Sqls must have at most 40 items\"}");
    assertThatThrownBy(() -> api().executeBatch(List.of("x"), "t", "n"))
        .isInstanceOfSatisfying(
            DataApiException.class,
            e -> {
              assertThat(e.isTransient()).isFalse();
              assertThat(e.getMessage())
                  .contains("ValidationException")
                  .contains("at most 40")
                  .contains("Check redshift.workgroup-name (or redshift.cluster-identifier)");
            });
    assertThat(requests).hasSize(1);
  }

  @Test
  void queryReadsAllPages() throws Exception {
    reply(200, "{\"Id\":\"" + ID + "\"}");
    reply(200, described("FINISHED").put("HasResultSet", true));
    reply(
        200,
        "{\"ColumnMetadata\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"Records\":[[{\"longValue\":1},{\"stringValue\":\"x\"}]],"
            + "\"TotalNumRows\":2,\"NextToken\":\"p2\"}");
    reply(200, "{\"Records\":[[{\"longValue\":2},{\"isNull\":true}]],\"TotalNumRows\":2}");
    QueryResult r = api().query("SELECT a, b FROM t", "q");
    assertThat(r.columns()).containsExactly("a", "b");
    assertThat(r.rows()).containsExactly(List.of(1L, "x"), java.util.Arrays.asList(2L, null));
    assertThat(requests.get(3).get("NextToken").asText()).isEqualTo("p2");
  }

  @Test
  void inFlightCapSerialisesStatementsBeyondTheLimit() throws Exception {
    DataApi one =
        new DataApi(
            client,
            new DataApiTarget("c1", null, "dev", "loader", null),
            1,
            new Backoff(Duration.ofMillis(1), Duration.ofMillis(1)),
            Duration.ofMinutes(1),
            d -> {});
    for (int i = 0; i < 2; i++) {
      reply(200, "{\"Id\":\"" + ID + "\"}");
      reply(200, described("FINISHED"));
    }
    Thread a = new Thread(() -> run(one));
    Thread b = new Thread(() -> run(one));
    a.start();
    b.start();
    a.join(30_000);
    b.join(30_000);
    assertThat(targets)
        .containsExactly(
            "RedshiftData.BatchExecuteStatement",
            "RedshiftData.DescribeStatement",
            "RedshiftData.BatchExecuteStatement",
            "RedshiftData.DescribeStatement");
    assertThat(requests.get(0).get("ClusterIdentifier").asText()).isEqualTo("c1");
    assertThat(requests.get(0).get("DbUser").asText()).isEqualTo("loader");
    assertThat(requests.get(0).has("SecretArn")).isFalse();
  }

  private static void run(DataApi api) {
    try {
      api.executeBatch(List.of("SELECT 1"), java.util.UUID.randomUUID().toString(), "n");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
