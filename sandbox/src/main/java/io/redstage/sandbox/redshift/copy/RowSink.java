package io.redstage.sandbox.redshift.copy;

import java.util.function.Supplier;

/** Where format readers deliver records: one value per target column, in target order. */
interface RowSink {
  /** Stops reading: the COPY failed (the load errors are already recorded). */
  final class LoadAborted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LoadAborted() {
      super("load aborted", null, false, false);
    }
  }

  /**
   * One record; values are normalized source values or {@link ColumnWriter#MISSING}.
   *
   * @param line the record's line (JSON) or ordinal (Parquet, Avro) in its file, from 1
   * @param rawLine the record as text for the error views, computed only when needed
   */
  void row(Object[] values, long line, Supplier<String> rawLine);

  /** Input that cannot be parsed: recorded, then the COPY fails whatever MAXERROR says. */
  void unreadable(LoadError error, long line, String rawLine);
}
