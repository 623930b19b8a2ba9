package io.redstage.loader.load;

import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.sql.SqlText;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the row-level details of a COPY (file, line, column, reason) from the load-error views:
 * after a failed COPY from SYS_LOAD_ERROR_DETAIL, falling back to STL_LOAD_ERRORS on clusters
 * without the SYS views; for the rows a committed COPY rejected under MAXERROR from STL_LOAD_ERRORS
 * first, since only it has the raw line.
 */
public final class LoadErrorReader {
  private static final Logger LOG = LoggerFactory.getLogger(LoadErrorReader.class);
  private static final int LIMIT = 20;
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /**
   * One rejected row; {@code rawLine} is null when the view does not give it
   * (SYS_LOAD_ERROR_DETAIL).
   */
  public record LoadError(
      String file, long line, String column, String code, String reason, String rawLine) {
    @Override
    public String toString() {
      return file
          + " line "
          + line
          + (column == null || column.isEmpty() ? "" : " column " + column)
          + ": "
          + reason
          + (code == null ? "" : " (code " + code + ")");
    }
  }

  private final DataApi api;

  public LoadErrorReader(DataApi api) {
    this.api = api;
  }

  /** The first rows a failed COPY rejected (what the quarantine report shows). */
  public List<LoadError> read(StatementFailedException failure, String batchId)
      throws InterruptedException {
    if (failure.redshiftQueryId() <= 0) {
      return List.of();
    }
    long q = failure.redshiftQueryId();
    List<LoadError> errors = read(List.of(sys(q, LIMIT), stl(q, LIMIT)), batchId);
    if (errors == null) {
      LOG.warn(
          "Batch {}: cannot read load error details for query {} from SYS_LOAD_ERROR_DETAIL or STL_LOAD_ERRORS",
          batchId,
          q);
      return List.of();
    }
    return errors;
  }

  /**
   * Up to {@code limit} rows a committed COPY (query {@code queryId}) rejected under MAXERROR, with
   * raw lines where the view has them.
   */
  public List<LoadError> rejected(long queryId, int limit, String batchId)
      throws InterruptedException {
    List<LoadError> errors = read(List.of(stl(queryId, limit), sys(queryId, limit)), batchId);
    if (errors == null) {
      throw new DataApiException(
          "Cannot read the rows query "
              + queryId
              + " rejected from STL_LOAD_ERRORS or SYS_LOAD_ERROR_DETAIL",
          true,
          null);
    }
    return errors;
  }

  /**
   * The rows COPYs of these files rejected since {@code since}, whatever their query: what a
   * recovery reads when the query ids of a committed batch are not known. Files are matched by URL,
   * so rows of other tables' COPYs never match; rows of an earlier, rolled-back COPY of the same
   * files may, which callers dedupe by file and line.
   */
  public List<LoadError> rejectedInFiles(
      List<String> urls, Instant since, int limit, String batchId) throws InterruptedException {
    // the views keep FILE_NAME_CHARS of a name: match what they hold, then give each row its full
    // URL back
    String in =
        urls.stream()
            .map(u -> SqlText.literal(stored(u)))
            .distinct()
            .collect(Collectors.joining(", ", "(", ")"));
    String at = SqlText.literal(TS.format(since));
    List<LoadError> errors =
        read(
            List.of(
                stl("TRIM(filename) IN " + in + " AND starttime >= " + at, limit),
                sys("TRIM(file_name) IN " + in + " AND start_time >= " + at, limit)),
            batchId);
    if (errors == null) {
      throw new DataApiException(
          "Cannot read the rows COPY rejected from "
              + urls.size()
              + " file(s) from STL_LOAD_ERRORS or "
              + "SYS_LOAD_ERROR_DETAIL",
          true,
          null);
    }
    return withFullNames(errors, urls);
  }

  /** Characters of a file name STL_LOAD_ERRORS keeps (its filename column is CHAR(256)). */
  static final int FILE_NAME_CHARS = 256;

  /** The file name as the load-error views store it. */
  static String stored(String url) {
    return url.length() > FILE_NAME_CHARS ? url.substring(0, FILE_NAME_CHARS) : url;
  }

  /**
   * The rows with the full URL of their file among {@code urls}: a name the view cut (a long topic
   * or partition path) would otherwise match no unit and no S3 object.
   */
  public static List<LoadError> withFullNames(List<LoadError> errors, Collection<String> urls) {
    Map<String, String> full = new HashMap<>();
    urls.forEach(u -> full.putIfAbsent(stored(u), u));
    List<LoadError> out = new ArrayList<>(errors.size());
    for (LoadError e : errors) {
      String url = e.file() == null ? null : full.getOrDefault(e.file(), e.file());
      out.add(
          url == null || url.equals(e.file())
              ? e
              : new LoadError(url, e.line(), e.column(), e.code(), e.reason(), e.rawLine()));
    }
    return out;
  }

  private static String sys(long q, int limit) {
    return sys("query_id = " + q, limit);
  }

  private static String stl(long q, int limit) {
    return stl("query = " + q, limit);
  }

  /**
   * SYS_LOAD_ERROR_DETAIL rows matching {@code where}, in the column order {@link #read} expects
   * (it has no raw line).
   */
  private static String sys(String where, int limit) {
    return "SELECT TRIM(file_name) AS file, line_number AS line, TRIM(column_name) AS col, error_code AS code, "
        + "TRIM(error_message) AS reason, CAST(NULL AS VARCHAR(1)) AS raw FROM SYS_LOAD_ERROR_DETAIL WHERE "
        + where
        + " ORDER BY file_name, line_number LIMIT "
        + limit;
  }

  /** STL_LOAD_ERRORS rows matching {@code where}, in the column order {@link #read} expects. */
  private static String stl(String where, int limit) {
    return "SELECT TRIM(filename) AS file, line_number AS line, TRIM(colname) AS col, err_code AS code, "
        + "TRIM(err_reason) AS reason, TRIM(raw_line) AS raw FROM STL_LOAD_ERRORS WHERE "
        + where
        + " ORDER BY filename, line_number LIMIT "
        + limit;
  }

  /** The rows of the first query that works, or null when none does. */
  private List<LoadError> read(List<String> queries, String batchId) throws InterruptedException {
    for (String sql : queries) {
      try {
        QueryResult r = api.query(sql, "redstage-load-errors-" + batchId);
        List<LoadError> out = new ArrayList<>();
        for (List<Object> row : r.rows()) {
          out.add(
              new LoadError(
                  QueryResult.string(row.get(0)),
                  row.get(1) == null ? -1 : QueryResult.number(row.get(1)),
                  QueryResult.string(row.get(2)),
                  QueryResult.string(row.get(3)),
                  QueryResult.string(row.get(4)),
                  QueryResult.string(row.get(5))));
        }
        return out;
      } catch (StatementFailedException | DataApiException e) {
        LOG.debug(
            "Batch {}: load error view query failed, trying the next one: {}",
            batchId,
            e.getMessage());
      }
    }
    return null;
  }
}
