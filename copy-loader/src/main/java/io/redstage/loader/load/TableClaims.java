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
  private Instant lastClaim;

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
   * The tables of {@code pending} this loader loads in this cycle. Three Data API calls (read live
   * claims, claim, read what was granted) per cycle, none per batch.
   */
  public Grant claim(Set<TableRef> pending) throws InterruptedException {
    if (lease.isZero()) {
      return new Grant(pending, false);
    }
    Instant now = clock.instant();
    if (pending.isEmpty()) {
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
    Set<String> owners = new HashSet<>(Set.of(owner));
    Set<String> mine = new HashSet<>();
    Set<String> others = new HashSet<>();
    for (List<Object> row : api.query(control.claims().live(now), "redstage-claims").rows()) {
      String who = QueryResult.string(row.get(0)).trim();
      String table = QueryResult.string(row.get(1));
      owners.add(who);
      if (!table.isEmpty()) {
        (who.equals(owner) ? mine : others).add(table);
      }
    }
    int share = (pending.size() + owners.size() - 1) / owners.size();
    // tables this loader held first (no handover when nothing changed), then the free ones in an
    // order of this owner's own (hash of owner and table), so loaders starting together prefer
    // different tables
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
    api.executeBatch(
        control.claims().claim(owner, wanted, now, now.plus(lease)), null, "redstage-claims");
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
        "Loader {}: {} live loader(s), {} table(s) pending, share {}, claimed {}",
        owner,
        owners.size(),
        pending.size(),
        share,
        out.size());
    return new Grant(out, takenOver);
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
