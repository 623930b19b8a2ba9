package io.redstage.sandbox.redshift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.redshiftdata.model.BatchExecuteStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.ColumnMetadata;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.ExecuteStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.GetStatementResultResponse;
import software.amazon.awssdk.services.redshiftdata.model.ListStatementsResponse;
import software.amazon.awssdk.services.redshiftdata.model.RedshiftDataException;
import software.amazon.awssdk.services.redshiftdata.model.ResourceNotFoundException;
import software.amazon.awssdk.services.redshiftdata.model.SqlParameter;
import software.amazon.awssdk.services.redshiftdata.model.StatementData;
import software.amazon.awssdk.services.redshiftdata.model.StatementStatusString;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;
import software.amazon.awssdk.services.redshiftdata.model.SubStatementData;
import software.amazon.awssdk.services.redshiftdata.model.ValidationException;

/**
 * Every Data API operation in the sandbox's scope through the real AWS SDK v2 client, including the
 * error answers, and the refusal of what is outside it.
 */
class DataApiProtocolTest {
  private static SandboxStack stack;

  @BeforeAll
  static void start() {
    stack = SandboxStack.start(o -> o.resultPageSize(1000));
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  @Test
  void executeStatementReturnsAnIdAndEchoesTheConnection() {
    ExecuteStatementResponse r =
        stack.client.executeStatement(
            b -> b.clusterIdentifier("c1").database("dev").dbUser("loader").sql("SELECT 1"));
    assertThat(r.id()).matches("^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}$");
    assertThat(r.clusterIdentifier()).isEqualTo("c1");
    assertThat(r.database()).isEqualTo("dev");
    assertThat(r.dbUser()).isEqualTo("loader");
    assertThat(r.createdAt()).isNotNull();
    assertThat(stack.awaitTerminal(r.id()).status()).isEqualTo(StatusString.FINISHED);
  }

  @Test
  void describeStatementReportsTheFinishedStatement() {
    DescribeStatementResponse d = stack.ok("SELECT generate_series(1, 3) AS n");
    assertThat(d.hasResultSet()).isTrue();
    assertThat(d.resultRows()).isEqualTo(3);
    assertThat(d.resultSize()).isPositive();
    assertThat(d.duration()).isPositive();
    assertThat(d.redshiftPid()).isPositive();
    assertThat(d.redshiftQueryId()).isPositive();
    assertThat(d.queryString()).isEqualTo("SELECT generate_series(1, 3) AS n");
    assertThat(d.createdAt()).isBeforeOrEqualTo(d.updatedAt());
    assertThat(d.error()).isNull();
  }

  @Test
  void describeStatementReportsAFailureWithRedshiftsErrorText() {
    DescribeStatementResponse d = stack.run("SELECT * FROM no_such_table");
    assertThat(d.status()).isEqualTo(StatusString.FAILED);
    assertThat(d.error()).isEqualTo("ERROR: relation \"no_such_table\" does not exist");
    assertThat(d.hasResultSet()).isFalse();
  }

  @Test
  void getStatementResultEncodesTypedFieldsAndColumnMetadata() {
    String id =
        stack
            .ok(
                "SELECT 42::bigint AS big, 7::int AS i, 1.5::float8 AS d, true AS b, 'x'::varchar(10) AS s, "
                    + "12.30::numeric(10,2) AS n, TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, DATE '2024-01-02' AS dt, "
                    + "NULL::int AS nothing, JSON_PARSE('{\"a\": [1, 2]}') AS sup")
            .id();
    GetStatementResultResponse r = stack.client.getStatementResult(b -> b.id(id));
    assertThat(r.totalNumRows()).isEqualTo(1);
    assertThat(r.nextToken()).isNull();
    List<Field> row = r.records().get(0);
    assertThat(row.get(0).longValue()).isEqualTo(42L);
    assertThat(row.get(1).longValue()).isEqualTo(7L);
    assertThat(row.get(2).doubleValue()).isEqualTo(1.5);
    assertThat(row.get(3).booleanValue()).isTrue();
    assertThat(row.get(4).stringValue()).isEqualTo("x");
    assertThat(row.get(5).stringValue()).isEqualTo("12.30");
    assertThat(row.get(6).stringValue()).isEqualTo("2024-01-02 03:04:05.123456");
    assertThat(row.get(7).stringValue()).isEqualTo("2024-01-02");
    assertThat(row.get(8).isNull()).isTrue();
    assertThat(row.get(9).stringValue()).isEqualTo("{\"a\":[1,2]}");
    List<ColumnMetadata> meta = r.columnMetadata();
    assertThat(meta)
        .extracting(ColumnMetadata::name)
        .containsExactly("big", "i", "d", "b", "s", "n", "ts", "dt", "nothing", "sup");
    assertThat(meta)
        .extracting(ColumnMetadata::typeName)
        .containsExactly(
            "int8",
            "int4",
            "float8",
            "bool",
            "varchar",
            "numeric",
            "timestamp",
            "date",
            "int4",
            "super");
    assertThat(meta.get(5).precision()).isEqualTo(10);
    assertThat(meta.get(5).scale()).isEqualTo(2);
  }

  @Test
  void getStatementResultPagesWithNextToken() {
    String id = stack.ok("SELECT n FROM generate_series(1, 2500) n ORDER BY n").id();
    GetStatementResultResponse first = stack.client.getStatementResult(b -> b.id(id));
    assertThat(first.records()).hasSize(1000);
    assertThat(first.totalNumRows()).isEqualTo(2500);
    assertThat(first.nextToken()).isNotBlank();
    List<List<Field>> all = stack.rowsOf(id);
    assertThat(all).hasSize(2500);
    assertThat(all.get(2499).get(0).longValue()).isEqualTo(2500L);
  }

  @Test
  void getStatementResultRejectsAnInvalidNextToken() {
    String id = stack.ok("SELECT 1").id();
    assertThatThrownBy(() -> stack.client.getStatementResult(b -> b.id(id).nextToken("bogus")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("NextToken");
  }

  @Test
  void getStatementResultWithoutResultSetIsResourceNotFound() {
    String id = stack.ok("CREATE TEMP TABLE t_no_result (a int)").id();
    assertThatThrownBy(() -> stack.client.getStatementResult(b -> b.id(id)))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining(
            "Query does not have result. Please check query status with DescribeStatement.");
  }

  @Test
  void batchExecuteStatementRunsSubStatementsWithColonIds() {
    BatchExecuteStatementResponse r =
        stack.client.batchExecuteStatement(
            b ->
                b.clusterIdentifier("c1")
                    .database("dev")
                    .dbUser("loader")
                    .sqls(
                        "CREATE TEMP TABLE b1 (a int)",
                        "INSERT INTO b1 VALUES (1), (2)",
                        "SELECT a FROM b1 ORDER BY a"));
    DescribeStatementResponse d = stack.awaitTerminal(r.id());
    assertThat(d.status()).isEqualTo(StatusString.FINISHED);
    assertThat(d.subStatements())
        .extracting(SubStatementData::id)
        .containsExactly(r.id() + ":1", r.id() + ":2", r.id() + ":3");
    assertThat(d.subStatements())
        .extracting(SubStatementData::status)
        .containsOnly(StatementStatusString.FINISHED);
    assertThat(d.subStatements().get(1).resultRows()).isEqualTo(2);
    assertThat(d.subStatements().get(2).hasResultSet()).isTrue();
    assertThat(stack.rowsOf(r.id() + ":3"))
        .extracting(row -> row.get(0).longValue())
        .containsExactly(1L, 2L);
  }

  @Test
  void getStatementResultRejectsABatchParentId() {
    String id = stack.okBatch("SELECT 1", "SELECT 2").id();
    assertThatThrownBy(() -> stack.client.getStatementResult(b -> b.id(id)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining(
            "BatchExecuteStatement result can only be retrieved with sub-statement id.");
  }

  @Test
  void batchIsOneTransactionAFailingThirdStatementLeavesNothingFromTheFirst() {
    stack.ok("CREATE TABLE atomic_t (a int)");
    DescribeStatementResponse d =
        stack.runBatch(
            "INSERT INTO atomic_t VALUES (1)",
            "INSERT INTO atomic_t VALUES (2)",
            "INSERT INTO missing_table VALUES (3)",
            "INSERT INTO atomic_t VALUES (4)");
    assertThat(d.status()).isEqualTo(StatusString.FAILED);
    assertThat(d.error()).isEqualTo("ERROR: relation \"missing_table\" does not exist");
    assertThat(d.subStatements())
        .extracting(SubStatementData::status)
        .containsExactly(
            StatementStatusString.FINISHED,
            StatementStatusString.FINISHED,
            StatementStatusString.FAILED,
            StatementStatusString.ABORTED);
    assertThat(d.subStatements().get(2).error())
        .isEqualTo("ERROR: relation \"missing_table\" does not exist");
    assertThat(stack.scalar("SELECT count(*) FROM atomic_t")).isEqualTo("0");
  }

  /**
   * What Redshift reports for the sub-statements a failure rolled back is not documented: with the
   * switch they read ABORTED, so a client is tested against both readings.
   */
  @Test
  void withTheSwitchTheSubStatementsBeforeAFailureAreAbortedToo() throws Exception {
    stack.redshift.faults().abortRolledBackSubStatements(true);
    try {
      stack.ok("CREATE TABLE aborted_t (a int)");
      DescribeStatementResponse d =
          stack.runBatch(
              "INSERT INTO aborted_t VALUES (1)",
              "INSERT INTO missing_table VALUES (2)",
              "INSERT INTO aborted_t VALUES (3)");
      assertThat(d.status()).isEqualTo(StatusString.FAILED);
      assertThat(d.subStatements())
          .extracting(SubStatementData::status)
          .containsExactly(
              StatementStatusString.ABORTED,
              StatementStatusString.FAILED,
              StatementStatusString.ABORTED);
      assertThat(d.subStatements().get(0).error()).isNull();
      assertThat(d.subStatements().get(1).error())
          .isEqualTo("ERROR: relation \"missing_table\" does not exist");
      assertThat(stack.ok("SELECT 1").status())
          .as("a statement that does not fail stays FINISHED")
          .isEqualTo(StatusString.FINISHED);
      assertThat(stack.scalar("SELECT count(*) FROM aborted_t")).isEqualTo("0");
    } finally {
      stack.redshift.faults().clear();
    }
  }

  /**
   * A real batch once answered RedshiftQueryId -1 for its sub-statements: with the switch the
   * sandbox does too, while a single statement keeps its id.
   */
  @Test
  void withTheSwitchSubStatementsReportNoQueryId() throws Exception {
    stack.redshift.faults().subStatementQueryIds(false);
    try {
      DescribeStatementResponse d = stack.okBatch("SELECT 1", "SELECT 2");
      assertThat(d.subStatements()).extracting(SubStatementData::redshiftQueryId).containsOnly(-1L);
      assertThat(stack.ok("SELECT 1").redshiftQueryId()).isPositive();
    } finally {
      stack.redshift.faults().clear();
    }
    assertThat(stack.okBatch("SELECT 1", "SELECT 2").subStatements())
        .as("cleared: the ids again")
        .extracting(SubStatementData::redshiftQueryId)
        .allMatch(id -> id > 0);
  }

  @Test
  void batchRejectsMoreThanFortyStatements() {
    String[] sqls = new String[41];
    java.util.Arrays.fill(sqls, "SELECT 1");
    assertThatThrownBy(() -> stack.submitBatch(sqls))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("Member must have length less than or equal to 40");
  }

  @Test
  void emptySqlIsRejected() {
    assertThatThrownBy(() -> stack.submit("  "))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void unknownStatementIdIsResourceNotFound() {
    String id = UUID.randomUUID().toString();
    assertThatThrownBy(() -> stack.client.describeStatement(b -> b.id(id)))
        .isInstanceOfSatisfying(
            ResourceNotFoundException.class, e -> assertThat(e.resourceId()).isEqualTo(id));
  }

  @Test
  void malformedStatementIdIsAValidationError() {
    assertThatThrownBy(() -> stack.client.describeStatement(b -> b.id("not-an-id")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("regular expression pattern");
  }

  /**
   * ListStatements matches names by prefix, case-sensitively, lists finished statements unless told
   * otherwise, and pages with NextToken.
   */
  @Test
  void listStatementsFindsStatementsByNamePrefixAndStatus() {
    String tag = "ls-" + UUID.randomUUID();
    List<String> finished = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      String id =
          stack
              .client
              .batchExecuteStatement(
                  b ->
                      b.clusterIdentifier("c1")
                          .database("dev")
                          .dbUser("u")
                          .statementName(tag + "-" + n)
                          .sqls("SELECT 1", "SELECT " + n))
              .id();
      stack.awaitTerminal(id);
      finished.add(id);
    }
    String failed =
        stack
            .client
            .executeStatement(
                b ->
                    b.clusterIdentifier("c1")
                        .database("dev")
                        .dbUser("u")
                        .statementName(tag + "-failed")
                        .sql("SELECT * FROM no_such_table"))
            .id();
    stack.awaitTerminal(failed);

    ListStatementsResponse exact = stack.client.listStatements(b -> b.statementName(tag + "-1"));
    assertThat(exact.statements())
        .singleElement()
        .satisfies(
            st -> {
              assertThat(st.id()).isEqualTo(finished.get(1));
              assertThat(st.isBatchStatement()).isTrue();
              assertThat(st.queryStrings()).containsExactly("SELECT 1", "SELECT 1");
            });
    assertThat(stack.client.listStatements(b -> b.statementName(tag)).statements())
        .extracting(StatementData::id)
        .as("finished ones only, by default, newest first")
        .containsExactly(finished.get(2), finished.get(1), finished.get(0));
    assertThat(
            stack
                .client
                .listStatements(b -> b.statementName(tag).status(StatusString.ALL))
                .statements())
        .hasSize(4);
    assertThat(
            stack
                .client
                .listStatements(b -> b.statementName(tag).status(StatusString.FAILED))
                .statements())
        .extracting(StatementData::id)
        .containsExactly(failed);
    assertThat(
            stack
                .client
                .listStatements(b -> b.statementName(tag.toUpperCase(java.util.Locale.ROOT)))
                .statements())
        .isEmpty();
    ListStatementsResponse first =
        stack.client.listStatements(b -> b.statementName(tag).maxResults(2));
    assertThat(first.statements()).hasSize(2);
    ListStatementsResponse second =
        stack.client.listStatements(
            b -> b.statementName(tag).maxResults(2).nextToken(first.nextToken()));
    assertThat(second.statements()).extracting(StatementData::id).containsExactly(finished.get(0));
    assertThat(second.nextToken()).isNull();
  }

  @Test
  void clientTokenMakesExecuteStatementIdempotent() {
    stack.ok("CREATE TABLE idem_t (a int)");
    String token = UUID.randomUUID().toString();
    String first =
        stack
            .client
            .executeStatement(
                b ->
                    b.clusterIdentifier("c1")
                        .database("dev")
                        .dbUser("u")
                        .clientToken(token)
                        .sql("INSERT INTO idem_t VALUES (1)"))
            .id();
    String second =
        stack
            .client
            .executeStatement(
                b ->
                    b.clusterIdentifier("c1")
                        .database("dev")
                        .dbUser("u")
                        .clientToken(token)
                        .sql("INSERT INTO idem_t VALUES (1)"))
            .id();
    assertThat(second).isEqualTo(first);
    stack.awaitTerminal(first);
    assertThat(stack.scalar("SELECT count(*) FROM idem_t")).isEqualTo("1");
  }

  @Test
  void clusterIdentifierAndWorkgroupNameTogetherAreRejected() {
    assertThatThrownBy(
            () ->
                stack.client.executeStatement(
                    b ->
                        b.clusterIdentifier("c1")
                            .workgroupName("wg")
                            .database("dev")
                            .sql("SELECT 1")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("not both");
  }

  @Test
  void aTargetIsRequired() {
    assertThatThrownBy(() -> stack.client.executeStatement(b -> b.database("dev").sql("SELECT 1")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("ClusterIdentifier or WorkgroupName");
  }

  @Test
  void dbUserAndSecretArnTogetherAreRejected() {
    assertThatThrownBy(
            () ->
                stack.client.executeStatement(
                    b ->
                        b.clusterIdentifier("c1")
                            .database("dev")
                            .dbUser("u")
                            .secretArn("arn:aws:secretsmanager:us-east-1:123456789012:secret:x")
                            .sql("SELECT 1")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("DbUser or SecretArn");
  }

  @Test
  void databaseIsRequired() {
    assertThatThrownBy(
            () ->
                stack.client.executeStatement(
                    b -> b.clusterIdentifier("c1").dbUser("u").sql("SELECT 1")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("Database");
  }

  @Test
  void eachAuthenticationModeIsAccepted() {
    String secret =
        stack
            .client
            .executeStatement(
                b ->
                    b.clusterIdentifier("c1")
                        .database("dev")
                        .secretArn("arn:aws:secretsmanager:us-east-1:123456789012:secret:rs")
                        .sql("SELECT 1"))
            .id();
    String iam =
        stack
            .client
            .executeStatement(b -> b.clusterIdentifier("c1").database("dev").sql("SELECT 1"))
            .id();
    String serverless =
        stack
            .client
            .executeStatement(b -> b.workgroupName("wg").database("dev").sql("SELECT 1"))
            .id();
    assertThat(List.of(secret, iam, serverless))
        .allSatisfy(
            id -> assertThat(stack.awaitTerminal(id).status()).isEqualTo(StatusString.FINISHED));
    assertThat(stack.client.describeStatement(b -> b.id(serverless)).workgroupName())
        .isEqualTo("wg");
  }

  @Test
  void serverlessRejectsDbUser() {
    assertThatThrownBy(
            () ->
                stack.client.executeStatement(
                    b -> b.workgroupName("wg").database("dev").dbUser("u").sql("SELECT 1")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("DbUser");
  }

  @Test
  void anUnknownDatabaseFailsTheStatementLikeAConnectionError() {
    String id =
        stack
            .client
            .executeStatement(
                b -> b.clusterIdentifier("c1").database("other").dbUser("u").sql("SELECT 1"))
            .id();
    DescribeStatementResponse d = stack.awaitTerminal(id);
    assertThat(d.status()).isEqualTo(StatusString.FAILED);
    assertThat(d.error()).isEqualTo("FATAL: database \"other\" does not exist");
  }

  @Test
  void withoutSessionTempTablesEndWithTheStatement() {
    stack.ok("CREATE TEMP TABLE gone_t (a int)");
    assertThat(stack.error("SELECT * FROM gone_t"))
        .isEqualTo("ERROR: relation \"gone_t\" does not exist");
  }

  @Test
  void fieldsOutsideTheScopeAreRefusedByName() {
    assertThatThrownBy(
            () ->
                stack.client.executeStatement(
                    b ->
                        b.clusterIdentifier("c1")
                            .database("dev")
                            .dbUser("u")
                            .sql("SELECT :a")
                            .parameters(SqlParameter.builder().name("a").value("1").build())))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("Cannot use Parameters with the Redshift sandbox");
    assertThatThrownBy(
            () ->
                stack.client.executeStatement(
                    b ->
                        b.clusterIdentifier("c1")
                            .database("dev")
                            .dbUser("u")
                            .sessionKeepAliveSeconds(60)
                            .sql("SELECT 1")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("Cannot use SessionKeepAliveSeconds with the Redshift sandbox");
    assertThatThrownBy(
            () ->
                stack.client.batchExecuteStatement(
                    b -> b.sessionId(UUID.randomUUID().toString()).sqls("SELECT 1")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("Cannot use SessionId with the Redshift sandbox");
  }

  @Test
  void operationsOutsideTheScopeAnswerUnknownOperation() {
    String id = stack.ok("SELECT 1").id();
    assertThatThrownBy(() -> stack.client.cancelStatement(b -> b.id(id)))
        .isInstanceOfSatisfying(
            RedshiftDataException.class,
            e -> {
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnknownOperationException");
              assertThat(e.awsErrorDetails().errorMessage())
                  .contains("Cannot run operation CancelStatement");
            });
    assertThatThrownBy(() -> stack.client.listDatabases(b -> b.database("dev")))
        .isInstanceOfSatisfying(
            RedshiftDataException.class,
            e ->
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnknownOperationException"));
  }
}
