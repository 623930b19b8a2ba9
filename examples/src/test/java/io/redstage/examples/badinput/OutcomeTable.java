package io.redstage.examples.badinput;

import java.util.List;

/** Prints the kind × format outcome table to stdout (the lead copies it into the closing note). */
final class OutcomeTable {
  private OutcomeTable() {
  }

  static void print(List<Verdicts.Line> lines, int loaderRuns) {
    StringBuilder b = new StringBuilder();
    b.append(System.lineSeparator()).append("Bad-input suite: outcome per kind and format (").append(loaderRuns)
        .append(" loader CLI runs)").append(System.lineSeparator());
    String row = "| %-22s | %-7s | %-38s | %-4s | %s |%n";
    b.append(String.format(row, "kind", "format", "expected", "ok", "observed"));
    b.append(String.format(row, "-".repeat(22), "-".repeat(7), "-".repeat(38), "-".repeat(4), "---"));
    for (Verdicts.Line l : lines) {
      b.append(String.format(row, l.kind(), l.format().formatClass, l.expected(), l.pass() ? "PASS" : "FAIL",
          l.observed().replace("|", "/")));
    }
    long failed = lines.stream().filter(l -> !l.pass()).count();
    b.append(lines.size() - failed).append(" passed, ").append(failed).append(" failed (kinds: ")
        .append(PoisonKind.values().length).append(")").append(System.lineSeparator());
    b.append(System.lineSeparator()).append("Catalogue:").append(System.lineSeparator());
    for (PoisonKind k : PoisonKind.values()) {
      b.append(String.format("  %-22s %s; parquet: %s, avro: %s, jsonl: %s%n", k.name(), k.description,
          k.expected(Format.PARQUET).label, k.expected(Format.AVRO).label, k.expected(Format.JSONL).label));
    }
    System.out.print(b);
  }
}
