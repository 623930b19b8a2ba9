package io.redstage.loader.discovery;

import io.redstage.contract.ColumnRole;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.DataFileNames;
import io.redstage.contract.MarkerCodec;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.aws.S3CallError;
import io.redstage.loader.sql.Identifiers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Finds commit units by listing only the markers prefix (never the data files). Parsed markers are
 * cached by key and ETag (a replay after a settings change rewrites a unit's files and marker under
 * the same keys with other sizes), so a cycle costs one LIST page per 1,000 markers present plus
 * one GET per marker not seen before; markers of loaded units leave the prefix after the retention
 * window, which keeps both flat over history.
 */
public final class MarkerScanner {
  private static final Logger LOG = LoggerFactory.getLogger(MarkerScanner.class);

  /** Kafka's own rule for topic names; anything else cannot have come from a Kafka topic. */
  private static final Pattern KAFKA_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  private final S3Client s3;
  private final String bucket;
  private final String markersDir;
  private final List<String> topics;
  private final Pattern topicRegex;
  private final Map<String, Cached> cache = new HashMap<>();
  private final SharedMarkerParts sharedParts = new SharedMarkerParts();

  /** A parsed marker and the ETag of the object it was parsed from. */
  private record Cached(String etag, CommitMarker marker) {}

  private final Map<String, String> rejected = new HashMap<>();

  /** The ETag of each rejected marker: it is read again only once it changes (fixed in place). */
  private final Map<String, String> rejectedEtags = new HashMap<>();

  /** The last scan's result and when ({@link System#nanoTime()}) it started listing. */
  private ScanResult last;

  private long lastStartedNanos;

  /**
   * The largest marker read: a unit of 10,000 files (a field partitioner with that many values in
   * one unit) writes about 15 MB. A larger object with a marker's name is no marker, and reading it
   * whole each cycle could exhaust the heap.
   */
  static final long MAX_MARKER_BYTES = 64L * 1024 * 1024;

  private final long maxMarkerBytes;

  /** Markers read at once: a first scan of a long history (or a CLI command) reads them all. */
  static final int PARALLEL_READS = 16;

  /** Markers read before their results are recorded: bounds what is held unshared. */
  static final int READ_WINDOW = 2 * PARALLEL_READS;

  /** A listed marker to read. */
  private record ToRead(String key, String topicInKey, String etag) {}

  /**
   * The threads that read markers. Reading them one after another made a first scan of 60,000
   * listed markers (a restart, or any CLI command, which starts without the cache) take 10 to 30
   * minutes. Daemon threads that end when idle: a scanner needs no closing.
   */
  private final ExecutorService reads;

  public MarkerScanner(
      S3Client s3, String bucket, String markersDir, List<String> topics, Pattern topicRegex) {
    this(s3, bucket, markersDir, topics, topicRegex, MAX_MARKER_BYTES);
  }

  /** For tests: a smaller largest marker. */
  MarkerScanner(
      S3Client s3,
      String bucket,
      String markersDir,
      List<String> topics,
      Pattern topicRegex,
      long maxMarkerBytes) {
    this.s3 = s3;
    this.bucket = bucket;
    this.markersDir = MarkerKeys.normalizeDir(markersDir);
    this.topics = List.copyOf(topics);
    this.topicRegex = topicRegex;
    this.maxMarkerBytes = maxMarkerBytes;
    this.reads = DaemonPools.endingWhenIdle("redstage-marker-reads", PARALLEL_READS);
  }

  /**
   * What one scan found and what it cost.
   *
   * @param rejected the markers that cannot be read or used, and why
   * @param unreadable the offsets of each partition's such markers, as of this scan, from their
   *     keys (see {@link MarkerScanner#unreadable(Set)})
   */
  public record ScanResult(
      List<Unit> units,
      int listRequests,
      int getRequests,
      Map<String, String> rejected,
      Map<TopicPartition, List<OffsetRange>> unreadable) {

    /** Where each partition's first unreadable marker starts. */
    public Map<TopicPartition, Long> unreadableFrom() {
      Map<TopicPartition, Long> out = new HashMap<>();
      unreadable.forEach(
          (tp, ranges) ->
              out.put(tp, ranges.stream().mapToLong(OffsetRange::start).min().orElseThrow()));
      return Map.copyOf(out);
    }
  }

  /**
   * A scan that started listing at or after {@code nanos} ({@link System#nanoTime()}): the last one
   * if it did, else a new one. Tables that finish at about the same time and each want the markers
   * committed since then share one listing instead of listing one after another.
   */
  public synchronized ScanResult scanStartedAfter(long nanos) {
    if (last != null && lastStartedNanos - nanos >= 0) {
      return last;
    }
    return scan();
  }

  public synchronized ScanResult scan() {
    long started = System.nanoTime();
    List<String> prefixes = new ArrayList<>();
    if (topics.isEmpty()) {
      prefixes.add(markersDir);
    } else {
      for (String t : topics) {
        prefixes.add(MarkerKeys.topicPrefix(markersDir, t));
      }
    }
    int lists = 0;
    int gets = 0;
    Set<String> seen = new HashSet<>();
    List<Unit> units = new ArrayList<>();
    for (String prefix : prefixes) {
      String token = null;
      do {
        ListObjectsV2Request.Builder req =
            ListObjectsV2Request.builder().bucket(bucket).prefix(prefix);
        if (token != null) {
          req.continuationToken(token);
        }
        ListObjectsV2Response page;
        try {
          page = s3.listObjectsV2(req.build());
        } catch (SdkException e) {
          throw MarkerListingFailure.of(bucket, prefix, e);
        }
        lists++;
        // the page's markers in listing order: known ones at once, the others read in parallel
        List<Object> slots = new ArrayList<>();
        for (S3Object o : page.contents()) {
          String key = o.key();
          if (!key.endsWith(MarkerKeys.SUFFIX) || !seen.add(key)) {
            continue;
          }
          Optional<String> topic = topicOf(key);
          if (topic.isEmpty() || !wanted(topic.get())) {
            continue;
          }
          Cached cached = cache.get(key);
          CommitMarker marker =
              cached != null && Objects.equals(cached.etag(), o.eTag()) ? cached.marker() : null;
          boolean rejectedAsIs =
              rejectedEtags.containsKey(key) && Objects.equals(rejectedEtags.get(key), o.eTag());
          if (marker == null && !rejectedAsIs && o.size() != null && o.size() > maxMarkerBytes) {
            reject(
                key, tooLarge(key, o.size() + " bytes"), o.eTag(), ReadAgain.WHEN_CHANGED, "then");
          } else if (marker == null && !rejectedAsIs) {
            gets++;
            slots.add(new ToRead(key, topic.get(), o.eTag()));
          } else if (marker != null) {
            slots.add(new Unit(key, marker));
          }
        }
        // a window at a time, so that at most READ_WINDOW markers are held unshared (one may be
        // 64 MB)
        for (int from = 0; from < slots.size(); from += READ_WINDOW) {
          List<Object> window = new ArrayList<>();
          for (Object slot : slots.subList(from, Math.min(slots.size(), from + READ_WINDOW))) {
            window.add(
                slot instanceof ToRead r
                    ? reads.submit(() -> read(r.key(), r.topicInKey(), r.etag()))
                    : slot);
          }
          for (Object slot : window) {
            Unit unit = slot instanceof Unit u ? u : apply(awaitRead(slot, window));
            if (unit != null) {
              units.add(unit);
            }
          }
        }
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
    }
    cache.keySet().retainAll(seen);
    rejected.keySet().retainAll(seen);
    rejectedEtags.keySet().retainAll(seen);
    last =
        new ScanResult(
            List.copyOf(units), lists, gets, Map.copyOf(rejected), unreadable(rejected.keySet()));
    // set with the result: after a scan that failed, scanStartedAfter must not hand out an older
    // one
    lastStartedNanos = started;
    return last;
  }

  /**
   * The offsets of the unreadable markers, per topic-partition, from the marker keys (their content
   * could not be used). An upsert table loads no unit of such a partition from the first of them
   * whose offsets it has not loaded: a later unit's rows would otherwise land before the unreadable
   * unit's older ones.
   */
  private Map<TopicPartition, List<OffsetRange>> unreadable(Set<String> rejectedKeys) {
    Map<TopicPartition, List<OffsetRange>> out = new HashMap<>();
    for (String key : rejectedKeys) {
      Optional<MarkerKeys.UnitKey> unit = MarkerKeys.parse(markersDir, key);
      if (unit.isEmpty() || unit.get().partition().isEmpty()) {
        continue; // not a unit's marker in a folder the connector writes ("3" for 0000000003)
      }
      out.computeIfAbsent(
              new TopicPartition(unit.get().topic(), unit.get().partition().getAsInt()),
              x -> new ArrayList<>())
          .add(new OffsetRange(unit.get().start(), unit.get().end()));
    }
    out.replaceAll((tp, ranges) -> List.copyOf(ranges));
    return Map.copyOf(out);
  }

  /**
   * Whether the marker object {@code key} is gone from the bucket: true only when S3 says so (404);
   * any other answer, a refusal or a failure, cannot tell, and counts as there.
   */
  public boolean isGone(String key) {
    try {
      s3.headObject(b -> b.bucket(bucket).key(key));
      return false;
    } catch (S3Exception e) {
      return e.statusCode() == 404;
    } catch (SdkException e) {
      return false;
    }
  }

  /** Forgets a marker (after it moved), so the cache stays proportional to the prefix. */
  public synchronized void forget(String key) {
    cache.remove(key);
  }

  /** Whether this configuration loads {@code topic} (topics, else topics.regex). */
  public boolean wanted(String topic) {
    return topics.isEmpty() ? topicRegex.matcher(topic).matches() : topics.contains(topic);
  }

  /** The topic of a unit's marker key below markers.dir, or empty for any other key. */
  public Optional<String> topicOf(String key) {
    return MarkerKeys.parse(markersDir, key).map(MarkerKeys.UnitKey::topic);
  }

  private String tooLarge(String key, String size) {
    return "Cannot read commit marker s3://"
        + bucket
        + "/"
        + key
        + ": it is "
        + size
        + ", more than any marker the connector writes ("
        + maxMarkerBytes
        + " bytes). Remove the object, or move it out of markers.dir.";
  }

  /**
   * What reading one marker came to: its marker, or why it is rejected, or nothing (gone since the
   * listing). Computed on a reading thread, so it touches none of the scanner's state; {@link
   * #apply} records it.
   */
  private record Read(
      String key, String etag, CommitMarker marker, String rejected, ReadAgain readAgain) {}

  /**
   * Reads and checks one marker on a reading thread. Throws for failures that concern every call
   * (S3 failing, credentials, the clock): the scan fails and the cycle is retried.
   */
  private Read read(String key, String topicInKey, String etag) {
    byte[] bytes;
    // read no more than a marker can hold: the listing's size is checked, but the object may be
    // replaced by a larger one before this GET
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key))) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxMarkerBytes + 1));
      if (bytes.length > maxMarkerBytes) {
        in.abort();
        return new Read(
            key,
            etag,
            null,
            tooLarge(key, "over " + maxMarkerBytes + " bytes"),
            ReadAgain.WHEN_CHANGED);
      }
    } catch (IOException e) {
      throw SdkClientException.create("Cannot read commit marker s3://" + bucket + "/" + key, e);
    } catch (NoSuchKeyException e) {
      // moved or deleted between LIST and GET (another loader's retention): not an error
      return new Read(key, etag, null, null, null);
    } catch (S3Exception e) {
      if (!refusesThisObject(e)) {
        // S3 failing, or refusing every call (credentials, clock): the cycle fails and is retried
        throw e;
      }
      // One object S3 refuses (a key or policy this loader may not use, an archived object):
      // only its unit waits, as for a marker that cannot be parsed.
      return new Read(key, etag, null, unreadable(key, e), ReadAgain.EVERY_SCAN);
    }
    try {
      String source = "s3://" + bucket + "/" + key;
      CommitMarker m = MarkerCodec.fromJson(bytes, source);
      check(m, key, topicInKey, source);
      return new Read(key, etag, m, null, null);
    } catch (IllegalArgumentException e) {
      return new Read(key, etag, null, e.getMessage(), ReadAgain.WHEN_CHANGED);
    }
  }

  /** Records what reading a marker came to, on the scanning thread; its unit, or null. */
  private Unit apply(Read r) {
    if (r.rejected() != null) {
      reject(
          r.key(),
          r.rejected(),
          r.etag(),
          r.readAgain(),
          r.readAgain() == ReadAgain.EVERY_SCAN ? "then" : "the marker is fixed or removed");
      return null;
    }
    if (r.marker() == null) {
      return null;
    }
    CommitMarker m = sharedParts.share(r.marker());
    cache.put(r.key(), new Cached(r.etag(), m));
    rejected.remove(r.key());
    rejectedEtags.remove(r.key());
    return new Unit(r.key(), m);
  }

  /**
   * The outcome of one read; a read that failed fails the scan, after the page's other reads are
   * cancelled.
   */
  private static Read awaitRead(Object slot, List<Object> slots) {
    @SuppressWarnings("unchecked")
    Future<Read> read = (Future<Read>) slot;
    try {
      return read.get();
    } catch (ExecutionException e) {
      cancel(slots);
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      cancel(slots);
      Thread.currentThread().interrupt();
      throw SdkClientException.create("Cannot list the commit markers: interrupted", e);
    }
  }

  private static void cancel(List<Object> slots) {
    for (Object slot : slots) {
      if (slot instanceof Future<?> f) {
        f.cancel(true);
      }
    }
  }

  /** When a rejected marker is read again. */
  private enum ReadAgain {
    /** Once its ETag changes (fixed in place): its bytes are what is wrong. */
    WHEN_CHANGED,
    /** Every scan: what is wrong (access, an archived object) does not change its ETag. */
    EVERY_SCAN
  }

  /**
   * Records a marker that cannot be read or used: its unit is skipped, and the reason goes with
   * each scan's result and to the log. A marker read again only once changed comes here once per
   * object; one read again every scan logs the same reason once.
   *
   * @param until when the unit is skipped until, for the log
   */
  private void reject(String key, String why, String etag, ReadAgain readAgain, String until) {
    boolean newReason = !why.equals(rejected.put(key, why));
    if (readAgain == ReadAgain.WHEN_CHANGED) {
      rejectedEtags.put(key, etag);
    } else {
      rejectedEtags.remove(key);
    }
    if (newReason || readAgain == ReadAgain.WHEN_CHANGED) {
      LOG.error("{} The unit is skipped until {}.", why, until);
    }
    cache.remove(key);
  }

  /**
   * Whether S3 refused this one object (access denied to its key, an archived object, a key or
   * encryption it cannot use) rather than the call: 5xx, throttling and answers about credentials,
   * the clock or the bucket concern every object alike.
   */
  private static boolean refusesThisObject(S3Exception e) {
    return e.statusCode() >= 400 && !S3CallError.mayPass(e) && S3CallError.of(e).isEmpty();
  }

  private String unreadable(String key, S3Exception e) {
    String code = S3CallError.code(e);
    String fix =
        "InvalidObjectState".equals(code)
            ? "Restore it from its archive storage class (a lifecycle rule moved it), or remove it."
            : "Grant the loader s3:GetObject on markers.dir (and kms:Decrypt on the key of an SSE-KMS"
                + " bucket; examples/iam/loader.json), or remove the marker. (Without s3:ListBucket, S3"
                + " answers 403 for a marker another loader moved since the listing: the next scan"
                + " no longer lists it.)";
    return "Cannot read commit marker s3://"
        + bucket
        + "/"
        + key
        + ": S3 answered HTTP "
        + e.statusCode()
        + (code == null ? "" : " " + code)
        + ". "
        + fix;
  }

  /**
   * The files a marker lists are what COPY reads, with the COPY role's access: they must be files
   * of the marker's own unit, in the bucket it lies in, as the connector writes them. A marker
   * written by hand or by anyone else who may write under markers.dir could otherwise have another
   * topic's files, or another bucket's, loaded into this topic's table.
   */
  private void checkFiles(CommitMarker m, String source) {
    if (!m.bucket().equals(bucket)) {
      throw notTheConnectors(
          source,
          "it names its files in bucket '"
              + Identifiers.printable(m.bucket())
              + "', not in "
              + bucket
              + ", where it lies");
    }
    for (MarkerFile f : m.files()) {
      String key = f.key();
      String name = key.substring(key.lastIndexOf('/') + 1);
      if (!plainKey(key)
          || !DataFileNames.isUnitFile(
              name, m.topic(), m.partition(), m.startOffset(), m.endOffset())) {
        throw notTheConnectors(
            source,
            "its file "
                + Identifiers.printable(key)
                + " is not named as a file of its unit "
                + m.unitId()
                + " (<topic><delim><partition><delim><start><delim><end>.<ext>)");
      }
    }
  }

  /**
   * The connector counts a unit's records as the sum of its files' (a file every record of which
   * went to the DLQ is not listed, records set aside are in neither): a marker whose files hold
   * another number lists files its unit does not have, or lacks some (a truncated list, {@code
   * files: []}). Loaded, it would record every offset of the unit as loaded, the rows of the files
   * it lacks never.
   */
  private static void checkRecordCount(CommitMarker m, String source) {
    long inFiles = 0;
    try {
      for (MarkerFile f : m.files()) {
        inFiles = Math.addExact(inFiles, f.records());
      }
    } catch (ArithmeticException e) {
      inFiles = -1; // more than any unit holds: counted as not matching
    }
    if (inFiles != m.recordCount()) {
      throw new IllegalArgumentException(
          "Cannot use commit marker "
              + source
              + ": it counts "
              + m.recordCount()
              + " records, but the "
              + m.files().size()
              + " file(s) it lists hold "
              + (inFiles < 0 ? "more than a unit can" : String.valueOf(inFiles))
              + ", where the connector counts the records of the files it lists. Loading it would"
              + " record offsets "
              + m.startOffset()
              + " to "
              + m.endOffset()
              + " as loaded without the records of files it lacks. Write the marker again with"
              + " the files of its unit, or remove it and replay the unit's offsets from Kafka.");
    }
  }

  /** A key without control characters, empty parts or '.' and '..' parts. */
  private static boolean plainKey(String key) {
    for (int i = 0; i < key.length(); i++) {
      if (Character.isISOControl(key.charAt(i))) {
        return false;
      }
    }
    for (String part : key.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        return false;
      }
    }
    return true;
  }

  private static IllegalArgumentException notTheConnectors(String source, String why) {
    return new IllegalArgumentException(
        "Cannot use commit marker "
            + source
            + ": "
            + why
            + ". The connector writes only markers of its own files in its own bucket. If no "
            + "connector of yours wrote it, delete it and check who may write under markers.dir.");
  }

  private void check(CommitMarker m, String key, String topicInKey, String source) {
    if (!KAFKA_TOPIC.matcher(m.topic()).matches()) {
      throw new IllegalArgumentException(
          "Cannot use commit marker "
              + source
              + ": topic '"
              + m.topic()
              + "' is not a valid Kafka topic name.");
    }
    MarkerKeys.UnitKey unit = MarkerKeys.parse(markersDir, key).orElseThrow();
    if (!m.topic().equals(topicInKey)
        || unit.start() != m.startOffset()
        || unit.end() != m.endOffset()
        // the partition's own folder, not any folder of that name (a topic may be called
        // 0000000003)
        || !unit.inFolderOf(m.partition())) {
      throw new IllegalArgumentException(
          "Cannot use commit marker "
              + source
              + ": its content ("
              + m.unitId()
              + ") does not match its key.");
    }
    checkFiles(m, source);
    checkRecordCount(m, source);
    // The metadata columns name the table's columns for every unit of a cycle: one that Redshift
    // cannot take, or one that the unit's own files name differently (the units of a batch load
    // with one set of names), would stop the whole table each cycle; as an unreadable marker it
    // stops only its unit (and, for an upsert table, the units after it in its partition).
    Map<ColumnRole, MarkerColumn> named = new EnumMap<>(ColumnRole.class);
    Map<ColumnRole, MarkerFile> namedIn = new EnumMap<>(ColumnRole.class);
    for (MarkerFile f : m.files()) {
      for (MarkerColumn c : f.columns()) {
        ColumnRole role = c.role().orElse(ColumnRole.VALUE);
        if (role == ColumnRole.VALUE) {
          continue;
        }
        String folded;
        try {
          folded = Identifiers.fold(c.name(), "a metadata column name");
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "Cannot use commit marker "
                  + source
                  + ": its "
                  + role.id()
                  + " column name is not one Redshift takes ("
                  + e.getMessage()
                  + ")");
        }
        MarkerColumn before = named.putIfAbsent(role, c);
        if (before == null) {
          namedIn.put(role, f);
        } else if (!Identifiers.fold(before.name(), "a metadata column name").equals(folded)) {
          throw new IllegalArgumentException(
              "Cannot use commit marker "
                  + source
                  + ": its file "
                  + Identifiers.printable(namedIn.get(role).key())
                  + " names the "
                  + role.id()
                  + " column '"
                  + Identifiers.printable(before.name())
                  + "' and its file "
                  + Identifiers.printable(f.key())
                  + " names it '"
                  + Identifiers.printable(c.name())
                  + "', where the connector names it alike in every file of a unit. Write the"
                  + " marker again with the names its files hold, or remove it and replay the"
                  + " unit's offsets from Kafka.");
        }
      }
    }
  }
}
