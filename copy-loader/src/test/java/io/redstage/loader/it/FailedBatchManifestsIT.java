package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.contract.ColumnType;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The COPY manifests of a batch whose load transaction ended FAILED are deleted like those of a
 * committed one: each retry is a new batch with manifests of its own, so they piled up under
 * manifests.dir. Those of a quarantined batch stay (its report lists them), and so do those of a
 * batch whose outcome is unknown (its statement may still run its COPY).
 */
class FailedBatchManifestsIT {
  static final List<MarkerColumn> COLS =
      List.of(new MarkerColumn("v", ColumnType.of(ColumnType.Kind.STRING), true));
  static final String COPY_FAILS =
      "Load into table 'rs_stage_1' failed. Check 'stl_load_errors' system table for details.";

  static LoaderStack stack;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @AfterEach
  void clearFaults() {
    stack.redshift.faults().clear();
  }

  static void unit(String topic, long start, long end) {
    stack.files.unit(topic, 0, start, end, FileFormat.PARQUET, COLS, o -> row("v", "v" + o));
  }

  /** The keys under the table's manifests prefix. */
  static List<String> manifests(String topic) {
    List<String> keys = new ArrayList<>();
    stack
        .s3
        .client()
        .listObjectsV2Paginator(
            b -> b.bucket(LoaderStack.BUCKET).prefix("_redstage/manifests/public." + topic + "/"))
        .contents()
        .forEach((S3Object o) -> keys.add(o.key()));
    return keys;
  }

  static void copyOf(String topic, String error) {
    stack
        .redshift
        .faults()
        .failStatementsMatching(
            "^COPY \"rs_stage_1\" FROM 's3://staging/_redstage/manifests/public\\."
                + Pattern.quote(topic)
                + "/",
            -1,
            error);
  }

  @Test
  void aFailedBatchsManifestsAreDeletedAndAQuarantinedOnesKept() throws Exception {
    unit("fm_failed", 0, 9);
    copyOf("fm_failed", COPY_FAILS);
    Map<String, String> config = stack.config("fm_failed");
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.batchesFailed()).isEqualTo(1);
      assertThat(r.batchesQuarantined()).isZero();
    }
    assertThat(manifests("fm_failed")).as("the failed attempt's manifests").isEmpty();

    // the next attempt is the last: the batch is quarantined, and its report names its manifests
    config.put("load.retry.max-attempts", "2");
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().batchesQuarantined()).isEqualTo(1);
    }
    String batch =
        ((String)
                stack
                    .query(
                        "SELECT DISTINCT batch_id FROM public._redstage_quarantine"
                            + " WHERE target_table = 'public.fm_failed'")
                    .get(0)
                    .get(0))
            .trim();
    JsonNode report = stack.object("_redstage/quarantine/public.fm_failed/" + batch + ".json");
    List<String> listed = new ArrayList<>();
    report.get("manifests").forEach(m -> listed.add(m.asText()));
    assertThat(listed)
        .containsExactly(
            "s3://staging/_redstage/manifests/public.fm_failed/" + batch + "/1.manifest.json");
    assertThat(manifests("fm_failed"))
        .as("kept for the quarantine report")
        .containsExactly("_redstage/manifests/public.fm_failed/" + batch + "/1.manifest.json");
  }

  @Test
  void aFailedBatchKeepsItsManifestsWhenDeleteAfterLoadIsOff() throws Exception {
    unit("fm_keep", 0, 9);
    copyOf("fm_keep", COPY_FAILS);
    Map<String, String> config = stack.config("fm_keep");
    config.put("manifests.delete-after-load", "false");
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().batchesFailed()).isEqualTo(1);
    }
    assertThat(manifests("fm_keep")).hasSize(1);
  }

  @Test
  void aBatchWhoseOutcomeIsUnknownKeepsItsManifests() throws Exception {
    unit("fm_slow", 0, 9);
    Map<String, String> config = stack.config("fm_slow");
    config.put("redshift.statement-timeout", "1s");
    // inside the transaction, after the COPY: the loader stops waiting, the statement goes on
    stack
        .redshift
        .faults()
        .slowStatementsMatching("^INSERT INTO \"public\"\\.\"fm_slow\"", Duration.ofSeconds(4));
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().unknownOutcomes()).isEqualTo(1);
      assertThat(manifests("fm_slow")).as("its statement may still read them").hasSize(1);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions() // the table is created by that transaction
          .until(() -> stack.count("SELECT COUNT(*) FROM public.fm_slow") == 10);
    }
    assertThat(manifests("fm_slow"))
        .as("committed without the loader watching: left to the lifecycle rule")
        .hasSize(1);
  }
}
