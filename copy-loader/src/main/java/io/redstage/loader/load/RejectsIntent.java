package io.redstage.loader.load;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerFile;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.StagingGroup;
import io.redstage.loader.discovery.TopicPartition;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.ControlTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
 * @param rejectedRows null until the batch committed; then, written there when its rejects object
 *     is left to the recovery (the load-error views listed fewer rows than its COPYs rejected, or
 *     the object could not be written): how many they rejected, so that the recovery waits for the
 *     views to list them instead of reading a short answer as all
 * @param countedAt ISO-8601 instant at which {@code rejectedRows} was written (null with it): the
 *     recovery waits {@link RejectsRecovery#VIEW_WAIT} from then
 * @param coordinatesCheck the position in the batch's statement of the check that counts the rows
 *     each COPY staged (sql.RowsTable#coordinatesCheck; null when it has none): when the process
 *     died before writing {@code rejectedRows}, the recovery reads that count from the statement's
 *     result, which the Data API keeps for 24 hours
 * @param jsonGroups records per staging group of JSON Lines files, by the group's index (null with
 *     {@code coordinatesCheck}): the rows a COPY rejected are a group's records less the rows it
 *     staged
 * @param countFromStatement true when {@code rejectedRows} was read from the statement by the
 *     recovery (the batch's own process died before writing it); null otherwise
 */
// left out while null, and unknown fields ignored, so that a loader of a later version still reads
// the intents of this one (a loader of a version before the count fields refused unknown fields)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RejectsIntent(
    String batchId,
    String table,
    String createdAt,
    String offsetColumn,
    List<UnitFiles> units,
    List<DataFile> jsonFiles,
    Long rejectedRows,
    String countedAt,
    Integer coordinatesCheck,
    Map<Integer, Long> jsonGroups,
    Boolean countFromStatement) {
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

  /**
   * @param coordinatesCheck the check's position in the batch's statement, -1 when it has none
   */
  static RejectsIntent of(
      Batch batch, String offsetColumn, Instant createdAt, int coordinatesCheck) {
    List<UnitFiles> units = new ArrayList<>();
    for (Unit u : batch.units()) {
      List<String> files = new ArrayList<>();
      for (MarkerFile f : u.marker().files()) {
        files.add("s3://" + u.marker().bucket() + "/" + f.key());
      }
      units.add(new UnitFiles(u.markerKey(), u.topic(), u.partition(), u.start(), u.end(), files));
    }
    List<DataFile> json = new ArrayList<>();
    Map<Integer, Long> groups = new TreeMap<>();
    for (StagingGroup g : batch.groups()) {
      if (g.schema().format() == FileFormat.JSONL) {
        g.files().forEach(f -> json.add(new DataFile(f.url(), f.records())));
        groups.put(g.index(), g.records());
      }
    }
    boolean checked = coordinatesCheck >= 0;
    return new RejectsIntent(
        batch.id().toString(),
        batch.table().name(),
        createdAt.toString(),
        offsetColumn,
        units,
        json,
        null,
        null,
        checked ? coordinatesCheck : null,
        checked ? groups : null,
        null);
  }

  /**
   * This intent with the number of rows the batch's committed COPYs rejected, counted at {@code
   * at}.
   */
  RejectsIntent withRejectedRows(long rows, Instant at) {
    return counted(rows, at, countFromStatement);
  }

  /**
   * This intent with the count the recovery read from the batch's statement, as of the commit
   * {@code at}: its process died before writing it.
   */
  RejectsIntent withCountFromStatement(long rows, Instant at) {
    return counted(rows, at, true);
  }

  private RejectsIntent counted(long rows, Instant at, Boolean fromStatement) {
    return new RejectsIntent(
        batchId,
        table,
        createdAt,
        offsetColumn,
        units,
        jsonFiles,
        rows,
        at.toString(),
        coordinatesCheck,
        jsonGroups,
        fromStatement);
  }

  /** Whether the batch's own process died before it wrote the count (or the object). */
  boolean processStopped() {
    return rejectedRows == null || Boolean.TRUE.equals(countFromStatement);
  }

  /** When {@link #rejectedRows} was written, or null. */
  Instant counted() {
    return countedAt == null ? null : Instant.parse(countedAt);
  }

  /** Whether COPY may reject rows of this batch: it has JSON Lines files. */
  static boolean mayReject(Batch batch) {
    return batch.groups().stream().anyMatch(g -> g.schema().format() == FileFormat.JSONL);
  }

  Instant created() {
    return Instant.parse(createdAt);
  }

  /**
   * What the batch's load markers hold besides its id ({@link ControlTables#batchesLoadedAt}): the
   * batch wrote one per unit, with this table and the unit's topic, partition and start offset.
   */
  ControlTables.BatchMarkers loadMarkers() {
    Map<TopicPartition, long[]> starts = new TreeMap<>();
    for (UnitFiles u : units == null ? List.<UnitFiles>of() : units) {
      starts.merge(
          new TopicPartition(u.topic(), u.partition()),
          new long[] {u.startOffset(), u.startOffset()},
          (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }
    List<ControlTables.StartRange> ranges = new ArrayList<>();
    starts.forEach(
        (tp, r) ->
            ranges.add(new ControlTables.StartRange(tp.topic(), tp.partition(), r[0], r[1])));
    return new ControlTables.BatchMarkers(batchId, table, ranges);
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
