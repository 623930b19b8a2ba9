package io.redstage.loader.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.StagingGroup;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.sql.ControlTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Sets a poison batch aside: one row per unit in the quarantine table (later cycles skip those
 * units until an operator releases it) and a JSON report in S3 with the units, files, manifests and
 * errors. The data files and markers stay where they are.
 */
public final class Quarantine {
  private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final DataApi api;
  private final ControlTables control;
  private final S3Client s3;
  private final String bucket;
  private final String dir;

  public Quarantine(
      DataApi api, ControlTables control, S3Client s3, String bucket, String quarantineDir) {
    this.api = api;
    this.control = control;
    this.s3 = s3;
    this.bucket = bucket;
    this.dir = MarkerKeys.normalizeDir(quarantineDir);
  }

  public String reportKey(Batch batch) {
    return dir + batch.table().name() + "/" + batch.id() + ".json";
  }

  /** Records the batch as quarantined; returns the S3 report key. */
  public String record(
      Batch batch,
      String error,
      List<LoadErrorReader.LoadError> loadErrors,
      List<String> manifestUrls,
      Instant at)
      throws InterruptedException {
    String key = reportKey(batch);
    s3.putObject(
        b -> b.bucket(bucket).key(key).contentType("application/json"),
        RequestBody.fromBytes(report(batch, error, loadErrors, manifestUrls, at)));
    List<ControlTables.QuarantineRow> rows = new ArrayList<>();
    for (Unit u : batch.units()) {
      rows.add(
          new ControlTables.QuarantineRow(
              batch.id().toString(),
              batch.table(),
              u.topic(),
              u.partition(),
              u.start(),
              u.end(),
              u.markerKey()));
    }
    String summary =
        loadErrors.isEmpty() ? error : error + " | first rejected row: " + loadErrors.get(0);
    // a quarantined unit starts a fresh count when released: its failure row goes in the same
    // transaction
    List<String> sql =
        control.writingQuarantineOrFailures(
            control.insertQuarantine(rows, summary, at),
            control.deleteFailures(batch.units().stream().map(Unit::markerKey).toList()));
    api.executeBatch(sql, "q-" + batch.id(), "redstage-quarantine-" + batch.id());
    LOG.error(
        "Quarantined {}: {} Files and markers are kept (report s3://{}/{}): {}.",
        batch.describe(),
        error.endsWith(".") ? error : error + ".",
        bucket,
        key,
        QuarantineListing.whatToDo(batch.id().toString()));
    return key;
  }

  /**
   * Releases quarantined units in one transaction, each with a failure row of 0 attempts so that
   * the planner loads it alone (not in the batch that failed before) and counts its attempts
   * afresh.
   */
  public void release(List<ControlTables.FailureRow> units, Instant at)
      throws InterruptedException {
    List<String> sql =
        control.writingQuarantineOrFailures(
            control.release(units.stream().map(ControlTables.FailureRow::markerKey).toList(), at),
            control.upsertFailures(units));
    api.executeBatch(sql, UUID.randomUUID().toString(), "redstage-release");
    LOG.info("Released {} quarantined unit(s); each loads alone in the next cycle", units.size());
  }

  /**
   * Releases the quarantine rows of units whose offsets other units loaded since (a replay's, or
   * units given up with 'skip' together): nothing of theirs is left to load, and 'status' would
   * list them as batches to fix for ever.
   */
  public void releaseCovered(List<String> markerKeys, Instant at) throws InterruptedException {
    api.executeBatch(
        control.writingQuarantineOrFailures(control.release(markerKeys, at)),
        UUID.randomUUID().toString(),
        "redstage-release");
    LOG.info(
        "Released {} quarantined unit(s) whose offsets other units loaded since: {}",
        markerKeys.size(),
        markerKeys);
  }

  private static byte[] report(
      Batch batch,
      String error,
      List<LoadErrorReader.LoadError> loadErrors,
      List<String> manifests,
      Instant at) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("batchId", batch.id().toString());
    r.put("table", batch.table().name());
    r.put("quarantinedAt", at.toString());
    r.put("error", error);
    List<String> errs = new ArrayList<>();
    loadErrors.forEach(e -> errs.add(e.toString()));
    r.put("loadErrors", errs);
    List<Map<String, Object>> units = new ArrayList<>();
    for (Unit u : batch.units()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("markerKey", u.markerKey());
      m.put("topic", u.topic());
      m.put("partition", u.partition());
      m.put("startOffset", u.start());
      m.put("endOffset", u.end());
      // which connector build wrote the unit: what an upgrade may have changed
      if (u.marker().writer() != null) {
        m.put("writer", u.marker().writer());
      }
      units.add(m);
    }
    r.put("units", units);
    List<String> files = new ArrayList<>();
    for (StagingGroup g : batch.groups()) {
      g.files().forEach(f -> files.add(f.url()));
    }
    r.put("files", files);
    r.put("manifests", manifests);
    try {
      return JSON.writeValueAsBytes(r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
