package io.redstage.loader.sweep;

import io.redstage.contract.MarkerKeys;
import io.redstage.loader.aws.S3Objects;
import io.redstage.loader.config.LoaderConfigDef;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.sql.TableRef;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Removes data files that no unit accounts for. A file under topics.dir is an orphan only when all
 * hold: (a) no unit with its topic-partition and [start, end] is in markers.dir, markers.loaded.dir
 * or the load-marker table (all files of a unit share its offsets, so this keeps every file of a
 * known unit); (b) the load-marker table covers all its offsets with rows of records, so its
 * records are in the warehouse through other units (offsets given up with 'skip' do not count); (c)
 * its LastModified is older than the grace period. Files under tmp.dir are never listed (incomplete
 * multipart uploads are an S3 lifecycle rule's job). Each run makes at most maxRequests S3 requests
 * and remembers the last key it examined in a small cursor object, so bounded runs cover the prefix
 * in turn.
 */
public final class OrphanSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanSweeper.class);

  /** What happens to an orphan. */
  public enum Action {
    MOVE,
    DELETE
  }

  /** Where things are and the limits of a run. */
  public record Settings(
      String bucket,
      String topicsDir,
      String markersDir,
      String loadedDir,
      String movedDir,
      String cursorKey,
      Duration grace,
      int maxRequests,
      Action action,
      List<String> topics,
      Pattern topicRegex) {}

  private final S3Client s3;
  private final DataApi api;
  private final TableRef markersTable;
  private final Settings s;
  private final String topicsDir;
  private final Clock clock;

  public OrphanSweeper(
      S3Client s3, DataApi api, TableRef markersTable, Settings settings, Clock clock) {
    this.s3 = s3;
    this.api = api;
    this.markersTable = markersTable;
    this.s = settings;
    this.topicsDir = MarkerKeys.normalizeDir(settings.topicsDir());
    this.clock = clock;
  }

  /**
   * One bounded run; a dry run reads the same objects and spends the same budget but moves, deletes
   * and writes nothing.
   */
  public SweepReport sweep(boolean dryRun) throws InterruptedException {
    Run run = new Run(dryRun, readCursor());
    boolean complete = true;
    outer:
    for (String prefix : prefixes()) {
      if (!run.cursor.isEmpty()
          && run.cursor.compareTo(prefix) > 0
          && !run.cursor.startsWith(prefix)) {
        continue; // a previous run finished this prefix
      }
      String token = null;
      do {
        if (!run.take(1)) {
          complete = false;
          break outer;
        }
        ListObjectsV2Request.Builder req =
            ListObjectsV2Request.builder().bucket(s.bucket()).prefix(prefix);
        if (token != null) {
          req.continuationToken(token);
        } else if (run.cursor.compareTo(prefix) > 0) {
          req.startAfter(run.cursor);
        }
        ListObjectsV2Response page = s3.listObjectsV2(req.build());
        if (!examine(page.contents(), run)) {
          complete = false;
          break outer;
        }
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
    }
    if (!dryRun) {
      writeCursor(complete ? "" : run.cursor);
    }
    SweepReport report =
        new SweepReport(
            dryRun,
            List.copyOf(run.orphans),
            run.examined,
            run.young,
            run.notLoaded,
            run.referenced,
            run.keptUnmovable,
            run.unrecognised,
            run.unrecognisedExample,
            run.requests,
            complete,
            complete ? "" : run.cursor);
    LOG.info(
        "Sweep{} of s3://{}/{}: {} orphan(s), {} file(s) examined, {} S3 request(s), {}",
        dryRun ? " (dry run)" : "",
        s.bucket(),
        topicsDir,
        report.orphans().size(),
        report.examined(),
        report.requests(),
        complete ? "complete" : "continues after " + run.cursor);
    if (run.unrecognised > 0) {
      LOG.warn(
          "Sweep of s3://{}/{} left {} object(s) whose names are not <topic>+<partition>+<start>+<end>"
              + "<extension>, such as {}: it cannot tell their units, so it never removes them. A "
              + "connector with a file.delim other than '+' writes such names; remove its orphans by hand.",
          s.bucket(),
          topicsDir,
          run.unrecognised,
          run.unrecognisedExample);
    }
    return report;
  }

  /** The listing prefixes in key order: each configured topic, or all of topics.dir. */
  private List<String> prefixes() {
    if (s.topics().isEmpty()) {
      return List.of(topicsDir);
    }
    // sorted as whole prefixes, the order S3 lists keys in and the cursor compares in: by topic
    // name alone "a" would come before "a-b", whose keys sort first ('-' before '/'), and a run
    // stopped inside "a/" would take "a-b/" for done
    TreeSet<String> out = new TreeSet<>();
    for (String t : s.topics()) {
      out.add(topicsDir + t + "/");
    }
    return new ArrayList<>(out);
  }

  private boolean wanted(String topic) {
    return s.topics().isEmpty()
        ? s.topicRegex().matcher(topic).matches()
        : s.topics().contains(topic);
  }

  /**
   * Examines one LIST page in key order; false when the budget stopped it (the cursor is the last
   * key done).
   */
  private boolean examine(List<S3Object> objects, Run run) throws InterruptedException {
    Instant oldest = clock.instant().minus(s.grace());
    Map<String, DataFileName> old = new LinkedHashMap<>();
    Map<String, DataFileName> files = new LinkedHashMap<>();
    for (S3Object o : objects) {
      Optional<DataFileName> name = DataFileName.parse(topicsDir, o.key());
      if (name.isEmpty()) {
        run.unrecognised(o.key());
        continue;
      }
      DataFileName f = name.get();
      if (wanted(f.tp().topic())) {
        files.put(o.key(), f);
        if (!o.lastModified().isAfter(oldest)) {
          old.put(o.key(), f);
        }
      }
    }
    LoadedUnits loaded =
        old.isEmpty() ? new LoadedUnits() : LoadedUnits.read(api, markersTable, old.values());
    for (S3Object o : objects) {
      if (old.containsKey(o.key())) {
        if (!decide(old.get(o.key()), o, loaded, run)) {
          return false;
        }
      } else if (files.containsKey(o.key())) {
        run.examined++;
        run.young++;
      }
      run.cursor = o.key();
    }
    return true;
  }

  /**
   * Decides one old file; false when the budget cannot pay for its checks and removal (nothing done
   * for it).
   */
  private boolean decide(DataFileName f, S3Object o, LoadedUnits loaded, Run run) {
    if (loaded.isLoadedUnit(f)) {
      run.examined++;
      run.referenced++;
      return true;
    }
    if (!loaded.covers(f)) {
      run.examined++;
      run.notLoaded++;
      return true;
    }
    int removal = s.action() == Action.MOVE ? 2 : 1;
    if (!run.has(2 + removal)) {
      return false;
    }
    run.examined++;
    if (exists(
            MarkerKeys.markerKey(
                s.markersDir(), f.tp().topic(), f.tp().partition(), f.start(), f.end()),
            run)
        || exists(
            MarkerKeys.markerKey(
                s.loadedDir(), f.tp().topic(), f.tp().partition(), f.start(), f.end()),
            run)) {
      run.referenced++;
      return true;
    }
    // A replay with these exact boundaries could write its marker between the HEADs and the
    // removal; its offsets
    // are loaded already (checked above), so the loader skips that unit and no record is lost.
    String target =
        s.action() == Action.MOVE
            ? MarkerKeys.normalizeDir(s.movedDir()) + o.key().substring(topicsDir.length())
            : null;
    int targetBytes = target == null ? 0 : target.getBytes(StandardCharsets.UTF_8).length;
    if (targetBytes > MarkerKeys.MAX_KEY_BYTES) {
      // S3 would refuse the copy on every run, and the run would stop at this file each time.
      run.keptUnmovable++;
      LOG.warn(
          "Cannot move orphan s3://{}/{} ({}) under {}: its key there would be {} bytes, over S3's {}."
              + " Kept it; set {} to a shorter prefix, or {}=delete.",
          s.bucket(),
          o.key(),
          f.unit(),
          s.movedDir(),
          targetBytes,
          MarkerKeys.MAX_KEY_BYTES,
          LoaderConfigDef.SWEEP_MOVED_DIR,
          LoaderConfigDef.SWEEP_ACTION);
      return true;
    }
    run.take(removal);
    if (!run.dryRun) {
      if (target != null) {
        s3.copyObject(
            b ->
                b.sourceBucket(s.bucket())
                    .sourceKey(o.key())
                    .destinationBucket(s.bucket())
                    .destinationKey(target));
      }
      s3.deleteObject(b -> b.bucket(s.bucket()).key(o.key()));
      LOG.info(
          "Sweep: {} s3://{}/{} ({}): no marker lists it and other units loaded its offsets",
          target == null ? "deleted" : "moved to " + target + ":",
          s.bucket(),
          o.key(),
          f.unit());
    }
    run.orphans.add(
        new SweepReport.Orphan(
            o.key(), target, f.unit(), Duration.between(o.lastModified(), clock.instant())));
    return true;
  }

  private boolean exists(String key, Run run) {
    run.take(1);
    return S3Objects.exists(s3, s.bucket(), key);
  }

  private String readCursor() {
    try {
      return s3.getObjectAsBytes(b -> b.bucket(s.bucket()).key(s.cursorKey()))
          .asString(StandardCharsets.UTF_8)
          .trim();
    } catch (NoSuchKeyException e) {
      return "";
    }
  }

  private void writeCursor(String cursor) {
    s3.putObject(
        b -> b.bucket(s.bucket()).key(s.cursorKey()),
        RequestBody.fromString(cursor, StandardCharsets.UTF_8));
  }

  /** The state of one run: budget, position and counts. */
  private final class Run {
    final boolean dryRun;
    final List<SweepReport.Orphan> orphans = new ArrayList<>();
    String cursor;
    int requests;
    int examined;
    int young;
    int notLoaded;
    int referenced;
    int keptUnmovable;
    int unrecognised;
    String unrecognisedExample;

    Run(boolean dryRun, String cursor) {
      this.dryRun = dryRun;
      this.cursor = cursor;
    }

    void unrecognised(String key) {
      if (unrecognised++ == 0) {
        unrecognisedExample = key;
      }
    }

    boolean has(int n) {
      return requests + n <= s.maxRequests();
    }

    boolean take(int n) {
      if (!has(n)) {
        return false;
      }
      requests += n;
      return true;
    }
  }
}
