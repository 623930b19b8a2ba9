package io.redstage.examples.badinput;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints the outcome to stdout: a kind × format matrix (for the closing note), then one
 * line per record with what was observed, then the catalogue.
 */
final class OutcomeTable {
  private static final String NL = System.lineSeparator();

  private OutcomeTable() {}

  static void print(List<Verdicts.Line> lines, int loaderRuns) {
    StringBuilder b = new StringBuilder(NL);
    b.append("Bad-input suite: kind x format (")
        .append(loaderRuns)
        .append(" loader CLI runs)")
        .append(NL);
    matrix(b, lines);
    b.append(NL).append("Per record:").append(NL);
    String row = "| %-22s | %-7s | %-38s | %-4s | %s |%n";
    b.append(String.format(row, "kind", "format", "expected", "ok", "observed"));
    b.append(
        String.format(row, "-".repeat(22), "-".repeat(7), "-".repeat(38), "-".repeat(4), "---"));
    for (Verdicts.Line l : lines) {
      b.append(
          String.format(
              row,
              l.kind(),
              l.format().formatClass,
              l.expected(),
              l.pass() ? "PASS" : "FAIL",
              l.observed().replace("|", "/")));
    }
    long failed = lines.stream().filter(l -> !l.pass()).count();
    b.append(lines.size() - failed).append(" passed, ").append(failed).append(" failed").append(NL);
    b.append(NL).append("Catalogue:").append(NL);
    for (PoisonKind k : PoisonKind.values()) {
      b.append(
          String.format(
              "  %-22s %s; parquet: %s, avro: %s, jsonl: %s%n",
              k.name(),
              k.description,
              k.expected(Format.PARQUET).label,
              k.expected(Format.AVRO).label,
              k.expected(Format.JSONL).label));
    }
    System.out.print(b);
  }

  /** One row per kind, one cell per format: "ok: <expected>" or "FAIL: <where it is instead>". */
  private static void matrix(StringBuilder b, List<Verdicts.Line> lines) {
    Map<String, Map<Format, List<Verdicts.Line>>> byKind = new LinkedHashMap<>();
    for (Verdicts.Line l : lines) {
      byKind
          .computeIfAbsent(l.kind(), k -> new EnumMap<>(Format.class))
          .computeIfAbsent(l.format(), f -> new ArrayList<>())
          .add(l);
    }
    String row = "| %-22s | %-40s | %-40s | %-40s |%n";
    b.append(String.format(row, "kind", "parquet", "avro", "jsonl"));
    b.append(String.format(row, "-".repeat(22), "-".repeat(40), "-".repeat(40), "-".repeat(40)));
    byKind.forEach(
        (kind, cells) -> {
          String[] text = new String[Format.values().length];
          for (Format f : Format.values()) {
            List<Verdicts.Line> ls = cells.get(f);
            text[f.ordinal()] =
                ls == null
                    ? "n/a"
                    : ls.stream().allMatch(Verdicts.Line::pass)
                        ? "ok: " + ls.get(0).expected()
                        : "FAIL: "
                            + where(
                                ls.stream()
                                    .filter(l -> !l.pass())
                                    .findFirst()
                                    .orElseThrow()
                                    .observed());
          }
          b.append(String.format(row, kind, text[0], text[1], text[2]));
        });
  }

  /**
   * The first place an observation names ("DLQ", "table with ...", "quarantined in run 2",
   * "nowhere"), short.
   */
  private static String where(String observed) {
    String first = observed.split(" \\| |: | e\\.g\\. ")[0];
    return first.length() > 31 ? first.substring(0, 31) + "..." : first;
  }
}
