package io.redstage.loader.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerFile;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.StagingGroup;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.metrics.LoaderMetrics;
import io.redstage.loader.redshift.DataApiException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Accounts for the JSON Lines rows a committed COPY rejected under MAXERROR: reads them from the load-error views
 * and writes one rejects object per batch, {@code <rejects.dir>/<table>/<batch id>.json}, with each row's unit,
 * topic, partition, offset (from the raw line), file, line, column and reason. The rest of the unit is loaded and
 * its load marker written, so the rows are accounted for here, never silently dropped.
 *
 * <p>This runs after the commit, not inside the load transaction: the load-error views are leader-node system
 * tables that cannot feed an INSERT ... SELECT into a user table, and their rows are written outside the COPY's
 * transaction anyway. If reading them fails, the object still records the count and the COPY's query id (where
 * an operator finds the rows), and an ERROR is logged.
 */
public final class Rejects {
  private static final Logger LOG = LoggerFactory.getLogger(Rejects.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Redshift's MAXERROR ceiling: a COPY never rejects more rows than this and still commits. */
  private static final int MAX_ROWS = 100_000;

  private final S3Client s3;
  private final String bucket;
  private final String dir;
  private final LoadErrorReader errors;
  private final LoaderMetrics metrics;
  private final int maxErrors;

  public Rejects(S3Client s3, String bucket, String rejectsDir, LoadErrorReader errors, LoaderMetrics metrics, int maxErrors) {
    this.s3 = s3;
    this.bucket = bucket;
    this.dir = MarkerKeys.normalizeDir(rejectsDir);
    this.errors = errors;
    this.metrics = metrics;
    this.maxErrors = maxErrors;
  }

  public String key(Batch batch) {
    return dir + batch.table().name() + "/" + batch.id() + ".json";
  }

  /**
   * Checks each JSON Lines COPY of a committed batch for rejected rows and writes the rejects object.
   *
   * @param offsetColumn the metadata column holding the Kafka offset (read from each rejected raw line)
   * @return the number of rejected rows
   */
  public long record(Batch batch, List<BatchResult.CopyCount> copies, String offsetColumn, Instant at) throws InterruptedException {
    if (maxErrors == 0) {
      return 0; // without MAXERROR a committed COPY loaded every row
    }
    long rejected = 0;
    List<Map<String, Object>> rows = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    Map<String, Unit> unitByFile = unitsByFile(batch);
    for (BatchResult.CopyCount c : copies) {
      if (c.group().schema().format() != FileFormat.JSONL) {
        continue;
      }
      long expected = c.group().files().stream().mapToLong(StagingGroup.FileRef::records).sum();
      if (c.rows() >= expected) {
        continue;
      }
      long missing = c.rows() < 0 ? -1 : expected - c.rows();
      try {
        List<LoadErrorReader.LoadError> found = errors.rejected(c.queryId(), missing < 0 ? MAX_ROWS : (int) Math.min(MAX_ROWS, missing),
            batch.id().toString());
        Map<String, Map<Long, Long>> offsetsByLine = offsetsOfCutLines(found, offsetColumn, batch);
        for (LoadErrorReader.LoadError e : found) {
          Long offset = offset(e.rawLine(), offsetColumn);
          if (offset == null) {
            offset = offsetsByLine.getOrDefault(e.file(), Map.of()).get(e.line());
          }
          rows.add(row(e, unitByFile.get(e.file()), offset));
        }
        rejected += missing < 0 ? found.size() : missing;
      } catch (DataApiException e) {
        rejected += Math.max(0, missing);
        unreadable.add("COPY query " + c.queryId() + " rejected " + (missing < 0 ? "an unknown number of" : missing)
            + " row(s) that could not be read (" + e.getMessage() + "): see STL_LOAD_ERRORS WHERE query = " + c.queryId());
      }
    }
    if (rejected == 0 && rows.isEmpty() && unreadable.isEmpty()) {
      return 0;
    }
    metrics.rejected(batch.table().name(), rejected);
    String key = key(batch);
    try {
      s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json"),
          RequestBody.fromBytes(report(batch, rejected, rows, unreadable, at)));
      LOG.warn("Batch {}: COPY rejected {} row(s) of {}; the other rows loaded. The rejected rows, with reasons, are in s3://{}/{}. "
          + "Fix them at the source and produce them again if they are needed.", batch.id(), rejected, batch.table(), bucket, key);
    } catch (SdkException e) {
      LOG.error("Batch {}: COPY rejected {} row(s) of {} and the rejects object s3://{}/{} cannot be written ({}). The rows are in "
          + "STL_LOAD_ERRORS / SYS_LOAD_ERROR_DETAIL for the batch's COPY queries: {}", batch.id(), rejected, batch.table(), bucket, key,
          e.getMessage(), rows.isEmpty() ? unreadable : rows);
    }
    return rejected;
  }

  private static Map<String, Unit> unitsByFile(Batch batch) {
    Map<String, Unit> out = new HashMap<>();
    for (Unit u : batch.units()) {
      for (MarkerFile f : u.marker().files()) {
        out.put("s3://" + u.marker().bucket() + "/" + f.key(), u);
      }
    }
    return out;
  }

  /**
   * Offsets of rejected rows whose raw line the view cut (it keeps 1 KB) or did not give: read from the line of the
   * data file itself, one pass per file. Files of committed units never change, so the line is the rejected row.
   */
  private Map<String, Map<Long, Long>> offsetsOfCutLines(List<LoadErrorReader.LoadError> found, String offsetColumn, Batch batch) {
    Map<String, Set<Long>> wanted = new HashMap<>();
    for (LoadErrorReader.LoadError e : found) {
      if (offset(e.rawLine(), offsetColumn) == null && e.file() != null && e.file().startsWith("s3://") && e.line() > 0) {
        wanted.computeIfAbsent(e.file(), f -> new HashSet<>()).add(e.line());
      }
    }
    Map<String, Map<Long, Long>> out = new HashMap<>();
    for (Map.Entry<String, Set<Long>> w : wanted.entrySet()) {
      String url = w.getKey();
      int slash = url.indexOf('/', "s3://".length());
      String fileBucket = url.substring("s3://".length(), slash);
      String key = url.substring(slash + 1);
      Map<Long, Long> offsets = new HashMap<>();
      long last = w.getValue().stream().mapToLong(Long::longValue).max().orElse(0);
      try (InputStream raw = s3.getObject(b -> b.bucket(fileBucket).key(key));
          BufferedReader lines = new BufferedReader(new InputStreamReader(key.endsWith(".gz") ? new GZIPInputStream(raw) : raw,
              StandardCharsets.UTF_8))) {
        String line;
        for (long n = 1; n <= last && (line = lines.readLine()) != null; n++) {
          if (w.getValue().contains(n)) {
            Long offset = offset(line, offsetColumn);
            if (offset != null) {
              offsets.put(n, offset);
            }
          }
        }
      } catch (IOException | SdkException e) {
        LOG.warn("Batch {}: cannot read {} to find the offsets of its rejected rows ({}); the rows are listed by file and line",
            batch.id(), url, e.getMessage());
      }
      out.put(url, offsets);
    }
    return out;
  }

  private static Map<String, Object> row(LoadErrorReader.LoadError e, Unit unit, Long offset) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("topic", unit == null ? null : unit.topic());
    m.put("partition", unit == null ? null : unit.partition());
    m.put("offset", offset);
    m.put("markerKey", unit == null ? null : unit.markerKey());
    m.put("file", e.file());
    m.put("line", e.line());
    m.put("column", e.column());
    m.put("code", e.code());
    m.put("reason", e.reason());
    m.put("rawLine", e.rawLine());
    return m;
  }

  /** The Kafka offset in a rejected JSON line, or null when the view gave no (complete) line. */
  private static Long offset(String rawLine, String offsetColumn) {
    if (rawLine == null || rawLine.isEmpty()) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(rawLine).get(offsetColumn);
      return n != null && n.canConvertToLong() ? n.asLong() : null;
    } catch (IOException | RuntimeException e) {
      return null; // raw lines are cut at 1 KB: a long row is not complete JSON
    }
  }

  private static byte[] report(Batch batch, long rejected, List<Map<String, Object>> rows, List<String> unreadable, Instant at) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("batchId", batch.id().toString());
    r.put("table", batch.table().name());
    r.put("committedAt", at.toString());
    r.put("rejectedRows", rejected);
    r.put("rows", rows);
    if (!unreadable.isEmpty()) {
      r.put("unreadable", unreadable);
    }
    List<Map<String, Object>> units = new ArrayList<>();
    for (Unit u : batch.units()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("markerKey", u.markerKey());
      m.put("topic", u.topic());
      m.put("partition", u.partition());
      m.put("startOffset", u.start());
      m.put("endOffset", u.end());
      units.add(m);
    }
    r.put("units", units);
    try {
      return JSON.writeValueAsBytes(r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
