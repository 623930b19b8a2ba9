package io.redstage.examples.badinput;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compares what a record carried with what its row holds, across the types JDBC returns for each
 * column.
 */
final class Values {
  private Values() {}

  /**
   * The expected columns whose values the row lacks or holds differently, as "column: expected X,
   * got Y".
   */
  static List<String> differences(Map<String, Object> expected, Map<String, Object> row) {
    List<String> out = new ArrayList<>();
    expected.forEach(
        (column, value) -> {
          if (!row.containsKey(column)) {
            out.add(column + ": no such column");
          } else if (!same(value, row.get(column))) {
            out.add(column + ": expected " + shorten(value) + ", got " + shorten(row.get(column)));
          }
        });
    return out;
  }

  static boolean same(Object expected, Object actual) {
    if (expected == null || actual == null) {
      return expected == actual;
    }
    if (expected instanceof Number && actual instanceof Number) {
      return new BigDecimal(expected.toString()).compareTo(new BigDecimal(actual.toString())) == 0;
    }
    if (expected instanceof Instant) {
      return actual instanceof LocalDateTime
          ? ((LocalDateTime) actual).toInstant(ZoneOffset.UTC).equals(expected)
          : parses(() -> Instant.parse(actual.toString()).equals(expected));
    }
    if (expected instanceof LocalDate) {
      return actual instanceof LocalDate
          ? actual.equals(expected)
          : parses(() -> LocalDate.parse(actual.toString()).equals(expected));
    }
    if (expected instanceof JsonNode) {
      JsonNode a;
      try {
        a =
            actual instanceof JsonNode
                ? (JsonNode) actual
                : Records.JSON.readTree(actual.toString());
      } catch (JsonProcessingException e) {
        return false;
      }
      return ((JsonNode) expected)
          .equals(
              (x, y) ->
                  x.isNumber() && y.isNumber()
                      ? x.decimalValue().compareTo(y.decimalValue())
                      : x.equals(y) ? 0 : 1,
              a);
    }
    return expected.toString().equals(actual.toString());
  }

  private interface Check {
    boolean get();
  }

  private static boolean parses(Check check) {
    try {
      return check.get();
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static String shorten(Object v) {
    String s = String.valueOf(v);
    return s.length() > 60 ? s.substring(0, 60) + "...(" + s.length() + " chars)" : s;
  }
}
