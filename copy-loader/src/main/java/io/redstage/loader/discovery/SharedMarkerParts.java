package io.redstage.loader.discovery;

import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the markers a scanner keeps share what they repeat: the column list of a schema (most of a
 * parsed marker's memory: 14 columns take about 1.6 of a marker's 2.3 KB) and short texts such as
 * the topic, bucket, compression and partition path. The scanner holds every marker under
 * markers.dir until retention moves it, which with many partitions committing often is millions.
 * Bounded: the table of shared parts starts afresh past {@link #MAX_PARTS} entries (markers already
 * shared keep their parts).
 */
final class SharedMarkerParts {
  static final int MAX_PARTS = 10_000;

  private final Map<Object, Object> parts = new HashMap<>();

  /** {@code m} with its repeated parts replaced by the instances earlier markers hold. */
  CommitMarker share(CommitMarker m) {
    if (parts.size() > MAX_PARTS) {
      parts.clear();
    }
    List<MarkerFile> files = new ArrayList<>(m.files().size());
    for (MarkerFile f : m.files()) {
      files.add(
          new MarkerFile(
              f.key(),
              f.bytes(),
              f.records(),
              f.format(),
              shared(f.compression()),
              shared(f.encodedPartition()),
              shared(f.columns())));
    }
    return new CommitMarker(
        m.formatVersion(),
        shared(m.topic()),
        m.partition(),
        m.startOffset(),
        m.endOffset(),
        m.recordCount(),
        shared(m.bucket()),
        m.committedAtMs(),
        shared(m.rotationReason()),
        files,
        shared(m.writer()));
  }

  /**
   * The instance equal to {@code part} that earlier markers hold. Column lists are immutable
   * (MarkerFile copies them), so one instance may serve them all.
   */
  @SuppressWarnings("unchecked")
  private <T> T shared(T part) {
    return part == null ? null : (T) parts.computeIfAbsent(part, p -> p);
  }
}
