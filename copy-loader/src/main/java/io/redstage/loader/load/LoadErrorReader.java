package io.redstage.loader.load;

import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.sql.SqlText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the row-level details of a COPY (file, line, column, reason) from the load-error views. A
 * provisioned cluster is read in STL_LOAD_ERRORS first: the Data API's RedshiftQueryId is STL's
 * query id (SYS views number queries differently there), and only STL has the raw line. Serverless
 * has only the SYS views, so SYS_LOAD_ERROR_DETAIL comes first there. A view that fails or has no
 * row for the COPY leaves the other one to try; since the other one numbers queries its own way,
 * its rows count only for the COPY's own files.
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
    /**
     * Where the row is and Redshift's error code, without the reason: Redshift's reasons quote the
     * value ("Invalid digit, Value 'n'"), which is the records' data and stays out of logs.
     */
    public String location() {
      return file
          + " line "
          + line
          + (column == null || column.isEmpty() ? "" : " column " + column)
          + (code == null ? "" : " (code " + code + ")");
    }

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

  /** Runs one query: the Data API's, or a test's. */
  interface Queries {
    QueryResult query(String sql, String statementName) throws InterruptedException;
  }

  /**
   * A load-error view: how to select its rows in the column order {@link #read} expects. The two
   * views hold the same facts under other column names.
   */
  enum View {
    STL(
        "STL_LOAD_ERRORS",
        "filename",
        "colname",
        "err_code",
        "err_reason",
        "TRIM(raw_line)",
        "query",
        "starttime"),
    /** It has no raw line. */
    SYS(
        "SYS_LOAD_ERROR_DETAIL",
        "file_name",
        "column_name",
        "error_code",
        "error_message",
        "CAST(NULL AS VARCHAR(1))",
        "query_id",
        "start_time");

    private final String table;
    private final String file;
    private final String column;
    private final String code;
    private final String reason;
    private final String raw;
    private final String query;
    private final String started;

    View(
        String table,
        String file,
        String column,
        String code,
        String reason,
        String raw,
        String query,
        String started) {
      this.table = table;
      this.file = file;
      this.column = column;
      this.code = code;
      this.reason = reason;
      this.raw = raw;
      this.query = query;
      this.started = started;
    }

    String select(String where, int limit) {
      return "SELECT TRIM("
          + file
          + ") AS file, line_number AS line, TRIM("
          + column
          + ") AS col, "
          + code
          + " AS code, TRIM("
          + reason
          + ") AS reason, "
          + raw
          + " AS raw, "
          + query
          + " AS q FROM "
          + table
          + " WHERE "
          + where
          + " ORDER BY "
          + file
          + ", line_number LIMIT "
          + limit;
    }

    String byQuery(long queryId) {
      return query + " = " + queryId;
    }

    String byFiles(String in, String since) {
      return "TRIM(" + file + ") IN " + in + " AND " + started + " >= " + since;
    }
  }

  private final Queries api;
  private final List<View> views;
  private final Clock clock;

  public LoadErrorReader(DataApi api, Clock clock) {
    this(api::query, api.target().workgroupName() != null, clock);
  }

  /**
   * @param serverless whether the target is a Serverless workgroup (else a provisioned cluster)
   * @param clock this loader's clock, which measures how long ago a {@code since} was
   */
  LoadErrorReader(Queries api, boolean serverless, Clock clock) {
    this.api = api;
    this.views = serverless ? List.of(View.SYS, View.STL) : List.of(View.STL, View.SYS);
    this.clock = clock;
  }

  /**
   * The first rows a failed COPY of {@code files} (their URLs) rejected (what the quarantine report
   * shows).
   */
  public List<LoadError> read(
      StatementFailedException failure, List<String> files, String batchId, Instant since)
      throws InterruptedException {
    if (failure.redshiftQueryId() <= 0) {
      // no query id (a real batch once answered -1 for its sub-statements): the rows COPYs of these
      // files rejected since the batch started
      try {
        return rejectedInFiles(files, since, LIMIT, batchId).rows();
      } catch (DataApiException e) {
        LOG.warn(
            "Batch {}: cannot read load error details of its failed COPY by file name: {}",
            batchId,
            e.getMessage());
        return List.of();
      }
    }
    long q = failure.redshiftQueryId();
    List<LoadError> errors = byQuery(q, files, LIMIT, batchId);
    if (errors == null) {
      LOG.warn(
          "Batch {}: cannot read load error details for query {} from STL_LOAD_ERRORS or SYS_LOAD_ERROR_DETAIL",
          batchId,
          q);
      return List.of();
    }
    return errors;
  }

  /**
   * Up to {@code limit} rows a committed COPY (query {@code queryId}) of {@code files} rejected
   * under MAXERROR, with raw lines where the view has them.
   */
  public List<LoadError> rejected(long queryId, List<String> files, int limit, String batchId)
      throws InterruptedException {
    List<LoadError> errors = byQuery(queryId, files, limit, batchId);
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
   * Slack on either side of {@link #startedSince}'s bound: the seconds the Data API takes to run a
   * statement, and clocks a little apart.
   */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

  /**
   * SQL for the earliest start a COPY begun after {@code since} can have in the load-error views,
   * whose clock is the cluster's. {@code since} is a loader's clock reading, which may be minutes
   * off the cluster's: a bound of {@code since} alone finds nothing when that loader runs ahead. So
   * the bound is the earlier of {@code since} and the cluster's now (in UTC, as the views' times)
   * less the time this loader's clock says has passed since then, each less {@link #CLOCK_SKEW}.
   * The second holds whatever the offset when this loader read {@code since} (a batch and its
   * report), the first when the loader that did keeps the cluster's time (a recovery in another
   * process). An earlier bound can only add rows of an earlier, rolled-back COPY of the same files,
   * which are deduplicated by line.
   */
  String startedSince(Instant since) {
    long ago = Math.max(0, Duration.between(since, clock.instant()).getSeconds());
    return "LEAST(CAST("
        + SqlText.literal(TS.format(since.minus(CLOCK_SKEW)))
        + " AS TIMESTAMP), DATEADD(second, -"
        + (ago + CLOCK_SKEW.getSeconds())
        + ", "
        + SqlText.UTC_NOW
        + "))";
  }

  /**
   * What {@link #rejectedInFiles} found: each file and line once, and whether a query hit its
   * limit.
   */
  public record InFiles(List<LoadError> rows, boolean limited) {}

  /**
   * Characters of file URLs per load-error query, well below the Data API's 100 KB statement limit.
   */
  static final int MAX_URL_CHARS = 50_000;

  /**
   * The rows COPYs of these files rejected since {@code since} (less the views' clock skew),
   * whatever their query: what is left when a COPY's query id is not known (a recovery, a
   * sub-statement the Data API gave -1). Files are matched by URL, so rows of other tables' COPYs
   * never match; rows of an earlier, rolled-back COPY of the same files may, so each file and line
   * is kept once. Where several of {@code urls} share the name the views keep ({@link #stored}), a
   * line number names one line of each of them: those rows are kept as one query listed them (the
   * query that listed most), so that two files' rejected lines of one number stay two rows, with
   * the shared name as their file ({@link SharedFileNames} works out which file each is). The names
   * go in chunks of {@link #MAX_URL_CHARS}, each query reading up to {@code limitPerQuery} rows.
   */
  public InFiles rejectedInFiles(
      List<String> urls, Instant since, int limitPerQuery, String batchId)
      throws InterruptedException {
    String from = startedSince(since);
    Map<String, List<String>> shared = SharedFileNames.shared(urls);
    // chunked by stored name, not URL: a name asked in two chunks would list its rows twice
    List<String> names = urls.stream().map(LoadErrorReader::stored).distinct().toList();
    Map<String, List<Found>> byLine = new LinkedHashMap<>();
    boolean limited = false;
    for (List<String> chunk : chunks(names)) {
      List<Found> part = rejectedInChunk(chunk, from, limitPerQuery, batchId);
      limited |= part.size() >= limitPerQuery;
      part.forEach(
          f ->
              byLine
                  .computeIfAbsent(
                      f.error().file() + "\n" + f.error().line(), k -> new ArrayList<>())
                  .add(f));
    }
    List<LoadError> rows = new ArrayList<>();
    for (List<Found> same : byLine.values()) {
      if (shared.containsKey(same.get(0).error().file())) {
        rows.addAll(ofOneQuery(same));
      } else {
        rows.add(same.get(0).error());
      }
    }
    return new InFiles(withFullNames(rows, urls), limited);
  }

  /**
   * The rows one query listed for a shared name and line, the query that listed most: within one
   * COPY a file and line is one row, so two rows are two files; across queries they are an earlier,
   * rolled-back COPY's row again.
   */
  private static List<LoadError> ofOneQuery(List<Found> same) {
    Map<Long, List<LoadError>> byQuery = new LinkedHashMap<>();
    same.forEach(f -> byQuery.computeIfAbsent(f.query(), q -> new ArrayList<>()).add(f.error()));
    List<LoadError> most = List.of();
    for (List<LoadError> rows : byQuery.values()) {
      if (rows.size() > most.size()) {
        most = rows;
      }
    }
    return most;
  }

  /** A row of a view and the query that rejected it (-1 when the view did not say). */
  private record Found(LoadError error, long query) {}

  /** The rows the views list for these stored names, under the names the views keep. */
  private List<Found> rejectedInChunk(
      List<String> names, String startedSince, int limit, String batchId)
      throws InterruptedException {
    // the views keep FILE_NAME_CHARS of a name: match what they hold
    String in = names.stream().map(SqlText::literal).collect(Collectors.joining(", ", "(", ")"));
    // by file name, not query id: either view's rows are these files' own
    List<Found> errors = read(v -> v.select(v.byFiles(in, startedSince), limit), null, batchId);
    if (errors == null) {
      throw new DataApiException(
          "Cannot read the rows COPY rejected from "
              + names.size()
              + " file name(s) from STL_LOAD_ERRORS or "
              + "SYS_LOAD_ERROR_DETAIL",
          true,
          null);
    }
    return errors;
  }

  static List<List<String>> chunks(List<String> urls) {
    List<List<String>> out = new ArrayList<>();
    List<String> current = new ArrayList<>();
    int chars = 0;
    for (String u : urls) {
      if (!current.isEmpty() && chars + u.length() + 4 > MAX_URL_CHARS) {
        out.add(current);
        current = new ArrayList<>();
        chars = 0;
      }
      current.add(u);
      chars += u.length() + 4;
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }

  /** Characters of a file name STL_LOAD_ERRORS keeps (its filename column is CHAR(256)). */
  static final int FILE_NAME_CHARS = 256;

  /** The file name as the load-error views store it. */
  static String stored(String url) {
    return url.length() > FILE_NAME_CHARS ? url.substring(0, FILE_NAME_CHARS) : url;
  }

  /**
   * The rows with the full URL of their file among {@code urls}: a name the view cut (a long topic
   * or partition path) would otherwise match no unit and no S3 object. A name that several of the
   * URLs share stays as the view gives it: which of them a row is in is for {@link SharedFileNames}
   * to work out, never the first URL's by default.
   */
  public static List<LoadError> withFullNames(List<LoadError> errors, Collection<String> urls) {
    Map<String, String> full = new HashMap<>();
    Map<String, List<String>> shared = SharedFileNames.shared(urls);
    urls.forEach(
        u -> {
          if (!shared.containsKey(stored(u))) {
            full.put(stored(u), u);
          }
        });
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

  /**
   * The rows of query {@code queryId} in the first view that has any; the later views' rows only
   * where their file is one of {@code files}: the same number can name another query there (SYS and
   * STL ids differ on a provisioned cluster), whose rows are another table's data.
   */
  private List<LoadError> byQuery(long queryId, List<String> files, int limit, String batchId)
      throws InterruptedException {
    Set<String> stored = files.stream().map(LoadErrorReader::stored).collect(Collectors.toSet());
    List<Found> rows = read(v -> v.select(v.byQuery(queryId), limit), stored, batchId);
    return rows == null ? null : rows.stream().map(Found::error).toList();
  }

  /**
   * The rows of the first view, in this target's order, whose query works and finds any; empty when
   * the queries that work find none, null when none works. Rows of a view after the first count
   * only where their file is in {@code fallbackFiles} (null: all).
   */
  private List<Found> read(Function<View, String> sql, Set<String> fallbackFiles, String batchId)
      throws InterruptedException {
    boolean anyWorked = false;
    for (View view : views) {
      List<Found> rows = run(sql.apply(view), batchId);
      if (rows == null) {
        continue;
      }
      anyWorked = true;
      if (fallbackFiles != null && view != views.get(0)) {
        rows = rows.stream().filter(f -> fallbackFiles.contains(f.error().file())).toList();
      }
      if (!rows.isEmpty()) {
        return rows;
      }
      LOG.debug("Batch {}: no load errors in {}, trying the next view", batchId, view);
    }
    return anyWorked ? List.of() : null;
  }

  /** The rows of one query, or null when it fails (a view this target does not have). */
  private List<Found> run(String sql, String batchId) throws InterruptedException {
    try {
      QueryResult r = api.query(sql, "redstage-load-errors-" + batchId);
      List<Found> out = new ArrayList<>();
      for (List<Object> row : r.rows()) {
        out.add(
            new Found(
                new LoadError(
                    QueryResult.string(row.get(0)),
                    row.get(1) == null ? -1 : QueryResult.number(row.get(1)),
                    QueryResult.string(row.get(2)),
                    QueryResult.string(row.get(3)),
                    QueryResult.string(row.get(4)),
                    QueryResult.string(row.get(5))),
                row.size() > 6 && row.get(6) != null ? QueryResult.number(row.get(6)) : -1));
      }
      return out;
    } catch (StatementFailedException | DataApiException e) {
      LOG.debug(
          "Batch {}: load error view query failed, trying the next one: {}",
          batchId,
          e.getMessage());
      return null;
    }
  }
}
