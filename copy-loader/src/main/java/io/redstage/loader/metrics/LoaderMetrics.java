package io.redstage.loader.metrics;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Supplier;

/**
 * The loader's metrics, rendered in the Prometheus text exposition format. Hand-written rather than
 * a metrics library: the set is small and fixed, and the runnable jar stays free of another
 * dependency tree.
 */
public final class LoaderMetrics {
  private static final double[] LATENCY_BUCKETS = {
    0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600
  };

  private final Map<String, AtomicLong> unitsLoaded = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> rowsLoaded = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> bytesLoaded = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> batches = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> quarantined = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> rejectedRows = new ConcurrentHashMap<>();
  private final Map<String, Long> mergedTopics = new ConcurrentHashMap<>();
  private final Map<String, Long> pendingUnits = new ConcurrentHashMap<>();
  private final Map<String, Double> lagSeconds = new ConcurrentHashMap<>();
  private final long[] latencyCounts = new long[LATENCY_BUCKETS.length];
  private final DoubleAdder latencySum = new DoubleAdder();
  private final AtomicLong latencyCount = new AtomicLong();
  private final AtomicLong cycles = new AtomicLong();
  private volatile Supplier<Map<String, Long>> apiCalls = Map::of;

  public void loaded(String table, int units, long rows, long bytes, double seconds) {
    add(unitsLoaded, table, units);
    if (rows > 0) {
      add(rowsLoaded, table, rows);
    }
    add(bytesLoaded, table, bytes);
    add(batches, table + "\u0000committed", 1);
    observeLatency(seconds);
  }

  public void failed(String table, String kind) {
    add(failures, table + "\u0000" + kind, 1);
  }

  public void quarantined(String table, int units) {
    add(quarantined, table, units);
    add(batches, table + "\u0000quarantined", 1);
  }

  /** Rows a committed COPY rejected under MAXERROR (listed in a rejects object). */
  public void rejected(String table, long rows) {
    add(rejectedRows, table, rows);
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
    AtomicLong v = rejectedRows.get(table);
    return v == null ? 0 : v.get();
  }

  public void pending(Map<String, Long> unitsByTable, Map<String, Double> lagByTable) {
    pendingUnits.keySet().retainAll(unitsByTable.keySet());
    pendingUnits.putAll(unitsByTable);
    lagSeconds.keySet().retainAll(lagByTable.keySet());
    lagSeconds.putAll(lagByTable);
  }

  public void cycle() {
    cycles.incrementAndGet();
  }

  /** Exposes the AWS call counters (by operation) as a counter family. */
  public void apiCalls(Supplier<Map<String, Long>> source) {
    this.apiCalls = source;
  }

  public long rowsLoaded(String table) {
    AtomicLong v = rowsLoaded.get(table);
    return v == null ? 0 : v.get();
  }

  public long unitsLoaded(String table) {
    AtomicLong v = unitsLoaded.get(table);
    return v == null ? 0 : v.get();
  }

  private synchronized void observeLatency(double seconds) {
    for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]) {
        latencyCounts[i]++;
      }
    }
    latencySum.add(seconds);
    latencyCount.incrementAndGet();
  }

  private static void add(Map<String, AtomicLong> m, String k, long n) {
    m.computeIfAbsent(k, x -> new AtomicLong()).addAndGet(n);
  }

  /** The Prometheus text format (version 0.0.4). */
  public synchronized String render() {
    StringBuilder b = new StringBuilder();
    counter(b, "redstage_loader_units_loaded_total", "Commit units loaded", unitsLoaded, "table");
    counter(
        b,
        "redstage_loader_rows_loaded_total",
        "Rows written into target tables (append: inserted; upsert: inserted or updated)",
        rowsLoaded,
        "table");
    counter(
        b, "redstage_loader_bytes_loaded_total", "Data-file bytes loaded", bytesLoaded, "table");
    counter(b, "redstage_loader_batches_total", "Batches by result", batches, "table", "result");
    counter(
        b,
        "redstage_loader_failures_total",
        "Failed batch attempts by kind",
        failures,
        "table",
        "kind");
    counter(
        b, "redstage_loader_units_quarantined_total", "Units quarantined", quarantined, "table");
    counter(
        b,
        "redstage_loader_rejected_rows_total",
        "JSON Lines rows a committed COPY rejected (see the rejects objects)",
        rejectedRows,
        "table");
    gauge(
        b,
        "redstage_loader_merged_topics",
        "Topics loading into one table (tables with more than one)",
        mergedTopics);
    gauge(b, "redstage_loader_pending_units", "Units found and not yet loaded", pendingUnits);
    gauge(b, "redstage_loader_lag_seconds", "Age of the oldest pending unit's marker", lagSeconds);
    b.append(
        "# HELP redstage_loader_batch_latency_seconds Time from submit to commit of a batch\n");
    b.append("# TYPE redstage_loader_batch_latency_seconds histogram\n");
    for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
      b.append("redstage_loader_batch_latency_seconds_bucket{le=\"")
          .append(LATENCY_BUCKETS[i])
          .append("\"} ")
          .append(latencyCounts[i])
          .append('\n');
    }
    b.append("redstage_loader_batch_latency_seconds_bucket{le=\"+Inf\"} ")
        .append(latencyCount.get())
        .append('\n');
    b.append("redstage_loader_batch_latency_seconds_sum ")
        .append(String.format(Locale.ROOT, "%.3f", latencySum.sum()))
        .append('\n');
    b.append("redstage_loader_batch_latency_seconds_count ")
        .append(latencyCount.get())
        .append('\n');
    b.append(
        "# HELP redstage_loader_cycles_total Discovery and load cycles run\n# TYPE redstage_loader_cycles_total counter\n");
    b.append("redstage_loader_cycles_total ").append(cycles.get()).append('\n');
    b.append(
        "# HELP redstage_loader_aws_calls_total AWS API calls by operation\n# TYPE redstage_loader_aws_calls_total counter\n");
    for (Map.Entry<String, Long> e : new TreeMap<>(apiCalls.get()).entrySet()) {
      b.append("redstage_loader_aws_calls_total{operation=\"")
          .append(escape(e.getKey()))
          .append("\"} ")
          .append(e.getValue())
          .append('\n');
    }
    return b.toString();
  }

  private static void counter(
      StringBuilder b, String name, String help, Map<String, AtomicLong> m, String... labels) {
    b.append("# HELP ")
        .append(name)
        .append(' ')
        .append(help)
        .append('\n')
        .append("# TYPE ")
        .append(name)
        .append(" counter\n");
    for (Map.Entry<String, AtomicLong> e : new TreeMap<>(m).entrySet()) {
      b.append(name)
          .append(labels(e.getKey(), labels))
          .append(' ')
          .append(e.getValue().get())
          .append('\n');
    }
  }

  private static void gauge(
      StringBuilder b, String name, String help, Map<String, ? extends Number> m) {
    b.append("# HELP ")
        .append(name)
        .append(' ')
        .append(help)
        .append('\n')
        .append("# TYPE ")
        .append(name)
        .append(" gauge\n");
    for (Map.Entry<String, ? extends Number> e : new TreeMap<>(m).entrySet()) {
      b.append(name)
          .append(labels(e.getKey(), "table"))
          .append(' ')
          .append(e.getValue())
          .append('\n');
    }
  }

  private static String labels(String key, String... names) {
    String[] values = key.split("\u0000", -1);
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < names.length; i++) {
      b.append(i == 0 ? "" : ",")
          .append(names[i])
          .append("=\"")
          .append(escape(i < values.length ? values[i] : ""))
          .append('"');
    }
    return b.append('}').toString();
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
