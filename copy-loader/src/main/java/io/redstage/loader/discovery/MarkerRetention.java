package io.redstage.loader.discovery;

import io.redstage.contract.MarkerKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * Moves (or deletes) the markers of loaded units once they are older than the retention window, so
 * that the markers prefix holds pending units plus at most one window of loaded ones. Only units
 * the load-marker table shows as loaded are passed in, so a marker never leaves before its load
 * committed.
 */
public final class MarkerRetention {
  private static final Logger LOG = LoggerFactory.getLogger(MarkerRetention.class);

  /** What to do with a loaded marker. */
  public enum Action {
    MOVE,
    DELETE,
    KEEP
  }

  private final S3Client s3;
  private final String bucket;
  private final String markersDir;
  private final String loadedDir;
  private final Duration retention;
  private final Action action;

  public MarkerRetention(
      S3Client s3,
      String bucket,
      String markersDir,
      String loadedDir,
      Duration retention,
      Action action) {
    this.s3 = s3;
    this.bucket = bucket;
    this.markersDir = MarkerKeys.normalizeDir(markersDir);
    this.loadedDir = MarkerKeys.normalizeDir(loadedDir);
    this.retention = retention;
    this.action = action;
  }

  /** The key a loaded marker is moved to. */
  public String loadedKey(String markerKey) {
    return loadedDir + markerKey.substring(markersDir.length());
  }

  /**
   * Applies the action to the loaded units whose marker was committed before {@code nowMs -
   * retention}.
   *
   * @return the marker keys that left the prefix, and the S3 requests used
   */
  public Result apply(List<Unit> loadedUnits, long nowMs) {
    if (action == Action.KEEP) {
      return new Result(List.of(), 0);
    }
    List<String> due = new ArrayList<>();
    for (Unit u : loadedUnits) {
      if (nowMs - u.marker().committedAtMs() >= retention.toMillis()) {
        due.add(u.markerKey());
      }
    }
    if (due.isEmpty()) {
      return new Result(List.of(), 0);
    }
    int requests = 0;
    List<String> gone = new ArrayList<>();
    if (action == Action.MOVE) {
      for (String key : due) {
        try {
          s3.copyObject(
              b ->
                  b.sourceBucket(bucket)
                      .sourceKey(key)
                      .destinationBucket(bucket)
                      .destinationKey(loadedKey(key)));
          requests++;
          gone.add(key);
        } catch (NoSuchKeyException e) {
          requests++;
          gone.add(key); // another loader moved it first
        }
      }
    } else {
      gone.addAll(due);
    }
    for (int i = 0; i < gone.size(); i += 1000) {
      List<ObjectIdentifier> ids = new ArrayList<>();
      for (String k : gone.subList(i, Math.min(gone.size(), i + 1000))) {
        ids.add(ObjectIdentifier.builder().key(k).build());
      }
      s3.deleteObjects(
          b -> b.bucket(bucket).delete(Delete.builder().objects(ids).quiet(true).build()));
      requests++;
    }
    LOG.info(
        "Retention: {} {} loaded marker(s) older than {}",
        action == Action.MOVE ? "moved" : "deleted",
        gone.size(),
        retention);
    return new Result(gone, requests);
  }

  /** Keys that left the markers prefix and the S3 requests it took. */
  public record Result(List<String> removedKeys, int requests) {}
}
