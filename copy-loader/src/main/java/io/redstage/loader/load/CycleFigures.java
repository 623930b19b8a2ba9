package io.redstage.loader.load;

import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.TableRef;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the load cycles publish and log about the tables they could not read or load: the backlog
 * metrics (kept for tables left out while a statement or a lock holds them), unreadable markers per
 * table, and the locks other sessions hold. One per loader; cycles run one after another.
 */
final class CycleFigures {
  private static final Logger LOG = LoggerFactory.getLogger(CycleFigures.class);

  private final LoadCycle.Parts p;

  /**
   * The last backlog figures of each table this loader planned: a table left out because its
   * statement still runs is published from them, its lag still growing.
   */
  private final Map<TableRef, CyclePlanner.TableBacklog> lastBacklog = new HashMap<>();

  /**
   * How old a lock another session holds must be before it is worth a WARN: longer than a batch
   * usually takes, so what is left is mostly a load nobody will finish.
   */
  private static final long LONG_LOCK_SECONDS = 300;

  /** Tables left out for another session's lock, with its holder, as last logged. */
  private final Map<TableRef, String> locksSeen = new HashMap<>();

  CycleFigures(LoadCycle.Parts parts) {
    this.p = parts;
  }

  /**
   * Says once per table and holder that a table is left out for a lock another session holds: with
   * claims on, other loaders' tables are left out by their claims before this check, so what it
   * finds is mostly a load that a loader left running when it died or stopped, which nobody else
   * reports.
   */
  void noteLocked(Map<TableRef, ControlReader.Lock> lockedByOthers) {
    locksSeen.keySet().retainAll(lockedByOthers.keySet());
    lockedByOthers.forEach(
        (table, lock) -> {
          String holder = lock.holder();
          if (lock.ageSeconds() < LONG_LOCK_SECONDS) {
            // a load of another loader (claims off, or a table it took over): the usual case
            LOG.debug("Leaving out table {} while {} holds its lock", table, holder);
          } else if (!holder.equals(locksSeen.put(table, holder))) {
            LOG.warn(
                "Leaving out table {} while another session holds its loaded-intervals LOCK ({}):"
                    + " reading its state would wait for that transaction. If no loader is loading"
                    + " it, that is a load a loader left running when it died or stopped: it ends"
                    + " by itself, or at once with PG_TERMINATE_BACKEND on that process id.",
                table,
                holder);
          }
        });
  }

  /** Publishes the listed markers that cannot be read or used, per table of their topic. */
  void publishUnreadable(MarkerScanner.ScanResult scan) {
    Map<String, Long> byTable = new HashMap<>();
    for (String key : scan.rejected().keySet()) {
      p.scanner()
          .topicOf(key)
          .ifPresent(t -> byTable.merge(p.planner().tableOf(t).name(), 1L, Long::sum));
    }
    p.metrics().unreadableMarkers(byTable);
  }

  /**
   * Publishes the pending units and lag per table. A table of this loader's that a still-running
   * statement kept out of the cycle keeps its last figures, its lag counted from the same oldest
   * unit, so a stuck table still shows in the lag; tables other loaders hold drop out of this
   * loader's figures: the loader that holds them publishes theirs.
   */
  synchronized void publishBacklog(CyclePlanner.Plan plan, Set<TableRef> stillLoading) {
    lastBacklog.keySet().retainAll(stillLoading);
    lastBacklog.putAll(plan.backlog());
    publish();
  }

  /**
   * A table whose loads of this cycle ended: its figures become the units of the plan it has not
   * loaded (held or failed ones), so that the lag of a table that is done does not keep growing
   * while another table's long batch holds the cycle open.
   */
  synchronized void tableDone(TableRef table, List<Unit> pending, List<Unit> loaded) {
    CyclePlanner.TableBacklog before = lastBacklog.get(table);
    if (before == null) {
      return;
    }
    Set<String> loadedKeys = new HashSet<>();
    loaded.forEach(u -> loadedKeys.add(u.markerKey()));
    List<Unit> left = pending.stream().filter(u -> !loadedKeys.contains(u.markerKey())).toList();
    lastBacklog.put(
        table, CyclePlanner.TableBacklog.of(left, Math.min(before.heldBack(), left.size())));
    publish();
  }

  private void publish() {
    Map<String, Long> units = new HashMap<>();
    Map<String, Long> held = new HashMap<>();
    Map<String, Long> oldest = new HashMap<>();
    lastBacklog.forEach(
        (t, b) -> {
          units.put(t.name(), (long) b.pendingUnits());
          held.put(t.name(), (long) b.heldBack());
          if (b.pendingUnits() > 0) {
            oldest.put(t.name(), b.oldestCommittedAtMs());
          }
        });
    p.metrics().pending(units, held, oldest);
  }
}
