package io.redstage.loader.load;

import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.sql.TableRef;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The 'status' view: pending units, bytes, records and lag per table, and unreleased quarantined batches. */
final class StatusReport {
  private final MarkerScanner scanner;
  private final ControlReader reader;
  private final CyclePlanner planner;
  private final Clock clock;

  StatusReport(MarkerScanner scanner, ControlReader reader, CyclePlanner planner, Clock clock) {
    this.scanner = scanner;
    this.reader = reader;
    this.planner = planner;
    this.clock = clock;
  }

  void print(PrintStream out) throws InterruptedException {
    long now = clock.millis();
    MarkerScanner.ScanResult scan = scanner.scan();
    boolean control = reader.controlTablesExist();
    LoadState state = control ? reader.loadState(scan.units(), planner::tableOf) : new LoadState();
    CyclePlanner.Plan plan = planner.plan(scan.units(), state, now);
    out.printf("%-40s %8s %8s %12s %14s %10s%n", "TABLE", "PENDING", "HELD", "RECORDS", "BYTES", "LAG");
    for (Map.Entry<TableRef, CyclePlanner.TableBacklog> e : plan.backlog().entrySet()) {
      CyclePlanner.TableBacklog b = e.getValue();
      out.printf("%-40s %8d %8d %12d %14d %10s%n", e.getKey().name(), b.pendingUnits(), b.heldBack(), b.pendingRecords(), b.pendingBytes(),
          format(Duration.ofMillis(Math.max(0, now - b.oldestCommittedAtMs()))));
    }
    out.printf("%d unit(s) listed, %d loaded and awaiting marker retention, %d pending%n", scan.units().size(), plan.loaded().size(),
        plan.pendingUnits());
    if (!scan.rejected().isEmpty()) {
      out.printf("%d unreadable marker(s):%n", scan.rejected().size());
      scan.rejected().forEach((k, v) -> out.printf("  %s: %s%n", k, v));
    }
    if (!control) {
      out.println("The control tables do not exist yet: nothing has been loaded.");
      return;
    }
    QueryResult q = reader.quarantineList();
    if (!q.rows().isEmpty()) {
      out.println("Quarantined batches (release with: release --batch <id>):");
      for (List<Object> row : q.rows()) {
        out.printf("  %s %s units=%s at=%s error=%s%n", row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
      }
    }
  }

  private static String format(Duration d) {
    long s = d.getSeconds();
    return s >= 3600 ? s / 3600 + "h" + (s % 3600) / 60 + "m" : s >= 60 ? s / 60 + "m" + s % 60 + "s" : s + "s";
  }
}
