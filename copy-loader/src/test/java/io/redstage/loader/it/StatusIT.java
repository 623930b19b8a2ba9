package io.redstage.loader.it;

import static io.redstage.loader.it.LoaderStack.cli;
import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.it.LoaderStack.Cli;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * 'status' for scripts: {@code --output json} is one document with what the text shows, and the
 * exit code says whether something waits for a person (3) or only for the next cycle (0).
 */
class StatusIT {
  static final List<MarkerColumn> COLS =
      List.of(new MarkerColumn("v", ColumnType.of(ColumnType.Kind.STRING), true));
  static final ObjectMapper JSON = new ObjectMapper();
  static final String COPY_FAILS =
      "Load into table 'rs_stage_1' failed. Check 'stl_load_errors' system table for details.";

  static LoaderStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = LoaderStack.start();
    // control tables of its own: the quarantine listing is not per topic
    stack.jdbc().createStatement().execute("CREATE SCHEMA IF NOT EXISTS st_ctl");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static Unit unit(String topic, long start, long end) {
    return stack.files.unit(topic, 0, start, end, FileFormat.PARQUET, COLS, o -> row("v", "v" + o));
  }

  static Map<String, String> config(String topics) {
    Map<String, String> c = stack.config(topics);
    c.put("control.schema", "st_ctl");
    c.put("load.retry.max-attempts", "2");
    return c;
  }

  @Test
  void statusAsJsonNamesWhatWaitsForAPersonAndExitsThree() throws Exception {
    Unit ok = unit("st_ok", 0, 9);
    Unit quarantined = unit("st_quar", 0, 9);
    Unit failing = unit("st_fail", 0, 4);
    unit("st_bad", 0, 1);
    String broken = unit("st_bad", 2, 3).markerKey();
    stack
        .s3
        .client()
        .putObject(
            b -> b.bucket(LoaderStack.BUCKET).key(broken), RequestBody.fromString("{not json"));

    // before any load, a backlog alone needs nobody
    Cli first = cli(config("st_ok"), "status", "--output", "json");
    assertThat(first.code()).as(first.err()).isZero();
    JsonNode before = JSON.readTree(first.out());
    assertThat(before.get("needsAttention").asBoolean()).isFalse();
    assertThat(before.get("controlTablesExist").asBoolean()).isFalse();
    assertThat(before.get("unitsListed").asInt()).isEqualTo(1);
    assertThat(before.get("unitsPending").asInt()).isEqualTo(1);
    assertThat(before.get("tables")).hasSize(1);
    assertThat(before.get("tables").get(0).get("table").asText()).isEqualTo("public.st_ok");
    assertThat(before.get("tables").get(0).get("pendingUnits").asInt()).isEqualTo(1);
    assertThat(before.get("tables").get(0).get("heldUnits").asInt()).isZero();
    assertThat(before.get("tables").get(0).get("pendingRecords").asLong()).isEqualTo(10);
    assertThat(before.get("tables").get(0).get("pendingBytes").asLong())
        .isEqualTo(ok.marker().totalBytes());
    assertThat(cli(config("st_ok"), "status").code()).as("the text says the same").isZero();

    // st_quar's and st_fail's COPYs fail: both fail alone once, then st_quar a second time
    stack
        .redshift
        .faults()
        .failStatementsMatching(
            "COPY \"rs_stage_1\" FROM 's3://staging/_redstage/manifests/public\\.st_(quar|fail)/",
            -1,
            COPY_FAILS);
    try (Loader loader = stack.loader(config("st_quar,st_fail"))) {
      assertThat(loader.runOnce().batchesFailed()).isEqualTo(2);
    }
    try (Loader loader = stack.loader(config("st_quar"))) {
      CycleReport r = loader.runOnce();
      assertThat(r.batchesQuarantined()).isEqualTo(1);
    }
    stack.redshift.faults().clear();
    String batchId =
        ((String)
                stack
                    .query("SELECT DISTINCT batch_id FROM st_ctl._redstage_quarantine")
                    .get(0)
                    .get(0))
            .trim();

    Cli json = cli(config("st_ok,st_quar,st_fail,st_bad"), "status", "--output", "json");
    assertThat(json.code()).as(json.err()).isEqualTo(3);
    JsonNode s = JSON.readTree(json.out());
    assertThat(s.get("needsAttention").asBoolean()).isTrue();
    assertThat(s.get("controlTablesExist").asBoolean()).isTrue();
    assertThat(s.get("at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(s.get("unitsListed").asInt()).isEqualTo(4);
    assertThat(s.get("unitsLoaded").asInt()).isZero();
    assertThat(s.get("unitsPending").asInt()).isEqualTo(4);
    List<String> tables = new ArrayList<>();
    s.get("tables").forEach(t -> tables.add(t.get("table").asText()));
    assertThat(tables)
        .containsExactly("public.st_bad", "public.st_fail", "public.st_ok", "public.st_quar");
    JsonNode quar = s.get("tables").get(3);
    assertThat(quar.get("pendingUnits").asInt()).isEqualTo(1);
    assertThat(quar.get("heldUnits").asInt()).as("quarantined").isEqualTo(1);
    assertThat(quar.get("pendingRecords").asLong()).isEqualTo(10);
    assertThat(quar.get("pendingBytes").asLong()).isEqualTo(quarantined.marker().totalBytes());
    assertThat(quar.get("lagSeconds").asLong()).isGreaterThanOrEqualTo(0);
    JsonNode fail = s.get("tables").get(1);
    assertThat(fail.get("pendingUnits").asInt()).isEqualTo(1);
    assertThat(fail.get("heldUnits").asInt()).as("retried at once: no backoff").isZero();
    assertThat(fail.get("pendingRecords").asLong()).isEqualTo(5);
    assertThat(s.get("loadingNow")).isEmpty();
    assertThat(s.get("waitingForSettings")).isEmpty();

    assertThat(s.get("unreadableMarkers")).hasSize(1);
    assertThat(s.get("unreadableMarkers").get(0).get("markerKey").asText()).isEqualTo(broken);
    assertThat(s.get("unreadableMarkers").get(0).get("reason").asText()).isNotBlank();

    assertThat(s.get("failingUnits")).hasSize(1);
    JsonNode f = s.get("failingUnits").get(0);
    assertThat(f.get("markerKey").asText()).isEqualTo(failing.markerKey());
    assertThat(f.get("attempts").asInt()).isEqualTo(1);
    assertThat(f.get("lastError").asText()).contains(COPY_FAILS);
    assertThat(f.get("lastAttemptAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

    assertThat(s.get("quarantinedBatches")).hasSize(1);
    JsonNode q = s.get("quarantinedBatches").get(0);
    assertThat(q.get("batchId").asText()).isEqualTo(batchId);
    assertThat(q.get("table").asText()).isEqualTo("public.st_quar");
    assertThat(q.get("units").asLong()).isEqualTo(1);
    assertThat(java.time.Instant.parse(q.get("quarantinedAt").asText()))
        .isBeforeOrEqualTo(java.time.Instant.now());
    assertThat(q.get("reason").asText()).contains(COPY_FAILS);

    Cli text = cli(config("st_ok,st_quar,st_fail,st_bad"), "status");
    assertThat(text.code()).as("the text output exits alike").isEqualTo(3);
    assertThat(text.out())
        .contains("Quarantined batches")
        .contains(batchId)
        .contains("1 unreadable marker(s):")
        .contains(failing.markerKey() + " attempts=1 last error: ");
  }
}
