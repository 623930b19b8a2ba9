package io.redstage.sandbox.redshift.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.sandbox.redshift.exec.StatementRecord.ConnectionInfo;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Request checks the real Data API makes before it accepts a statement: model constraints (lengths,
 * ranges, patterns) and the authentication fields of each connection mode.
 */
final class RequestValidator {
  static final Pattern STATEMENT_ID =
      Pattern.compile("^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\\d+)?$");

  /**
   * Request fields of the real API outside the sandbox's scope (nothing in Redstage sends them):
   * refused by name, so a test that relies on one fails clearly instead of passing on a sandbox
   * that ignored it.
   */
  private static final Map<String, String> OUT_OF_SCOPE_FIELDS =
      Map.of(
          "Parameters",
          "named parameters are not implemented. Write the values into the SQL text",
          "SessionId",
          "Data API sessions are not implemented. Send the statements as one BatchExecuteStatement",
          "SessionKeepAliveSeconds",
          "Data API sessions are not implemented. Send the statements as one BatchExecuteStatement");

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
    if (sql.getBytes(StandardCharsets.UTF_8).length > MAX_SQL_BYTES) {
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

  static void optionalFields(JsonNode request) {
    for (Map.Entry<String, String> field : OUT_OF_SCOPE_FIELDS.entrySet()) {
      JsonNode n = request.get(field.getKey());
      if (n != null && !n.isNull()) {
        throw DataApiException.validation(
            "Cannot use "
                + field.getKey()
                + " with the Redshift sandbox: "
                + field.getValue()
                + ".");
      }
    }
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
   * identity) or serverless (WorkgroupName + Database, with SecretArn or IAM identity).
   */
  static ConnectionInfo connection(JsonNode request) {
    String cluster = text(request, "ClusterIdentifier");
    String workgroup = text(request, "WorkgroupName");
    String database = text(request, "Database");
    String dbUser = text(request, "DbUser");
    String secretArn = text(request, "SecretArn");
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
      throw DataApiException.validation("Database must be specified.");
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
}
