package io.redstage.loader.load;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.redshift.StatementTimeoutException;
import io.redstage.loader.sql.ColumnWidening;
import io.redstage.loader.sql.LoadTransaction;
import io.redstage.loader.sql.SchemaEvolution;
import io.redstage.loader.sql.TablePlan;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSchema;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Widens the VARCHAR columns a failed batch needs ({@link ColumnWidening}), each in its own
 * statement outside any transaction, so that the batch can run again.
 *
 * <p>Crash-safe and idempotent: every step reads the table as it is now. DDL the failed transaction
 * would have run (CREATE TABLE, ADD COLUMN; rolled back with it) runs first, alone and only for
 * what is still missing, so the columns exist to be widened; a column already as wide as needed
 * (widened before a crash, or by another loader) is left alone. Exactly once is untouched: widening
 * changes no rows and writes no load markers, and the batch's rows and markers still commit
 * together in its next load transaction.
 */
final class ColumnWidener {
  private static final Logger LOG = LoggerFactory.getLogger(ColumnWidener.class);

  /**
   * What widening did.
   *
   * @param table the table as it is now, or null when the widener changed nothing
   * @param widened true when the batch's too-long columns are now wide enough (widened here or by
   *     another loader): the batch can run again
   * @param failure non-null when a statement failed: why, what to do, and whether it was the
   *     statement's conditions (a lock it waited for, a conflict, throttling) rather than the batch
   */
  record Outcome(TableSchema table, boolean widened, BatchResult.Failed failure) {}

  private final DataApi api;
  private final ControlReader reader;

  /** What the running call does, for its error message (a widener serves one call). */
  private String step;

  ColumnWidener(DataApi api, ControlReader reader) {
    this.api = api;
    this.reader = reader;
  }

  /**
   * What adding columns did.
   *
   * @param table the table as it is now; null when it is gone (the next plan creates it)
   * @param error non-null when an ALTER failed: why, and what to do
   * @param transientError the failure may clear on its own (a conflict, a timeout, throttling)
   * @param conflict the failure is a conflict ({@link #conflict}): it counts one of the units'
   *     load.retry.max-deferrals
   */
  record Added(TableSchema table, String error, boolean transientError, boolean conflict) {}

  /**
   * Runs the plan's ADD COLUMN statements that are still needed, each on its own, so that the load
   * transaction need not hold them: Redshift adds one column per ALTER TABLE, and a unit with
   * dozens of new fields would need more statements than one BatchExecuteStatement holds.
   */
  Added addColumns(Batch batch, TablePlan plan) throws InterruptedException {
    TableRef t = batch.table();
    step = "read the columns of " + t;
    try {
      TableSchema now = describe(t);
      if (now == null) {
        return new Added(null, null, false, false);
      }
      int added = addMissingColumns(batch, plan, now, "redstage-ddl-" + batch.id());
      LOG.info(
          "Batch {}: added {} column(s) to {} before its load transaction, which could not hold them",
          batch.id(),
          added,
          t);
      return new Added(describe(t), null, false, false);
    } catch (StatementFailedException | StatementTimeoutException | DataApiException e) {
      return new Added(
          null,
          "Cannot "
              + step
              + " for "
              + batch.describe()
              + ": "
              + e.getMessage()
              + ". The loader's user must be allowed to alter the table (own it), and a Redshift table"
              + " holds at most "
              + SchemaEvolution.MAX_COLUMNS
              + " columns.",
          isTransient(e),
          conflict(e));
    }
  }

  /**
   * Runs the plan's ADD COLUMN statements for the columns {@code now} lacks, each on its own;
   * returns how many ran.
   */
  private int addMissingColumns(Batch batch, TablePlan plan, TableSchema now, String client)
      throws InterruptedException {
    int added = 0;
    for (int i = 0; i < plan.addedColumns().size(); i++) {
      if (now.column(plan.addedColumns().get(i)) == null) {
        step = "add column " + plan.addedColumns().get(i) + " to " + batch.table();
        api.execute(plan.ddl().get(i), client);
        added++;
      }
    }
    return added;
  }

  Outcome widen(Batch batch, TablePlan plan, LoadTransaction load) throws InterruptedException {
    TableRef t = batch.table();
    step = "read the columns of " + t;
    try {
      TableSchema now = describe(t);
      boolean changed = false;
      if (plan.createsTable() && now == null) {
        step = "create " + t;
        api.executeBatch(
            plan.ddl(), "redstage-create-" + batch.id(), "redstage-widen-" + batch.id());
        changed = true;
      } else if (now != null) {
        changed = addMissingColumns(batch, plan, now, "redstage-widen-" + batch.id()) > 0;
      }
      if (changed) {
        now = describe(t);
      }
      if (now == null) {
        return new Outcome(null, false, null);
      }
      ColumnWidening.Probe probe = ColumnWidening.probe(batch, load, now);
      if (probe.columns().isEmpty()) {
        return new Outcome(changed ? now : null, false, null);
      }
      step = "measure the string values of " + batch.describe();
      QueryResult longest =
          api.queryBatch(
              probe.statements(), "redstage-probe-" + batch.id(), "redstage-widen-" + batch.id());
      List<Object> row = longest.rows().isEmpty() ? List.of() : longest.rows().get(0);
      // read again right before altering: another loader may have widened meanwhile, and an ALTER
      // to the smaller size this one computed would shrink the column back
      TableSchema measured = now;
      now = describe(t);
      boolean widened = false;
      for (int i = 0; i < probe.columns().size() && i < row.size(); i++) {
        String column = probe.columns().get(i);
        Object v = row.get(i);
        if (v == null || QueryResult.number(v) <= measured.column(column).type().length()) {
          continue; // not a column this batch was too long for
        }
        if (now == null || now.column(column) == null) {
          return new Outcome(now, false, null); // dropped meanwhile: the batch fails as it did
        }
        int have = now.column(column).type().length();
        int needed = (int) QueryResult.number(v);
        // every retry follows a strict widening (here or by another loader), so retries are bounded
        widened = true;
        if (needed <= have) {
          continue; // widened by another loader meanwhile
        }
        int length = ColumnWidening.widenedLength(needed);
        step =
            "widen column "
                + column
                + " of "
                + t
                + " from VARCHAR("
                + have
                + ") to VARCHAR("
                + length
                + ")";
        LOG.info(
            "Batch {}: values of {}.{} need {} bytes; widening the column from VARCHAR({}) to VARCHAR({})",
            batch.id(),
            t,
            column,
            needed,
            have,
            length);
        api.execute(ColumnWidening.alter(t, column, length), "redstage-widen-" + batch.id());
      }
      return new Outcome(widened || changed ? describe(t) : null, widened, null);
    } catch (StatementFailedException | StatementTimeoutException | DataApiException e) {
      String error =
          "Cannot "
              + step
              + " for "
              + batch.describe()
              + ": "
              + e.getMessage()
              + ". Widen the column by hand (ALTER TABLE … ALTER COLUMN … TYPE VARCHAR(n), outside a "
              + "transaction; Redshift refuses it for BYTEDICT, RUNLENGTH, TEXT255 and TEXT32K encodings and "
              + "columns with a default: docs/loader-types.md); the batch is retried.";
      // The batch's own load rolled back; the widening statement's failure says how to count it:
      // an ALTER waiting behind readers for its lock, a conflict or throttling is not the batch's
      // fault and must not use up its attempts. A refusal (the loader's user does not own the
      // table) is not the environment's either: only batches with a too-long value need the ALTER,
      // so the others load and this one is split and quarantined, as before.
      return new Outcome(
          null,
          false,
          new BatchResult.Failed(
              error,
              List.of(),
              isTransient(e),
              true,
              conflict(e),
              StatementFailedException.Environment.NONE));
    }
  }

  private TableSchema describe(TableRef t) throws InterruptedException {
    return reader.describe(List.of(t)).get(t);
  }

  /**
   * A failure of an ALTER that counts as a deferral, as a conflict inside a load transaction does:
   * a lock waited for or a conflict, not a Data API hiccup (throttling, the network).
   */
  private static boolean conflict(RuntimeException e) {
    return !(e instanceof DataApiException) && isTransient(e);
  }

  /** A failure of the statement's conditions (a timeout, a conflict, throttling), not its own. */
  private static boolean isTransient(RuntimeException e) {
    return e instanceof StatementTimeoutException
        || e instanceof StatementFailedException f && f.isTransient()
        || e instanceof DataApiException d && d.isTransient();
  }
}
