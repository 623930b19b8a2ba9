package io.redstage.loader.load;

import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.sql.TableRef;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The 'status' view: pending units, bytes, records and lag per table, units failing alone
 * (attempts, last error) and unreleased quarantined batches with their reason.
 */
final class StatusReport {
  private final MarkerScanner scanner;
  private final ControlReader reader;
  private final CyclePlanner planner;
  private final FailureTracker failures;
  private final FailureLog failureLog;
  private final Clock clock;

  StatusReport(
      MarkerScanner scanner,
      ControlReader reader,
      CyclePlanner planner,
      FailureTracker failures,
      FailureLog failureLog,
      Clock clock) {
    this.scanner = scanner;
    this.reader = reader;
    this.planner = planner;
    this.failures = failures;
    this.failureLog = failureLog;
    this.clock = clock;
  }

  void print(PrintStream out) throws InterruptedException {
    long now = clock.millis();
    MarkerScanner.ScanResult scan = scanner.scan();
    ControlReader.ReadOnlyState read = reader.readOnlyState(scan.units(), planner::tableOf);
    boolean control = read.control();
    // a table a load holds now is shown as loading, without its figures
    Map<TableRef, ControlReader.Lock> loading = read.loading();
    LoadState state = read.state();
    Map<String, FailureTracker.Persisted> persisted =
        control ? failureLog.readIfPresent() : Map.of();
    failures.restore(persisted);
    CyclePlanner.Plan plan = planner.plan(read.units(), scan.unreadableFrom(), state, now);
    out.printf(
        "%-40s %8s %8s %12s %14s %10s%n", "TABLE", "PENDING", "HELD", "RECORDS", "BYTES", "LAG");
    for (Map.Entry<TableRef, CyclePlanner.TableBacklog> e : plan.backlog().entrySet()) {
      CyclePlanner.TableBacklog b = e.getValue();
      out.printf(
          "%-40s %8d %8d %12d %14d %10s%n",
          e.getKey().name(),
          b.pendingUnits(),
          b.heldBack(),
          b.pendingRecords(),
          b.pendingBytes(),
          format(Duration.ofMillis(Math.max(0, now - b.oldestCommittedAtMs()))));
    }
    loading.forEach(
        (t, lock) ->
            out.printf(
                "%-40s %8s  loading now (%s holds its lock; run status again for its figures)%n",
                t.name(), "-", lock.holder()));
    out.printf(
        "%d unit(s) listed, %d loaded and awaiting marker retention, %d pending%n",
        scan.units().size(), plan.loaded().size(), plan.pendingUnits());
    if (!plan.unconfigured().isEmpty()) {
      out.println("Tables whose units wait for their settings:");
      plan.unconfigured().forEach((t, reason) -> out.printf("  %s: %s%n", t.name(), reason));
    }
    if (!scan.rejected().isEmpty()) {
      out.printf("%d unreadable marker(s):%n", scan.rejected().size());
      scan.rejected().forEach((k, v) -> out.printf("  %s: %s%n", k, v));
    }
    if (!control) {
      out.println("The control tables do not exist yet: nothing has been loaded.");
      return;
    }
    Set<String> listed = new HashSet<>();
    scan.units().forEach(u -> listed.add(u.markerKey()));
    List<String> failing = new ArrayList<>();
    persisted.forEach(
        (key, f) -> {
          if (f.attempts() > 0 && listed.contains(key)) {
            failing.add("  " + key + " attempts=" + f.attempts() + " last error: " + f.lastError());
          }
        });
    if (!failing.isEmpty()) {
      out.println("Units failing alone, retried until load.retry.max-attempts, then quarantined:");
      failing.stream().sorted().forEach(out::println);
    }
    QuarantineListing.print(reader.quarantineList(), out, "");
  }

  private static String format(Duration d) {
    long s = d.getSeconds();
    return s >= 3600
        ? s / 3600 + "h" + (s % 3600) / 60 + "m"
        : s >= 60 ? s / 60 + "m" + s % 60 + "s" : s + "s";
  }
}
