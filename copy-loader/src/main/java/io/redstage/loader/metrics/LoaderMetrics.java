package io.redstage.loader.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.redstage.loader.cli.LoaderVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The loader's metrics, in a Prometheus registry of its own (the Prometheus Java client), with the
 * client's JVM metrics and {@code redstage_loader_build_info{version}}. {@link MetricsServer}
 * serves it.
 */
public final class LoaderMetrics {
  private static final double[] LATENCY_BUCKETS = {
    0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter unitsLoaded =
      counter("redstage_loader_units_loaded_total", "Commit units loaded", "table");
  private final Counter rowsLoaded =
      counter(
          "redstage_loader_rows_loaded_total",
          "Rows written into target tables (append: inserted; upsert: inserted or updated)",
          "table");
  private final Counter bytesLoaded =
      counter("redstage_loader_bytes_loaded_total", "Data-file bytes loaded", "table");
  private final Counter batches =
      counter("redstage_loader_batches_total", "Batches by result", "table", "result");
  private final Counter failures =
      counter("redstage_loader_failures_total", "Failed batch attempts by kind", "table", "kind");
  private final Counter quarantined =
      counter("redstage_loader_units_quarantined_total", "Units quarantined", "table");
  private final Counter rejectedRows =
      counter(
          "redstage_loader_rejected_rows_total",
          "JSON Lines rows a committed COPY rejected (see the rejects objects)",
          "table");
  private final Counter missingRows =
      counter(
          "redstage_loader_missing_rows_total",
          "Rows the markers of committed Parquet or Avro files count but their COPY did not load (0 unless a"
              + " file was changed or truncated after its marker was written)",
          "table");
  private final Counter transactions =
      counter(
          "redstage_loader_load_transactions_total",
          "Load transactions committed (Redshift serializes commits cluster-wide: per-minute rate is"
              + " rate(...[5m]) * 60)",
          "table");
  private final Counter cycles =
      counter("redstage_loader_cycles_total", "Discovery and load cycles run");
  private final Counter failedCycles =
      counter(
          "redstage_loader_cycle_failures_total",
          "Cycles that ended in an error before their loads (S3 or the Data API unreachable, a"
              + " control table unreadable); the error is logged and the cycle retried");
  private final Histogram latency =
      Histogram.builder()
          .name("redstage_loader_batch_latency_seconds")
          .help("Time from submit to commit of a batch")
          .classicOnly()
          .classicUpperBounds(LATENCY_BUCKETS)
          .register(registry);
  private final Map<String, Long> mergedTopics = new ConcurrentHashMap<>();
  private final Map<String, Long> pendingUnits = new ConcurrentHashMap<>();
  private final Map<String, Long> heldUnits = new ConcurrentHashMap<>();

  /**
   * Per table, the newest commit time (epoch ms) of a unit this loader loaded. Never pruned, unlike
   * the backlog gauges: a retired topic, a stopped connector and a topic with no records all just
   * stop writing markers, so no rule can drop a retired table's series without also dropping the
   * one the freshness alert watches for a stopped connector. loader-operations.md says how to write
   * that alert so that a retired table does not fire.
   */
  private final Map<String, Long> newestLoadedCommitMs = new ConcurrentHashMap<>();

  /** Per table, the commit time (epoch ms) of the oldest pending unit; absent when none. */
  private final Map<String, Long> oldestPendingMs = new ConcurrentHashMap<>();

  private final Map<String, Long> unreadableMarkers = new ConcurrentHashMap<>();
  private final Map<String, Deque<Long>> commitTimes = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;
  private final LongSupplier wallMillis;
  private volatile long lastCycleMs;
  private volatile Supplier<Map<String, Long>> apiCalls = Map::of;

  public LoaderMetrics() {
    this(Clock.systemUTC());
  }

  /** Metrics whose lag and cycle time read {@code clock} (the loader's). */
  public LoaderMetrics(Clock clock) {
    this(System::nanoTime, clock::millis);
  }

  /** For tests: the clock the last-minute commit gauge reads, and the wall clock of the lag. */
  LoaderMetrics(LongSupplier nanoTime, LongSupplier wallMillis) {
    this.nanoTime = nanoTime;
    this.wallMillis = wallMillis;
    GaugeWithCallback.builder()
        .name("redstage_loader_load_transactions_last_minute")
        .help("Load transactions committed in the last 60 seconds")
        .labelNames("table")
        .callback(cb -> commitTimes.keySet().forEach(t -> cb.call(transactionsLastMinute(t), t)))
        .register(registry);
    gauge(
        "redstage_loader_merged_topics",
        "Topics loading into one table (tables with more than one)",
        mergedTopics);
    gauge("redstage_loader_pending_units", "Units found and not yet loaded", pendingUnits);
    // lag covers only units the connector committed: a connector that stopped leaves no unit
    // behind, and its tables no lag. This grows instead.
    GaugeWithCallback.builder()
        .name("redstage_loader_newest_loaded_commit_timestamp_seconds")
        .help(
            "Per table, when the connector committed the newest unit this loader loaded (epoch "
                + "seconds): time() minus it is how old the warehouse's newest data is")
        .labelNames("table")
        .callback(cb -> newestLoadedCommitMs.forEach((t, ms) -> cb.call(ms / 1000.0, t)))
        .register(registry);
    gauge(
        "redstage_loader_held_units",
        "Pending units that wait for an operator or a retry, not for their turn: quarantined, "
            + "waiting for a retry, behind such a unit or an unreadable marker in upsert mode, or of "
            + "a table whose settings do not resolve",
        heldUnits);
    // the age is taken when scraped, not when the last cycle ended: cycles that fail or take long
    // would otherwise hold the lag still, just when loading has stopped
    GaugeWithCallback.builder()
        .name("redstage_loader_lag_seconds")
        .help("Age of the oldest pending unit's marker")
        .labelNames("table")
        .callback(
            cb ->
                pendingUnits.forEach(
                    (table, units) -> {
                      Long oldest = oldestPendingMs.get(table);
                      cb.call(
                          units == 0 || oldest == null
                              ? 0.0
                              : Math.max(0, wallMillis.getAsLong() - oldest) / 1000.0,
                          table);
                    }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("redstage_loader_last_cycle_timestamp_seconds")
        .help("When the last cycle ended without an error (Unix time; 0 before the first)")
        .callback(cb -> cb.call(lastCycleMs / 1000.0))
        .register(registry);
    gauge(
        "redstage_loader_unreadable_markers",
        "Listed markers that cannot be read or used: their units wait",
        unreadableMarkers);
    CounterWithCallback.builder()
        .name("redstage_loader_aws_calls_total")
        .help("AWS API calls by operation")
        .labelNames("operation")
        .callback(cb -> apiCalls.get().forEach((op, n) -> cb.call(n, op)))
        .register(registry);
    Info.builder()
        .name("redstage_loader_build_info")
        .help("The loader's version")
        .labelNames("version")
        .register(registry)
        .setLabelValues(LoaderVersion.get());
    JvmMetrics.builder().register(registry);
  }

  private Counter counter(String name, String help, String... labels) {
    return Counter.builder().name(name).help(help).labelNames(labels).register(registry);
  }

  private void gauge(String name, String help, Map<String, ? extends Number> values) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("table")
        .callback(cb -> values.forEach((table, v) -> cb.call(v.doubleValue(), table)))
        .register(registry);
  }

  /** The registry, for {@link MetricsServer}. */
  PrometheusRegistry registry() {
    return registry;
  }

  /** Notes the commit time (epoch ms) of the newest unit a batch of {@code table} loaded. */
  public void loadedCommittedAt(String table, long committedAtMs) {
    newestLoadedCommitMs.merge(table, committedAtMs, Math::max);
  }

  public void loaded(String table, int units, long rows, long bytes, double seconds) {
    unitsLoaded.labelValues(table).inc(units);
    if (rows > 0) {
      rowsLoaded.labelValues(table).inc(rows);
    }
    bytesLoaded.labelValues(table).inc(bytes);
    batches.labelValues(table, "committed").inc();
    transactions.labelValues(table).inc();
    latency.observe(seconds);
    Deque<Long> times = commitTimes.computeIfAbsent(table, t -> new ArrayDeque<>());
    synchronized (times) {
      times.addLast(nanoTime.getAsLong());
      dropOlderThanAMinute(times);
    }
  }

  /**
   * Commits of the table in the last 60 s. A deque of commit times per table, trimmed on write and
   * read, is enough here: a table commits at most a few times per second, and the Prometheus client
   * has no sliding-window counter.
   */
  public long transactionsLastMinute(String table) {
    Deque<Long> times = commitTimes.get(table);
    if (times == null) {
      return 0;
    }
    synchronized (times) {
      dropOlderThanAMinute(times);
      return times.size();
    }
  }

  private void dropOlderThanAMinute(Deque<Long> times) {
    long cutoff = nanoTime.getAsLong() - TimeUnit.MINUTES.toNanos(1);
    while (!times.isEmpty() && times.peekFirst() - cutoff <= 0) {
      times.pollFirst();
    }
  }

  /** Load transactions committed for the table since start. */
  public long transactions(String table) {
    return (long) transactions.labelValues(table).get();
  }

  public void failed(String table, String kind) {
    failures.labelValues(table, kind).inc();
  }

  public void quarantined(String table, int units) {
    quarantined.labelValues(table).inc(units);
    batches.labelValues(table, "quarantined").inc();
  }

  /** Rows of Parquet/Avro files their committed COPY did not load (see TableLoad). */
  public void missingRows(String table, long rows) {
    missingRows.labelValues(table).inc(rows);
  }

  /** Rows a committed COPY rejected under MAXERROR (listed in a rejects object). */
  public void rejected(String table, long rows) {
    rejectedRows.labelValues(table).inc(rows);
  }

  /**
   * Tables that more than one topic loads into (topic names that map to the same table), with the
   * topic count.
   */
  public void mergedTopics(Map<String, Long> topicsByTable) {
    mergedTopics.keySet().retainAll(topicsByTable.keySet());
    mergedTopics.putAll(topicsByTable);
  }

  public long rejectedRows(String table) {
    return (long) rejectedRows.labelValues(table).get();
  }

  /**
   * Pending units per table, the held ones among them, and the commit time (epoch ms) of each
   * table's oldest pending unit, from which the lag is taken when scraped; tables not named drop
   * out.
   */
  public void pending(
      Map<String, Long> unitsByTable,
      Map<String, Long> heldByTable,
      Map<String, Long> oldestPendingMsByTable) {
    pendingUnits.keySet().retainAll(unitsByTable.keySet());
    pendingUnits.putAll(unitsByTable);
    heldUnits.keySet().retainAll(heldByTable.keySet());
    heldUnits.putAll(heldByTable);
    oldestPendingMs.keySet().retainAll(oldestPendingMsByTable.keySet());
    oldestPendingMs.putAll(oldestPendingMsByTable);
  }

  /** Unreadable markers per table of their topic; tables not named drop out. */
  public void unreadableMarkers(Map<String, Long> byTable) {
    unreadableMarkers.keySet().retainAll(byTable.keySet());
    unreadableMarkers.putAll(byTable);
  }

  public void cycle() {
    cycles.inc();
    lastCycleMs = wallMillis.getAsLong();
  }

  public void cycleFailed() {
    failedCycles.inc();
  }

  /** Exposes the AWS call counters (by operation) as a counter family. */
  public void apiCalls(Supplier<Map<String, Long>> source) {
    this.apiCalls = source;
  }

  public long rowsLoaded(String table) {
    return (long) rowsLoaded.labelValues(table).get();
  }

  public long unitsLoaded(String table) {
    return (long) unitsLoaded.labelValues(table).get();
  }

  /** The Prometheus text format, as served at /metrics. */
  public String render() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot render the loader's metrics: " + e.getMessage(), e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
