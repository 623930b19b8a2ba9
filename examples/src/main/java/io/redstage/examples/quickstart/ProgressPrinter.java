package io.redstage.examples.quickstart;

import java.io.PrintStream;
import java.util.Map;
import java.util.StringJoiner;

/** One line of progress: produced, staged, COPYs, rows per table and how much is queryable. */
final class ProgressPrinter {
  private final PrintStream out;
  private final long startNanos = System.nanoTime();

  ProgressPrinter(PrintStream out) {
    this.out = out;
  }

  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  void line(
      long produced,
      long target,
      long stagedRecords,
      long units,
      long files,
      long copies,
      Map<String, Long> rows,
      long queryable,
      long p50Millis) {
    StringJoiner tables = new StringJoiner(" ");
    rows.forEach(
        (table, n) ->
            tables.add(String.format("%s %,d", table.substring(table.indexOf('.') + 1), n)));
    out.printf(
        "[%6.1fs] produced %,d/%,d | staged %,d in %,d units (%,d files) | %,d COPYs | rows: %s | queryable %,d%s%n",
        elapsedSeconds(),
        produced,
        target,
        stagedRecords,
        units,
        files,
        copies,
        tables,
        queryable,
        queryable > 0 ? String.format(" (p50 %.1fs)", p50Millis / 1000.0) : "");
  }
}
