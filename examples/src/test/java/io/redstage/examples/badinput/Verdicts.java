package io.redstage.examples.badinput;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.examples.badinput.Warehouse.QuarantineRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Judges every produced record against where it must end up, from what the suite observed after the
 * last run.
 */
final class Verdicts {
  /**
   * Everything the suite read back: per format the DLQ and the table rows, and the loader's
   * quarantine and rejects.
   */
  record Observed(
      Map<Format, Map<String, DlqReader.Entry>> dlq,
      Map<Format, Map<String, List<Map<String, Object>>>> rows,
      List<QuarantineRow> quarantine,
      Map<String, Integer> firstQuarantinedInRun,
      Map<String, String> quarantineReports,
      Map<String, String> rejects) {}

  /** One line of the kind × format table. */
  record Line(String kind, Format format, String expected, boolean pass, String observed) {}

  private final Observed seen;
  private final int maxAttempts;

  Verdicts(Observed seen, int maxAttempts) {
    this.seen = seen;
    this.maxAttempts = maxAttempts;
  }

  private boolean rejectedNamingField(Sent s, String field) {
    JsonNode rejected = rejectedRow(s);
    return rejected != null && names(rejected.toString(), field);
  }

  /** Where a poison record must be, and where it is. */
  Line poison(Sent s, List<Sent> good) {
    PoisonKind kind = s.record().kind();
    Expect expected = kind.expected(s.format());
    DlqReader.Entry dlq = dlqEntry(s);
    List<Map<String, Object>> rows = rows(s);
    List<QuarantineRow> quarantined = quarantineCovering(s);
    boolean pass;
    switch (expected) {
      case DLQ:
        pass = dlq != null && names(dlq.reason(), kind.field) && rows.isEmpty();
        break;
      case LANDS:
        pass = dlq == null && landedOnceWithEveryValue(s);
        break;
      case QUARANTINED:
        pass =
            !quarantined.isEmpty()
                && quarantined.stream().noneMatch(QuarantineRow::released)
                && rows.isEmpty()
                && quarantineNamesField(quarantined, kind.field)
                && good.stream().noneMatch(g -> quarantined.stream().anyMatch(q -> q.covers(g)));
        break;
      case QUARANTINED_THEN_RELEASED:
        pass =
            !quarantined.isEmpty()
                && quarantined.stream().allMatch(QuarantineRow::released)
                && quarantinedAfterAttempts(quarantined)
                && landedOnceWithEveryValue(s);
        break;
      case REJECTED_ROW:
        pass = dlq == null && rows.isEmpty() && rejectedNamingField(s, kind.field);
        break;
      case LANDS_OR_REJECTED_ROW:
        pass =
            dlq == null
                && (rows.isEmpty()
                    ? rejectedNamingField(s, kind.field)
                    : landedOnceWithEveryValue(s));
        break;
      default:
        throw new IllegalStateException(
            "Cannot judge " + kind + " for " + s.format() + ": it expects nothing (n/a).");
    }
    String observed = describe(s);
    if (dlq != null && !names(dlq.reason(), kind.field)) {
      observed = "DLQ, reason lacks '" + kind.field + "' | " + observed;
    }
    return new Line(kind.name(), s.format(), expected.label, pass, observed);
  }

  /**
   * Every good record of one format: in its table exactly once with every value it carried, never
   * in the DLQ. Returns the failures (empty when all hold), such as "3 missing (quarantined) e.g.
   * t/0/1; t/0/2; t/1/1".
   */
  List<String> goodRecordFailures(Format format, List<Sent> good) {
    Map<String, List<String>> missing = new LinkedHashMap<>(); // where they are instead -> which
    List<String> duplicated = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    List<String> inDlq = new ArrayList<>();
    Map<String, Integer> rowsPerId =
        new HashMap<>(); // COUNT(*) by id: a good id on any other row counts too
    seen.rows()
        .getOrDefault(format, Map.of())
        .values()
        .forEach(
            rs -> rs.forEach(r -> rowsPerId.merge(String.valueOf(r.get("id")), 1, Integer::sum)));
    for (Sent s : good) {
      int withId = rowsPerId.getOrDefault(String.valueOf(s.record().id()), 0);
      if (withId > 1) {
        duplicated.add("id " + s.record().id() + " on " + withId + " rows");
      }
      List<Map<String, Object>> rows = rows(s);
      if (rows.isEmpty()) {
        String instead =
            dlqEntry(s) != null
                ? "in the DLQ"
                : !quarantineCovering(s).isEmpty() ? "quarantined" : "nowhere";
        missing.computeIfAbsent(instead, k -> new ArrayList<>()).add(s.coordinates());
      } else if (rows.size() == 1) {
        List<String> diffs = Values.differences(s.record().columns(), rows.get(0));
        if (!diffs.isEmpty()) {
          wrong.add(s.coordinates() + " id " + s.record().id() + ": " + diffs);
        }
      }
      if (dlqEntry(s) != null) {
        inDlq.add(s.coordinates() + ": " + shorten(dlqEntry(s).reason(), 90));
      }
    }
    List<String> out = new ArrayList<>();
    missing.forEach((instead, which) -> add(out, "missing (" + instead + ")", which));
    add(out, "loaded more than once", duplicated);
    add(out, "with a value lacking or changed", wrong);
    add(out, "in the DLQ", inDlq);
    return out;
  }

  private static void add(List<String> out, String what, List<String> which) {
    if (!which.isEmpty()) {
      out.add(
          which.size()
              + " "
              + what
              + " e.g. "
              + which.stream().limit(3).collect(Collectors.joining("; ")));
    }
  }

  private boolean landedOnceWithEveryValue(Sent s) {
    List<Map<String, Object>> rows = rows(s);
    return rows.size() == 1 && Values.differences(s.record().columns(), rows.get(0)).isEmpty();
  }

  /**
   * Quarantined no earlier than run load.retry.max-attempts: every unit is listed by the first run,
   * so this holds only when failed attempts are counted across separate runs.
   */
  private boolean quarantinedAfterAttempts(List<QuarantineRow> rows) {
    return rows.stream()
        .allMatch(q -> seen.firstQuarantinedInRun().getOrDefault(unitKey(q), 0) >= maxAttempts);
  }

  private boolean quarantineNamesField(List<QuarantineRow> rows, String field) {
    return rows.stream()
        .anyMatch(
            q ->
                names(q.error(), field)
                    || seen.quarantineReports().entrySet().stream()
                        .anyMatch(
                            r -> r.getKey().contains(q.batchId()) && names(r.getValue(), field)));
  }

  private static boolean names(String reason, String field) {
    return field == null || (reason != null && reason.contains(field));
  }

  static String unitKey(QuarantineRow q) {
    return q.batchId() + "|" + q.topic() + "|" + q.partition() + "|" + q.start() + "|" + q.end();
  }

  private DlqReader.Entry dlqEntry(Sent s) {
    return seen.dlq().getOrDefault(s.format(), Map.of()).get(s.coordinates());
  }

  private List<Map<String, Object>> rows(Sent s) {
    return seen.rows()
        .getOrDefault(s.format(), Map.of())
        .getOrDefault(s.partition() + "/" + s.offset(), List.of());
  }

  private List<QuarantineRow> quarantineCovering(Sent s) {
    return seen.quarantine().stream().filter(q -> q.covers(s)).collect(Collectors.toList());
  }

  /** The entry naming this record's topic, partition and offset in any rejects object, or null. */
  private JsonNode rejectedRow(Sent s) {
    for (String text : seen.rejects().values()) {
      JsonNode root;
      try {
        root = Records.JSON.readTree(text);
      } catch (JsonProcessingException e) {
        continue; // not a JSON report: it names no record
      }
      for (JsonNode row : root.findParents("offset")) {
        if (row.path("topic").asText().equals(s.format().topic())
            && row.path("partition").asInt(-1) == s.partition()
            && row.path("offset").asLong(-1) == s.offset()) {
          return row;
        }
      }
    }
    return null;
  }

  /** Where the record is: DLQ (with its reason), table, quarantine, rejects; or nowhere. */
  String describe(Sent s) {
    List<String> where = new ArrayList<>();
    DlqReader.Entry dlq = dlqEntry(s);
    if (dlq != null) {
      where.add("DLQ: " + shorten(dlq.reason(), 110));
    }
    List<Map<String, Object>> rows = rows(s);
    if (!rows.isEmpty()) {
      List<String> diffs = Values.differences(s.record().columns(), rows.get(0));
      where.add(
          "table"
              + (rows.size() > 1 ? " x" + rows.size() : "")
              + (diffs.isEmpty() ? "" : " with " + shorten(diffs.toString(), 110)));
    }
    for (QuarantineRow q : quarantineCovering(s)) {
      where.add(
          "quarantined in run "
              + seen.firstQuarantinedInRun().get(unitKey(q))
              + " (units "
              + q.start()
              + ".."
              + q.end()
              + (q.released() ? ", released" : "")
              + "): "
              + shorten(q.error(), 90));
    }
    JsonNode rejected = rejectedRow(s);
    if (rejected != null) {
      where.add(
          "rejects object: "
              + shorten(
                  rejected.path("column").asText() + ": " + rejected.path("reason").asText(), 90));
    }
    return where.isEmpty() ? "nowhere: lost" : String.join(" | ", where);
  }

  static String shorten(String s, int max) {
    if (s == null) {
      return "(no reason)";
    }
    // a 130-byte name of one repeated letter would fill the space the reason has
    String oneLine = s.replaceAll("\\s+", " ").replaceAll("(.)\\1{9,}", "$1$1$1...");
    return oneLine.length() > max ? oneLine.substring(0, max) + "..." : oneLine;
  }
}
