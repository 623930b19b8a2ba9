package io.redstage.sandbox.redshift.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redstage.sandbox.redshift.exec.ColumnMeta;
import io.redstage.sandbox.redshift.exec.QueryResult;
import io.redstage.sandbox.redshift.exec.StatementRecord;
import io.redstage.sandbox.redshift.exec.SubStatement;
import io.redstage.sandbox.redshift.fault.FaultInjector;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Builds Data API response bodies: epoch-second timestamps, Field unions for result values, and
 * opaque NextTokens (base64 of an offset) for result paging.
 */
final class ResponseEncoder {
  private final ObjectMapper json;
  private final int pageSize;

  /** Whether sub-statements show their RedshiftQueryId (Faults#subStatementQueryIds). */
  private final FaultInjector answers;

  ResponseEncoder(ObjectMapper json, int pageSize, FaultInjector answers) {
    this.answers = answers;
    this.json = json;
    this.pageSize = pageSize;
  }

  ObjectNode submitted(StatementRecord r) {
    ObjectNode out = json.createObjectNode();
    out.put("Id", r.id());
    out.put("CreatedAt", epochSeconds(r.createdAt()));
    putConnection(out, r);
    return out;
  }

  ObjectNode describe(StatementRecord r) {
    ObjectNode out = json.createObjectNode();
    out.put("Id", r.id());
    out.put("Status", r.status().name());
    if (r.error() != null) {
      out.put("Error", r.error());
    }
    out.put("QueryString", r.queryString());
    out.put("CreatedAt", epochSeconds(r.createdAt()));
    out.put("UpdatedAt", epochSeconds(r.updatedAt()));
    out.put("Duration", r.durationNanos());
    out.put("RedshiftPid", r.redshiftPid());
    putConnection(out, r);
    if (r.isBatch()) {
      boolean hasResultSet = false;
      long rows = -1;
      long size = -1;
      ArrayNode subs = out.putArray("SubStatements");
      for (SubStatement s : r.subStatements()) {
        subs.add(subStatement(s));
        hasResultSet |= s.hasResultSet();
        if (s.resultRows() >= 0) {
          rows = Math.max(rows, 0) + s.resultRows();
        }
        if (s.resultSize() >= 0) {
          size = Math.max(size, 0) + s.resultSize();
        }
      }
      out.put("HasResultSet", hasResultSet);
      out.put("ResultRows", rows);
      out.put("ResultSize", size);
      out.put("RedshiftQueryId", -1L);
    } else {
      SubStatement only = r.subStatements().get(0);
      out.put("HasResultSet", only.hasResultSet());
      out.put("ResultRows", only.resultRows());
      out.put("ResultSize", only.resultSize());
      out.put("RedshiftQueryId", only.redshiftQueryId());
    }
    return out;
  }

  /** A page of ListStatements: {@code statements} from NextToken's offset, at most pageSize. */
  ObjectNode statementList(List<StatementRecord> statements, int pageSize, String nextToken) {
    int offset = decodeOffset(nextToken);
    if (offset > statements.size()) {
      throw DataApiException.validation(
          "Cannot list statements: NextToken is not valid for this request.");
    }
    int end = Math.min(statements.size(), offset + pageSize);
    ObjectNode out = json.createObjectNode();
    ArrayNode list = out.putArray("Statements");
    for (StatementRecord r : statements.subList(offset, end)) {
      ObjectNode o = list.addObject();
      o.put("Id", r.id());
      o.put("Status", r.status().name());
      o.put("IsBatchStatement", r.isBatch());
      if (r.statementName() != null) {
        o.put("StatementName", r.statementName());
      }
      if (r.isBatch()) {
        ArrayNode sqls = o.putArray("QueryStrings");
        r.subStatements().forEach(s -> sqls.add(s.sql()));
      } else {
        o.put("QueryString", r.queryString());
      }
      if (r.connection().secretArn() != null) {
        o.put("SecretArn", r.connection().secretArn());
      }
      o.put("CreatedAt", epochSeconds(r.createdAt()));
      o.put("UpdatedAt", epochSeconds(r.updatedAt()));
    }
    if (end < statements.size()) {
      out.put("NextToken", encodeOffset(end));
    }
    return out;
  }

  /** DescribeStatement with a sub-statement Id describes just that sub-statement. */
  ObjectNode describeSub(StatementRecord parent, SubStatement s) {
    ObjectNode out = subStatement(s);
    out.put("RedshiftPid", parent.redshiftPid());
    putConnection(out, parent);
    return out;
  }

  private ObjectNode subStatement(SubStatement s) {
    ObjectNode o = json.createObjectNode();
    o.put("Id", s.id());
    o.put("Status", s.status().name());
    if (s.error() != null) {
      o.put("Error", s.error());
    }
    o.put("QueryString", s.sql());
    o.put("CreatedAt", epochSeconds(s.createdAt()));
    o.put("UpdatedAt", epochSeconds(s.updatedAt()));
    o.put("Duration", s.durationNanos());
    o.put("HasResultSet", s.hasResultSet());
    o.put("ResultRows", s.resultRows());
    o.put("ResultSize", s.resultSize());
    o.put("RedshiftQueryId", answers.subStatementQueryIds() ? s.redshiftQueryId() : -1L);
    return o;
  }

  ObjectNode resultPage(QueryResult result, String nextToken) {
    int offset = decodeOffset(nextToken);
    List<Object[]> rows = result.rows();
    if (offset > rows.size()) {
      throw DataApiException.validation(
          "Cannot read the result page: NextToken is not valid for this statement.");
    }
    int end = Math.min(rows.size(), offset + pageSize);
    ObjectNode out = json.createObjectNode();
    ArrayNode meta = out.putArray("ColumnMetadata");
    for (ColumnMeta c : result.columns()) {
      ObjectNode m = meta.addObject();
      m.put("isCaseSensitive", c.caseSensitive());
      m.put("isCurrency", c.currency());
      m.put("isSigned", c.signed());
      m.put("label", c.label());
      m.put("length", c.length());
      m.put("name", c.name());
      m.put("nullable", c.nullable());
      m.put("precision", c.precision());
      m.put("scale", c.scale());
      m.put("schemaName", c.schemaName() == null ? "" : c.schemaName());
      m.put("tableName", c.tableName() == null ? "" : c.tableName());
      m.put("typeName", c.typeName());
    }
    ArrayNode records = out.putArray("Records");
    for (int i = offset; i < end; i++) {
      ArrayNode record = records.addArray();
      Object[] row = rows.get(i);
      for (Object v : row) {
        field(record.addObject(), v);
      }
    }
    out.put("TotalNumRows", (long) rows.size());
    if (end < rows.size()) {
      out.put("NextToken", encodeOffset(end));
    }
    return out;
  }

  private void field(ObjectNode f, Object v) {
    if (v == null) {
      f.put("isNull", true);
    } else if (v instanceof Long l) {
      f.put("longValue", l);
    } else if (v instanceof Double d) {
      f.put("doubleValue", d);
    } else if (v instanceof Boolean b) {
      f.put("booleanValue", b);
    } else if (v instanceof byte[] b) {
      f.put("blobValue", Base64.getEncoder().encodeToString(b));
    } else {
      f.put("stringValue", v.toString());
    }
  }

  private static void putConnection(ObjectNode out, StatementRecord r) {
    StatementRecord.ConnectionInfo c = r.connection();
    if (c.clusterIdentifier() != null) {
      out.put("ClusterIdentifier", c.clusterIdentifier());
    }
    if (c.workgroupName() != null) {
      out.put("WorkgroupName", c.workgroupName());
    }
    if (c.database() != null) {
      out.put("Database", c.database());
    }
    if (c.dbUser() != null) {
      out.put("DbUser", c.dbUser());
    }
    if (c.secretArn() != null) {
      out.put("SecretArn", c.secretArn());
    }
  }

  static double epochSeconds(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1e9;
  }

  private static String encodeOffset(int offset) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("offset:" + offset).getBytes(StandardCharsets.UTF_8));
  }

  private static int decodeOffset(String token) {
    if (token == null || token.isEmpty()) {
      return 0;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (!text.startsWith("offset:")) {
        throw new IllegalArgumentException(text);
      }
      int offset = Integer.parseInt(text.substring("offset:".length()));
      if (offset < 0) {
        throw new IllegalArgumentException(text);
      }
      return offset;
    } catch (IllegalArgumentException e) {
      throw DataApiException.validation(
          "Cannot page: NextToken '"
              + token
              + "' is not a token this endpoint issued. "
              + "Pass the NextToken of the previous response unchanged.");
    }
  }
}
