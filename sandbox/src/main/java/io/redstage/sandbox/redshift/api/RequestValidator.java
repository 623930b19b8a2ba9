package io.redstage.sandbox.redshift.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.sandbox.redshift.exec.SessionManager;
import io.redstage.sandbox.redshift.exec.StatementRecord.ConnectionInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Request checks the real Data API makes before it accepts a statement: model constraints (lengths,
 * ranges, patterns) and the authentication fields of each connection mode.
 */
final class RequestValidator {
  static final Pattern STATEMENT_ID =
      Pattern.compile("^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\\d+)?$");
  private static final Pattern PARAMETER_NAME = Pattern.compile("^[0-9a-zA-Z_]+$");

  /** The Data API's maximum SQL size. */
  static final int MAX_SQL_BYTES = 100 * 1024;

  static final int MAX_BATCH_SQLS = 40;

  private RequestValidator() {}

  static String text(JsonNode request, String field) {
    JsonNode n = request.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  static void sql(String sql, String member) {
    if (sql == null) {
      throw DataApiException.validation(
          "1 validation error detected: Value null at '"
              + member
              + "' failed to satisfy constraint: Member must not be null");
    }
    if (sql.isBlank()) {
      throw DataApiException.validation(
          "Cannot run an empty SQL statement: '" + member + "' is empty. Pass the SQL text.");
    }
    if (sql.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SQL_BYTES) {
      throw DataApiException.validation(
          "Cannot run the statement: its SQL text exceeds the Data API's limit of 100 KB. "
              + "Split it into smaller statements.");
    }
  }

  static void statementId(String id) {
    if (id == null) {
      throw DataApiException.validation(
          "1 validation error detected: Value null at 'id' failed to satisfy constraint: "
              + "Member must not be null");
    }
    if (!STATEMENT_ID.matcher(id).matches()) {
      throw DataApiException.constraint(
          id, "id", "Member must satisfy regular expression pattern: " + STATEMENT_ID.pattern());
    }
  }

  static void optionalLengths(JsonNode request) {
    String name = text(request, "StatementName");
    if (name != null && name.length() > 500) {
      throw DataApiException.constraint(
          name, "statementName", "Member must have length less than or equal to 500");
    }
    String token = text(request, "ClientToken");
    if (token != null && (token.isEmpty() || token.length() > 64)) {
      throw DataApiException.constraint(
          token,
          "clientToken",
          "Member must have length greater than or equal to 1 and less than or equal to 64");
    }
    JsonNode keepAlive = request.get("SessionKeepAliveSeconds");
    if (keepAlive != null
        && !keepAlive.isNull()
        && (keepAlive.asInt() < 0 || keepAlive.asInt() > SessionManager.MAX_KEEP_ALIVE_SECONDS)) {
      throw DataApiException.constraint(
          keepAlive.asText(),
          "sessionKeepAliveSeconds",
          "Member must have value between 0 and 86400");
    }
    String format = text(request, "ResultFormat");
    if (format != null && !format.equals("JSON")) {
      throw DataApiException.validation(
          "Cannot use ResultFormat "
              + format
              + ": the Redshift sandbox returns JSON "
              + "results only (GetStatementResultV2 is not implemented). Omit ResultFormat or use JSON.");
    }
  }

  /**
   * The connection fields of ExecuteStatement / BatchExecuteStatement, checked per mode:
   * provisioned cluster (ClusterIdentifier + Database, with DbUser, SecretArn or neither for IAM
   * identity) or serverless (WorkgroupName + Database, with SecretArn or IAM identity). With a
   * SessionId they may be omitted: the session carries them.
   */
  static ConnectionInfo connection(JsonNode request, String sandboxDatabase) {
    String cluster = text(request, "ClusterIdentifier");
    String workgroup = text(request, "WorkgroupName");
    String database = text(request, "Database");
    String dbUser = text(request, "DbUser");
    String secretArn = text(request, "SecretArn");
    boolean inSession = text(request, "SessionId") != null;
    if (inSession && cluster == null && workgroup == null) {
      return new ConnectionInfo(
          null, null, database == null ? sandboxDatabase : database, dbUser, secretArn);
    }
    if (cluster != null && workgroup != null) {
      throw DataApiException.validation(
          "Either ClusterIdentifier or WorkgroupName must be specified, but not both.");
    }
    if (cluster == null && workgroup == null) {
      throw DataApiException.validation(
          "Either ClusterIdentifier or WorkgroupName must be specified.");
    }
    if ((cluster != null && cluster.isBlank()) || (workgroup != null && workgroup.isBlank())) {
      throw DataApiException.validation("ClusterIdentifier / WorkgroupName must not be empty.");
    }
    if (database == null || database.isBlank()) {
      throw DataApiException.validation(
          "Database must be specified (it may be omitted only together with SessionId).");
    }
    if (dbUser != null && secretArn != null) {
      throw DataApiException.validation("Specify either DbUser or SecretArn, not both.");
    }
    if (workgroup != null && dbUser != null) {
      throw DataApiException.validation(
          "DbUser is not supported with WorkgroupName (Redshift Serverless): "
              + "authenticate with SecretArn or with your IAM identity.");
    }
    if (secretArn != null
        && !(secretArn.startsWith("arn:") && secretArn.contains(":secretsmanager:"))) {
      throw DataApiException.validation(
          "SecretArn '"
              + secretArn
              + "' is not a Secrets Manager ARN "
              + "(arn:aws:secretsmanager:<region>:<account>:secret:<name>).");
    }
    return new ConnectionInfo(cluster, workgroup, database, dbUser, secretArn);
  }

  /** Named parameters: names match {@code [0-9a-zA-Z_]+}, values are non-empty, each name once. */
  static Map<String, String> parameters(JsonNode request, List<String> usedNames) {
    JsonNode params = request.get("Parameters");
    Map<String, String> out = new LinkedHashMap<>();
    if (params == null || params.isNull()) {
      if (!usedNames.isEmpty()) {
        throw DataApiException.validation(
            "Cannot run the statement: it uses parameter :"
                + usedNames.get(0)
                + " but no Parameters were given. Pass a value for every :name in the SQL.");
      }
      return out;
    }
    if (!params.isArray() || params.isEmpty()) {
      throw DataApiException.constraint(
          params.toString(), "parameters", "Member must have length greater than or equal to 1");
    }
    for (JsonNode p : params) {
      String name = text(p, "name");
      String value = text(p, "value");
      if (name == null || !PARAMETER_NAME.matcher(name).matches()) {
        throw DataApiException.constraint(
            String.valueOf(name),
            "parameters.member.name",
            "Member must satisfy regular expression pattern: ^[0-9a-zA-Z_]+$");
      }
      if (value == null || value.isEmpty()) {
        throw DataApiException.constraint(
            String.valueOf(value),
            "parameters.member.value",
            "Member must have length greater than or equal to 1");
      }
      if (out.put(name, value) != null) {
        throw DataApiException.validation("Parameter '" + name + "' is given more than once.");
      }
    }
    for (String used : usedNames) {
      if (!out.containsKey(used)) {
        throw DataApiException.validation(
            "Cannot run the statement: parameter :" + used + " has no value in Parameters.");
      }
    }
    return out;
  }
}
