package io.redstage.loader.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoaderMetricsTest {
  @Test
  void servesPrometheusTextOverHttpWithJvmAndBuildInfo() throws Exception {
    AtomicLong wall = new AtomicLong(1_700_000_000_000L);
    LoaderMetrics m = new LoaderMetrics(System::nanoTime, wall::get);
    m.loaded("public.orders", 3, 300, 4096, 0.4);
    m.loadedCommittedAt("public.orders", 1_700_000_000_000L);
    m.loadedCommittedAt("public.orders", 1_699_999_000_000L);
    m.failed("public.orders", "load");
    m.quarantined("public.bad\"table", 1);
    m.pending(
        Map.of("public.orders", 2L),
        Map.of("public.orders", 1L),
        Map.of("public.orders", wall.get() - 12_500));
    m.apiCalls(() -> Map.of("S3.ListObjectsV2", 4L));
    try (MetricsServer server = new MetricsServer(m, "127.0.0.1", 0)) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .contains("text/plain; version=0.0.4; charset=utf-8");
      assertThat(r.body())
          .contains("redstage_loader_units_loaded_total{table=\"public.orders\"} 3")
          .contains("redstage_loader_rows_loaded_total{table=\"public.orders\"} 300")
          .contains("redstage_loader_batches_total{result=\"committed\",table=\"public.orders\"} 1")
          .contains("redstage_loader_load_transactions_total{table=\"public.orders\"} 1")
          .contains("redstage_loader_load_transactions_last_minute{table=\"public.orders\"} 1")
          .contains("redstage_loader_failures_total{kind=\"load\",table=\"public.orders\"} 1")
          .contains("redstage_loader_units_quarantined_total{table=\"public.bad\\\"table\"} 1")
          .contains("redstage_loader_lag_seconds{table=\"public.orders\"} 12.5")
          .contains("redstage_loader_batch_latency_seconds_bucket{le=\"0.5\"} 1")
          .contains("redstage_loader_held_units{table=\"public.orders\"} 1.0")
          .as("the newest, not the last one noted")
          .contains(
              "redstage_loader_newest_loaded_commit_timestamp_seconds{table=\"public.orders\"} 1.7E9")
          .contains("redstage_loader_batch_latency_seconds_count 1")
          .contains("redstage_loader_aws_calls_total{operation=\"S3.ListObjectsV2\"} 4")
          .containsPattern(
              "redstage_loader_build_info\\{version=\"\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?(\\+[0-9a-f]{7,}(\\.dirty)?)?\"} 1")
          .contains("jvm_memory_used_bytes{area=\"heap\"}")
          .contains("jvm_threads_current");
    }
  }

  /**
   * The lag is the age of the oldest pending unit when scraped: cycles that fail (Redshift down)
   * publish nothing, and the lag stood at its last figure, so lag alerts stayed quiet just when
   * loading had stopped. Failed cycles are counted, and the time of the last good one shown.
   */
  @Test
  void theLagGrowsBetweenCyclesAndFailedCyclesAreCounted() {
    AtomicLong wall = new AtomicLong(1_700_000_000_000L);
    LoaderMetrics m = new LoaderMetrics(System::nanoTime, wall::get);
    m.pending(
        Map.of("public.orders", 2L, "public.views", 0L),
        Map.of("public.orders", 0L, "public.views", 0L),
        Map.of("public.orders", wall.get() - 20_000));
    m.cycle();
    assertThat(m.render())
        .contains("redstage_loader_lag_seconds{table=\"public.orders\"} 20.0")
        .contains("redstage_loader_lag_seconds{table=\"public.views\"} 0.0")
        .contains("redstage_loader_last_cycle_timestamp_seconds 1.7E9");

    wall.addAndGet(3_600_000);
    m.cycleFailed();

    assertThat(m.render())
        .contains("redstage_loader_lag_seconds{table=\"public.orders\"} 3620.0")
        .contains("redstage_loader_cycle_failures_total 1.0")
        .contains("redstage_loader_last_cycle_timestamp_seconds 1.7E9");
  }

  @Test
  void countsCommitsPerTableAndKeepsOnlyTheLastMinuteInTheGauge() {
    AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(5));
    LoaderMetrics m = new LoaderMetrics(now::get, System::currentTimeMillis);
    m.loaded("public.orders", 10, 1000, 1, 0.2);
    now.addAndGet(TimeUnit.SECONDS.toNanos(30));
    m.loaded("public.orders", 10, 1000, 1, 0.2);
    m.loaded("public.views", 1, 10, 1, 0.2);
    assertThat(m.transactionsLastMinute("public.orders")).isEqualTo(2);

    now.addAndGet(TimeUnit.SECONDS.toNanos(31));

    assertThat(m.transactionsLastMinute("public.orders")).isEqualTo(1);
    assertThat(m.transactions("public.orders")).isEqualTo(2);
    assertThat(m.transactionsLastMinute("public.views")).isEqualTo(1);
    assertThat(m.transactionsLastMinute("public.none")).isZero();
  }

  /**
   * A table that drops out of the listing leaves the backlog gauges but keeps its freshness series:
   * a retired topic and a stopped connector both just stop writing markers, and the end-to-end
   * freshness alert must keep firing for the second (loader-operations.md, alerts). Pins that
   * choice against a prune that would silence it.
   */
  @Test
  void aTableWithNothingListedAnyMoreKeepsItsFreshnessSeries() {
    AtomicLong wall = new AtomicLong(1_700_000_000_000L);
    LoaderMetrics m = new LoaderMetrics(System::nanoTime, wall::get);
    m.loaded("public.orders", 1, 10, 1, 0.2);
    m.loadedCommittedAt("public.orders", wall.get() - 5_000);
    m.pending(
        Map.of("public.orders", 1L),
        Map.of("public.orders", 0L),
        Map.of("public.orders", wall.get() - 1_000));

    wall.addAndGet(TimeUnit.DAYS.toMillis(3));
    m.pending(Map.of(), Map.of(), Map.of());

    assertThat(m.render())
        .doesNotContain("redstage_loader_pending_units{")
        .doesNotContain("redstage_loader_lag_seconds{")
        .contains(
            "redstage_loader_newest_loaded_commit_timestamp_seconds{table=\"public.orders\"} 1.699999995E9");
  }
}
