package io.redstage.sandbox.redshift.fault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The fault plan of one endpoint: scripted faults (the next n calls) and rate-based faults (each
 * call with a probability), at two levels. API faults answer a Data API call with an error before
 * it is processed (throttling, 5xx); statement faults make a submitted statement fail or run
 * slowly. Rules are checked in the order they were added; counters record what was injected. It
 * also holds how the endpoint answers where Redshift's answer is not documented (see {@code
 * Faults}), read when a statement runs or is described, so that a test can switch it on a running
 * endpoint.
 */
public final class FaultInjector {
  /** An API-level fault: the HTTP answer to send instead of processing the call. */
  public record ApiFault(int httpStatus, String errorType, String message) {
    public boolean isThrottle() {
      return "ThrottlingException".equals(errorType);
    }
  }

  private static final class ApiRule {
    final String operation;
    final ApiFault fault;
    final AtomicLong remaining;
    final double rate;

    ApiRule(String operation, ApiFault fault, long count, double rate) {
      this.operation = operation;
      this.fault = fault;
      this.remaining = new AtomicLong(count);
      this.rate = rate;
    }
  }

  private static final class StatementRule {
    final Pattern pattern;
    final String errorText;
    final Duration delay;
    final AtomicLong remaining;
    final double rate;

    StatementRule(Pattern pattern, String errorText, Duration delay, long count, double rate) {
      this.pattern = pattern;
      this.errorText = errorText;
      this.delay = delay;
      this.remaining = new AtomicLong(count);
      this.rate = rate;
    }
  }

  /** Unlimited count for rules that apply to every match. */
  public static final long ALWAYS = Long.MAX_VALUE;

  private final List<ApiRule> apiRules = new CopyOnWriteArrayList<>();
  private final List<StatementRule> statementRules = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicLong> counters = new TreeMap<>();
  private Random random = new Random(42);

  private volatile boolean abortRolledBackSubStatements;
  private volatile Long copyResultRows;
  private volatile boolean subStatementQueryIds = true;
  private volatile String sessionTimeZone;
  private volatile boolean statementsAsDbUser;

  public void addApiFault(String operation, ApiFault fault, long count, double rate) {
    apiRules.add(new ApiRule(normalize(operation), fault, count, rate));
  }

  public void addStatementFailure(String regex, String errorText, long count, double rate) {
    statementRules.add(
        new StatementRule(
            Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.DOTALL),
            errorText,
            null,
            count,
            rate));
  }

  public void addStatementDelay(String regex, Duration delay, long count) {
    statementRules.add(
        new StatementRule(
            Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.DOTALL),
            null,
            delay,
            count,
            1.0));
  }

  public synchronized void seed(long seed) {
    random = new Random(seed);
  }

  public void clear() {
    apiRules.clear();
    statementRules.clear();
    abortRolledBackSubStatements = false;
    copyResultRows = null;
    subStatementQueryIds = true;
    sessionTimeZone = null;
    statementsAsDbUser = false;
  }

  public void sessionTimeZone(String zone) {
    sessionTimeZone = zone;
  }

  /** The time zone statements run in, or null for UTC. */
  public String sessionTimeZone() {
    return sessionTimeZone;
  }

  public void statementsAsDbUser(boolean asDbUser) {
    statementsAsDbUser = asDbUser;
  }

  /** Whether statements run as the PostgreSQL role named like their DbUser (else the superuser). */
  public boolean statementsAsDbUser() {
    return statementsAsDbUser;
  }

  public void abortRolledBackSubStatements(boolean abort) {
    abortRolledBackSubStatements = abort;
  }

  /** Whether the sub-statements that ran before a batch's failing one read ABORTED. */
  public boolean abortRolledBackSubStatements() {
    return abortRolledBackSubStatements;
  }

  public void copyResultRows(Long rows) {
    if (rows != null && rows != 0 && rows != -1) {
      throw new IllegalArgumentException(
          "Cannot report "
              + rows
              + " as the ResultRows of every COPY: it must be null (the rows loaded), 0 or -1."
              + " Pass null for the rows a COPY loaded.");
    }
    copyResultRows = rows;
  }

  /** The ResultRows of a COPY that loaded {@code loaded} rows. */
  public long reportedCopyRows(long loaded) {
    Long rows = copyResultRows;
    return rows == null ? loaded : rows;
  }

  public void subStatementQueryIds(boolean shown) {
    subStatementQueryIds = shown;
  }

  /** Whether DescribeStatement shows each batch sub-statement's RedshiftQueryId (else -1). */
  public boolean subStatementQueryIds() {
    return subStatementQueryIds;
  }

  /** The fault to answer this Data API operation with, if any rule fires. */
  public Optional<ApiFault> onOperation(String operation) {
    for (ApiRule rule : apiRules) {
      if (rule.operation != null && !rule.operation.equals(operation)) {
        continue;
      }
      if (fires(rule.remaining, rule.rate)) {
        count(rule.fault.isThrottle() ? "throttled" : "failedRequests");
        count((rule.fault.isThrottle() ? "throttled." : "failedRequests.") + operation);
        return Optional.of(rule.fault);
      }
    }
    return Optional.empty();
  }

  /** The error a statement running this SQL must fail with, if any rule fires. */
  public Optional<String> statementFailure(String sql) {
    for (StatementRule rule : statementRules) {
      if (rule.errorText != null
          && rule.pattern.matcher(sql).find()
          && fires(rule.remaining, rule.rate)) {
        count("failedStatements");
        return Optional.of(
            rule.errorText.startsWith("ERROR:") ? rule.errorText : "ERROR: " + rule.errorText);
      }
    }
    return Optional.empty();
  }

  /** Extra time a statement running this SQL must take, zero when no rule fires. */
  public Duration statementDelay(String sql) {
    Duration total = Duration.ZERO;
    for (StatementRule rule : statementRules) {
      if (rule.delay != null
          && rule.pattern.matcher(sql).find()
          && fires(rule.remaining, rule.rate)) {
        count("slowedStatements");
        total = total.plus(rule.delay);
      }
    }
    return total;
  }

  public synchronized long counter(String name) {
    AtomicLong c = counters.get(name);
    return c == null ? 0 : c.get();
  }

  public synchronized Map<String, Long> counters() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  private boolean fires(AtomicLong remaining, double rate) {
    if (rate < 1.0) {
      synchronized (this) {
        if (random.nextDouble() >= rate) {
          return false;
        }
      }
    }
    while (true) {
      long left = remaining.get();
      if (left <= 0) {
        return false;
      }
      if (left == ALWAYS || remaining.compareAndSet(left, left - 1)) {
        return true;
      }
    }
  }

  private synchronized void count(String name) {
    counters.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
  }

  private static String normalize(String operation) {
    if (operation == null || operation.isBlank() || operation.equals("*")) {
      return null;
    }
    return operation.startsWith("RedshiftData.")
        ? operation.substring("RedshiftData.".length())
        : operation;
  }
}
