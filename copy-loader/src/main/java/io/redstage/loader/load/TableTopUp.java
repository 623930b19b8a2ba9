package io.redstage.loader.load;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.TableRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a table that finished its planned batches load the units committed since, while the cycle
 * still waits for slower tables: a fresh unit then waits for its own table's batch, not for the
 * slowest table of the cycle. It runs on the table's own thread with the table's claim of this
 * cycle, so a table's batches stay serialized (and locked per table in the warehouse as always).
 *
 * <p>It stops when every table of the cycle finished its planned batches (the cycle then ends as
 * before, at most one top-up batch later), when a table of the cycle still waits for a thread (a
 * top-up must not delay a table that has not started), when the table's turn of the cycle has ended
 * (load.table-turn, in 'run'), or on stop. Between listings that find nothing it waits {@code
 * loop.interval}, so listing cost stays that of the loop.
 */
final class TableTopUp {
  private static final Logger LOG = LoggerFactory.getLogger(TableTopUp.class);

  private final LoadCycle.Parts p;
  private final TableRef table;
  private final CountDownLatch plannedLeft;
  private final AtomicInteger notStarted;
  private final Duration pause;

  /**
   * Units this cycle already gave the table's batches: a top-up takes only units committed since. A
   * unit whose batch failed or whose outcome is unknown waits for the next cycle, which first
   * settles rejects intents and reads the failure table, as before.
   */
  private final Set<String> seen = new HashSet<>();

  TableTopUp(
      LoadCycle.Parts parts,
      TableRef table,
      CountDownLatch plannedLeft,
      AtomicInteger notStarted,
      Duration pause) {
    this.p = parts;
    this.table = table;
    this.plannedLeft = plannedLeft;
    this.notStarted = notStarted;
    this.pause = pause;
  }

  /**
   * Loads new units of the table with {@code load} while others run; returns all units loaded.
   * {@code loadedBefore}: units the cycle found loaded already (of any table), so that a listing
   * with nothing new needs no question to the warehouse.
   */
  List<Unit> run(
      TableLoad load,
      List<Batch> planned,
      List<Unit> loaded,
      List<Unit> loadedBefore,
      BooleanSupplier stopping)
      throws InterruptedException {
    planned.forEach(this::see);
    loadedBefore.forEach(u -> seen.add(u.markerKey()));
    List<Unit> all = loaded;
    while (!stopping.getAsBoolean()
        && notStarted.get() == 0
        && plannedLeft.getCount() > 0
        // a load statement of this table that outlived redshift.statement-timeout still holds the
        // table's LOCK: reading its loaded state would wait for it, and the next cycle leaves the
        // table out until it ends
        && !p.executor().outlivedIn(table)
        // its environment refused a batch: the new units would fail alike
        && !load.stoppedByTheEnvironment()
        // past load.table-turn the next cycle takes new units up: a top-up would list them, then
        // start none of them
        && !load.turnOver()) {
      List<Batch> more = newBatches();
      if (!more.isEmpty()) {
        LOG.info(
            "Table {} loads {} newly committed unit(s) while other tables finish this cycle",
            table,
            more.stream().mapToInt(b -> b.units().size()).sum());
        more.forEach(this::see);
        all = load.run(more, stopping);
      } else if (plannedLeft.await(pause.toMillis(), TimeUnit.MILLISECONDS)) {
        break;
      }
    }
    return all;
  }

  private List<Batch> newBatches() throws InterruptedException {
    MarkerScanner.ScanResult scan = p.scanner().scanStartedAfter(System.nanoTime());
    List<Unit> units =
        scan.units().stream().filter(u -> table.equals(p.planner().tableOf(u.topic()))).toList();
    if (units.stream().allMatch(u -> seen.contains(u.markerKey()))) {
      return List.of(); // nothing committed since: no need to ask the warehouse
    }
    LoadState state = p.reader().loadState(units, scan.unreadable(), t -> p.planner().tableOf(t));
    // plan with every listed unit, so that upsert holds stay in force, then keep the new ones
    CyclePlanner.Plan plan = p.planner().plan(units, scan.unreadable(), state, p.clock().millis());
    plan.loaded().forEach(u -> seen.add(u.markerKey()));
    List<Batch> fresh = new ArrayList<>();
    for (Batch b : plan.batches().getOrDefault(table, List.of())) {
      List<Unit> unseen = b.units().stream().filter(u -> !seen.contains(u.markerKey())).toList();
      if (!unseen.isEmpty()) {
        fresh.add(unseen.size() == b.units().size() ? b : p.builder().build(table, unseen));
      }
    }
    return fresh;
  }

  private void see(Batch b) {
    b.units().forEach(u -> seen.add(u.markerKey()));
  }
}
