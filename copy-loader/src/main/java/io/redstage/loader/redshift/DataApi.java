package io.redstage.loader.redshift;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.loader.aws.AwsClients;
import io.redstage.loader.config.LoaderConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.ActiveStatementsExceededException;
import software.amazon.awssdk.services.redshiftdata.model.ColumnMetadata;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.GetStatementResultResponse;
import software.amazon.awssdk.services.redshiftdata.model.ListStatementsResponse;
import software.amazon.awssdk.services.redshiftdata.model.RedshiftDataException;
import software.amazon.awssdk.services.redshiftdata.model.StatementData;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;
import software.amazon.awssdk.services.redshiftdata.model.SubStatementData;

/**
 * Runs SQL through the Redshift Data API: submits (the SDK's retry strategy retries throttling and
 * 5xx, reusing the ClientToken), polls DescribeStatement with exponential backoff and jitter, and
 * caps the statements this loader has in flight with a semaphore. Counts its API calls for metrics
 * and the benchmark.
 */
public final class DataApi {
  private static final String TRANSIENT = ". " + AwsClients.MAY_PASS;

  private static final Logger LOG = LoggerFactory.getLogger(DataApi.class);

  /** Sleeps between polls; replaceable so unit tests of callers need not wait. */
  public interface Sleeper {
    /** Waits on the thread itself, as everything but tests does. */
    Sleeper THREAD = d -> Thread.sleep(d.toMillis());

    void sleep(Duration d) throws InterruptedException;
  }

  private final RedshiftDataClient client;
  private final DataApiTarget target;
  private final Semaphore inFlight;
  private final Backoff poll;
  private final Duration timeout;
  private final Sleeper sleeper;
  private final AtomicLong calls = new AtomicLong();

  public DataApi(
      RedshiftDataClient client,
      DataApiTarget target,
      int maxInFlight,
      Backoff poll,
      Duration timeout,
      Sleeper sleeper) {
    this.client = client;
    this.target = target;
    this.inFlight = new Semaphore(maxInFlight, true);
    this.poll = poll;
    this.timeout = timeout;
    this.sleeper = sleeper;
  }

  /** The Data API of the configured cluster or workgroup, with the configured limits and polls. */
  public static DataApi of(LoaderConfig c, RedshiftDataClient client, Sleeper sleeper) {
    DataApiTarget target =
        new DataApiTarget(
            c.string(REDSHIFT_CLUSTER),
            c.string(REDSHIFT_WORKGROUP),
            c.string(REDSHIFT_DATABASE),
            c.string(REDSHIFT_DB_USER),
            c.string(REDSHIFT_SECRET_ARN));
    return new DataApi(
        client,
        target,
        c.integer(REDSHIFT_MAX_IN_FLIGHT),
        new Backoff(c.duration(REDSHIFT_POLL_INITIAL), c.duration(REDSHIFT_POLL_MAX)),
        c.duration(REDSHIFT_STATEMENT_TIMEOUT),
        sleeper);
  }

  /** Data API calls made so far (one per operation, however many HTTP attempts the SDK needed). */
  public long calls() {
    return calls.get();
  }

  public DataApiTarget target() {
    return target;
  }

  /**
   * The outcome of a finished statement: its id and, for batches, each sub-statement's result row
   * count (for a COPY: the rows it loaded) and Redshift query id (-1 when not given; the key of the
   * load-error views).
   */
  public record Outcome(
      String id,
      List<Long> subStatementRows,
      List<Long> subStatementQueryIds,
      long resultRows,
      boolean hasResultSet) {}

  /**
   * Runs statements as one transaction and waits for the end.
   *
   * @param clientToken idempotency token: the same token within 8 hours returns the same statement
   * @throws StatementFailedException when the transaction failed (it rolled back)
   * @throws StatementTimeoutException when waiting took longer than the statement timeout
   * @throws StatementOutcomeUnknownException when polling the submitted statement failed
   * @throws DataApiException when the Data API itself could not be used
   */
  public Outcome executeBatch(List<String> sqls, String clientToken, String statementName)
      throws InterruptedException {
    acquire();
    try {
      String id =
          submit(
              () ->
                  client
                      .batchExecuteStatement(
                          b ->
                              target
                                  .apply(b)
                                  .sqls(sqls)
                                  .clientToken(clientToken)
                                  .statementName(statementName))
                      .id(),
              statementName);
      return await(id, statementName);
    } finally {
      inFlight.release();
    }
  }

  /** Runs one statement and waits for the end. */
  public Outcome execute(String sql, String statementName) throws InterruptedException {
    acquire();
    try {
      String id =
          submit(
              () ->
                  client
                      .executeStatement(b -> target.apply(b).sql(sql).statementName(statementName))
                      .id(),
              statementName);
      return await(id, statementName);
    } finally {
      inFlight.release();
    }
  }

  /** Runs a SELECT and reads all result pages. */
  public QueryResult query(String sql, String statementName) throws InterruptedException {
    Outcome o = execute(sql, statementName);
    if (!o.hasResultSet()) {
      return new QueryResult(new ArrayList<>(), new ArrayList<>());
    }
    return results(o.id());
  }

  /**
   * Runs statements as one transaction whose last statement is a SELECT (temp tables live only
   * within it), and reads that statement's result through its sub-statement id.
   */
  public QueryResult queryBatch(List<String> sqls, String clientToken, String statementName)
      throws InterruptedException {
    Outcome o = executeBatch(sqls, clientToken, statementName);
    return results(o.id() + ":" + sqls.size());
  }

  /**
   * The result set of statement {@code index} (0-based) of a finished BatchExecuteStatement, read
   * by its sub-statement id.
   */
  public QueryResult subStatementResult(Outcome batch, int index) {
    return results(batch.id() + ":" + (index + 1));
  }

  private QueryResult results(String id) {
    List<String> columns = new ArrayList<>();
    List<List<Object>> rows = new ArrayList<>();
    String token = null;
    do {
      String next = token;
      GetStatementResultResponse page =
          call(
              () -> client.getStatementResult(b -> b.id(id).nextToken(next)), "GetStatementResult");
      if (columns.isEmpty() && page.hasColumnMetadata()) {
        for (ColumnMetadata c : page.columnMetadata()) {
          columns.add(c.name());
        }
      }
      for (List<Field> record : page.records()) {
        List<Object> row = new ArrayList<>(record.size());
        for (Field f : record) {
          row.add(value(f));
        }
        rows.add(row);
      }
      token = page.nextToken();
    } while (token != null && !token.isEmpty());
    return new QueryResult(columns, rows);
  }

  private static Object value(Field f) {
    if (Boolean.TRUE.equals(f.isNull())) {
      return null;
    }
    if (f.stringValue() != null) {
      return f.stringValue();
    }
    if (f.longValue() != null) {
      return f.longValue();
    }
    if (f.doubleValue() != null) {
      return f.doubleValue();
    }
    if (f.booleanValue() != null) {
      return f.booleanValue();
    }
    if (f.blobValue() != null) {
      return f.blobValue().asByteArray();
    }
    return null;
  }

  private void acquire() throws InterruptedException {
    inFlight.acquire();
  }

  private interface Call<T> {
    T run();
  }

  private <T> T call(Call<T> c, String what) {
    calls.incrementAndGet();
    try {
      return c.run();
    } catch (ActiveStatementsExceededException e) {
      throw new DataApiException(
          "Cannot run "
              + what
              + ": the cluster has too many active Data API statements. "
              + "Lower redshift.max-statements-in-flight or other Data API users' load.",
          true,
          e);
    } catch (RedshiftDataException e) {
      boolean transientFailure = e.isThrottlingException() || e.statusCode() >= 500;
      throw new DataApiException(
          "Cannot run "
              + what
              + ": "
              + e.awsErrorDetails().errorCode()
              + " (HTTP "
              + e.statusCode()
              + "): "
              + e.awsErrorDetails().errorMessage()
              + (transientFailure
                  ? TRANSIENT
                  : ("ValidationException".equals(e.awsErrorDetails().errorCode())
                          ? ". The Data API refused the request as invalid, for the reason it gives;"
                              + " only if it names the connection: "
                          : ". ")
                      + "Check "
                      + REDSHIFT_WORKGROUP
                      + " (or "
                      + REDSHIFT_CLUSTER
                      + "), "
                      + REDSHIFT_DATABASE
                      + ", "
                      + REDSHIFT_SECRET_ARN
                      + " (or "
                      + REDSHIFT_DB_USER
                      + ") and the IAM permissions for the Data API (redshift-data:*, and "
                      + "secretsmanager:GetSecretValue for a secret, or redshift-serverless:GetCredentials "
                      + "or redshift:GetClusterCredentials)."),
          transientFailure,
          e);
    } catch (SdkClientException e) {
      throw new DataApiException(
          "Cannot reach the Redshift Data API for " + what + ": " + e.getMessage() + TRANSIENT,
          true,
          e);
    } catch (SdkException e) {
      throw new DataApiException("Cannot run " + what + ": " + e.getMessage(), e.retryable(), e);
    }
  }

  /** Where a statement stands, as far as a load that stopped waiting for it cares. */
  public enum Progress {
    /** Queued or running (or the Data API could not say, for now). */
    RUNNING,
    /** Finished: committed, which the load-marker table shows from now on. */
    FINISHED,
    /** Failed or aborted, or no longer known to the Data API (it keeps statements 24 hours). */
    ENDED
  }

  /**
   * Where a statement stands, and, when it ended FAILED or ABORTED, how it failed (empty otherwise,
   * and when the Data API no longer knows it). One DescribeStatement gives both, so that a failure
   * is never lost to a second call that fails.
   */
  public record StatementProgress(Progress progress, Optional<StatementFailedException> failure) {}

  /**
   * Where statement {@code id} stands and how it failed, from one DescribeStatement; a transient
   * failure of that call reads as still running (asked again later), any other as ended.
   */
  public StatementProgress describe(String id) {
    try {
      DescribeStatementResponse d =
          call(() -> client.describeStatement(b -> b.id(id)), "DescribeStatement");
      StatusString s = d.status();
      if (s == StatusString.FINISHED) {
        return new StatementProgress(Progress.FINISHED, Optional.empty());
      }
      if (s == StatusString.SUBMITTED || s == StatusString.PICKED || s == StatusString.STARTED) {
        return new StatementProgress(Progress.RUNNING, Optional.empty());
      }
      return new StatementProgress(
          Progress.ENDED,
          s == StatusString.FAILED || s == StatusString.ABORTED
              ? Optional.of(failure(id, d))
              : Optional.empty());
    } catch (DataApiException e) {
      return new StatementProgress(
          e.isTransient() ? Progress.RUNNING : Progress.ENDED, Optional.empty());
    }
  }

  /**
   * Submits a statement; a failure says whether the Data API refused it for certain ({@link
   * DataApiException#submissionRefused}).
   */
  private String submit(Call<String> c, String name) {
    try {
      return call(c, name);
    } catch (DataApiException e) {
      if (SubmissionRefusal.certain(e.getCause())) {
        throw new DataApiException(e.getMessage(), e.isTransient(), true, e.getCause());
      }
      throw e;
    }
  }

  private Outcome await(String id, String name) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int n = 0;
    while (true) {
      DescribeStatementResponse d;
      try {
        d = call(() -> client.describeStatement(b -> b.id(id)), "DescribeStatement");
      } catch (DataApiException e) {
        if (!e.isTransient() || System.nanoTime() > deadline) {
          // The statement was submitted: it may still commit.
          throw new StatementOutcomeUnknownException(
              "Cannot learn the outcome of statement "
                  + id
                  + " ("
                  + name
                  + "), so it is left to the load-marker table: polling it failed: "
                  + e.getMessage(),
              e,
              id);
        }
        LOG.warn(
            "Polling statement {} ({}) failed transiently, polling again: {}",
            id,
            name,
            e.getMessage());
        d = null;
      }
      if (d != null) {
        StatusString s = d.status();
        if (s == StatusString.FINISHED) {
          return outcome(id, d);
        }
        if (s == StatusString.FAILED || s == StatusString.ABORTED) {
          throw failure(id, d);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new StatementTimeoutException(
            "Cannot wait longer for statement "
                + id
                + " ("
                + name
                + "): still running after "
                + timeout
                + ". Its outcome is left to the load-marker table; raise redshift.statement-timeout if loads are this slow.",
            id);
      }
      sleeper.sleep(poll.delay(Math.min(n++, 20)));
    }
  }

  private static Outcome outcome(String id, DescribeStatementResponse d) {
    List<Long> subRows = new ArrayList<>();
    List<Long> subQueryIds = new ArrayList<>();
    if (d.hasSubStatements()) {
      for (SubStatementData sub : d.subStatements()) {
        subRows.add(sub.resultRows() == null ? -1L : sub.resultRows());
        subQueryIds.add(sub.redshiftQueryId() == null ? -1L : sub.redshiftQueryId());
      }
    }
    return new Outcome(
        id,
        subRows,
        subQueryIds,
        d.resultRows() == null ? -1 : d.resultRows(),
        Boolean.TRUE.equals(d.hasResultSet()));
  }

  /**
   * The finished statement named exactly {@code name}, found by ListStatements (which matches names
   * by prefix) and described: how a process that did not submit it, or lost its id, reads its
   * results within the 24 hours the Data API keeps them. Empty when none is listed: older than
   * that, run under another IAM role, or not finished.
   *
   * @throws DataApiException when the Data API cannot be asked (ListStatements not allowed, say)
   */
  public Optional<Outcome> finished(String name) {
    String token = null;
    do {
      String next = token;
      ListStatementsResponse page =
          call(
              () ->
                  client.listStatements(
                      b ->
                          b.statementName(name)
                              .status(StatusString.FINISHED)
                              .roleLevel(true)
                              .nextToken(next)),
              "ListStatements");
      for (StatementData st : page.statements()) {
        if (name.equals(st.statementName())) {
          DescribeStatementResponse d =
              call(() -> client.describeStatement(b -> b.id(st.id())), "DescribeStatement");
          if (d.status() == StatusString.FINISHED) {
            return Optional.of(outcome(st.id(), d));
          }
        }
      }
      token = page.nextToken();
    } while (token != null && !token.isEmpty());
    return Optional.empty();
  }

  private static StatementFailedException failure(String id, DescribeStatementResponse d) {
    String error = d.error();
    int index = -1;
    long queryId = -1;
    if (d.hasSubStatements()) {
      List<SubStatementData> subs = d.subStatements();
      // the FAILED one first: what Redshift reports for the sub-statements the failure rolled back
      // is not documented, and if those before it read ABORTED, taking the first ABORTED would
      // blame the LOCK and leave the COPY's load errors unread. ABORTED alone (a cancelled batch)
      // still names the first one.
      index = firstWithStatus(subs, "FAILED");
      if (index < 0) {
        index = firstWithStatus(subs, "ABORTED");
      }
      if (index >= 0) {
        SubStatementData sub = subs.get(index);
        queryId = sub.redshiftQueryId() == null ? -1 : sub.redshiftQueryId();
        if (sub.error() != null && !sub.error().isEmpty()) {
          error = sub.error();
        }
      }
    } else if (d.redshiftQueryId() != null) {
      queryId = d.redshiftQueryId();
    }
    return new StatementFailedException(
        id, error == null ? d.statusAsString() : error, index, queryId);
  }

  private static int firstWithStatus(List<SubStatementData> subs, String status) {
    for (int i = 0; i < subs.size(); i++) {
      if (status.equals(subs.get(i).statusAsString())) {
        return i;
      }
    }
    return -1;
  }
}
