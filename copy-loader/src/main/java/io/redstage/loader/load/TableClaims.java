package io.redstage.loader.load;

import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.sql.ControlTables;
import io.redstage.loader.sql.TableRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares target tables between loader processes: each cycle a loader claims, for one lease, its
 * fair share of the tables with pending units (pending tables / live loaders, rounded up) among
 * those no other live loader holds, keeping the ones it held. Without claims every loader plans
 * every pending unit and all but one of them redo the COPY for nothing. Claims only save work:
 * exactly once rests on each load transaction's LOCK and offset check, so an expired lease (a
 * killed loader, a cycle longer than the lease, clocks apart) costs duplicated work, never rows.
 */
public final class TableClaims {
  private static final Logger LOG = LoggerFactory.getLogger(TableClaims.class);

  private final DataApi api;
  private final ControlTables control;
  private final Duration lease;
  private final Clock clock;
  private final String owner = UUID.randomUUID().toString();
  private volatile Instant lastClaim;

  /**
   * @param lease how long a claim holds without renewal; zero turns claiming off
   */
  public TableClaims(DataApi api, ControlTables control, Duration lease, Clock clock) {
    this.api = api;
    this.control = control;
    this.lease = lease;
    this.clock = clock;
  }

  public String owner() {
    return owner;
  }

  /**
   * What a loader may load in this cycle.
   *
   * @param takenOver some table was not this loader's before: another loader may have loaded it
   *     since this cycle read the loaded state, so read it again before loading
   */
  public record Grant(Set<TableRef> tables, boolean takenOver) {}

  /**
   * The unexpired claims at the start of a cycle: the live loaders (this one included), the tables
   * this loader holds and those other loaders hold.
   */
  public record Live(Set<String> owners, Set<String> mine, Set<String> others) {
    /** Whether another live loader holds {@code table}. */
    public boolean heldByOther(TableRef table) {
      return others.contains(table.name());
    }
  }

  /**
   * Reads the unexpired claims: one query (none with claiming off). A cycle reads them before the
   * loaded state, so that it can leave out the tables other loaders hold: their load transactions
   * hold those tables' locks, and reading them would wait for those loads.
   */
  public Live live() throws InterruptedException {
    if (lease.isZero()) {
      return alone();
    }
    Set<String> owners = new HashSet<>(Set.of(owner));
    Set<String> mine = new HashSet<>();
    Set<String> others = new HashSet<>();
    for (List<Object> row :
        api.query(control.claims().live(clock.instant()), "redstage-claims").rows()) {
      String who = QueryResult.string(row.get(0)).trim();
      String table = QueryResult.string(row.get(1));
      owners.add(who);
      if (!table.isEmpty()) {
        (who.equals(owner) ? mine : others).add(table);
      }
    }
    return new Live(owners, mine, others);
  }

  /** Claims as this loader knows them without asking: itself, holding nothing. */
  public Live alone() {
    return new Live(Set.of(owner), Set.of(), Set.of());
  }

  /**
   * The tables of {@code pending} this loader loads in this cycle. Two Data API calls (claim, read
   * what was granted) per cycle, none per batch; with nothing pending, one call per half lease that
   * keeps this loader counted among the live ones.
   *
   * @param live the claims read at the start of this cycle ({@link #live()})
   * @param stillLoading tables where a load statement of this loader that outlived
   *     redshift.statement-timeout still runs: the cycle left them out, and this loader keeps them,
   *     so that no other loader takes them and waits for that statement's LOCK
   * @param heldByOthers how many tables with listed units the cycle left out because another loader
   *     holds them: they count towards the share, as tables with pending units would
   */
  public Grant claim(Set<TableRef> pending, Live live, Set<TableRef> stillLoading, int heldByOthers)
      throws InterruptedException {
    if (lease.isZero()) {
      return new Grant(pending, false);
    }
    Instant now = clock.instant();
    if (pending.isEmpty() && stillLoading.isEmpty()) {
      // an idle loader stays counted among the live ones (one call per half lease), so that a busy
      // one leaves it a share as soon as work arrives
      if (lastClaim == null || !now.isBefore(lastClaim.plus(lease.dividedBy(2)))) {
        api.executeBatch(
            control.claims().claim(owner, List.of(), now, now.plus(lease)),
            null,
            "redstage-claims");
        lastClaim = now;
      }
      return new Grant(pending, false);
    }
    Set<String> owners = live.owners();
    Set<String> mine = live.mine();
    Set<String> others = live.others();
    int share = (pending.size() + heldByOthers + owners.size() - 1) / owners.size();
    // the tables this loader's statements still load (outside the share: they are not loaded this
    // cycle), then those it held (no handover when nothing changed), then the free ones in an order
    // of this owner's own (hash of owner and table), so loaders starting together prefer different
    // tables
    List<TableRef> wanted = new ArrayList<>();
    pending.stream()
        .filter(t -> mine.contains(t.name()))
        .sorted()
        .limit(share)
        .forEach(wanted::add);
    pending.stream()
        .filter(t -> !mine.contains(t.name()) && !others.contains(t.name()))
        .sorted(Comparator.comparingInt(t -> (owner + t.name()).hashCode()))
        .limit(Math.max(0, share - wanted.size()))
        .forEach(wanted::add);
    new TreeSet<>(stillLoading).forEach(wanted::add);
    for (List<String> claim : control.claims().claims(owner, wanted, now, now.plus(lease))) {
      api.executeBatch(claim, null, "redstage-claims");
    }
    lastClaim = now;
    Set<String> granted = new HashSet<>();
    for (List<Object> row :
        api.query(control.claims().claimedBy(owner), "redstage-claims").rows()) {
      granted.add(QueryResult.string(row.get(0)));
    }
    Set<TableRef> out = new TreeSet<>();
    boolean takenOver = false;
    for (TableRef t : pending) {
      if (granted.contains(t.name())) {
        out.add(t);
        takenOver |= !mine.contains(t.name());
      }
    }
    LOG.info(
        "Loader {}: {} live loader(s), {} table(s) pending, {} held by other loaders, share {}, claimed {}",
        owner,
        owners.size(),
        pending.size(),
        heldByOthers,
        share,
        out.size());
    return new Grant(out, takenOver);
  }

  /** How long a claim holds without renewal; zero when claiming is off. */
  public Duration lease() {
    return lease;
  }

  /**
   * Extends this loader's claims by a lease from now (one Data API call). A cycle calls it every
   * third of a lease while its tables load, so that a load longer than the lease does not free its
   * table for another loader, which would wait for that load's LOCK and then load nothing.
   */
  public void renew() throws InterruptedException {
    if (lease.isZero() || lastClaim == null) {
      return;
    }
    Instant now = clock.instant();
    api.executeBatch(control.claims().renew(owner, now.plus(lease)), null, "redstage-claims");
    lastClaim = now;
  }

  /**
   * Gives this loader's claims up (on a clean stop) so that others take its tables at once; nothing
   * when it claimed nothing.
   */
  public void release() throws InterruptedException {
    if (lastClaim != null) {
      api.executeBatch(control.claims().release(owner), null, "redstage-claims");
      lastClaim = null;
    }
  }
}
