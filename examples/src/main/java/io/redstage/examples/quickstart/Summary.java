package io.redstage.examples.quickstart;

import io.redstage.examples.measure.LatencyTracker.Freshness;
import io.redstage.examples.measure.StagingWatcher.Totals;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** What a quickstart run did, rendered so a person can read it at a glance. */
record Summary(
    double seconds,
    List<Produced> streams,
    Totals staged,
    long copies,
    long transactions,
    Map<String, Long> rows,
    Freshness freshness,
    List<ExactlyOnceCheck.Check> checks,
    String jdbcUrl,
    String psqlUrl,
    String jdbcUser,
    String jdbcPassword) {

  /**
   * One produced stream: scenario, topic, file format, load mode, records produced, and details
   * (CDC operations).
   */
  record Produced(
      String name,
      String topic,
      String format,
      String mode,
      String table,
      long produced,
      String details) {}

  boolean exactlyOnce() {
    return !checks.isEmpty() && checks.stream().allMatch(ExactlyOnceCheck.Check::ok);
  }

  long produced() {
    return streams.stream().mapToLong(Produced::produced).sum();
  }

  void print(PrintStream out) {
    String rule = "-".repeat(100);
    out.println();
    out.println(rule);
    out.printf(
        "Redstage quickstart: %s in %.1f s%n",
        exactlyOnce()
            ? "done, every record loaded exactly once"
            : "done, but the warehouse does NOT match what was produced",
        seconds);
    out.println(rule);
    out.printf("Produced        %,d records%n", produced());
    for (Produced s : streams) {
      out.printf(
          "  %-16s %,9d  topic %-22s -> %-8s %-7s -> %s%s%n",
          s.name(),
          s.produced(),
          s.topic(),
          s.format(),
          s.mode(),
          s.table(),
          s.details().isEmpty() ? "" : "  (" + s.details() + ")");
    }
    out.printf(
        "Connector       %,d files in %,d commit units (%,d records, %.1f MiB) in s3://%s/%n",
        staged.files(),
        staged.units(),
        staged.records(),
        staged.bytes() / 1048576.0,
        SandboxStack.BUCKET);
    out.printf(
        "Loader          %,d COPYs in %,d load transactions (Data API BatchExecuteStatement)%n",
        copies, transactions);
    out.println("Rows in Redshift");
    for (ExactlyOnceCheck.Check c : checks) {
      out.printf(
          "  %-20s %,9d  %s %s%n",
          c.table(), rows.getOrDefault(c.table(), 0L), c.ok() ? "OK  " : "FAIL", c.detail());
    }
    out.printf(
        "Freshness       produce -> queryable: p50 %.2f s, p99 %.2f s, max %.2f s (%,d records measured)%n",
        freshness.p50Millis() / 1000.0,
        freshness.p99Millis() / 1000.0,
        freshness.maxMillis() / 1000.0,
        freshness.records());
    out.println("Query the tables");
    out.printf("  psql \"%s\"%n", psqlUrl);
    out.printf("  JDBC %s  (user %s, password %s)%n", jdbcUrl, jdbcUser, jdbcPassword);
    out.println(
        "  SELECT platform, event_type, COUNT(*) AS events, SUM(cost_usd) AS spend FROM ad_events GROUP BY 1, 2 ORDER BY 1, 2;");
    out.println(
        "  SELECT page, COUNT(*) AS views, AVG(load_ms) AS avg_load_ms FROM page_views GROUP BY page ORDER BY views DESC LIMIT 5;");
    out.println(
        "  SELECT status, COUNT(*) AS customers, SUM(lifetime_value) AS ltv FROM customers GROUP BY status;");
    out.println(
        "  SELECT topic, COUNT(*) AS units, SUM(record_count) AS records FROM _redstage_load_markers GROUP BY topic;");
    out.println(rule);
  }
}
