package io.redstage.loader.discovery;

import io.redstage.contract.MarkerKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

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

  /** Keys per DeleteObjects request (S3's limit). */
  private static final int DELETE_BATCH = 1000;

  /** Markers copied at once: S3 requests in flight, well below the client's connection pool. */
  private static final int COPY_THREADS = 16;

  private Executor copier;

  /**
   * Markers moved whose delete S3 refused (a role without s3:DeleteObject on markers.dir): the copy
   * is done, so later cycles only try the delete again. Without this each cycle copied every such
   * marker again, a request per loaded marker per cycle for as long as the grant was missing. Only
   * refused keys, until a delete of theirs goes through; cycles of several tables use it at once. A
   * refused marker someone else removes stays here for the process's life: a key per marker, only
   * while the grant is missing (not pruned against the listing, which no single call sees).
   */
  private final Set<String> copiedNotDeleted = ConcurrentHashMap.newKeySet();

  /**
   * S3 refused a copy to markers.loaded.dir (403: a role without s3:PutObject there, say a prefix
   * of its own the policy does not name): until a copy goes through, a cycle copies one marker at a
   * time and stops at the first refusal. Without this each cycle copied every loaded marker again,
   * each refused, while they piled up under markers.dir. Cycles of several tables use it at once; a
   * race costs a copy or two.
   */
  private volatile boolean copiesRefused;

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
    int failed = 0;
    String firstFailure = null;
    int notDeleted = 0;
    String firstRefusal = null;
    int notTried = 0;
    boolean refusedBefore = copiesRefused;
    boolean stopCopying = false;
    // in chunks of one DeleteObjects: what is copied is removed before the next chunk, so a failure
    // later on, or a stop, loses no progress
    for (int i = 0; i < due.size(); i += DELETE_BATCH) {
      List<String> chunk = due.subList(i, Math.min(due.size(), i + DELETE_BATCH));
      List<String> done;
      if (action == Action.MOVE) {
        List<String> copying = new ArrayList<>();
        List<CompletableFuture<String>> copies = new ArrayList<>();
        done = new ArrayList<>();
        for (String key : chunk) {
          if (copiedNotDeleted.contains(key)) {
            done.add(key);
          } else if (!copiesRefused) {
            copying.add(key);
            copies.add(CompletableFuture.supplyAsync(() -> copy(key), copier()));
          } else if (stopCopying) {
            notTried++; // refused again this cycle: later cycles try again
          } else {
            // refused before: one at a time until S3 takes one
            requests++;
            try {
              done.add(copy(key));
              copiesRefused = false;
            } catch (RuntimeException e) {
              failed++;
              if (firstFailure == null) {
                firstFailure = key + ": " + e;
              }
              stopCopying = true; // refused again, or failing now: later cycles try again
            }
          }
        }
        for (int c = 0; c < copies.size(); c++) {
          requests++;
          try {
            done.add(copies.get(c).join());
          } catch (CompletionException e) {
            // this marker stays where it is, listed as loaded; a later cycle moves it
            failed++;
            if (firstFailure == null) {
              firstFailure = copying.get(c) + ": " + e.getCause();
            }
            if (isRefusal(e.getCause())) {
              copiesRefused = true;
            }
          }
        }
      } else {
        done = chunk;
      }
      if (done.isEmpty()) {
        continue;
      }
      List<ObjectIdentifier> ids = new ArrayList<>();
      for (String k : done) {
        ids.add(ObjectIdentifier.builder().key(k).build());
      }
      // quiet: S3 answers only the keys it could not delete, each with its error, in a response
      // that succeeds as a whole (a policy without s3:DeleteObject on markers.dir)
      List<S3Error> refused =
          s3.deleteObjects(
                  b -> b.bucket(bucket).delete(Delete.builder().objects(ids).quiet(true).build()))
              .errors();
      requests++;
      Set<String> kept = new HashSet<>();
      for (S3Error e : refused) {
        kept.add(e.key());
        if (firstRefusal == null) {
          firstRefusal = e.key() + ": " + e.code() + " (" + e.message() + ")";
        }
      }
      for (String k : done) {
        if (!kept.contains(k)) {
          gone.add(k);
          copiedNotDeleted.remove(k);
        } else if (action == Action.MOVE) {
          copiedNotDeleted.add(k);
        }
      }
      notDeleted += kept.size();
    }
    if (notDeleted > 0) {
      LOG.warn(
          "Retention: S3 refused to delete {} loaded marker(s) under {} (first: {}); they stay listed as"
              + " loaded, and each cycle tries them again. Grant s3:DeleteObject on markers.dir to the "
              + "loader's role.",
          notDeleted,
          "s3://" + bucket + "/" + markersDir,
          firstRefusal);
    }
    if (copiesRefused) {
      String text =
          "Retention: cannot move loaded markers to {}: S3 refuses to copy them there ({} copy(ies)"
              + " failed this cycle, first: {}; {} more not tried). They stay under markers.dir, where every listing"
              + " and the loader's marker cache grow with each loaded unit; until a copy goes"
              + " through, each cycle tries one. Grant the loader's role s3:PutObject on"
              + " markers.loaded.dir (and s3:GetObject on markers.dir), or set"
              + " markers.loaded.action=delete.";
      Object[] args = {"s3://" + bucket + "/" + loadedDir, failed, firstFailure, notTried};
      if (refusedBefore) {
        LOG.warn(text, args);
      } else {
        LOG.error(text, args);
      }
    } else if (failed > 0) {
      LOG.warn(
          "Retention: cannot move {} loaded marker(s) to {} this cycle (first: {}); they stay listed as"
              + " loaded and a later cycle moves them",
          failed,
          loadedDir,
          firstFailure);
    }
    LOG.info(
        "Retention: {} {} loaded marker(s) older than {}",
        action == Action.MOVE ? "moved" : "deleted",
        gone.size(),
        retention);
    return new Result(gone, requests);
  }

  /** Whether S3 refused a copy outright (403), as opposed to failing it for now. */
  private static boolean isRefusal(Throwable e) {
    return e instanceof AwsServiceException s && s.statusCode() == 403;
  }

  /** Copies a marker to its loaded key; returns its key. */
  private String copy(String key) {
    try {
      s3.copyObject(
          b ->
              b.sourceBucket(bucket)
                  .sourceKey(key)
                  .destinationBucket(bucket)
                  .destinationKey(loadedKey(key)));
    } catch (NoSuchKeyException e) {
      // another loader moved it first
    }
    return key;
  }

  /**
   * The threads copying markers: one CopyObject after another took 20 to 50 ms each, so at
   * thousands of units a minute retention could not keep up and held the cycle (the copies wait on
   * S3, not on the CPU). Daemon threads that end when idle, so a loader needs no close for them.
   */
  private synchronized Executor copier() {
    if (copier == null) {
      copier = DaemonPools.endingWhenIdle("redstage-loader-retention", COPY_THREADS);
    }
    return copier;
  }

  /** Keys that left the markers prefix and the S3 requests it took. */
  public record Result(List<String> removedKeys, int requests) {}
}
