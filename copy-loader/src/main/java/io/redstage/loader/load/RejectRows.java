package io.redstage.loader.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The rows of a rejects object: each rejected line of the load-error views with its unit and Kafka
 * offset, read from the view's raw line, else from the line of the data file itself (the views keep
 * 1 KB of a line). Apart from {@link Rejects}, which decides when an object is written.
 */
final class RejectRows {
  private static final Logger LOG = LoggerFactory.getLogger(RejectRows.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final S3Client s3;

  RejectRows(S3Client s3) {
    this.s3 = s3;
  }

  /**
   * Report rows of rejected lines, each with its unit and Kafka offset (from the raw line, else
   * from the data file).
   */
  List<Map<String, Object>> of(List<LoadErrorReader.LoadError> found, RejectsIntent intent) {
    Map<String, RejectsIntent.UnitFiles> unitByFile = intent.unitsByFile();
    Map<String, Map<Long, Long>> offsetsByLine =
        offsetsOfCutLines(found, intent.offsetColumn(), intent.batchId());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (LoadErrorReader.LoadError e : found) {
      Long offset = offset(e.rawLine(), intent.offsetColumn());
      if (offset == null) {
        offset = offsetsByLine.getOrDefault(e.file(), Map.of()).get(e.line());
      }
      rows.add(row(e, unitByFile.get(e.file()), offset));
    }
    return rows;
  }

  /**
   * Offsets of rejected rows whose raw line the view cut (it keeps 1 KB) or did not give: read from
   * the line of the data file itself, one pass per file. Files of committed units never change, so
   * the line is the rejected row.
   */
  private Map<String, Map<Long, Long>> offsetsOfCutLines(
      List<LoadErrorReader.LoadError> found, String offsetColumn, String batchId) {
    Map<String, Set<Long>> wanted = new HashMap<>();
    for (LoadErrorReader.LoadError e : found) {
      if (offset(e.rawLine(), offsetColumn) == null
          && e.file() != null
          && e.file().startsWith("s3://")
          && e.line() > 0) {
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
          BufferedReader lines =
              new BufferedReader(
                  new InputStreamReader(
                      key.endsWith(".gz") ? new GZIPInputStream(raw) : raw,
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
        LOG.warn(
            "Batch {}: cannot read {} to find the offsets of its rejected rows ({}); the rows are listed by file and line",
            batchId,
            url,
            e.getMessage());
      }
      out.put(url, offsets);
    }
    return out;
  }

  private static Map<String, Object> row(
      LoadErrorReader.LoadError e, RejectsIntent.UnitFiles unit, Long offset) {
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
}
