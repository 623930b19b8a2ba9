package io.redstage.sandbox.redshift;

import io.redstage.sandbox.redshift.fault.FaultInjector;
import io.redstage.sandbox.redshift.fault.FaultInjector.ApiFault;
import java.time.Duration;
import java.util.Map;

/**
 * Fault injection for reliability tests of Data API clients. Operation names are the Data API's
 * ({@code "ExecuteStatement"}, {@code "DescribeStatement"} ...); {@code null} or {@code "*"} means
 * any operation. Regexes match the SQL text case-insensitively ({@code find}, not a full match).
 *
 * <pre>{@code
 * redshift.faults().throttleNext(2, "DescribeStatement")       // 400 ThrottlingException: Rate exceeded
 *                  .failNext(1, "ExecuteStatement", 500)         // 500 InternalServerException
 *                  .failStatementsMatching("^COPY", 1, "S3ServiceException:Slow Down,Status 503")
 *                  .slowStatementsMatching("MERGE", Duration.ofSeconds(2))
 *                  .copyResultRows(0L);                          // COPY reports ResultRows 0
 * }</pre>
 */
public final class Faults {
  private final FaultInjector injector;

  Faults(FaultInjector injector) {
    this.injector = injector;
  }

  /**
   * The next {@code n} calls of the operation get HTTP 400 {@code ThrottlingException: Rate
   * exceeded}.
   */
  public Faults throttleNext(int n, String operation) {
    injector.addApiFault(operation, throttle(), n, 1.0);
    return this;
  }

  /**
   * The next {@code n} calls of the operation fail with this HTTP status: 500 answers an {@code
   * InternalServerException}; other statuses answer a non-JSON body (like a load balancer), which
   * the SDK raises as a plain {@code RedshiftDataException} with that status code.
   */
  public Faults failNext(int n, String operation, int httpStatus) {
    injector.addApiFault(operation, failure(httpStatus), n, 1.0);
    return this;
  }

  /** Each call of the operation is throttled with this probability (0..1). */
  public Faults throttleRate(double probability, String operation) {
    injector.addApiFault(operation, throttle(), FaultInjector.ALWAYS, probability);
    return this;
  }

  /** Each call of the operation fails with this HTTP status with this probability (0..1). */
  public Faults failRate(double probability, String operation, int httpStatus) {
    injector.addApiFault(operation, failure(httpStatus), FaultInjector.ALWAYS, probability);
    return this;
  }

  /**
   * The next {@code n} statements whose SQL matches {@code regex} end FAILED with {@code errorText}
   * (prefixed with {@code ERROR: } unless it already is) without running; a batch fails as a whole
   * and rolls back. {@code n < 0} means every match.
   */
  public Faults failStatementsMatching(String regex, int n, String errorText) {
    injector.addStatementFailure(regex, errorText, n < 0 ? FaultInjector.ALWAYS : n, 1.0);
    return this;
  }

  /** Each statement whose SQL matches fails with this probability (0..1). */
  public Faults failStatementsRate(String regex, double probability, String errorText) {
    injector.addStatementFailure(regex, errorText, FaultInjector.ALWAYS, probability);
    return this;
  }

  /** Every statement whose SQL matches stays STARTED at least this much longer. */
  public Faults slowStatementsMatching(String regex, Duration delay) {
    injector.addStatementDelay(regex, delay, FaultInjector.ALWAYS);
    return this;
  }

  /**
   * When a sub-statement of a batch fails, mark the ones that ran before it ABORTED (their effects
   * are rolled back) instead of leaving them FINISHED; false until set and after {@link #clear}.
   * What Redshift reports for them is not documented, so a client must find the failing
   * sub-statement either way: this makes a test see the other reading.
   */
  public Faults abortRolledBackSubStatements(boolean abort) {
    injector.abortRolledBackSubStatements(abort);
    return this;
  }

  /**
   * What DescribeStatement reports as {@code ResultRows} for the COPYs run from now on: null (until
   * set and after {@link #clear}) the rows each loaded, or 0 or -1 whatever it loaded. Whether
   * Redshift fills ResultRows for a COPY is not documented (an SDK issue reported 0), so a client
   * that reads it must be tested against a Data API that does not.
   */
  public Faults copyResultRows(Long rows) {
    injector.copyResultRows(rows);
    return this;
  }

  /**
   * Whether DescribeStatement reports each batch sub-statement's {@code RedshiftQueryId}; true
   * until set and after {@link #clear}. With false they read -1, as in an answer a real batch once
   * gave: a client that keys the load-error views by them must be tested against that.
   */
  public Faults subStatementQueryIds(boolean shown) {
    injector.subStatementQueryIds(shown);
    return this;
  }

  /**
   * The time zone statements run in from now on: null (until set and after {@link #clear}) for UTC,
   * Redshift's default, or a zone name. On a cluster an administrator can give a database user a
   * time zone of its own ({@code ALTER USER ... SET timezone}), which every session of the Data
   * API's user then has: a client whose SQL reads a TIMESTAMP in the session's zone (a cast to
   * TIMESTAMPTZ, GETDATE against SYSDATE) must be tested against that.
   */
  public Faults sessionTimeZone(String zone) {
    injector.sessionTimeZone(zone);
    return this;
  }

  /**
   * Whether statements from now on run as the PostgreSQL role named like the request's {@code
   * DbUser} ({@code SET ROLE}) rather than as the superuser: false until set and after {@link
   * #clear}. On a cluster a statement runs as its database user, so a privilege granted or revoked
   * there (REVOKE INSERT on a target) decides whether it runs: a client's handling of {@code
   * permission denied} must be tested against that. The role must exist, with the privileges its
   * statements need, on the stand-in's {@code redstage_sys} schema too (its functions, views and
   * the tables behind them), which a cluster's system views give every user. Requests without a
   * DbUser (a secret, an IAM identity) still run as the superuser.
   */
  public Faults statementsAsDbUser(boolean asDbUser) {
    injector.statementsAsDbUser(asDbUser);
    return this;
  }

  /** Seeds the random source of the rate-based faults, for reproducible runs. */
  public Faults seed(long seed) {
    injector.seed(seed);
    return this;
  }

  /** Removes every rule and restores the documented answers (counters are kept). */
  public Faults clear() {
    injector.clear();
    return this;
  }

  /** API calls answered with ThrottlingException so far. */
  public long throttledCount() {
    return injector.counter("throttled");
  }

  /** API calls answered with an injected HTTP failure so far. */
  public long failedRequestCount() {
    return injector.counter("failedRequests");
  }

  /** Statements failed by injection so far. */
  public long failedStatementCount() {
    return injector.counter("failedStatements");
  }

  /** Statements slowed by injection so far. */
  public long slowedStatementCount() {
    return injector.counter("slowedStatements");
  }

  /** All counters, including per-operation ones such as {@code throttled.DescribeStatement}. */
  public Map<String, Long> counters() {
    return injector.counters();
  }

  private static ApiFault throttle() {
    return new ApiFault(400, "ThrottlingException", "Rate exceeded");
  }

  private static ApiFault failure(int httpStatus) {
    if (httpStatus == 500) {
      return new ApiFault(500, "InternalServerException", "Injected fault: internal server error");
    }
    return new ApiFault(httpStatus, null, "Injected fault: HTTP " + httpStatus);
  }
}
