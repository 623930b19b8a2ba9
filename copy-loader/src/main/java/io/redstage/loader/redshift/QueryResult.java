package io.redstage.loader.redshift;

import java.util.List;

/** Rows of a SELECT, values as String, Long, Double, Boolean, byte[] or null. */
public record QueryResult(List<String> columns, List<List<Object>> rows) {
  public int index(String column) {
    int i = columns.indexOf(column);
    if (i < 0) {
      throw new IllegalArgumentException("no column " + column + " in " + columns);
    }
    return i;
  }

  public static String string(Object v) {
    return v == null ? null : v.toString();
  }

  public static long number(Object v) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    return Long.parseLong(v.toString().trim());
  }

  public static Integer integerOrNull(Object v) {
    return v == null ? null : (int) number(v);
  }
}
