package io.redstage.examples.quickstart;

import io.redstage.examples.data.Customer;
import io.redstage.examples.data.CustomerCdc;
import io.redstage.examples.data.Scenario;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks the warehouse against what was produced, with SQL that also runs on Redshift: an append
 * table holds one row per produced record and no (partition, offset) twice; the CDC table equals
 * the source table's final state.
 */
final class ExactlyOnceCheck {
  /** One verdict for the summary. */
  record Check(String table, boolean ok, String detail) {}

  private static final String UNDEFINED_TABLE = "42P01";

  private ExactlyOnceCheck() {}

  static List<Check> run(
      String jdbcUrl,
      String user,
      String password,
      List<Scenario> scenarios,
      Map<String, Long> produced)
      throws SQLException {
    List<Check> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
      for (Scenario s : scenarios) {
        try {
          if (s instanceof CustomerCdc cdc) {
            out.add(checkUpsert(c, cdc));
          } else {
            out.add(checkAppend(c, s, produced.getOrDefault(s.topic(), 0L)));
          }
        } catch (SQLException e) {
          if (!UNDEFINED_TABLE.equals(e.getSQLState())) {
            throw e;
          }
          out.add(
              new Check(
                  s.table(),
                  false,
                  "the table does not exist: the loader has not loaded anything into it"));
        }
      }
    }
    return out;
  }

  private static Check checkAppend(Connection c, Scenario s, long produced) throws SQLException {
    long rows = single(c, "SELECT COUNT(*) FROM " + s.table());
    long duplicated =
        single(
            c,
            "SELECT COUNT(*) FROM (SELECT kafka_partition, kafka_offset FROM "
                + s.table()
                + " GROUP BY kafka_partition, kafka_offset HAVING COUNT(*) > 1) d");
    boolean ok = rows == produced && duplicated == 0;
    return new Check(
        s.table(),
        ok,
        String.format(
            "%,d rows for %,d records produced, %d duplicated offsets",
            rows, produced, duplicated));
  }

  private static Check checkUpsert(Connection c, CustomerCdc cdc) throws SQLException {
    Map<Long, Customer> expected = cdc.finalState();
    Map<Long, Customer> actual = readCustomers(c, cdc.table());
    int missing = 0;
    int differing = 0;
    for (Map.Entry<Long, Customer> e : expected.entrySet()) {
      Customer got = actual.get(e.getKey());
      if (got == null) {
        missing++;
      } else if (!same(e.getValue(), got)) {
        differing++;
      }
    }
    long unexpected = actual.keySet().stream().filter(id -> !expected.containsKey(id)).count();
    boolean ok = missing == 0 && differing == 0 && unexpected == 0;
    return new Check(
        cdc.table(),
        ok,
        String.format(
            "%,d rows; source has %,d: %d missing, %d differing, %d deleted rows still present",
            actual.size(), expected.size(), missing, differing, unexpected));
  }

  /** The customers table as loaded, by id. */
  static Map<Long, Customer> readCustomers(Connection c, String table) throws SQLException {
    Map<Long, Customer> out = new HashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT id, first_name, last_name, email, phone, city, "
                    + "country, status, registration_date, lifetime_value, updated_at FROM "
                    + table)) {
      while (rs.next()) {
        LocalDate registered = rs.getObject(9, LocalDate.class);
        Instant updated = rs.getObject(11, LocalDateTime.class).toInstant(ZoneOffset.UTC);
        Customer customer =
            new Customer(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6),
                rs.getString(7),
                rs.getString(8),
                registered,
                rs.getBigDecimal(10),
                updated.toEpochMilli());
        if (out.put(customer.id(), customer) != null) {
          throw new IllegalStateException(
              "Cannot check " + table + ": id " + customer.id() + " appears twice.");
        }
      }
    }
    return out;
  }

  static boolean same(Customer a, Customer b) {
    return a.id() == b.id()
        && a.firstName().equals(b.firstName())
        && a.lastName().equals(b.lastName())
        && a.email().equals(b.email())
        && Objects.equals(a.phone(), b.phone())
        && Objects.equals(a.city(), b.city())
        && a.country().equals(b.country())
        && a.status().equals(b.status())
        && a.registrationDate().equals(b.registrationDate())
        && sameDecimal(a.lifetimeValue(), b.lifetimeValue())
        && a.updatedAtMillis() == b.updatedAtMillis();
  }

  private static boolean sameDecimal(BigDecimal a, BigDecimal b) {
    return a != null && b != null && a.compareTo(b) == 0;
  }

  private static long single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
