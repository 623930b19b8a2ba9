package io.redstage.sandbox.redshift.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redstage.sandbox.redshift.exec.SessionManager;
import io.redstage.sandbox.redshift.exec.StatementExecutor;
import io.redstage.sandbox.redshift.exec.StatementRecord;
import io.redstage.sandbox.redshift.exec.StatementRegistry;
import io.redstage.sandbox.redshift.exec.StatementStatus;
import io.redstage.sandbox.redshift.exec.SubStatement;
import io.redstage.sandbox.redshift.sql.SqlTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Data API operations: ExecuteStatement, BatchExecuteStatement, DescribeStatement,
 * GetStatementResult, CancelStatement and ListStatements, with the real service's validation and
 * errors.
 */
public final class DataApiOperations {
  private final ObjectMapper json = new ObjectMapper();
  private final StatementRegistry registry;
  private final StatementExecutor executor;
  private final SessionManager sessions;
  private final String database;
  private final ResponseEncoder encoder;

  public DataApiOperations(
      StatementRegistry registry,
      StatementExecutor executor,
      SessionManager sessions,
      String database,
      int resultPageSize) {
    this.registry = registry;
    this.executor = executor;
    this.sessions = sessions;
    this.database = database;
    this.encoder = new ResponseEncoder(json, resultPageSize);
  }

  ObjectNode handle(String operation, JsonNode request) {
    return switch (operation) {
      case "ExecuteStatement" -> executeStatement(request);
      case "BatchExecuteStatement" -> batchExecuteStatement(request);
      case "DescribeStatement" -> describeStatement(request);
      case "GetStatementResult" -> getStatementResult(request);
      case "CancelStatement" -> cancelStatement(request);
      case "ListStatements" -> listStatements(request);
      default ->
          throw new DataApiException(
              "UnknownOperationException",
              400,
              "Cannot run operation "
                  + operation
                  + ": the Redshift sandbox implements ExecuteStatement, "
                  + "BatchExecuteStatement, DescribeStatement, GetStatementResult, CancelStatement and ListStatements",
              null);
    };
  }

  private ObjectNode executeStatement(JsonNode request) {
    String sql = RequestValidator.text(request, "Sql");
    RequestValidator.sql(sql, "sql");
    RequestValidator.optionalLengths(request);
    StatementRecord.ConnectionInfo connection = RequestValidator.connection(request, database);
    Map<String, String> parameters =
        RequestValidator.parameters(request, SqlTranslator.parameterNames(sql));
    return submit(request, false, List.of(sql), connection, parameters);
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
    List<String> used = new ArrayList<>();
    for (JsonNode s : sqlsNode) {
      String sql = s.isNull() ? null : s.asText();
      RequestValidator.sql(sql, "sqls");
      sqls.add(sql);
      used.addAll(SqlTranslator.parameterNames(sql));
    }
    RequestValidator.optionalLengths(request);
    StatementRecord.ConnectionInfo connection = RequestValidator.connection(request, database);
    Map<String, String> parameters = RequestValidator.parameters(request, used);
    return submit(request, true, sqls, connection, parameters);
  }

  private ObjectNode submit(
      JsonNode request,
      boolean batch,
      List<String> sqls,
      StatementRecord.ConnectionInfo connection,
      Map<String, String> parameters) {
    String clientToken = RequestValidator.text(request, "ClientToken");
    StatementRecord previous = registry.forClientToken(clientToken);
    if (previous != null) {
      // idempotent retry: same answer, no second execution
      return encoder.submitted(previous);
    }
    String sessionId = RequestValidator.text(request, "SessionId");
    JsonNode keepAliveNode = request.get("SessionKeepAliveSeconds");
    Integer keepAlive =
        keepAliveNode == null || keepAliveNode.isNull() ? null : keepAliveNode.asInt();
    SessionManager.Session session = null;
    if (sessionId != null) {
      try {
        session = sessions.claim(sessionId, keepAlive);
      } catch (IllegalStateException e) {
        throw DataApiException.validation(e.getMessage());
      }
    } else if (keepAlive != null && keepAlive > 0) {
      session = sessions.create(keepAlive);
    }
    StatementRecord record =
        new StatementRecord(
            UUID.randomUUID().toString(),
            batch,
            sqls,
            RequestValidator.text(request, "StatementName"),
            connection,
            parameters,
            session == null ? null : session.id(),
            session != null);
    try {
      executor.submit(record, clientToken);
    } catch (StatementExecutor.QuotaExceededException e) {
      if (session != null) {
        sessions.release(session);
      }
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

  private ObjectNode cancelStatement(JsonNode request) {
    StatementRegistry.Resolved resolved = resolve(request);
    StatementRecord statement = resolved.statement();
    StatementStatus before = executor.cancel(statement);
    if (before.isTerminal()) {
      throw DataApiException.validation(
          "Could not cancel a query that is already in "
              + before
              + " state with ID: "
              + statement.id());
    }
    ObjectNode out = json.createObjectNode();
    out.put("Status", true);
    return out;
  }

  private ObjectNode listStatements(JsonNode request) {
    JsonNode maxNode = request.get("MaxResults");
    int max = maxNode == null || maxNode.isNull() || maxNode.asInt() == 0 ? 100 : maxNode.asInt();
    if (max < 0 || max > 100) {
      throw DataApiException.constraint(
          String.valueOf(max), "maxResults", "Member must have value between 0 and 100");
    }
    String status = RequestValidator.text(request, "Status");
    if (status != null && !status.equals("ALL")) {
      try {
        StatementStatus.valueOf(status);
      } catch (IllegalArgumentException e) {
        throw DataApiException.constraint(
            status,
            "status",
            "Member must satisfy enum value set: [ABORTED, ALL, FAILED, FINISHED, PICKED, STARTED, SUBMITTED]");
      }
    }
    String namePrefix = RequestValidator.text(request, "StatementName");
    List<StatementRecord> matching = new ArrayList<>();
    for (StatementRecord r : registry.newestFirst()) {
      // the Data API lists only finished statements unless a Status filter says otherwise
      String wanted = status == null ? "FINISHED" : status;
      if (!wanted.equals("ALL") && !r.status().name().equals(wanted)) {
        continue;
      }
      if (namePrefix != null
          && (r.statementName() == null || !r.statementName().startsWith(namePrefix))) {
        continue;
      }
      matching.add(r);
    }
    return encoder.list(matching, max, RequestValidator.text(request, "NextToken"));
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
