package io.redstage.loader.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.sql.TableRef;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The 'status' view: pending units, bytes, records and lag per table, tables whose environment
 * stopped their loads, units failing alone (attempts, last error) and unreleased quarantined
 * batches with their reason. {@link #collect} reads them once into a {@link Status}, which prints
 * as text or JSON.
 */
final class StatusReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final MarkerScanner scanner;
  private final ControlReader reader;
  private final CyclePlanner planner;
  private final FailureTracker failures;
  private final FailureLog failureLog;
  private final TableSettingsResolver settings;
  private final Clock clock;

  StatusReport(
      MarkerScanner scanner,
      ControlReader reader,
      CyclePlanner planner,
      FailureTracker failures,
      FailureLog failureLog,
      TableSettingsResolver settings,
      Clock clock) {
    this.scanner = scanner;
    this.reader = reader;
    this.planner = planner;
    this.settings = settings;
    this.failures = failures;
    this.failureLog = failureLog;
    this.clock = clock;
  }

  Status collect() throws InterruptedException {
    long now = clock.millis();
    MarkerScanner.ScanResult scan = scanner.scan();
    ControlReader.ReadOnlyState read =
        reader.readOnlyState(scan.units(), scan.unreadable(), planner::tableOf);
    boolean control = read.control();
    FailureLog.Rows rows = control ? failureLog.readIfPresent() : FailureLog.Rows.NONE;
    Map<String, FailureTracker.Persisted> persisted = rows.units();
    failures.restore(persisted);
    CyclePlanner.Plan plan = planner.plan(read.units(), scan.unreadable(), read.state(), now);
    Map<TableRef, String> waitingFor = TableGuards.waitingForSettings(plan, settings, reader);
    List<Status.Table> tables = new ArrayList<>();
    plan.backlog()
        .forEach(
            (t, b) ->
                tables.add(
                    new Status.Table(
                        t.name(),
                        b.pendingUnits(),
                        // a cycle loads none of them
                        waitingFor.containsKey(t) ? b.pendingUnits() : b.heldBack(),
                        b.pendingRecords(),
                        b.pendingBytes(),
                        Math.max(0, now - b.oldestCommittedAtMs()) / 1000)));
    // a table a load holds now is shown as loading, without its figures
    List<Status.LoadingTable> loading = new ArrayList<>();
    read.loading()
        .forEach(
            (t, lock) ->
                loading.add(new Status.LoadingTable(t.name(), lock.holder(), lock.ageSeconds())));
    List<Status.TableWaiting> waiting = new ArrayList<>();
    waitingFor.forEach((t, why) -> waiting.add(new Status.TableWaiting(t.name(), why)));
    Set<String> waitingTables = new HashSet<>();
    tables.forEach(t -> waitingTables.add(t.table()));
    loading.forEach(t -> waitingTables.add(t.table()));
    List<Status.EnvironmentFailure> stopped =
        environmentFailures(reader, rows.tables(), waitingTables);
    List<Status.UnreadableMarker> unreadable = new ArrayList<>();
    scan.rejected().forEach((k, why) -> unreadable.add(new Status.UnreadableMarker(k, why)));
    List<Status.FailingUnit> failing = new ArrayList<>();
    QuarantineListing.Split quarantined = new QuarantineListing.Split(List.of(), List.of());
    if (control) {
      Set<String> listed = new HashSet<>();
      scan.units().forEach(u -> listed.add(u.markerKey()));
      persisted.forEach(
          (key, f) -> {
            if (f.attempts() > 0 && listed.contains(key)) {
              failing.add(
                  new Status.FailingUnit(
                      key,
                      f.attempts(),
                      Instant.ofEpochMilli(f.lastAttemptMs()).toString(),
                      f.lastError()));
            }
          });
      failing.sort(Comparator.comparing(Status.FailingUnit::markerKey));
      quarantined = QuarantineListing.read(reader, scanner);
    }
    return new Status(
        Instant.ofEpochMilli(now).toString(),
        control,
        scan.units().size(),
        plan.loaded().size(),
        plan.pendingUnits(),
        tables,
        loading,
        waiting,
        stopped,
        unreadable,
        failing,
        quarantined.ours(),
        quarantined.others());
  }

  /**
   * The tables of {@code stops} (the failure table's stop rows) that still have units to load
   * ({@code waitingTables}, by name) and have not loaded since, as {@link #environmentFailures(Map,
   * Set, Map)} tells, asking when each last loaded.
   */
  static List<Status.EnvironmentFailure> environmentFailures(
      ControlReader reader, Map<String, FailureTracker.TableStop> stops, Set<String> waitingTables)
      throws InterruptedException {
    Map<String, Instant> lastLoads =
        stops.isEmpty() ? Map.of() : reader.lastLoadedAt(stops.keySet());
    return environmentFailures(stops, waitingTables, lastLoads);
  }

  /**
   * The tables of {@code stops} that still have units to load ({@code waitingTables}: pending, or
   * held by a load now) and have not loaded since the stop was last seen ({@code lastLoads}: when a
   * batch of each last committed), by name. A stop row outlives its cause when a later load of the
   * table was not followed by the row's delete (the delete failed, a loader of an earlier version
   * loaded it, or two loaders loaded the table at once with claiming off): with nothing left to
   * load, or a load since, nothing waits for the environment any more.
   */
  static List<Status.EnvironmentFailure> environmentFailures(
      Map<String, FailureTracker.TableStop> stops,
      Set<String> waitingTables,
      Map<String, Instant> lastLoads) {
    List<Status.EnvironmentFailure> out = new ArrayList<>();
    stops.forEach(
        (table, stop) -> {
          Instant loaded = lastLoads.get(table);
          boolean loadedSince = loaded != null && loaded.toEpochMilli() > stop.lastSeenMs();
          if (waitingTables.contains(table) && !loadedSince) {
            out.add(
                new Status.EnvironmentFailure(
                    table,
                    stop.cycles(),
                    Instant.ofEpochMilli(stop.lastSeenMs()).toString(),
                    stop.lastError()));
          }
        });
    out.sort(Comparator.comparing(Status.EnvironmentFailure::table));
    return out;
  }

  static void printText(Status s, PrintStream out) {
    out.printf(
        "%-40s %8s %8s %12s %14s %10s%n", "TABLE", "PENDING", "HELD", "RECORDS", "BYTES", "LAG");
    for (Status.Table t : s.tables()) {
      out.printf(
          "%-40s %8d %8d %12d %14d %10s%n",
          t.table(),
          t.pendingUnits(),
          t.heldUnits(),
          t.pendingRecords(),
          t.pendingBytes(),
          format(Duration.ofSeconds(t.lagSeconds())));
    }
    s.loadingNow()
        .forEach(
            t ->
                out.printf(
                    "%-40s %8s  loading now (%s holds its lock; run status again for its figures)%n",
                    t.table(), "-", t.holder()));
    out.printf(
        "%d unit(s) listed, %d loaded and awaiting marker retention, %d pending%n",
        s.unitsListed(), s.unitsLoaded(), s.unitsPending());
    printWaitingForSettings(s.waitingForSettings(), out, "");
    printEnvironmentFailures(s.environmentFailures(), out, "");
    if (!s.unreadableMarkers().isEmpty()) {
      out.printf("%d unreadable marker(s):%n", s.unreadableMarkers().size());
      s.unreadableMarkers().forEach(m -> out.printf("  %s: %s%n", m.markerKey(), m.reason()));
    }
    if (!s.controlTablesExist()) {
      out.println("The control tables do not exist yet: nothing has been loaded.");
      return;
    }
    if (!s.failingUnits().isEmpty()) {
      out.println("Units failing alone, retried until load.retry.max-attempts, then quarantined:");
      s.failingUnits()
          .forEach(
              f ->
                  out.println(
                      "  "
                          + f.markerKey()
                          + " attempts="
                          + f.attempts()
                          + " last error: "
                          + f.lastError()));
    }
    QuarantineListing.print(s.quarantinedBatches(), out, "");
    QuarantineListing.printOthers(s.quarantinedBatchesOfOtherTopics(), out, "");
  }

  /**
   * The tables whose units wait for their settings, with why (which says what to do); 'dry-run'
   * prints them too, each line after {@code prefix}.
   */
  static void printWaitingForSettings(
      List<Status.TableWaiting> waiting, PrintStream out, String prefix) {
    if (!waiting.isEmpty()) {
      out.println(prefix + "Tables whose units wait for their settings:");
      waiting.forEach(t -> out.printf("%s  %s: %s%n", prefix, t.table(), t.reason()));
    }
  }

  /**
   * The tables whose loads a failure of the environment stopped; 'dry-run' prints them too, each
   * line after {@code prefix}.
   */
  static void printEnvironmentFailures(
      List<Status.EnvironmentFailure> stopped, PrintStream out, String prefix) {
    if (!stopped.isEmpty()) {
      out.println(
          prefix
              + "Tables whose loads a failure of the environment stopped (privileges, disk space,"
              + " COPY's access to S3), tried again after the load.retry backoff; the loader's"
              + " ERROR line says what to fix:");
      stopped.forEach(
          f ->
              out.printf(
                  "%s  %s: last seen %s (%d cycle(s) in a row): %s%n",
                  prefix, f.table(), f.lastSeenAt(), f.cycles(), f.lastError()));
    }
  }

  static String json(Status s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("Cannot write the status as JSON: " + e.getMessage(), e);
    }
  }

  /** A duration as people read it: 42s, 3m5s, 2h10m (500ms below a second). */
  static String format(Duration d) {
    long s = d.getSeconds();
    if (s == 0 && !d.isZero()) {
      return d.toMillis() + "ms";
    }
    return s >= 3600
        ? s / 3600 + "h" + (s % 3600) / 60 + "m"
        : s >= 60 ? s / 60 + "m" + s % 60 + "s" : s + "s";
  }
}
