package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.discovery.MarkerScanner;
import io.redstage.loader.redshift.QueryResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One Status, two outputs: the JSON names what the text shows, field for field. */
class StatusTest {
  static Status status(
      List<Status.TableWaiting> waiting,
      List<Status.UnreadableMarker> unreadable,
      List<Status.FailingUnit> failing,
      List<Status.QuarantinedBatch> quarantined) {
    return status(waiting, List.of(), unreadable, failing, quarantined);
  }

  static Status status(
      List<Status.TableWaiting> waiting,
      List<Status.EnvironmentFailure> stopped,
      List<Status.UnreadableMarker> unreadable,
      List<Status.FailingUnit> failing,
      List<Status.QuarantinedBatch> quarantined) {
    return new Status(
        "2024-05-01T10:00:00Z",
        true,
        3,
        1,
        2,
        List.of(new Status.Table("public.orders", 2, 1, 20, 4096, 3725)),
        List.of(new Status.LoadingTable("public.busy", "session 7 since 10:00", 12)),
        waiting,
        stopped,
        unreadable,
        failing,
        quarantined,
        List.of());
  }

  static final Status.EnvironmentFailure STOPPED =
      new Status.EnvironmentFailure(
          "public.orders", 4, "2024-05-01T09:59:00Z", "ERROR: permission denied for table orders");

  static final Status.QuarantinedBatch BATCH =
      new Status.QuarantinedBatch(
          "0b1c2d3e-0000-0000-0000-000000000001", "public.orders", 1, "2024-05-01 09:59", "bad");

  @Test
  void needsAttentionOnlyForWhatAPersonMustDo() {
    assertThat(status(List.of(), List.of(), List.of(), List.of()).needsAttention())
        .as("a backlog and a table loading now wait for the next cycle")
        .isFalse();
    assertThat(status(List.of(), List.of(), List.of(), List.of(BATCH)).needsAttention()).isTrue();
    assertThat(
            status(
                    List.of(),
                    List.of(new Status.UnreadableMarker("k", "why")),
                    List.of(),
                    List.of())
                .needsAttention())
        .isTrue();
    assertThat(
            status(
                    List.of(),
                    List.of(),
                    List.of(new Status.FailingUnit("k", 1, "t", "e")),
                    List.of())
                .needsAttention())
        .isTrue();
    assertThat(
            status(List.of(new Status.TableWaiting("t", "why")), List.of(), List.of(), List.of())
                .needsAttention())
        .isTrue();
    assertThat(
            status(List.of(), List.of(STOPPED), List.of(), List.of(), List.of()).needsAttention())
        .as("a table its environment stops waits for a grant, disk space, the COPY role's policy")
        .isTrue();
  }

  /**
   * A stop row is shown while its table has something to load and has not loaded since; once
   * nothing is left, or a batch of it committed after the stop (a load whose row delete failed, a
   * loader of an earlier version), nothing waits for the environment.
   */
  @Test
  void aTableStopIsShownOnlyWhileItsTableHasUnitsToLoadAndHasNotLoadedSince() {
    Map<String, FailureTracker.TableStop> stops =
        Map.of(
            "public.pending", new FailureTracker.TableStop(2, 0, "ERROR: Disk Full"),
            "public.busy", new FailureTracker.TableStop(1, 1_000, "ERROR: permission denied"),
            "public.done", new FailureTracker.TableStop(7, 0, "ERROR: permission denied"),
            "public.loaded", new FailureTracker.TableStop(3, 1_000, "ERROR: permission denied"));

    List<Status.EnvironmentFailure> shown =
        StatusReport.environmentFailures(
            stops,
            Set.of("public.pending", "public.busy", "public.loaded", "x"),
            Map.of(
                "public.loaded", Instant.ofEpochMilli(1_001),
                "public.busy", Instant.ofEpochMilli(1_000)));

    assertThat(shown)
        .containsExactly(
            new Status.EnvironmentFailure(
                "public.busy", 1, "1970-01-01T00:00:01Z", "ERROR: permission denied"),
            new Status.EnvironmentFailure(
                "public.pending", 2, "1970-01-01T00:00:00Z", "ERROR: Disk Full"));
  }

  @Test
  void jsonAndTextComeFromTheSameFigures() throws Exception {
    Status s = status(List.of(), List.of(STOPPED), List.of(), List.of(), List.of(BATCH));
    JsonNode json = new ObjectMapper().readTree(s.json());
    List<String> fields = new ArrayList<>();
    json.fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .containsExactly(
            "at",
            "controlTablesExist",
            "unitsListed",
            "unitsLoaded",
            "unitsPending",
            "tables",
            "loadingNow",
            "waitingForSettings",
            "environmentFailures",
            "unreadableMarkers",
            "failingUnits",
            "quarantinedBatches",
            "quarantinedBatchesOfOtherTopics",
            "needsAttention");
    JsonNode t = json.get("tables").get(0);
    assertThat(t.get("lagSeconds").asLong()).isEqualTo(3725);
    assertThat(json.get("loadingNow").get(0).get("lockSeconds").asLong()).isEqualTo(12);
    JsonNode stopped = json.get("environmentFailures").get(0);
    assertThat(stopped.get("table").asText()).isEqualTo("public.orders");
    assertThat(stopped.get("cycles").asInt()).isEqualTo(4);
    assertThat(stopped.get("lastSeenAt").asText()).isEqualTo("2024-05-01T09:59:00Z");
    assertThat(stopped.get("lastError").asText()).isEqualTo(STOPPED.lastError());
    assertThat(json.get("quarantinedBatches").get(0).get("batchId").asText())
        .isEqualTo(BATCH.batchId());

    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    s.printText(new PrintStream(buf, true, StandardCharsets.UTF_8));
    assertThat(buf.toString(StandardCharsets.UTF_8))
        .contains(
            String.format("%-40s %8d %8d %12d %14d %10s", "public.orders", 2, 1, 20, 4096, "1h2m"))
        .contains("public.busy")
        .contains("loading now (session 7 since 10:00 holds its lock")
        .contains("3 unit(s) listed, 1 loaded and awaiting marker retention, 2 pending")
        .contains(
            "  public.orders: last seen 2024-05-01T09:59:00Z (4 cycle(s) in a row): ERROR:"
                + " permission denied for table orders")
        .contains(
            "  0b1c2d3e-0000-0000-0000-000000000001 public.orders units=1 at=2024-05-01 09:59"
                + " reason: bad");
  }

  /**
   * The quarantine's ERROR line and the header of 'status' named only release, though release
   * checks the table and a unit that cannot load as it is would be quarantined again: skip gives it
   * up.
   */
  @Test
  void quarantinedBatchesNameReleaseAndSkip() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    status(List.of(), List.of(), List.of(), List.of(BATCH))
        .printText(new PrintStream(buf, true, StandardCharsets.UTF_8));
    assertThat(buf.toString(StandardCharsets.UTF_8))
        .contains(
            "Quarantined batches (fix the cause, then run 'release --batch <id>', which checks the"
                + " table first; give up units that cannot load as they are (their files gone, or"
                + " rows that must not reach the table) with 'skip --batch <id>', after 'skip"
                + " --batch <id> --dry-run'):");
    assertThat(QuarantineListing.whatToDo("0b1c"))
        .contains("'release --batch 0b1c'")
        .contains("'skip --batch 0b1c', after 'skip --batch 0b1c --dry-run'");
  }

  /**
   * A batch is this configuration's when one of its units' marker keys is: under its markers.dir,
   * of a topic it selects, whatever the table its rows name. A row under an old table name still
   * holds the unit; another loader's topic may load into a table of this configuration; a loader of
   * the same topic under another markers.dir (sharing the control tables) has units of its own.
   */
  @Test
  void quarantinedBatchesAreSplitByMarkerKeyWhateverTheirTable() {
    String ours = "_redstage/markers";
    QueryResult rows =
        new QueryResult(
            List.of(
                "batch_id",
                "target_table",
                "topic",
                "units",
                "quarantined_at",
                "error",
                "marker_key"),
            List.of(
                List.of(
                    "b-old-name",
                    "public.orders_v1",
                    "orders",
                    2L,
                    "2024-05-01 09:00:00",
                    "e1",
                    MarkerKeys.markerKey(ours, "orders", 0, 0, 9)),
                List.of(
                    "b-shared",
                    "public.events",
                    "theirs",
                    1L,
                    "2024-05-01 09:01:00",
                    "e2",
                    MarkerKeys.markerKey(ours, "theirs", 0, 0, 9)),
                List.of(
                    "b-both",
                    "public.events",
                    "clicks",
                    1L,
                    "2024-05-01 09:02:00",
                    "e3",
                    MarkerKeys.markerKey(ours, "clicks", 0, 0, 9)),
                List.of(
                    "b-both",
                    "public.events",
                    "theirs",
                    3L,
                    "2024-05-01 09:02:00",
                    "e3",
                    MarkerKeys.markerKey(ours, "theirs", 1, 0, 9)),
                List.of(
                    "b-other-prefix",
                    "public.orders",
                    "orders",
                    1L,
                    "2024-05-01 09:03:00",
                    "e4",
                    MarkerKeys.markerKey("elsewhere/markers", "orders", 0, 0, 9))));
    MarkerScanner scanner = new MarkerScanner(null, "b", ours, List.of("orders", "clicks"), null);

    QuarantineListing.Split split =
        QuarantineListing.batches(rows, QuarantineListing.ours(scanner));

    assertThat(split.ours())
        .extracting(Status.QuarantinedBatch::batchId, Status.QuarantinedBatch::units)
        .containsExactly(tuple("b-old-name", 2L), tuple("b-both", 4L));
    assertThat(split.others())
        .extracting(Status.QuarantinedBatch::batchId, Status.QuarantinedBatch::table)
        .containsExactly(
            tuple("b-shared", "public.events"), tuple("b-other-prefix", "public.orders"));
  }

  /** Also the run loop's "retrying in" line, which printed loop.interval as PT10S. */
  @Test
  void durationsReadAsPeopleWriteThem() {
    assertThat(StatusReport.format(Duration.ofSeconds(10))).isEqualTo("10s");
    assertThat(StatusReport.format(Duration.ofSeconds(185))).isEqualTo("3m5s");
    assertThat(StatusReport.format(Duration.ofMinutes(130))).isEqualTo("2h10m");
    assertThat(StatusReport.format(Duration.ofMillis(500))).isEqualTo("500ms");
  }
}
