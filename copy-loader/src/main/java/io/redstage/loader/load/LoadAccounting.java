package io.redstage.loader.load;

import io.redstage.contract.FileFormat;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.StagingGroup;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.TableRef;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a table's committed batch leaves behind besides its rows (split from {@link TableLoad}). */
final class LoadAccounting {
  private static final Logger LOG = LoggerFactory.getLogger(LoadAccounting.class);

  /** Whether this process has said that a COPY's row count was unknown. */
  private static final AtomicBoolean UNCOUNTED_SAID = new AtomicBoolean();

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
    List<String> known = new ArrayList<>();
    for (Unit u : b.units()) {
      if (p.failures().forget(u.markerKey())) {
        known.add(u.markerKey());
      }
    }
    p.failureLog().clear(known, b.id().toString());
    checkRowCounts(b, l.copies());
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

  /**
   * A Parquet or Avro COPY loads every row of its files or fails: fewer rows than the markers count
   * means a file changed after its marker was written (truncated, overwritten by hand). The batch
   * has committed, so this cannot be undone here; it must not pass silently. (JSON Lines rows COPY
   * skips are accounted for by the rejects object.)
   */
  private void checkRowCounts(Batch b, List<BatchResult.CopyCount> copies) {
    for (BatchResult.CopyCount c : copies) {
      if (c.group().schema().format() == FileFormat.JSONL) {
        continue;
      }
      if (c.rows() < 0) {
        if (UNCOUNTED_SAID.compareAndSet(false, true)) {
          // once per process: on a Data API that never reports COPY row counts, every batch
          // lands here, and the check is simply unavailable, not failing
          LOG.info(
              "Batch {}: the Data API reported no row count for its COPY (ResultRows 0 or absent), so "
                  + "rows loaded are not checked against the commit markers for such COPYs. Nothing to do; "
                  + "the rows and markers committed together.",
              b.id());
        }
        continue;
      }
      long expected = c.group().files().stream().mapToLong(StagingGroup.FileRef::records).sum();
      if (c.rows() < expected) {
        p.metrics().missingRows(table.name(), expected - c.rows());
        LOG.error(
            "Batch {}: the COPY of {} file(s) into {} loaded {} row(s) where their commit markers count {} "
                + "(query {}; files {}). A file changed after its marker was written: compare the files with their "
                + "markers, and produce the missing records again if they are needed.",
            b.id(),
            c.group().files().size(),
            table,
            c.rows(),
            expected,
            c.queryId(),
            c.group().files().stream().map(StagingGroup.FileRef::url).toList());
      }
    }
  }
}
