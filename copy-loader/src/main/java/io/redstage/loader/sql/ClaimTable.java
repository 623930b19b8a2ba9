package io.redstage.loader.sql;

import static io.redstage.loader.sql.ControlTables.timestamp;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL of the claims table: which loader process loads which target table until when, so that
 * several loaders share the tables instead of loading the same ones (one row per claimed table,
 * plus one row with an empty target_table per live loader). Claims save work only: exactly once
 * rests on the load transactions, which never touch this table.
 */
public final class ClaimTable {
  private final TableRef table;

  ClaimTable(TableRef table) {
    this.table = table;
  }

  public TableRef table() {
    return table;
  }

  /** Live claims: owner and target_table ('' for a loader's own liveness row) of unexpired rows. */
  public String live(Instant now) {
    return "SELECT owner, target_table FROM "
        + table.sql()
        + " WHERE expires_at > "
        + timestamp(now);
  }

  /**
   * One transaction: drops expired claims and this owner's old ones, then claims for the owner its
   * liveness row and each wanted table no other owner holds. The LOCK makes claim transactions take
   * turns (they are short; load transactions never touch this table). The wanted tables go in as
   * many INSERTs as keep each below {@link ControlTables#MAX_QUERY_CHARS} UTF-8 bytes: a loader
   * that comes back to thousands of pending tables (after an initial snapshot, or downtime) would
   * otherwise send one statement over the Data API's 100 KB limit and fail every cycle. Past what
   * one transaction's 40 statements hold (tens of thousands of tables), see {@link #claims}.
   */
  public List<String> claim(String owner, List<TableRef> wanted, Instant now, Instant expires) {
    List<List<String>> all = claims(owner, wanted, now, expires);
    if (all.size() > 1) {
      throw new IllegalArgumentException(
          "Cannot claim " + wanted.size() + " tables in one transaction: use claims()");
    }
    return all.get(0);
  }

  /**
   * {@link #claim} as transactions of at most {@link LoadSqlBuilder#MAX_STATEMENTS} statements: the
   * first drops the old claims, each takes the LOCK. A table another loader claims between two of
   * them is skipped by the NOT EXISTS, as within one.
   */
  public List<List<String>> claims(
      String owner, List<TableRef> wanted, Instant now, Instant expires) {
    String me = SqlText.literal(owner);
    List<String> inserts = new ArrayList<>();
    // the first INSERT also holds the liveness row ('')
    StringBuilder tables = new StringBuilder("SELECT CAST('' AS VARCHAR(300)) AS target_table");
    int bytes = tables.length();
    for (TableRef t : wanted) {
      String select = SqlText.literal(t.name());
      int size = select.getBytes(StandardCharsets.UTF_8).length + 20;
      if (bytes + size > ControlTables.MAX_QUERY_CHARS) {
        inserts.add(insert(me, tables, expires));
        tables = new StringBuilder("SELECT CAST(" + select + " AS VARCHAR(300)) AS target_table");
        bytes = tables.toString().getBytes(StandardCharsets.UTF_8).length;
      } else {
        tables.append(" UNION ALL SELECT ").append(select);
        bytes += size;
      }
    }
    inserts.add(insert(me, tables, expires));
    List<List<String>> out = new ArrayList<>();
    List<String> sql = new ArrayList<>();
    sql.add("LOCK " + table.sql());
    sql.add(
        "DELETE FROM "
            + table.sql()
            + " WHERE expires_at <= "
            + timestamp(now)
            + " OR owner = "
            + me);
    for (String insert : inserts) {
      if (sql.size() == LoadSqlBuilder.MAX_STATEMENTS) {
        out.add(sql);
        sql = new ArrayList<>();
        sql.add("LOCK " + table.sql());
      }
      sql.add(insert);
    }
    out.add(sql);
    return out;
  }

  private String insert(String me, CharSequence tables, Instant expires) {
    return "INSERT INTO "
        + table.sql()
        + " (owner, target_table, expires_at) SELECT "
        + me
        + ", w.target_table, "
        + timestamp(expires)
        + " FROM ("
        + tables
        + ") w WHERE w.target_table = '' OR NOT EXISTS (SELECT 1 FROM "
        + table.sql()
        + " c WHERE c.target_table = w.target_table)";
  }

  /**
   * Gives up an owner's claims and liveness row (a loader that stops). It takes the table's LOCK
   * like a claim, so it waits for a running claim transaction instead of failing with a
   * serialization conflict (1023) against it.
   */
  public List<String> release(String owner) {
    return List.of(
        "LOCK " + table.sql(),
        "DELETE FROM " + table.sql() + " WHERE owner = " + SqlText.literal(owner));
  }

  /**
   * Extends all of an owner's rows (its claims and its liveness row) to {@code expires}: a loader
   * whose cycle outlasts part of its lease keeps its tables. Under the table's LOCK, like a claim.
   */
  public List<String> renew(String owner, Instant expires) {
    return List.of(
        "LOCK " + table.sql(),
        "UPDATE "
            + table.sql()
            + " SET expires_at = "
            + timestamp(expires)
            + " WHERE owner = "
            + SqlText.literal(owner));
  }

  /** The tables an owner holds now. */
  public String claimedBy(String owner) {
    return "SELECT target_table FROM "
        + table.sql()
        + " WHERE owner = "
        + SqlText.literal(owner)
        + " AND target_table <> ''";
  }
}
