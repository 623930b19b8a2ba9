package io.redstage.loader.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerFile;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.StagingGroup;
import io.redstage.loader.discovery.Unit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a rejects object needs to know about a batch, written to {@code
 * <rejects.dir>/_pending/<batch id>.json} before a batch with JSON Lines files runs: if the process
 * dies between the commit and the rejects object, the next cycle finds the intent and writes the
 * object from the load-error views (see {@link RejectsRecovery}).
 *
 * @param createdAt ISO-8601 instant, written just before the batch was submitted: its COPYs started
 *     after it
 * @param offsetColumn the metadata column with the Kafka offset, read from rejected lines
 * @param units every unit of the batch, with its data files
 * @param jsonFiles the batch's JSON Lines files (the ones COPY may reject rows of)
 */
public record RejectsIntent(
    String batchId,
    String table,
    String createdAt,
    String offsetColumn,
    List<UnitFiles> units,
    List<DataFile> jsonFiles) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A unit and the URLs of its data files. */
  public record UnitFiles(
      String markerKey,
      String topic,
      int partition,
      long startOffset,
      long endOffset,
      List<String> files) {}

  /** A JSON Lines file and its record count. */
  public record DataFile(String url, long records) {}

  static RejectsIntent of(Batch batch, String offsetColumn, Instant createdAt) {
    List<UnitFiles> units = new ArrayList<>();
    for (Unit u : batch.units()) {
      List<String> files = new ArrayList<>();
      for (MarkerFile f : u.marker().files()) {
        files.add("s3://" + u.marker().bucket() + "/" + f.key());
      }
      units.add(new UnitFiles(u.markerKey(), u.topic(), u.partition(), u.start(), u.end(), files));
    }
    List<DataFile> json = new ArrayList<>();
    for (StagingGroup g : batch.groups()) {
      if (g.schema().format() == FileFormat.JSONL) {
        g.files().forEach(f -> json.add(new DataFile(f.url(), f.records())));
      }
    }
    return new RejectsIntent(
        batch.id().toString(),
        batch.table().name(),
        createdAt.toString(),
        offsetColumn,
        units,
        json);
  }

  /** Whether COPY may reject rows of this batch: it has JSON Lines files. */
  static boolean mayReject(Batch batch) {
    return batch.groups().stream().anyMatch(g -> g.schema().format() == FileFormat.JSONL);
  }

  Instant created() {
    return Instant.parse(createdAt);
  }

  Map<String, UnitFiles> unitsByFile() {
    Map<String, UnitFiles> out = new HashMap<>();
    for (UnitFiles u : units) {
      u.files().forEach(f -> out.put(f, u));
    }
    return out;
  }

  byte[] json() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static RejectsIntent parse(byte[] json) throws IOException {
    return JSON.readValue(json, RejectsIntent.class);
  }
}
