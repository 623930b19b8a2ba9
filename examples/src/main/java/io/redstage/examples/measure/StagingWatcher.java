package io.redstage.examples.measure;

import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerCodec;
import io.redstage.contract.MarkerKeys;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the connector has committed to S3 so far: it lists the commit markers (and the markers the
 * loader has already moved aside after loading) and reads each new marker once. Not thread-safe;
 * one caller polls it.
 */
public final class StagingWatcher {
  private final S3Client s3;
  private final String bucket;
  private final List<String> markerDirs;

  /** marker identity (topic/partition/start+end, independent of the directory) -> its marker */
  private final Map<String, CommitMarker> markers = new HashMap<>();

  public StagingWatcher(S3Client s3, String bucket, String markersDir, String loadedMarkersDir) {
    this.s3 = s3;
    this.bucket = bucket;
    this.markerDirs =
        List.of(MarkerKeys.normalizeDir(markersDir), MarkerKeys.normalizeDir(loadedMarkersDir));
  }

  /** Lists the marker prefixes and reads markers not seen before. */
  public void poll() {
    for (String dir : markerDirs) {
      for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(dir)).contents()) {
        String identity = o.key().substring(dir.length());
        if (!markers.containsKey(identity) && MarkerKeys.offsetsOf(o.key()).isPresent()) {
          byte[] json = s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray();
          markers.put(identity, MarkerCodec.fromJson(json, "s3://" + bucket + "/" + o.key()));
        }
      }
    }
  }

  public Totals totals() {
    long files = 0;
    long records = 0;
    long bytes = 0;
    for (CommitMarker m : markers.values()) {
      files += m.files().size();
      records += m.recordCount();
      bytes += m.totalBytes();
    }
    return new Totals(markers.size(), files, records, bytes);
  }

  /** Commit units, data files, records and data bytes staged so far. */
  public record Totals(long units, long files, long records, long bytes) {}
}
