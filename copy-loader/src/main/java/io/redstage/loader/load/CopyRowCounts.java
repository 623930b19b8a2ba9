package io.redstage.loader.load;

import io.redstage.contract.FileFormat;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.StagingGroup;
import io.redstage.loader.metrics.LoaderMetrics;
import io.redstage.loader.sql.TableRef;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the rows a committed batch's COPYs loaded against its commit markers. One per loader: it
 * says once per loader that a COPY's row count is unknown, so that each of several loaders in one
 * process says it.
 */
final class CopyRowCounts {
  private static final Logger LOG = LoggerFactory.getLogger(CopyRowCounts.class);

  private final LoaderMetrics metrics;

  /** Whether this loader has said that a COPY's row count was unknown. */
  private final AtomicBoolean uncountedSaid = new AtomicBoolean();

  CopyRowCounts(LoaderMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * A Parquet or Avro COPY loads every row of its files or fails: fewer rows than the markers count
   * means a file changed after its marker was written (truncated, overwritten by hand). The batch
   * has committed, so this cannot be undone here; it must not pass silently. (JSON Lines rows COPY
   * skips are accounted for by the rejects object.)
   */
  void check(TableRef table, Batch b, List<BatchResult.CopyCount> copies) {
    for (BatchResult.CopyCount c : copies) {
      if (c.group().schema().format() == FileFormat.JSONL) {
        continue;
      }
      if (c.rows() < 0) {
        if (uncountedSaid.compareAndSet(false, true)) {
          // once per loader: on a Data API that never reports COPY row counts, every batch lands
          // here, and the check is simply unavailable, not failing
          LOG.info(
              "Batch {}: the Data API reported no row count for its COPY (ResultRows 0 or absent), so "
                  + "rows loaded are not checked against the commit markers for such COPYs. Nothing to do; "
                  + "the rows and markers committed together.",
              b.id());
        }
        continue;
      }
      long expected = c.group().records();
      if (c.rows() < expected) {
        metrics.missingRows(table.name(), expected - c.rows());
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
