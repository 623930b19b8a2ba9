package io.redstage.loader.load;

import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.BatchPlanner;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.discovery.IntervalSet;
import io.redstage.loader.discovery.OffsetRange;
import io.redstage.loader.discovery.TopicPartition;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.MetadataColumns;
import io.redstage.loader.sql.TableMapper;
import io.redstage.loader.sql.TableRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sorts the listed units of a cycle into loaded (covered by the load-marker table), held back
 * (quarantined, waiting for a retry, or, in upsert mode, behind such a unit of the same partition,
 * because upserts must apply in offset order) and pending, then plans the pending ones into batches
 * per table. Notices topics whose names map to the same table and says so once.
 */
public final class CyclePlanner {
  private static final Logger LOG = LoggerFactory.getLogger(CyclePlanner.class);
  private final TableMapper tables;
  private final TableSettingsResolver settings;
  private final BatchPlanner batches;
  private final FailureTracker failures;

  /**
   * The topics each table's WARN about topics sharing it named: only so that it is logged once.
   * What shares a table is decided from the topics listed now (see {@link #topicsByTable}).
   */
  private final Map<TableRef, Set<String>> warnedTopics = new ConcurrentHashMap<>();

  /**
   * Append tables whose units' metadata names differ and that were said so: logged once until their
   * units agree again.
   */
  private final Set<TableRef> warnedNames = ConcurrentHashMap.newKeySet();

  public CyclePlanner(
      TableMapper tables,
      TableSettingsResolver settings,
      BatchPlanner batches,
      FailureTracker failures) {
    this.tables = tables;
    this.settings = settings;
    this.batches = batches;
    this.failures = failures;
  }

  /** Per-table figures for status and metrics. */
  public record TableBacklog(
      int pendingUnits,
      long pendingBytes,
      long pendingRecords,
      long oldestCommittedAtMs,
      int heldBack) {

    /** The figures of {@code pending}, {@code heldBack} of them held back. */
    static TableBacklog of(List<Unit> pending, int heldBack) {
      long bytes = 0;
      long records = 0;
      long oldest = Long.MAX_VALUE;
      for (Unit u : pending) {
        bytes += u.marker().totalBytes();
        records += u.marker().recordCount();
        oldest = Math.min(oldest, u.marker().committedAtMs());
      }
      return new TableBacklog(pending.size(), bytes, records, oldest, heldBack);
    }
  }

  /**
   * The plan of one cycle.
   *
   * @param unconfigured tables whose settings do not resolve (say upsert mode with no key for a
   *     table that appeared since the start), with the reason: their units are held, the other
   *     tables load
   */
  public record Plan(
      List<Unit> loaded,
      Map<TableRef, List<Batch>> batches,
      Map<TableRef, TableBacklog> backlog,
      int pendingUnits,
      Map<TableRef, String> unconfigured) {}

  public TableRef tableOf(String topic) {
    return tables.table(topic);
  }

  /**
   * Tables that more than one of the {@code listed} units' topics loads into, with the number of
   * topics (for the metric).
   */
  public Map<String, Long> mergedTopics(List<Unit> listed) {
    Map<String, Long> out = new TreeMap<>();
    topicsByTable(listed)
        .forEach(
            (t, topics) -> {
              if (topics.size() > 1) {
                out.put(t.name(), (long) topics.size());
              }
            });
    return out;
  }

  /**
   * The topics of each table among the listed units. Built from each listing rather than
   * accumulated: a topic whose markers were all retired counted for the life of a 'run' process, so
   * a topic added to an upsert table waited for its settings until a restart, while 'once' loaded
   * it. That topic's rows stay in the table, but no process could remember them across a restart
   * either: topics meant to share a table are named in tables.map.
   */
  private Map<TableRef, Set<String>> topicsByTable(List<Unit> listed) {
    Map<TableRef, Set<String>> out = new TreeMap<>();
    for (Unit u : listed) {
      out.computeIfAbsent(tables.table(u.topic()), x -> new TreeSet<>()).add(u.topic());
    }
    return out;
  }

  /**
   * Logs once per topic when a topic shares a table with another listed one, unless tables.map says
   * so.
   */
  private void noteTopics(TableRef t, Set<String> topics) {
    if (!mergedByName(topics)) {
      return;
    }
    Set<String> warned = warnedTopics.computeIfAbsent(t, x -> new ConcurrentSkipListSet<>());
    String joined = null;
    for (String topic : topics) {
      if (warned.add(topic)) {
        joined = topic;
      }
    }
    if (joined != null) {
      LOG.warn(
          "Topics {} all load into table {}: their names map to the same table name. If they must stay apart, map them to "
              + "tables of their own with tables.map, e.g. tables.map={}:{}_2",
          topics,
          t,
          joined,
          t.table());
    }
  }

  /** Whether topics share a table by their names only: more than one, not all in tables.map. */
  private boolean mergedByName(Set<String> topics) {
    return topics.size() > 1 && !topics.stream().allMatch(tables::mappedExplicitly);
  }

  /**
   * Why an upsert table does not load: topics whose names only map to it by default (shop.Orders
   * and shop.orders both become shop_orders), of which one's keys would replace or delete the
   * other's rows. Topics merged on purpose are all named in tables.map; an append table only gets
   * the WARN of {@link #noteTopics}, its rows keep their topic.
   */
  private Optional<String> mergedByDefault(TableRef t, Set<String> topics) {
    if (!mergedByName(topics)) {
      return Optional.empty();
    }
    return Optional.of(
        "Cannot load topics "
            + topics
            + " into the upsert table "
            + t
            + ": their names map to it by default, and one topic's keys would replace or delete the"
            + " other's rows. Name each in tables.map: all to "
            + t
            + " to merge them on purpose, or each to a table of its own.");
  }

  /**
   * Of an append table's ready units, those that load together with the first committed of them:
   * all of them unless their markers name a Kafka metadata column differently.
   *
   * <p>Why: one load transaction deduplicates its rows by these columns, so a batch needs one set
   * of names, and the units of a table are loaded with one set per run of its batches ({@link
   * TableGuards#checked}). Two sets are pending when metadata.*.column changed on a running
   * connector. Rows of an append table need no order, so the older names load first and the newer
   * after them (the same cycle's top-up, or the next cycle), where the table used to load nothing
   * until an operator moved one set's markers aside. An upsert table still stops (with that
   * advice): its rows must apply in offset order, and its deleted-keys table and compare-and-set
   * read the metadata columns by name. A marker whose own files name a column differently is
   * refused by the scanner as unreadable ({@link io.redstage.loader.discovery.MarkerScanner}): only
   * its unit waits. Should such a unit reach here anyway, every unit is handed back, and {@link
   * TableGuards#checked} stops the table with the names.
   */
  private List<Unit> namedAsTheFirstCommitted(TableRef t, List<Unit> ready) {
    List<Unit> together;
    try {
      together = settings.agreeingWithFirstCommitted(t, ready);
    } catch (ConfigException e) {
      return ready;
    }
    if (together.size() == ready.size()) {
      warnedNames.remove(t);
      return ready;
    }
    Set<Unit> chosen = new HashSet<>(together);
    if (warnedNames.add(t)) {
      Unit first = together.get(0);
      Unit other = ready.stream().filter(u -> !chosen.contains(u)).findFirst().orElseThrow();
      LOG.warn(
          "Table {}: its pending units' markers name the Kafka metadata columns differently (marker"
              + " {}: {}; marker {}: {}): the {} unit(s) that agree with the first committed (marker"
              + " {}) load first, the {} other(s) after them, each batch with one set of names."
              + " Keep metadata.*.column at one name while units are pending:"
              + " docs/loader-operations.md, \"Changing settings of a running pipeline\".",
          t,
          first.markerKey(),
          roleNames(settings.metadata(first)),
          other.markerKey(),
          roleNames(settings.metadata(other)),
          together.size(),
          first.markerKey(),
          ready.size() - together.size());
    }
    return ready.stream().filter(chosen::contains).toList();
  }

  /** The metadata column names, for the log. */
  private static String roleNames(MetadataColumns m) {
    return String.join(
        ", ",
        java.util.stream.Stream.of(
                m.topic(),
                m.partition(),
                m.offset(),
                m.timestamp(),
                m.key(),
                m.headers(),
                m.deleted())
            .filter(java.util.Objects::nonNull)
            .toList());
  }

  /**
   * Where each partition's first unreadable marker whose offsets are not all loaded into {@code t}
   * starts: an upsert table loads no unit of the partition from there on. One whose offsets are all
   * loaded (a zombie task's unit beside its replay's, kept under markers.dir while archived or
   * refused) has no rows left to apply before the later units, and held them for good. It is still
   * reported as unreadable.
   */
  private static Map<TopicPartition, Long> unreadableFrom(
      TableRef t, Map<TopicPartition, List<OffsetRange>> unreadable, LoadState state) {
    Map<TopicPartition, Long> out = new HashMap<>();
    unreadable.forEach(
        (tp, ranges) -> {
          IntervalSet loaded = state.loaded(t, tp);
          ranges.stream()
              .filter(r -> !loaded.covers(r.start(), r.end()))
              .mapToLong(OffsetRange::start)
              .min()
              .ifPresent(from -> out.put(tp, from));
        });
    return out;
  }

  /**
   * Plans the listed units not yet loaded into batches per table.
   *
   * @param unreadable from the scan that listed the units ({@link
   *     io.redstage.loader.discovery.MarkerScanner.ScanResult#unreadable}): the offsets of each
   *     partition's unreadable markers
   */
  public Plan plan(
      List<Unit> listed,
      Map<TopicPartition, List<OffsetRange>> unreadable,
      LoadState state,
      long nowMs) {
    List<Unit> loaded = new ArrayList<>();
    Map<TableRef, List<Unit>> byTable = new TreeMap<>();
    // a table's units are all in one plan: a top-up plans its own table's
    Map<TableRef, Set<String>> topicsByTable = topicsByTable(listed);
    topicsByTable.forEach(this::noteTopics);
    for (Unit u : listed) {
      TableRef t = tables.table(u.topic());
      if (state.covered(t, u)) {
        loaded.add(u);
      } else {
        byTable.computeIfAbsent(t, x -> new ArrayList<>()).add(u);
      }
    }
    Map<TableRef, List<Batch>> planned = new LinkedHashMap<>();
    Map<TableRef, TableBacklog> backlog = new LinkedHashMap<>();
    Map<TableRef, String> unconfigured = new TreeMap<>();
    int pendingTotal = 0;
    for (Map.Entry<TableRef, List<Unit>> e : byTable.entrySet()) {
      TableRef t = e.getKey();
      boolean ordered;
      try {
        ordered = settings.upsert(t);
        if (ordered) {
          mergedByDefault(t, topicsByTable.get(t)).ifPresent(why -> unconfigured.put(t, why));
        }
      } catch (ConfigException ex) {
        // a table's own setting: the start could not see it (the table is new), and it must not
        // stop the tables that load
        unconfigured.put(t, ex.getMessage());
        ordered = true;
      }
      List<Unit> units = new ArrayList<>(e.getValue());
      units.sort(
          Comparator.comparing(Unit::topic)
              .thenComparingInt(Unit::partition)
              .thenComparingLong(Unit::start)
              .thenComparingLong(Unit::end));
      Set<TopicPartition> blocked = new HashSet<>();
      Map<TopicPartition, Long> unreadableFrom =
          ordered ? unreadableFrom(t, unreadable, state) : Map.of();
      Set<Unit> heldItself = new HashSet<>();
      // ordered tables, per partition: the offsets loaded into the table or in a unit that is not
      // held itself
      Map<TopicPartition, IntervalSet> reachable = new HashMap<>();
      for (Unit u : units) {
        TopicPartition tp = new TopicPartition(u.topic(), u.partition());
        if (state.quarantineBatch(u.markerKey()) != null
            || failures.waiting(u.markerKey(), nowMs)
            // after a marker that cannot be read: its unit may hold older rows of the same keys
            || unreadableFrom.getOrDefault(tp, Long.MAX_VALUE) <= u.start()) {
          heldItself.add(u);
        } else if (ordered) {
          reachable.computeIfAbsent(tp, x -> state.loaded(t, x)).add(u.start(), u.end());
        }
      }
      List<Unit> ready = new ArrayList<>();
      int held = 0;
      for (Unit u : units) {
        TopicPartition tp = new TopicPartition(u.topic(), u.partition());
        boolean own = heldItself.contains(u);
        if (own || ordered && blocked.contains(tp)) {
          held++;
          // A held unit holds its partition's later units back, as upserts apply in offset order,
          // unless every offset of it is loaded or in a unit that is not held itself: a zombie
          // task's unit beside its replay's (other boundaries), which has nothing left to load
          // once they do (its quarantine is then released as covered). It held them for good:
          // 'skip' refuses while an overlapping unit is not loaded.
          if (ordered
              && !(own
                  && reachable
                      .computeIfAbsent(tp, x -> state.loaded(t, x))
                      .covers(u.start(), u.end()))) {
            blocked.add(tp);
          }
        } else {
          ready.add(u);
        }
      }
      pendingTotal += units.size();
      if (unconfigured.containsKey(t)) {
        held = units.size();
        ready.clear();
      }
      backlog.put(t, TableBacklog.of(units, held));
      if (!ordered) {
        ready = namedAsTheFirstCommitted(t, ready);
      }
      if (!ready.isEmpty()) {
        planned.put(t, batches.plan(t, ready, failures.isolated()));
      }
    }
    return new Plan(loaded, planned, backlog, pendingTotal, unconfigured);
  }
}
