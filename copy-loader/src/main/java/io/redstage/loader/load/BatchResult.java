package io.redstage.loader.load;

import java.util.List;

/** How a batch attempt ended. */
public sealed interface BatchResult {
  /** Committed: rows inserted (or -1 when the Data API did not say), Data API calls used, seconds from submit to commit. */
  record Loaded(long rows, long apiCalls, double seconds) implements BatchResult {}

  /** Rolled back. {@code transientFailure}: a retry can succeed without a fix (conflict, throttling). */
  record Failed(String error, List<LoadErrorReader.LoadError> loadErrors, boolean transientFailure, boolean permanent) implements BatchResult {}

  /** Outcome unknown (timed out, interrupted): the next cycle's load-marker query tells. */
  record Unknown(String reason) implements BatchResult {}
}
