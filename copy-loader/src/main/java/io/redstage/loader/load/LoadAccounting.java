package io.redstage.loader.load;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.TableRef;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a table's committed batch leaves behind besides its rows (split from {@link TableLoad}). */
final class LoadAccounting {
  private static final Logger LOG = LoggerFactory.getLogger(LoadAccounting.class);

  private final LoadCycle.Parts p;
  private final TableRef table;
  private final LoadCycle.Tally tally;

  LoadAccounting(LoadCycle.Parts parts, TableRef table, LoadCycle.Tally tally) {
    this.p = parts;
    this.table = table;
    this.tally = tally;
  }

  /**
   * Records a batch whose transaction committed: the cycle's tally and metrics, its units' failure
   * history cleared, the row counts checked against the markers, its rejected rows accounted for.
   */
  void committed(Batch b, BatchResult.Loaded l, RejectsIntent intent) throws InterruptedException {
    tally.batches.incrementAndGet();
    tally.units.addAndGet(b.units().size());
    tally.rows.addAndGet(Math.max(0, l.rows()));
    p.metrics().loaded(table.name(), b.units().size(), l.rows(), b.bytes(), l.seconds());
    b.units().stream()
        .mapToLong(u -> u.marker().committedAtMs())
        .max()
        .ifPresent(ms -> p.metrics().loadedCommittedAt(table.name(), ms));
    List<String> known = new ArrayList<>();
    for (Unit u : b.units()) {
      if (p.failures().forget(u.markerKey())) {
        known.add(u.markerKey());
      }
    }
    // the table loads again: a stop row a failure of its environment left goes too
    p.failureLog()
        .clear(
            known, p.failures().tableLoaded(table.name()) ? table.name() : null, b.id().toString());
    p.rowCounts().check(table, b, l.copies());
    try {
      tally.rejected.addAndGet(p.rejects().record(b, intent, l.copies(), p.clock().instant()));
    } catch (RuntimeException e) {
      LOG.error(
          "Batch {} committed, but its rejected rows cannot be accounted for now: {}. Its rejects intent stays and a later "
              + "cycle writes the rejects object from the load-error views.",
          b.id(),
          e.getMessage(),
          e);
    }
  }
}
