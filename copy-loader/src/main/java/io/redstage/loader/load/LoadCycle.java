package io.redstage.loader.load;

import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.toSet;

import io.redstage.loader.aws.RequestCounter;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.BatchPlanner;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.discovery.MarkerRetention;
import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.metrics.LoaderMetrics;
import io.redstage.loader.sql.SchemaEvolution;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSchema;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * One discovery-and-load cycle: list markers, ask the control tables what is loaded, plan batches,
 * load them (tables in parallel, each table's batches in order; a table that is done loads units
 * committed since while slower tables finish, see {@link TableTopUp}), quarantine poison batches,
 * retire loaded markers.
 */
public final class LoadCycle implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoadCycle.class);

  /** The collaborators of a cycle. */
  public record Parts(
      MarkerScanner scanner,
      ControlReader reader,
      CyclePlanner planner,
      BatchPlanner builder,
      SchemaEvolution evolution,
      TableSettingsResolver settings,
      BatchExecutor executor,
      Quarantine quarantine,
      FailureTracker failures,
      FailureLog failureLog,
      Rejects rejects,
      CopyRowCounts rowCounts,
      MarkerRetention retention,
      LoaderMetrics metrics,
      RequestCounter counter,
      Clock clock,
      int parallelism,
      TableClaims claims,
      Duration loopInterval) {
    SchemaScreen screen() {
      return new SchemaScreen(evolution);
    }
  }

  /** The shortest period between claim renewals. */
  private static final Duration MIN_RENEWAL = Duration.ofMillis(100);

  private final Parts p;
  private final ExecutorService pool;

  /** What the cycles publish and log about tables' backlog, locks and unreadable markers. */
  private final CycleFigures figures;

  /** Renews this loader's claims while its tables load (see {@link TableClaims#renew()}). */
  private final ScheduledExecutorService renewer;

  /**
   * Tables loaded at once: one fewer than the statements the loader may have in flight while it
   * claims tables, so that a claim renewal always finds a statement slot. With every slot held by a
   * table waiting on a long load, the renewal waited too, and the claims ran out mid-load: other
   * loaders then took the tables and waited on their locks.
   */
  static int tableThreads(int statementsInFlight, boolean claiming) {
    return claiming ? Math.max(1, statementsInFlight - 1) : statementsInFlight;
  }

  public LoadCycle(Parts parts) {
    this.p = parts;
    this.figures = new CycleFigures(parts);
    this.pool =
        Executors.newFixedThreadPool(
            tableThreads(parts.parallelism(), !parts.claims().lease().isZero()),
            r -> {
              Thread t = new Thread(r, "redstage-loader-table");
              t.setDaemon(true);
              return t;
            });
    this.renewer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "redstage-loader-claims");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Runs one cycle; {@code stopping} is checked before each batch so a shutdown finishes the
   * current batch only. {@code tableTurn}: how long into the cycle a table may start its planned
   * batches (null: until they are done).
   */
  public CycleReport run(BooleanSupplier stopping, Duration tableTurn) throws InterruptedException {
    long s3Before = p.counter().calls("S3.");
    long apiBefore = p.counter().calls("RedshiftData.");
    long now = p.clock().millis();
    MarkerScanner.ScanResult scan = p.scanner().scan();
    TableClaims.Live live = scan.units().isEmpty() ? p.claims().alone() : p.claims().live();
    List<Unit> units = scan.units();
    Set<TableRef> stillLoading = units.isEmpty() ? Set.of() : p.executor().tablesStillLoading();
    Set<TableRef> heldByOthers = new TreeSet<>();
    units.stream()
        .map(u -> p.planner().tableOf(u.topic()))
        .filter(live::heldByOther)
        .forEach(heldByOthers::add);
    Set<TableRef> free = new TreeSet<>();
    units.stream()
        .map(u -> p.planner().tableOf(u.topic()))
        .filter(t -> !stillLoading.contains(t) && !heldByOthers.contains(t))
        .forEach(free::add);
    Map<TableRef, ControlReader.Lock> lockedByOthers = p.reader().lockedByOthers(free);
    figures.noteLocked(lockedByOthers);
    heldByOthers.addAll(lockedByOthers.keySet());
    Set<TableRef> leftOut = new TreeSet<>(stillLoading);
    leftOut.addAll(heldByOthers);
    if (!leftOut.isEmpty()) {
      // a load transaction holds its table's loaded-intervals LOCK, which makes every read of that
      // table wait: reading these tables' state now would hold up the whole cycle until those
      // loads end. Another loader loads them (or this one's statement still runs); a later cycle
      // reads them again.
      LOG.debug(
          "Leaving out tables {} this cycle: another loader holds them or loads them now, or a load statement of this loader still runs there",
          leftOut);
      units =
          units.stream().filter(u -> !leftOut.contains(p.planner().tableOf(u.topic()))).toList();
    }
    Map<TableRef, RuntimeException> unprepared =
        p.reader()
            .prepare(units.stream().map(u -> p.planner().tableOf(u.topic())).collect(toSet()));
    if (!unprepared.isEmpty()) {
      units =
          units.stream()
              .filter(u -> !unprepared.containsKey(p.planner().tableOf(u.topic())))
              .toList();
    }
    LoadState state = p.reader().loadState(units, scan.unreadable(), t -> p.planner().tableOf(t));
    FailureLog.Rows failureRows = p.failureLog().read();
    p.failures().restore(failureRows.units());
    p.failures().restoreTableStops(failureRows.tables());
    p.failures().retainListed(scan.units().stream().map(Unit::markerKey).collect(toSet()));
    int quarantinedOutlived = OutlivedFailures.apply(p, units, state, now);
    CyclePlanner.Plan plan = p.planner().plan(units, scan.unreadable(), state, now);
    // units another process loaded (or loaded before a crash) no longer need their failure rows
    p.failureLog()
        .clear(
            plan.loaded().stream().map(Unit::markerKey).filter(p.failures()::forget).toList(),
            "cycle");
    Set<TableRef> keepFigures = new TreeSet<>(stillLoading);
    keepFigures.addAll(lockedByOthers.keySet()); // no loader reads them while the lock lasts
    keepFigures.addAll(unprepared.keySet()); // not read this cycle
    figures.publishBacklog(plan, keepFigures);
    figures.publishUnreadable(scan);
    p.metrics().mergedTopics(p.planner().mergedTopics(scan.units()));

    TableClaims.Grant grant =
        p.claims().claim(plan.batches().keySet(), live, stillLoading, heldByOthers.size());
    if (grant.takenOver()) {
      // another loader may have loaded these tables after the state above was read
      state = p.reader().loadState(units, scan.unreadable(), t -> p.planner().tableOf(t));
      plan = p.planner().plan(units, scan.unreadable(), state, now);
    }
    releaseCoveredQuarantine(plan, state);
    Tally tally = new Tally();
    tally.quarantined.addAndGet(quarantinedOutlived);
    unprepared.forEach((table, e) -> controlTableFailed(table, e, tally));
    plan.unconfigured()
        .forEach((table, reason) -> tableStopped(table, new ConfigException(reason), tally));
    Set<TableRef> claimed = new HashSet<>(grant.tables());
    claimed.retainAll(plan.batches().keySet());
    Map<TableRef, TableSchema> schemas =
        claimed.isEmpty() ? Map.of() : p.reader().describe(new ArrayList<>(claimed));
    p.reader().readSchemasOf(claimed, schemas, p.evolution().existingSchemas());
    Map<TableRef, List<Batch>> mine = new HashMap<>(plan.batches());
    mine.keySet().retainAll(claimed); // the others: another loader loads them in this lease
    CountDownLatch plannedLeft = new CountDownLatch(mine.size());
    AtomicInteger notStarted = new AtomicInteger(mine.size());
    TableTurn turn = new TableTurn(tableTurn, notStarted::get);
    List<Unit> loadedBefore = plan.loaded();
    Set<String> loadedBeforeKeys = loadedBefore.stream().map(Unit::markerKey).collect(toSet());
    Map<TableRef, List<Unit>> pendingByTable =
        units.stream()
            .filter(u -> !loadedBeforeKeys.contains(u.markerKey()))
            .collect(groupingBy(u -> p.planner().tableOf(u.topic())));
    Map<TableRef, Future<List<Unit>>> futures = new LinkedHashMap<>();
    for (Map.Entry<TableRef, List<Batch>> e : mine.entrySet()) {
      TableRef table = e.getKey();
      futures.put(
          table,
          pool.submit(
              () -> {
                notStarted.decrementAndGet();
                TableLoad load = new TableLoad(p, table, schemas.get(table), tally, turn);
                List<Unit> loaded;
                try {
                  loaded = load.run(e.getValue(), stopping);
                } finally {
                  plannedLeft.countDown();
                }
                // before the top-ups, which go on while other tables still load
                figures.tableDone(table, pendingByTable.getOrDefault(table, List.of()), loaded);
                List<Unit> all =
                    new TableTopUp(p, table, plannedLeft, notStarted, p.loopInterval())
                        .run(load, e.getValue(), loaded, loadedBefore, stopping);
                // retire this table's markers now, on its thread, rather than all tables' markers
                // one after another when the slowest table is done
                retire(all, tally);
                figures.tableDone(table, pendingByTable.getOrDefault(table, List.of()), all);
                return all;
              }));
    }
    ScheduledFuture<?> renewal = renewClaimsWhileLoading(mine.isEmpty() && stillLoading.isEmpty());
    try {
      retire(loadedBefore, tally); // loaded before (by a crashed run or another loader)
      for (Map.Entry<TableRef, Future<List<Unit>>> f : futures.entrySet()) {
        try {
          f.getValue().get();
        } catch (ExecutionException e) {
          tableStopped(f.getKey(), e.getCause(), tally);
        }
      }
    } finally {
      if (renewal != null) {
        renewal.cancel(false);
      }
    }
    p.metrics().cycle();
    CycleReport report =
        new CycleReport(
            scan.units().size(),
            scan.units().size() - units.size(),
            plan.pendingUnits(),
            tally.batches.get(),
            tally.units.get(),
            tally.rows.get(),
            tally.rejected.get(),
            tally.failed.get(),
            tally.quarantined.get(),
            tally.unknown.get(),
            tally.tablesStopped.get(),
            scan.rejected().size(),
            inQuarantine(units, loadedBeforeKeys, state),
            tally.retired.get(),
            p.counter().calls("S3.") - s3Before,
            p.counter().calls("RedshiftData.") - apiBefore,
            turn.leftForNextCycle());
    LOG.info("Cycle done: {}", report);
    return report;
  }

  /**
   * Listed units, not loaded, that an earlier cycle quarantined (those covered since were released
   * in this cycle's {@link #releaseCoveredQuarantine}).
   */
  private static int inQuarantine(List<Unit> units, Set<String> loaded, LoadState state) {
    return (int)
        units.stream()
            .map(Unit::markerKey)
            .filter(k -> !loaded.contains(k) && state.quarantineBatch(k) != null)
            .count();
  }

  /**
   * A table whose loads stopped this cycle for a reason that is not one batch's (a setting its
   * units contradict, a bug): counted, so that the cycle report, the failures metric and the exit
   * code of 'once' show it; the other tables went on.
   */
  /**
   * A table whose loaded-intervals table could not be created or seeded: it waits, the others load.
   * No stack trace: the statement's error says what failed.
   */
  private void controlTableFailed(TableRef table, RuntimeException e, Tally tally) {
    tally.tablesStopped.incrementAndGet();
    p.metrics().failed(table.name(), "table");
    LOG.error(
        "Cannot load {} this cycle: creating or seeding its loaded-intervals table failed: {}. Check "
            + "that the loader's database user may create tables in control.schema, where every target "
            + "has a loaded-intervals table of its own (see check), and the cluster's table quota; it is "
            + "tried again next cycle. Other tables were not affected.",
        table.name(),
        e.getMessage());
  }

  private void tableStopped(TableRef table, Throwable cause, Tally tally) {
    tally.tablesStopped.incrementAndGet();
    p.metrics().failed(table.name(), "table");
    if (cause instanceof ConfigException) {
      // says what to do itself: no stack trace
      // its message names the table and says what cannot be done
      LOG.error(
          "{} Table {} waits this cycle; the other tables were not affected.",
          cause.getMessage(),
          table.name());
    } else {
      LOG.error(
          "Cannot load {} this cycle: its loads stopped with an unexpected error. Other tables were"
              + " not affected.",
          table.name(),
          cause);
    }
  }

  /**
   * Renews this loader's claims every third of a lease until cancelled (null: claiming off, or
   * nothing claimed). A renewal that fails is logged: the claims then expire as they would have,
   * which costs duplicated work at worst.
   */
  private ScheduledFuture<?> renewClaimsWhileLoading(boolean nothingClaimed) {
    Duration lease = p.claims().lease();
    if (nothingClaimed || lease.isZero()) {
      return null;
    }
    // at least every 100 ms: a lease of a few milliseconds (a duration given without its unit)
    // would
    // otherwise make a period of 0, which the scheduler refuses
    Duration every =
        lease.dividedBy(3).compareTo(MIN_RENEWAL) < 0 ? MIN_RENEWAL : lease.dividedBy(3);
    return renewer.scheduleAtFixedRate(
        () -> {
          try {
            p.claims().renew();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            LOG.warn(
                "Cannot renew this loader's table claims ({}); they expire after load.claim-lease unless a later renewal works",
                e.getMessage());
          }
        },
        every.toMillis(),
        every.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Prints what a cycle would do (manifests and SQL) without writing anything. */
  public void dryRun(PrintStream out) throws InterruptedException {
    new CyclePreview(p).print(out);
  }

  /**
   * Quarantined units whose offsets are all loaded now (through a replay's units) have nothing left
   * to load: their quarantine rows are released so that 'status' stops listing them. A failure
   * leaves them for the next cycle.
   */
  private void releaseCoveredQuarantine(CyclePlanner.Plan plan, LoadState state)
      throws InterruptedException {
    List<String> covered =
        plan.loaded().stream()
            .map(Unit::markerKey)
            .filter(k -> state.quarantineBatch(k) != null)
            .toList();
    if (covered.isEmpty()) {
      return;
    }
    try {
      p.quarantine().releaseCovered(covered, p.clock().instant());
    } catch (RuntimeException e) {
      LOG.warn(
          "Cannot release the quarantine rows of {} unit(s) whose offsets are loaded ({}); the next cycle tries again",
          covered.size(),
          e.getMessage());
    }
  }

  /** Moves (or deletes) the markers of loaded units that are past retention. */
  private void retire(List<Unit> loaded, Tally tally) {
    if (loaded.isEmpty()) {
      return;
    }
    MarkerRetention.Result retired;
    try {
      retired = p.retention().apply(loaded, p.clock().millis());
    } catch (SdkException e) {
      // the units are loaded; their markers stay listed as loaded and the next cycle retires them
      LOG.warn(
          "Cannot retire the markers of {} loaded unit(s) this cycle: {}. The next cycle retries.",
          loaded.size(),
          e.getMessage());
      return;
    }
    retired.removedKeys().forEach(p.scanner()::forget);
    tally.retired.addAndGet(retired.removedKeys().size());
  }

  @Override
  public void close() {
    pool.shutdownNow();
    renewer.shutdownNow();
  }

  /** What the tables' loads of one cycle did, counted across their threads. */
  static final class Tally {
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger units = new AtomicInteger();
    final AtomicLong rows = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger quarantined = new AtomicInteger();
    final AtomicInteger unknown = new AtomicInteger();
    final AtomicInteger tablesStopped = new AtomicInteger();
    final AtomicInteger retired = new AtomicInteger();
  }
}
