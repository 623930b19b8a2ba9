package io.redstage.loader.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.aws.S3Objects;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.StagingGroup;
import io.redstage.loader.metrics.LoaderMetrics;
import io.redstage.loader.redshift.DataApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Accounts for the JSON Lines rows a committed COPY rejected under MAXERROR: reads them from the
 * load-error views and writes one rejects object per batch, {@code <rejects.dir>/<table>/<batch
 * id>.json}, with each row's unit, topic, partition, offset (from the raw line), file, line, column
 * and reason. The rest of the unit is loaded and its load marker written, so the rows are accounted
 * for here, never silently dropped.
 *
 * <p>This runs after the commit, not inside the load transaction: the load-error views are
 * leader-node system tables that cannot feed an INSERT ... SELECT into a user table, and their rows
 * are written outside the COPY's transaction anyway. So that a process dying between the commit and
 * the object loses nothing, an intent ({@link RejectsIntent}, under {@code
 * <rejects.dir>/_pending/}) is written before such a batch runs and deleted once the object is
 * written or the batch rolled back; {@link RejectsRecovery} settles the intents left behind. If the
 * views cannot be read right after the commit, the object records the count and the COPY's query id
 * (where an operator finds the rows), and an ERROR is logged.
 */
public final class Rejects {
  private static final Logger LOG = LoggerFactory.getLogger(Rejects.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Redshift's MAXERROR ceiling: a COPY never rejects more rows than this and still commits. */
  static final int MAX_ROWS = 100_000;

  /** Sub-prefix of rejects.dir for intents; '_' keeps it apart from table names. */
  private static final String PENDING = "_pending/";

  private final S3Client s3;
  private final String bucket;
  private final String dir;
  private final LoadErrorReader errors;
  private final LoaderMetrics metrics;
  private final int maxErrors;
  private final RepeatedRejects repeated;
  private final RejectRows reportRows;

  /**
   * @param repeated what leaves rows accounted for elsewhere out of the objects (null: nothing is
   *     left out; for tests that write no object)
   */
  public Rejects(
      S3Client s3,
      String bucket,
      String rejectsDir,
      LoadErrorReader errors,
      LoaderMetrics metrics,
      int maxErrors,
      RepeatedRejects repeated) {
    this.s3 = s3;
    this.bucket = bucket;
    this.dir = MarkerKeys.normalizeDir(rejectsDir);
    this.errors = errors;
    this.metrics = metrics;
    this.maxErrors = maxErrors;
    this.repeated = repeated;
    this.reportRows = new RejectRows(s3);
  }

  public String key(Batch batch) {
    return key(batch.table().name(), batch.id().toString());
  }

  /** Where the rejects object of a batch is, for logs. */
  String location(String table, String batchId) {
    return "s3://" + bucket + "/" + key(table, batchId);
  }

  String key(String table, String batchId) {
    return dir + table + "/" + batchId + ".json";
  }

  /** Prefix of the intents of batches whose rejected rows are not accounted for yet. */
  String pendingPrefix() {
    return dir + PENDING;
  }

  String intentKey(String batchId) {
    return pendingPrefix() + batchId + ".json";
  }

  /**
   * Before a batch runs: writes its intent when COPY may reject rows of it (JSON Lines files,
   * MAXERROR above 0), so a crash between the commit and the rejects object leaves a trace the next
   * cycle accounts for.
   *
   * @param coordinatesCheck where the batch's statement counts the rows each COPY staged
   *     (LoadTransaction#coordinatesCheck)
   * @return the intent, or null when the batch needs none
   * @throws SdkException when the intent cannot be written: do not run the batch
   */
  public RejectsIntent begin(Batch batch, String offsetColumn, Instant at, int coordinatesCheck) {
    if (maxErrors == 0 || !RejectsIntent.mayReject(batch)) {
      return null;
    }
    RejectsIntent intent = RejectsIntent.of(batch, offsetColumn, at, coordinatesCheck);
    putIntent(intent);
    return intent;
  }

  /**
   * Batch ids of the intents under {@link #pendingPrefix()} (one LIST request while there are fewer
   * than 1,000).
   */
  List<String> pendingBatchIds() {
    List<String> ids = new ArrayList<>();
    s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(pendingPrefix()))
        .contents()
        .forEach(
            o -> {
              String name = o.key().substring(pendingPrefix().length());
              if (name.endsWith(".json") && !name.contains("/")) {
                ids.add(name.substring(0, name.length() - ".json".length()));
              }
            });
    return ids;
  }

  /** The intent of a batch, or null when it is gone (written by now, or by another process). */
  RejectsIntent readIntent(String batchId) throws IOException {
    try {
      return RejectsIntent.parse(
          s3.getObjectAsBytes(b -> b.bucket(bucket).key(intentKey(batchId))).asByteArray());
    } catch (NoSuchKeyException e) {
      return null;
    }
  }

  /** After a batch rolled back: nothing was rejected, the intent goes. */
  public void abandon(RejectsIntent intent) {
    if (intent != null) {
      deleteIntent(intent.batchId());
    }
  }

  void deleteIntent(String batchId) {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(intentKey(batchId)));
    } catch (SdkException e) {
      LOG.warn(
          "Batch {}: cannot delete its rejects intent s3://{}/{} ({}); a later cycle removes it",
          batchId,
          bucket,
          intentKey(batchId),
          e.getMessage());
    }
  }

  /**
   * Checks each JSON Lines COPY of a committed batch for rejected rows, writes the rejects object
   * and then deletes the batch's intent. If the object cannot be written the intent stays, and a
   * later cycle writes the object.
   *
   * @param intent what {@link #begin} wrote (null: the batch needed none)
   * @return the number of rejected rows
   */
  public long record(
      Batch batch, RejectsIntent intent, List<BatchResult.CopyCount> copies, Instant at)
      throws InterruptedException {
    if (intent == null) {
      return 0; // without MAXERROR or JSON Lines files a committed COPY loaded every row
    }
    long rejected = 0;
    boolean incomplete = false;
    List<Map<String, Object>> rows = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    for (BatchResult.CopyCount c : copies) {
      if (c.group().schema().format() != FileFormat.JSONL) {
        continue;
      }
      long expected = c.group().records();
      if (c.rows() >= expected) {
        continue;
      }
      long missing = c.rows() < 0 ? -1 : expected - c.rows();
      String copy =
          c.queryId() > 0
              ? "COPY query " + c.queryId()
              : "The COPY into staging table " + c.group().index();
      try {
        List<String> files = c.group().files().stream().map(StagingGroup.FileRef::url).toList();
        int limit = missing < 0 ? MAX_ROWS : (int) Math.min(MAX_ROWS, missing);
        // by query when both the query and the count are known; by the files where either is
        // not, or the query's rows fall short: a view may number queries otherwise than the Data
        // API, or not list them all under the query yet
        List<LoadErrorReader.LoadError> found =
            c.queryId() > 0 && missing >= 0
                ? LoadErrorReader.withFullNames(
                    errors.rejected(c.queryId(), files, limit, batch.id().toString()), files)
                : List.of();
        if (missing < 0 || found.size() < missing) {
          List<LoadErrorReader.LoadError> inFiles =
              byFile(files, intent, limit, batch.id().toString());
          found = inFiles.size() > found.size() ? inFiles : found;
        }
        rows.addAll(rows(found, intent));
        rejected += missing < 0 ? found.size() : missing;
        if (found.size() < missing && found.size() < limit) {
          // the views do not list them all (yet): the count stands, and says where to look
          incomplete = true;
          unreadable.add(
              copy
                  + " rejected "
                  + missing
                  + " row(s) and the load-error views listed "
                  + found.size()
                  + " of them when read: see "
                  + whereToLook(c.queryId()));
        }
      } catch (DataApiException e) {
        rejected += Math.max(0, missing);
        unreadable.add(
            copy
                + " rejected "
                + (missing < 0 ? "an unknown number of" : missing)
                + " row(s) that could not be read ("
                + e.getMessage()
                + "): see "
                + whereToLook(c.queryId()));
      }
    }
    // deferred before the rows repeated elsewhere are left out: the recovery does that with every
    // row once the views list them
    if (incomplete && defer(intent, rejected, at)) {
      LOG.warn(
          "Batch {}: COPY rejected {} row(s) of {}; the other rows loaded. The load-error views list"
              + " {} of them so far: the rejects object s3://{}/{} is written once they list them all"
              + " (a later cycle reads them again, for up to {}), or after that with the rows they list"
              + " and where to find the others.",
          batch.id(),
          rejected,
          batch.table(),
          rows.size(),
          bucket,
          key(batch),
          RejectsRecovery.VIEW_WAIT);
      return rejected;
    }
    long copiesRejected = rejected;
    RepeatedRejects.Kept kept = keep(intent, rows);
    rows = kept.rows();
    rejected = Math.max(0, rejected - kept.repeated());
    if (rejected == 0 && rows.isEmpty() && unreadable.isEmpty()) {
      if (kept.repeated() > 0) {
        LOG.info(
            "Batch {}: COPY rejected {} row(s) of {} that are listed already (another batch's rejects"
                + " object lists them, or another unit of this batch repeated them): no rejects object",
            batch.id(),
            kept.repeated(),
            batch.table());
      }
      deleteIntent(intent.batchId());
      return 0;
    }
    Optional<String> refused =
        write(
            intent,
            report(intent, at.toString(), rejected, kept.repeated(), rows, unreadable, null));
    if (refused.isEmpty()) {
      // counted where the object is written: a recovery that writes it instead counts it there
      metrics.rejected(batch.table().name(), rejected);
      LOG.warn(
          "Batch {}: COPY rejected {} row(s) of {}; the other rows loaded. The rejected rows, with reasons, are in s3://{}/{}. "
              + "Fix them at the source and produce them again if they are needed.",
          batch.id(),
          rejected,
          batch.table(),
          bucket,
          key(batch));
    } else {
      LOG.error(
          "Cannot write the rejects object s3://{}/{} of batch {}: {}. COPY rejected {} row(s) of {};"
              + " the batch's intent s3://{}/{} stays and a later cycle writes the object: check that the"
              + " loader may write under rejects.dir ({} row(s) read back, {} unreadable; the rows"
              + " themselves are left out of the log: they are the records' data).",
          bucket,
          key(batch),
          batch.id(),
          refused.get(),
          rejected,
          batch.table(),
          bucket,
          intentKey(intent.batchId()),
          rows.size(),
          unreadable.size());
      // the count goes with the intent (if S3 takes that write), so that the recovery neither
      // takes a short answer of the views for all nor loses what the staged rows say
      defer(intent, copiesRejected, at);
    }
    return rejected;
  }

  /**
   * Leaves the object to the recovery, which reads the views again until they list {@code rows}
   * rejected rows: the intent, rewritten with the count, stays. False when the intent cannot be
   * rewritten (the caller then writes the object now with what the views list, if it can).
   */
  private boolean defer(RejectsIntent intent, long rows, Instant at) {
    if (put(intent.withRejectedRows(rows, at))) {
      return true;
    }
    LOG.warn(
        "Batch {}: cannot write its rejected-row count into its rejects intent; its rejects"
            + " object is written now with the rows the load-error views list",
        intent.batchId());
    return false;
  }

  /**
   * @throws SdkException when S3 refuses
   */
  private void putIntent(RejectsIntent intent) {
    s3.putObject(
        b -> b.bucket(bucket).key(intentKey(intent.batchId())).contentType("application/json"),
        RequestBody.fromBytes(intent.json()));
  }

  private boolean put(RejectsIntent intent) {
    try {
      putIntent(intent);
      return true;
    } catch (SdkException e) {
      LOG.warn(
          "Cannot write the rejects intent s3://{}/{} ({})",
          bucket,
          intentKey(intent.batchId()),
          e.getMessage());
      return false;
    }
  }

  /**
   * Rewrites the intent of a batch whose object waits for the load-error views, with its count (the
   * recovery learnt it from the batch's statement); false when S3 refuses.
   */
  boolean keepCount(RejectsIntent counted) {
    return put(counted);
  }

  /** Where an operator finds a COPY's rejected rows. */
  private static String whereToLook(long queryId) {
    return queryId > 0
        ? "STL_LOAD_ERRORS WHERE query = "
            + queryId
            + " (on Serverless SYS_LOAD_ERROR_DETAIL WHERE query_id = "
            + queryId
            + ")"
        : "STL_LOAD_ERRORS (on Serverless SYS_LOAD_ERROR_DETAIL) by the file names of the units"
            + " below, from the time of this batch";
  }

  /**
   * The rows COPYs of {@code files} rejected since the batch's intent was written, each file and
   * line once, at most {@code limit}: what is left when the Data API gave no query id for the COPY,
   * or a count the views cannot be asked for by query (see {@link
   * LoadErrorReader#rejectedInFiles}).
   */
  private List<LoadErrorReader.LoadError> byFile(
      List<String> files, RejectsIntent intent, int limit, String batchId)
      throws InterruptedException {
    // MAX_ROWS a query, cut only after the dedupe: a rolled-back attempt repeats its lines
    List<LoadErrorReader.LoadError> out =
        errors.rejectedInFiles(files, intent.created(), MAX_ROWS, batchId).rows();
    return out.size() > limit ? out.subList(0, limit) : out;
  }

  /**
   * Writes the rejects object of an intent, then deletes the intent; returns S3's error when the
   * object cannot be written (the intent is kept), for the caller's log line.
   */
  Optional<String> write(RejectsIntent intent, Map<String, Object> report) {
    try {
      s3.putObject(
          b ->
              b.bucket(bucket)
                  .key(key(intent.table(), intent.batchId()))
                  .contentType("application/json"),
          RequestBody.fromBytes(json(report)));
    } catch (SdkException e) {
      return Optional.of(e.getMessage());
    }
    deleteIntent(intent.batchId());
    return Optional.empty();
  }

  /**
   * Whether the rejects object of a batch exists already (a recovery after another process wrote
   * it).
   */
  boolean exists(RejectsIntent intent) {
    return S3Objects.exists(s3, bucket, key(intent.table(), intent.batchId()));
  }

  /**
   * {@code rows} without those listed twice or accounted for by an earlier batch ({@link
   * RepeatedRejects}).
   */
  RepeatedRejects.Kept keep(RejectsIntent intent, List<Map<String, Object>> rows)
      throws InterruptedException {
    return repeated == null
        ? new RepeatedRejects.Kept(rows, 0)
        : repeated.keep(intent.table(), intent.batchId(), rows, this::listed);
  }

  /**
   * (topic, partition, offset) of each row the rejects object of {@code batchId} lists: empty when
   * there is none, or it cannot be read (a row is then listed again rather than nowhere).
   */
  Set<List<Object>> listed(String table, String batchId) {
    Set<List<Object>> out = new HashSet<>();
    try {
      JsonNode report =
          JSON.readTree(
              s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(table, batchId))).asByteArray());
      for (JsonNode r : report.path("rows")) {
        if (r.path("topic").isTextual()
            && r.path("partition").canConvertToInt()
            && r.path("offset").canConvertToLong()) {
          out.add(
              List.of(
                  r.get("topic").asText(), r.get("partition").asInt(), r.get("offset").asLong()));
        }
      }
    } catch (NoSuchKeyException e) {
      return out; // that batch rejected nothing, or its object is not written (yet)
    } catch (IOException | SdkException e) {
      LOG.warn(
          "Cannot read the rejects object {} of batch {} ({}); rows it may list are listed again",
          location(table, batchId),
          batchId,
          e.getMessage());
      return Set.of();
    }
    return out;
  }

  /**
   * Report rows of rejected lines, each with its unit and Kafka offset (from the raw line, else
   * from the data file).
   */
  List<Map<String, Object>> rows(List<LoadErrorReader.LoadError> found, RejectsIntent intent) {
    return reportRows.of(found, intent);
  }

  /**
   * The rejects object. {@code repeated}: rows COPY rejected that are left out as accounted for
   * already ({@link RepeatedRejects}), not counted in {@code rejected}. {@code recovery} is null
   * when written right after the commit; otherwise what a recovery knows about the count ({@code
   * recovered: true} and a note).
   */
  static Map<String, Object> report(
      RejectsIntent intent,
      String committedAt,
      long rejected,
      long repeated,
      List<Map<String, Object>> rows,
      List<String> unreadable,
      Map<String, Object> recovery) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("batchId", intent.batchId());
    r.put("table", intent.table());
    r.put("committedAt", committedAt);
    r.put("rejectedRows", rejected);
    if (repeated > 0) {
      r.put("repeatedRowsLeftOut", repeated);
    }
    if (recovery != null) {
      r.put("recovered", true);
      r.putAll(recovery);
    }
    r.put("rows", rows);
    if (!unreadable.isEmpty()) {
      r.put("unreadable", unreadable);
    }
    List<Map<String, Object>> units = new ArrayList<>();
    for (RejectsIntent.UnitFiles u : intent.units()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("markerKey", u.markerKey());
      m.put("topic", u.topic());
      m.put("partition", u.partition());
      m.put("startOffset", u.startOffset());
      m.put("endOffset", u.endOffset());
      units.add(m);
    }
    r.put("units", units);
    return r;
  }

  private static byte[] json(Map<String, Object> report) {
    try {
      return JSON.writeValueAsBytes(report);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
