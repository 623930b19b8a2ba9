package io.redstage.loader.load;

import io.redstage.loader.batch.StagingGroup;
import io.redstage.loader.redshift.StatementFailedException;
import java.util.List;

/** How a batch attempt ended. */
public sealed interface BatchResult {
  /**
   * Committed: rows written into the target as the Data API reported them for the writing statement
   * (INSERT, or MERGE: updated plus inserted; -1 when it did not say), Data API calls used, seconds
   * from submit to commit, and what each COPY loaded (rows fewer than the files' records: COPY
   * rejected rows under MAXERROR).
   */
  record Loaded(long rows, long apiCalls, double seconds, List<CopyCount> copies)
      implements BatchResult {}

  /**
   * One committed COPY: its staging group, Redshift query id (-1 unknown) and rows loaded (-1
   * unknown).
   */
  record CopyCount(StagingGroup group, long queryId, long rows) {}

  /**
   * Failed. {@code transientFailure}: a retry can succeed without a fix (conflict, throttling).
   * {@code rolledBack}: the transaction certainly did not commit (never submitted, its submission
   * refused by the Data API at every attempt, or the statement FAILED); false when the submission
   * broke off (a timeout, the network, a 5xx: an attempt may have created the statement) or a Data
   * API call broke after it, so the statement may still commit (its rejects intent must stay for
   * recovery). {@code conflict}: Redshift ran the transaction and failed it by a conflict a retry
   * usually clears (a serialization conflict, a deadlock, a concurrent DDL); such a failure is
   * transient only {@code load.retry.max-deferrals} times per unit and process, since one that
   * keeps coming back is no conflict. {@code environment}: whose failure it is when not the batch's
   * data ({@link StatementFailedException#environment}).
   */
  record Failed(
      String error,
      List<LoadErrorReader.LoadError> loadErrors,
      boolean transientFailure,
      boolean rolledBack,
      boolean conflict,
      StatementFailedException.Environment environment)
      implements BatchResult {

    /** A failure that is neither a conflict nor the environment's. */
    Failed(
        String error,
        List<LoadErrorReader.LoadError> loadErrors,
        boolean transientFailure,
        boolean rolledBack) {
      this(
          error,
          loadErrors,
          transientFailure,
          rolledBack,
          false,
          StatementFailedException.Environment.NONE);
    }
  }

  /** Outcome unknown (timed out, interrupted): the next cycle's load-marker query tells. */
  record Unknown(String reason) implements BatchResult {}
}
