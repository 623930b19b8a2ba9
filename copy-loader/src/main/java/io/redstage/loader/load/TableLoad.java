package io.redstage.loader.load;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.sql.ColumnWidening;
import io.redstage.loader.sql.DeleteFlagTypeException;
import io.redstage.loader.sql.IncompatibleSchemaException;
import io.redstage.loader.sql.TablePlan;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSchema;
import io.redstage.loader.sql.TableSettings;
import io.redstage.loader.sql.TooManyStatementsException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Loads one table's batches of a cycle, in order, and keeps failures to the smallest part:
 *
 * <ul>
 *   <li>before a batch runs, each unit's file schemas are checked against the table and the units
 *       before it; a unit that conflicts is quarantined alone and the others load;
 *   <li>a batch that fails goes to {@link FailedBatches}: one of several units that fails (not
 *       transiently) is split in halves, as new batches with new ids, until the failing units are
 *       alone; only a unit that fails alone uses up an attempt (recorded in the failure table) and
 *       is quarantined after {@code load.retry.max-attempts};
 *   <li>upsert tables apply a partition's units in offset order: a unit held back blocks the later
 *       units of its topic-partition for this cycle.
 * </ul>
 *
 * Splitting is bounded per planned batch (a few times log2 of its units); a batch that fails once
 * that budget is spent is deferred to the next cycle without counting attempts.
 */
final class TableLoad {
  private static final Logger LOG = LoggerFactory.getLogger(TableLoad.class);

  /** A batch to run and the split budget of the planned batch it came from. */
  record Work(Batch batch, int[] splitsLeft) {}

  private final LoadCycle.Parts p;
  private final TableRef table;
  private TableSettings settings;
  private final LoadCycle.Tally tally;
  private final LoadAccounting accounting;
  private final FailedBatches failures;
  private final List<Unit> loaded = new ArrayList<>();
  private TableSchema current;

  /** The cycle's turn of its tables (load.table-turn). */
  private final TableTurn turn;

  /** Whether a batch of the table ran this cycle: each table loads at least one per cycle. */
  private boolean ranABatch;

  TableLoad(
      LoadCycle.Parts parts,
      TableRef table,
      TableSchema schema,
      LoadCycle.Tally tally,
      TableTurn turn) {
    this.p = parts;
    this.table = table;
    this.current = schema;
    this.tally = tally;
    this.turn = turn;
    this.accounting = new LoadAccounting(parts, table, tally);
    this.failures = new FailedBatches(parts, table, tally);
  }

  /** Runs the batches; {@code stopping} is checked before each. Returns the units loaded. */
  List<Unit> run(List<Batch> batches, BooleanSupplier stopping) throws InterruptedException {
    // the same checks 'status' and 'dry-run' make
    settings = TableGuards.checked(table, batches, p.settings(), p.reader());
    failures.use(settings);
    Deque<Work> work = new ArrayDeque<>();
    for (Batch b : batches) {
      work.add(new Work(b, new int[] {splitBudget(b.units().size())}));
    }
    // by identity: the pieces of a split batch are not planned ones and run past the turn, or a
    // poison unit in a batch slower than the turn would be split anew each cycle and never isolated
    Set<Batch> planned = Collections.newSetFromMap(new IdentityHashMap<>());
    planned.addAll(batches);
    while (!work.isEmpty()) {
      if (ranABatch && planned.contains(work.peekFirst().batch()) && turn.over()) {
        turn.left(work.size());
        LOG.info(
            "Table {}: {} batch(es) left for the next cycle, which starts at once: the table's turn"
                + " of load.table-turn in this cycle has ended",
            table,
            work.size());
        break;
      }
      if (stopping.getAsBoolean()) {
        LOG.info(
            "Stopping: batches of {} after the current one are left for the next start", table);
        break;
      }
      if (p.executor().outlivedIn(table)) {
        // a load statement of this table outlived redshift.statement-timeout and holds the table's
        // LOCK: the next batches would only wait behind it (each up to the timeout); later cycles
        // load them once it has ended
        LOG.info(
            "Table {}: {} batch(es) left for a later cycle, behind a load statement that outlived redshift.statement-timeout",
            table,
            work.size());
        break;
      }
      Work w = work.pollFirst();
      Batch b = screen(w.batch());
      if (b != null) {
        b = withoutOutlivedLoads(b);
      }
      if (b != null) {
        ranABatch = true;
        boolean beganBeforeTheTurnEnded = turn.started();
        try {
          runBatch(b, w.splitsLeft(), work);
        } finally {
          turn.ended(beganBeforeTheTurnEnded);
        }
      }
    }
    return loaded;
  }

  /** Whether the cycle's turn of its tables is over: no planned batch of it starts any more. */
  boolean turnOver() {
    return turn.over();
  }

  /**
   * Split budget of a planned batch: 4 * ceil(log2(units)). A split costs 2 and isolating one
   * poison unit takes ceil(log2(units)) splits, so each cycle isolates up to two poison units, at
   * about 2 * log2(units) extra transactions each.
   */
  static int splitBudget(int units) {
    return units <= 1 ? 0 : 4 * (32 - Integer.numberOfLeadingZeros(units - 1));
  }

  /**
   * Drops blocked units, quarantines conflicting ones alone; returns the batch of the rest (null:
   * nothing left).
   */
  private Batch screen(Batch b) throws InterruptedException {
    SchemaScreen.Verdict v =
        p.screen().screen(table, current, b.units(), settings, failures.holdingPartitions());
    for (Map.Entry<Unit, String> c : v.conflicts().entrySet()) {
      p.metrics().failed(table.name(), "schema");
      Batch alone = p.builder().build(table, List.of(c.getKey()));
      LOG.warn("Batch {}: {}", b.id(), c.getValue());
      failures.quarantine(alone, c.getValue(), List.of());
    }
    if (!v.deferred().isEmpty()) {
      LOG.info(
          "Batch {}: {} unit(s) fit {} alone but not beside the batch's other units; they load in a later cycle",
          b.id(),
          v.deferred().size(),
          table);
    }
    if (v.accepted().isEmpty()) {
      return null;
    }
    return v.accepted().size() == b.units().size() ? b : p.builder().build(table, v.accepted());
  }

  /**
   * Leaves out (deferred, without counting) the units whose load statement from an earlier cycle
   * outlived redshift.statement-timeout and still runs, and in upsert mode the later units of their
   * partitions; returns the batch of the rest (null: nothing left).
   */
  private Batch withoutOutlivedLoads(Batch b) {
    Map<Unit, String> busy = p.executor().stillLoading(b.units());
    if (busy.isEmpty()) {
      return b;
    }
    long now = p.clock().millis();
    busy.forEach(
        (u, id) -> {
          p.failures()
              .defer(
                  u.markerKey(),
                  "its load statement "
                      + id
                      + " is still running in Redshift, or has just committed",
                  now,
                  false);
          failures.block(u);
        });
    LOG.info(
        "Batch {}: {} unit(s) wait for their load statement(s) {} from an earlier cycle, still running in Redshift "
            + "after redshift.statement-timeout (or just committed), instead of loading again behind them",
        b.id(),
        busy.size(),
        new LinkedHashSet<>(busy.values()));
    List<Unit> rest =
        b.units().stream().filter(u -> !busy.containsKey(u) && !failures.blocked(u)).toList();
    return rest.isEmpty() ? null : p.builder().build(table, rest);
  }

  private void runBatch(Batch b, int[] splitsLeft, Deque<Work> work) throws InterruptedException {
    TablePlan plan = null;
    int coordinatesCheck;
    try {
      // each file's own types, not the staging groups' merged ones: the checks are per file
      plan = p.evolution().plan(table, current, b.fileSchemas(), settings);
      coordinatesCheck = p.executor().transaction(b, plan, settings).coordinatesCheck();
    } catch (TooManyStatementsException e) {
      if (!plan.addedColumns().isEmpty()) {
        // one ALTER TABLE per new column: add them on their own first, then the load fits (or its
        // batch splits as below)
        ColumnWidener.Added a = p.executor().widener(p.reader()).addColumns(b, plan);
        if (a.error() == null) {
          current = a.table(); // null: dropped meanwhile, and the next plan creates it
          work.addFirst(new Work(b, splitsLeft));
          return;
        }
        if (a.transientError()) {
          // as the same failure inside the load transaction: a WARNed deferral, a conflict
          // counting towards load.retry.max-deferrals
          failures.failed(
              b,
              new BatchResult.Failed(
                  a.error(),
                  List.of(),
                  true,
                  true,
                  a.conflict(),
                  StatementFailedException.Environment.NONE),
              p.clock().millis(),
              splitsLeft,
              work);
        } else {
          LOG.warn("Batch {}: {}", b.id(), a.error());
          failures.cannotLoad(b, a.error(), splitsLeft, work);
        }
        return;
      }
      failures.cannotLoad(b, e.getMessage(), splitsLeft, work);
      return;
    } catch (DeleteFlagTypeException e) {
      // the table's setting, not this batch's fault: the table stops for the cycle, as for other
      // settings its units contradict (LoadCycle.tableStopped), instead of quarantining units
      throw new ConfigException(e.getMessage(), e);
    } catch (IncompatibleSchemaException | IllegalArgumentException e) {
      failures.cannotLoad(b, e.getMessage(), splitsLeft, work);
      return;
    }
    RejectsIntent intent = null;
    String intentError = null;
    try {
      intent =
          p.rejects().begin(b, settings.metadata().offset(), p.clock().instant(), coordinatesCheck);
    } catch (SdkException e) {
      intentError = e.getMessage();
    }
    // without its intent a crash after the commit would lose the batch's rejected rows: the batch
    // waits
    BatchResult r =
        intentError == null
            ? p.executor().run(b, plan, settings)
            : new BatchResult.Failed(
                "Cannot write the rejects intent of "
                    + b.describe()
                    + ": "
                    + intentError
                    + ". Check that the loader "
                    + "may write under rejects.dir; the batch is retried.",
                List.of(),
                true,
                true);
    // widening on demand (docs/loader-types.md): the batch runs again once its columns fit
    if (r instanceof BatchResult.Failed f && widens(f)) {
      ColumnWidener.Outcome w =
          p.executor()
              .widener(p.reader())
              .widen(b, plan, p.executor().transaction(b, plan, settings));
      if (w.table() != null) {
        current = w.table();
      }
      if (w.widened()) {
        p.rejects().abandon(intent);
        // it runs again as a new batch, with manifests of its own
        p.executor().discardManifests(b);
        work.addFirst(new Work(p.builder().build(table, b.units()), splitsLeft));
        return;
      }
      if (w.failure() != null) {
        r = w.failure();
      }
    }
    long now = p.clock().millis();
    if (r instanceof BatchResult.Loaded l) {
      loaded.addAll(b.units());
      current = afterDdl(current, plan);
      accounting.committed(b, l, intent);
    } else if (r instanceof BatchResult.Failed f) {
      // Not rolled back, the statement may still commit: the intent stays, and recovery writes the
      // rejects object if it did.
      if (f.rolledBack()) {
        p.rejects().abandon(intent);
      }
      boolean quarantined = failures.failed(b, f, now, splitsLeft, work);
      // Ended without committing (FAILED or ABORTED, or its submission refused): no statement
      // reads its manifests any more, and a retry is a new batch. A quarantined batch keeps them
      // for its report; a batch that never ran (no rejects intent) wrote none.
      if (f.rolledBack() && intentError == null && !quarantined) {
        p.executor().discardManifests(b);
      }
    } else {
      // the batch may still commit: its intent stays for the recovery of a later cycle, and its
      // units wait a backoff before they are tried again (the statement may still hold the table's
      // lock; a later cycle first sees whether it committed)
      tally.unknown.incrementAndGet();
      p.metrics().failed(table.name(), "unknown");
      String why = ((BatchResult.Unknown) r).reason();
      failures.defer(b, why, now, false);
    }
  }

  /** Whether a failure of the environment stopped this table's loads in this cycle. */
  boolean stoppedByTheEnvironment() {
    return failures.stoppedByTheEnvironment();
  }

  /** A batch that failed only because a string is longer than its VARCHAR column. */
  private boolean widens(BatchResult.Failed f) {
    return settings.design().widen()
        && f.rolledBack()
        && !f.transientFailure()
        && ColumnWidening.valueTooLong(f.error());
  }

  /**
   * The table after a batch with {@code plan} committed, from what it was before ({@code before},
   * null when it did not exist): a batch without files creates nothing, and columns that were NOT
   * NULL stay so (the loader adds and creates only nullable ones).
   */
  static TableSchema afterDdl(TableSchema before, TablePlan plan) {
    if (before == null && !plan.createsTable()) {
      return null;
    }
    TableSchema s = new TableSchema();
    plan.targetColumns()
        .forEach(
            (name, type) -> {
              TableSchema.Column was = before == null ? null : before.column(name);
              s.add(name, type, was == null || was.nullable(), was != null && was.defaulted());
            });
    return s;
  }
}
