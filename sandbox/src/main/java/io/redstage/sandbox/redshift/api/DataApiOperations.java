package io.redstage.sandbox.redshift.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redstage.sandbox.redshift.exec.StatementExecutor;
import io.redstage.sandbox.redshift.exec.StatementRecord;
import io.redstage.sandbox.redshift.exec.StatementRegistry;
import io.redstage.sandbox.redshift.exec.StatementStatus;
import io.redstage.sandbox.redshift.exec.SubStatement;
import io.redstage.sandbox.redshift.fault.FaultInjector;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The Data API operations Redstage uses: ExecuteStatement, BatchExecuteStatement,
 * DescribeStatement, GetStatementResult and ListStatements, with the real service's validation and
 * errors. Other operations and request fields outside the sandbox's scope
 * (docs/redshift-sandbox.md) are refused by name rather than ignored.
 */
public final class DataApiOperations {
  private final StatementRegistry registry;
  private final StatementExecutor executor;
  private final ResponseEncoder encoder;

  public DataApiOperations(
      StatementRegistry registry,
      StatementExecutor executor,
      int resultPageSize,
      FaultInjector answers) {
    this.registry = registry;
    this.executor = executor;
    this.encoder = new ResponseEncoder(new ObjectMapper(), resultPageSize, answers);
  }

  ObjectNode handle(String operation, JsonNode request) {
    return switch (operation) {
      case "ExecuteStatement" -> executeStatement(request);
      case "BatchExecuteStatement" -> batchExecuteStatement(request);
      case "DescribeStatement" -> describeStatement(request);
      case "GetStatementResult" -> getStatementResult(request);
      case "ListStatements" -> listStatements(request);
      default ->
          throw new DataApiException(
              "UnknownOperationException",
              400,
              "Cannot run operation "
                  + operation
                  + ": the Redshift sandbox implements ExecuteStatement, "
                  + "BatchExecuteStatement, DescribeStatement, GetStatementResult and "
                  + "ListStatements "
                  + "(see docs/redshift-sandbox.md for its scope)",
              null);
    };
  }

  private ObjectNode executeStatement(JsonNode request) {
    String sql = RequestValidator.text(request, "Sql");
    RequestValidator.sql(sql, "sql");
    RequestValidator.optionalFields(request);
    StatementRecord.ConnectionInfo connection = RequestValidator.connection(request);
    return submit(request, false, List.of(sql), connection);
  }

  private ObjectNode batchExecuteStatement(JsonNode request) {
    JsonNode sqlsNode = request.get("Sqls");
    if (sqlsNode == null || !sqlsNode.isArray()) {
      throw DataApiException.validation(
          "1 validation error detected: Value null at 'sqls' failed to satisfy constraint: "
              + "Member must not be null");
    }
    if (sqlsNode.isEmpty() || sqlsNode.size() > RequestValidator.MAX_BATCH_SQLS) {
      throw DataApiException.constraint(
          sqlsNode.toString(),
          "sqls",
          "Member must have length less than or equal to 40 and greater than or equal to 1");
    }
    List<String> sqls = new ArrayList<>();
    for (JsonNode s : sqlsNode) {
      String sql = s.isNull() ? null : s.asText();
      RequestValidator.sql(sql, "sqls");
      sqls.add(sql);
    }
    RequestValidator.optionalFields(request);
    StatementRecord.ConnectionInfo connection = RequestValidator.connection(request);
    return submit(request, true, sqls, connection);
  }

  private ObjectNode submit(
      JsonNode request,
      boolean batch,
      List<String> sqls,
      StatementRecord.ConnectionInfo connection) {
    String clientToken = RequestValidator.text(request, "ClientToken");
    StatementRecord previous = registry.forClientToken(clientToken);
    if (previous != null) {
      // idempotent retry: same answer, no second execution
      return encoder.submitted(previous);
    }
    StatementRecord record =
        new StatementRecord(
            UUID.randomUUID().toString(),
            batch,
            sqls,
            RequestValidator.text(request, "StatementName"),
            connection);
    try {
      executor.submit(record, clientToken);
    } catch (StatementExecutor.QuotaExceededException e) {
      throw DataApiException.activeStatementsExceeded(e.getMessage());
    }
    return encoder.submitted(record);
  }

  private ObjectNode describeStatement(JsonNode request) {
    StatementRegistry.Resolved resolved = resolve(request);
    if (resolved.subStatement() != null && resolved.statement().isBatch()) {
      return encoder.describeSub(resolved.statement(), resolved.subStatement());
    }
    return encoder.describe(resolved.statement());
  }

  private ObjectNode getStatementResult(JsonNode request) {
    StatementRegistry.Resolved resolved = resolve(request);
    StatementRecord statement = resolved.statement();
    SubStatement sub = resolved.subStatement();
    if (sub == null) {
      throw DataApiException.validation(
          "BatchExecuteStatement result can only be retrieved with sub-statement id.");
    }
    if (sub.status() != StatementStatus.FINISHED || !sub.hasResultSet()) {
      throw DataApiException.notFound(
          "Query does not have result. Please check query status with DescribeStatement.",
          statement.isBatch() ? sub.id() : statement.id());
    }
    return encoder.resultPage(sub.result(), RequestValidator.text(request, "NextToken"));
  }

  /**
   * The statements whose name starts with StatementName (case-sensitive, as the service matches),
   * of one status (FINISHED when not given, as the service lists by default; ALL for any), newest
   * first, in pages of MaxResults (at most 100). RoleLevel is accepted and has no effect: the
   * sandbox has one caller. ClusterIdentifier, WorkgroupName and Database narrow the list to the
   * statements run there.
   */
  private ObjectNode listStatements(JsonNode request) {
    String prefix = RequestValidator.text(request, "StatementName");
    String status = RequestValidator.text(request, "Status");
    StatementStatus wanted = status == null ? StatementStatus.FINISHED : null;
    if (status != null && !status.equals("ALL")) {
      try {
        wanted = StatementStatus.valueOf(status);
      } catch (IllegalArgumentException e) {
        throw DataApiException.constraint(
            status,
            "status",
            "Member must satisfy enum value set: [ABORTED, ALL, FAILED, FINISHED, PICKED, STARTED,"
                + " SUBMITTED]");
      }
    }
    JsonNode max = request.get("MaxResults");
    int pageSize = max == null || max.isNull() || max.asInt() == 0 ? 100 : max.asInt();
    if (pageSize < 0 || pageSize > 100) {
      throw DataApiException.constraint(
          max.toString(),
          "maxResults",
          "Member must have value less than or equal to 100 and greater than or equal to 0");
    }
    String cluster = RequestValidator.text(request, "ClusterIdentifier");
    String workgroup = RequestValidator.text(request, "WorkgroupName");
    String database = RequestValidator.text(request, "Database");
    List<StatementRecord> matching = new ArrayList<>();
    for (StatementRecord r : registry.newestFirst()) {
      StatementRecord.ConnectionInfo c = r.connection();
      if ((prefix == null || (r.statementName() != null && r.statementName().startsWith(prefix)))
          && (wanted == null || r.status() == wanted)
          && (cluster == null || cluster.equals(c.clusterIdentifier()))
          && (workgroup == null || workgroup.equals(c.workgroupName()))
          && (database == null || database.equals(c.database()))) {
        matching.add(r);
      }
    }
    return encoder.statementList(matching, pageSize, RequestValidator.text(request, "NextToken"));
  }

  private StatementRegistry.Resolved resolve(JsonNode request) {
    String id = RequestValidator.text(request, "Id");
    RequestValidator.statementId(id);
    StatementRegistry.Resolved resolved = registry.resolve(id);
    if (resolved == null) {
      throw DataApiException.notFound("Query does not exist.", id);
    }
    return resolved;
  }
}
