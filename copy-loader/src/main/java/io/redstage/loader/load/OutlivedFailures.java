package io.redstage.loader.load;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.sql.ControlTables;
import io.redstage.loader.sql.TableRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows when a load statement of this process that outlived redshift.statement-timeout has
 * failed since: nobody waited for its error, so the next cycle planned its units as before, and a
 * batch whose load always takes longer than the timeout and then fails (one bad row in a large
 * backlog batch) held its table back for ever, with only "unknown outcome" in the logs. Now such a
 * batch's units are planned one by one, as a split would have ended, so that the unit that fails is
 * found and the others load; a unit that failed alone counts an attempt (in the failure table too,
 * so that other loader processes count it), and once it has used load.retry.max-attempts it is
 * quarantined as a unit whose loads failed in time would be: before, it ran again every cycle, each
 * run holding its table for the statement's whole run.
 */
final class OutlivedFailures {
  private static final Logger LOG = LoggerFactory.getLogger(OutlivedFailures.class);

  private OutlivedFailures() {}

  /**
   * Applies the failures the executor found since the last cycle; before planning.
   *
   * @param listed the units listed this cycle: a unit to quarantine must be one of them
   * @param state what the planner reads: a unit quarantined here is added to it
   * @return how many units were quarantined
   */
  static int apply(LoadCycle.Parts p, List<Unit> listed, LoadState state, long nowMs)
      throws InterruptedException {
    FailureTracker failures = p.failures();
    Map<String, Unit> byKey =
        listed.stream()
            .collect(Collectors.toMap(Unit::markerKey, Function.identity(), (a, b) -> a));
    int quarantined = 0;
    for (BatchExecutor.OutlivedFailure o : p.executor().takeOutlivedFailures()) {
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
      String key = keys.get(0);
      int attempts = failures.fail(key, e.error(), nowMs);
      Unit u = byKey.get(key);
      if (u == null) {
        continue; // no longer listed: loaded or skipped meanwhile
      }
      TableRef table = p.planner().tableOf(u.topic());
      if (failures.exhausted(attempts) && state.quarantineBatch(key) == null) {
        Batch b = p.builder().build(table, List.of(u));
        String error =
            e.error()
                + " (its load outlived redshift.statement-timeout "
                + attempts
                + " times and then failed; raise redshift.statement-timeout if its loads take"
                + " longer)";
        try {
          p.quarantine().record(b, error, List.of(), List.of(), Instant.ofEpochMilli(nowMs));
          p.metrics().quarantined(table.name(), 1);
          failures.forget(key);
          state.addQuarantined(key, b.id().toString());
          quarantined++;
          continue;
        } catch (RuntimeException qe) {
          LOG.error(
              "Cannot quarantine {} ({}); it stays failing and is retried: {}",
              b.describe(),
              error,
              qe.getMessage());
        }
      }
      p.failureLog()
          .record(
              List.of(
                  new ControlTables.FailureRow(
                      key, table.name(), attempts, e.error(), Instant.ofEpochMilli(nowMs))),
              e.statementId());
      LOG.warn(
          "Load statement {} of unit {}, which outlived redshift.statement-timeout, failed (attempt"
              + " {}): {}. It is retried alone after the backoff and quarantined after"
              + " load.retry.max-attempts such failures; raise redshift.statement-timeout if its"
              + " loads take longer.",
          e.statementId(),
          key,
          attempts,
          e.error());
    }
    return quarantined;
  }
}
