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
 * 1 KB of a line); its file, where the views' 256-character name fits several, from {@link
 * SharedFileNames}. Apart from {@link Rejects}, which decides when an object is written.
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
   * from the data file). A row whose file name the views cut to one that several of the batch's
   * files share is matched to its file by its line ({@link SharedFileNames}), or listed with its
   * candidates and no unit when that cannot be settled.
   */
  List<Map<String, Object>> of(List<LoadErrorReader.LoadError> found, RejectsIntent intent) {
    Map<String, RejectsIntent.UnitFiles> unitByFile = intent.unitsByFile();
    // the files COPY read rows of; only names they share need their lines read
    Map<String, List<String>> shared =
        SharedFileNames.shared(
            intent.jsonFiles() == null || intent.jsonFiles().isEmpty()
                ? unitByFile.keySet()
                : intent.jsonFiles().stream().map(RejectsIntent.DataFile::url).toList());
    Map<String, Set<Long>> wanted = new HashMap<>();
    for (LoadErrorReader.LoadError e : found) {
      if (e.file() == null || e.line() <= 0) {
        continue;
      }
      List<String> candidates = shared.get(e.file());
      if (candidates != null) {
        candidates.forEach(c -> wanted.computeIfAbsent(c, f -> new HashSet<>()).add(e.line()));
      } else if (offset(e.rawLine(), intent.offsetColumn()) == null
          && e.file().startsWith("s3://")) {
        wanted.computeIfAbsent(e.file(), f -> new HashSet<>()).add(e.line());
      }
    }
    Map<String, Map<Long, SharedFileNames.Line>> lines =
        lines(wanted, intent.offsetColumn(), intent.batchId());
    List<SharedFileNames.Where> where = SharedFileNames.where(found, shared, lines);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < found.size(); i++) {
      LoadErrorReader.LoadError e = found.get(i);
      String file = where.get(i).file();
      Long offset = offset(e.rawLine(), intent.offsetColumn());
      if (file == null) {
        rows.add(candidatesRow(e, offset, where.get(i).candidates(), unitByFile, lines));
        continue;
      }
      if (offset == null) {
        offset = offsetAt(lines, file, e.line());
      }
      LoadErrorReader.LoadError in =
          file.equals(e.file())
              ? e
              : new LoadErrorReader.LoadError(
                  file, e.line(), e.column(), e.code(), e.reason(), e.rawLine());
      rows.add(row(in, unitByFile.get(file), offset));
    }
    return rows;
  }

  private static Long offsetAt(
      Map<String, Map<Long, SharedFileNames.Line>> lines, String file, long line) {
    SharedFileNames.Line l = lines.getOrDefault(file, Map.of()).get(line);
    return l == null ? null : l.offset();
  }

  /**
   * A row whose file is one of {@code candidates}, and which is not known: no topic, partition or
   * unit (a wrong one would name a good record as the bad one), so that no dedupe by coordinates
   * drops it; {@code offset} only when the raw line gives it. Each candidate with its unit and the
   * offset its line of that number holds, for an operator to check.
   */
  private static Map<String, Object> candidatesRow(
      LoadErrorReader.LoadError e,
      Long offset,
      List<String> candidates,
      Map<String, RejectsIntent.UnitFiles> unitByFile,
      Map<String, Map<Long, SharedFileNames.Line>> lines) {
    Map<String, Object> m = row(e, null, offset);
    List<Map<String, Object>> each = new ArrayList<>();
    for (String c : candidates) {
      RejectsIntent.UnitFiles unit = unitByFile.get(c);
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("file", c);
      one.put("markerKey", unit == null ? null : unit.markerKey());
      one.put("topic", unit == null ? null : unit.topic());
      one.put("partition", unit == null ? null : unit.partition());
      one.put("offsetAtLine", offsetAt(lines, c, e.line()));
      each.add(one);
    }
    m.put(
        "fileUnknown",
        "Cannot tell which file this row is in: the load-error views keep 256 characters of a"
            + " file name, which "
            + candidates.size()
            + " of this batch's files share, and their line "
            + e.line()
            + " starts alike (or could not be read). Check line "
            + e.line()
            + " of each file in candidates for the rejected record.");
    m.put("candidates", each);
    return m;
  }

  /**
   * The wanted lines of each file (its start and the offset it holds), one pass per file, up to its
   * last wanted line. Files of committed units never change, so line N is the rejected row. A file
   * that cannot be read is left out (nothing is known of its lines); one with fewer lines has no
   * entry for the lines it lacks.
   */
  private Map<String, Map<Long, SharedFileNames.Line>> lines(
      Map<String, Set<Long>> wanted, String offsetColumn, String batchId) {
    Map<String, Map<Long, SharedFileNames.Line>> out = new HashMap<>();
    for (Map.Entry<String, Set<Long>> w : wanted.entrySet()) {
      String url = w.getKey();
      int slash = url.indexOf('/', "s3://".length());
      if (!url.startsWith("s3://") || slash < 0) {
        continue;
      }
      String fileBucket = url.substring("s3://".length(), slash);
      String key = url.substring(slash + 1);
      Map<Long, SharedFileNames.Line> read = new HashMap<>();
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
            read.put(n, SharedFileNames.Line.of(line, offset(line, offsetColumn)));
          }
        }
        out.put(url, read);
      } catch (IOException | SdkException e) {
        LOG.warn(
            "Batch {}: cannot read {} to find the offsets (or the file) of its rejected rows ({});"
                + " the rows are listed by file and line",
            batchId,
            url,
            e.getMessage());
      }
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
