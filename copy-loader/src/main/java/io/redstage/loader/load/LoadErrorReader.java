package io.redstage.loader.load;

import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.redshift.StatementFailedException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a failed COPY, reads the row-level details (file, line, column, reason) from SYS_LOAD_ERROR_DETAIL,
 * falling back to STL_LOAD_ERRORS on clusters without the SYS views.
 */
public final class LoadErrorReader {
  private static final Logger LOG = LoggerFactory.getLogger(LoadErrorReader.class);
  private static final int LIMIT = 20;

  /** One rejected row. */
  public record LoadError(String file, long line, String column, String code, String reason) {
    @Override
    public String toString() {
      return file + " line " + line + (column == null || column.isEmpty() ? "" : " column " + column) + ": " + reason
          + (code == null ? "" : " (code " + code + ")");
    }
  }

  private final DataApi api;

  public LoadErrorReader(DataApi api) {
    this.api = api;
  }

  public List<LoadError> read(StatementFailedException failure, String batchId) throws InterruptedException {
    if (failure.redshiftQueryId() <= 0) {
      return List.of();
    }
    long q = failure.redshiftQueryId();
    String sys = "SELECT TRIM(file_name) AS file, line_number AS line, TRIM(column_name) AS col, error_code AS code, "
        + "TRIM(error_message) AS reason FROM SYS_LOAD_ERROR_DETAIL WHERE query_id = " + q + " ORDER BY line_number LIMIT " + LIMIT;
    String stl = "SELECT TRIM(filename) AS file, line_number AS line, TRIM(colname) AS col, err_code AS code, "
        + "TRIM(err_reason) AS reason FROM STL_LOAD_ERRORS WHERE query = " + q + " ORDER BY line_number LIMIT " + LIMIT;
    for (String sql : List.of(sys, stl)) {
      try {
        QueryResult r = api.query(sql, "redstage-load-errors-" + batchId);
        List<LoadError> out = new ArrayList<>();
        for (List<Object> row : r.rows()) {
          out.add(new LoadError(QueryResult.string(row.get(0)), row.get(1) == null ? -1 : QueryResult.number(row.get(1)),
              QueryResult.string(row.get(2)), QueryResult.string(row.get(3)), QueryResult.string(row.get(4))));
        }
        return out;
      } catch (StatementFailedException | DataApiException e) {
        LOG.debug("Batch {}: load error view query failed, trying the next one: {}", batchId, e.getMessage());
      }
    }
    LOG.warn("Batch {}: cannot read load error details for query {} from SYS_LOAD_ERROR_DETAIL or STL_LOAD_ERRORS", batchId, q);
    return List.of();
  }
}
