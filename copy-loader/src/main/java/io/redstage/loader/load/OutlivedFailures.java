package io.redstage.loader.load;

import io.redstage.loader.redshift.StatementFailedException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows when a load statement of this process that outlived redshift.statement-timeout has
 * failed since: nobody waited for its error, so the next cycle planned its units as before, and a
 * batch whose load always takes longer than the timeout and then fails (one bad row in a large
 * backlog batch) held its table back for ever, with only "unknown outcome" in the logs. Now such a
 * batch's units are planned one by one, as a split would have ended, so that the unit that fails is
 * found and the others load; a unit that failed alone counts an attempt.
 */
final class OutlivedFailures {
  private static final Logger LOG = LoggerFactory.getLogger(OutlivedFailures.class);

  private OutlivedFailures() {}

  /** Applies the failures {@code executor} found since the last cycle; before planning. */
  static void apply(BatchExecutor executor, FailureTracker failures, long nowMs) {
    for (BatchExecutor.OutlivedFailure o : executor.takeOutlivedFailures()) {
      StatementFailedException e = o.failure();
      List<String> keys = o.markerKeys();
      if (e.isTransient() || e.isEnvironment() || keys.isEmpty()) {
        // a conflict, or the environment: the units are tried again as planned, and a failure of
        // the environment shows again in the next load, which waits for it
        LOG.warn(
            "Load statement {} ({} unit(s)), which outlived redshift.statement-timeout, failed: {}."
                + " Its units are tried again.",
            e.statementId(),
            keys.size(),
            e.error());
        continue;
      }
      if (keys.size() > 1) {
        keys.forEach(k -> failures.isolate(k, e.error()));
        LOG.warn(
            "Load statement {} ({} units), which outlived redshift.statement-timeout, failed: {}."
                + " Its units now load one by one, so that the one that fails is found and the"
                + " others load; raise redshift.statement-timeout if loads of this size take longer.",
            e.statementId(),
            keys.size(),
            e.error());
        continue;
      }
      int attempts = failures.fail(keys.get(0), e.error(), nowMs);
      LOG.warn(
          "Load statement {} of unit {}, which outlived redshift.statement-timeout, failed (attempt"
              + " {}): {}. A unit whose loads outlive the timeout is not quarantined automatically:"
              + " raise redshift.statement-timeout so that its failure can be counted in time, or"
              + " skip it.",
          e.statementId(),
          keys.get(0),
          attempts,
          e.error());
    }
  }
}
