package io.redstage.loader.sql;

import static io.redstage.loader.sql.ControlTables.timestamp;

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
   * many INSERTs as keep each below {@link ControlTables#MAX_QUERY_CHARS}: a loader that comes back
   * to thousands of pending tables (after an initial snapshot, or downtime) would otherwise send
   * one statement over the Data API's 100 KB limit and fail every cycle. Each INSERT holds at least
   * a thousand tables, so the batch stays within its 40 statements for any number of tables a
   * cluster can hold.
   */
  public List<String> claim(String owner, List<TableRef> wanted, Instant now, Instant expires) {
    String me = SqlText.literal(owner);
    List<String> sql = new ArrayList<>();
    sql.add("LOCK " + table.sql());
    sql.add(
        "DELETE FROM "
            + table.sql()
            + " WHERE expires_at <= "
            + timestamp(now)
            + " OR owner = "
            + me);
    // the first INSERT also holds the liveness row ('')
    StringBuilder tables = new StringBuilder("SELECT CAST('' AS VARCHAR(300)) AS target_table");
    for (TableRef t : wanted) {
      String select = SqlText.literal(t.name());
      if (tables.length() + select.length() > ControlTables.MAX_QUERY_CHARS) {
        sql.add(insert(me, tables, expires));
        tables = new StringBuilder("SELECT CAST(" + select + " AS VARCHAR(300)) AS target_table");
      } else {
        tables.append(" UNION ALL SELECT ").append(select);
      }
    }
    sql.add(insert(me, tables, expires));
    return sql;
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
