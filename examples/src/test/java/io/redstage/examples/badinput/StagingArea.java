package io.redstage.examples.badinput;

import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerCodec;
import io.redstage.contract.MarkerKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the connector and the loader left in the staging bucket: commit markers, quarantine reports,
 * rejects.
 */
final class StagingArea {
  static final String MARKERS_DIR = "_redstage/markers";
  static final String QUARANTINE_DIR = "_redstage/quarantine";

  private final S3Client s3;
  private final String bucket;

  StagingArea(S3Client s3, String bucket) {
    this.s3 = s3;
    this.bucket = bucket;
  }

  /**
   * The highest offset h of the topic-partition such that the markers cover every offset 0..h (-1
   * when none does): a unit counts its DLQ records too, so this reaches the last produced offset
   * once everything is committed.
   */
  long coveredThrough(String topic, int partition) {
    List<CommitMarker> markers = new ArrayList<>();
    for (S3Object o : list(MARKERS_DIR + "/" + topic + "/")) {
      if (!o.key().endsWith(MarkerKeys.SUFFIX)) {
        // S3Proxy's store writes an object under a temporary name beside its key (the key plus
        // "-<uuid>") and then renames it: a listing while a connector writes a marker can return
        // that name, gone (or half written) by the time of the GET. The marker itself counts on
        // the next poll.
        continue;
      }
      CommitMarker m = MarkerCodec.fromJson(get(o.key()), o.key());
      if (m.partition() == partition) {
        markers.add(m);
      }
    }
    markers.sort(Comparator.comparingLong(CommitMarker::startOffset));
    long covered = -1;
    for (CommitMarker m : markers) {
      if (m.startOffset() > covered + 1) {
        break;
      }
      covered = Math.max(covered, m.endOffset());
    }
    return covered;
  }

  /** Key to text of every quarantine report. */
  Map<String, String> quarantineReports() {
    return texts(QUARANTINE_DIR + "/", key -> true);
  }

  /**
   * Key to text of every rejects object (rows COPY refused, with their reasons): any object whose
   * key names "reject", wherever the loader keeps them. Gzip objects are unpacked.
   */
  Map<String, String> rejectObjects() {
    return texts("", key -> key.toLowerCase(Locale.ROOT).contains("reject"));
  }

  private Map<String, String> texts(String prefix, Predicate<String> keep) {
    Map<String, String> out = new LinkedHashMap<>();
    for (S3Object o : list(prefix)) {
      if (keep.test(o.key())) {
        out.put(o.key(), text(o.key(), get(o.key())));
      }
    }
    return out;
  }

  private Iterable<S3Object> list(String prefix) {
    return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents();
  }

  private byte[] get(String key) {
    return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  private static String text(String key, byte[] bytes) {
    if (bytes.length < 2 || (bytes[0] & 0xff) != 0x1f || (bytes[1] & 0xff) != 0x8b) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot unpack gzip object " + key + ": " + e.getMessage(), e);
    }
  }
}
