package io.redstage.connector.commit;

import static io.redstage.connector.config.SinkConfigDef.*;

import io.redstage.connector.config.SinkConfig;
import io.redstage.connector.format.ColumnNames;
import io.redstage.connector.format.FormatOptions;
import io.redstage.connector.format.RecordFormat;
import io.redstage.connector.format.RecordFormats;
import io.redstage.connector.format.SchemaCompatibility;
import io.redstage.connector.format.TimestampUnit;
import io.redstage.connector.metrics.TaskMetrics;
import io.redstage.connector.partition.Partitioner;
import io.redstage.connector.partition.PartitionerSettings;
import io.redstage.connector.partition.Partitioners;
import io.redstage.connector.partition.TimestampExtractor;
import io.redstage.connector.rotate.RotationPolicy;
import io.redstage.connector.storage.HttpProxySettings;
import io.redstage.connector.storage.S3Settings;
import io.redstage.connector.storage.S3Storage;
import io.redstage.connector.storage.S3StorageException;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds a task's collaborators from the connector config: the one place config keys meet the
 * packages.
 */
final class ComponentsFactory {
  private static final Logger LOG = LoggerFactory.getLogger(ComponentsFactory.class);

  private ComponentsFactory() {}

  static StagingCommitter committer(
      SinkConfig c, SinkTaskContext context, Function<S3Settings, S3Client> clients) {
    return committer(c, context, clients, BuildSlots.perProcessor());
  }

  /** With {@code builds} for its commits' file builds, which a test can hold. */
  static StagingCommitter committer(
      SinkConfig c,
      SinkTaskContext context,
      Function<S3Settings, S3Client> clients,
      BuildSlots builds) {
    S3Settings s3 = s3Settings(c);
    FormatOptions formatOptions = formatOptions(c);
    ColumnNames columnNames = ColumnNames.mapped(c.getList(COLUMN_NAME_MAP));
    PartitionerSettings ps = c.partitionerSettings();
    FileNaming naming =
        new FileNaming(
            c.topicsDir(),
            FileNaming.connectorTmpDir(
                c.tmpDir(), c.originalsStrings().get(TaskMetrics.CONNECTOR_NAME_CONFIG)),
            c.directoryDelim(),
            c.fileDelim(),
            c.zeroPadWidth());
    RotationPolicy rotation =
        new RotationPolicy(
            c.flushSize(),
            c.flushSizeBytes(),
            c.rotateIntervalMs(),
            c.rotateScheduleIntervalMs(),
            c.rotateIdleMs(),
            c.rotateTaskIdleMs(),
            ZoneId.of(c.timezone()));
    Partitioner partitioner = Partitioners.create(ps);
    // Only rotate.interval.ms reads record time here (a time partitioner builds its own): an
    // extractor no rule uses must not fail the task over its settings.
    TimestampExtractor timestamps =
        rotation.usesRecordTime() ? Partitioners.timestampExtractor(ps) : null;
    // Created after everything a bad config can fail, so that only the bucket's answer can leave
    // a client to close
    S3Storage storage = new S3Storage(clients.apply(s3), s3);
    try {
      abortStaleUploads(storage, naming, staleAfter(c.rotateScheduleIntervalMs()));
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
    // Registered after everything a bad config or bucket can fail, so a task that fails to start
    // leaves no MBean behind.
    TaskMetrics metrics = TaskMetrics.register(c.originals());
    RecordFormat format =
        RecordFormats.create(
            formatOptions,
            columnNames.reportingRenamesTo(metrics::columnRenamed),
            RecordFormats.heldRowBytes(c.getInt(S3_PART_SIZE)));
    UnitCommitter committer =
        new UnitCommitter(storage, format, naming, c.bucket(), c.markersDir(), builds);
    Components components =
        new Components(
            storage,
            format,
            partitioner,
            timestamps,
            rotation,
            naming,
            new BackgroundCommits(committer, c.getInt(S3_UPLOAD_THREADS), metrics),
            new BadRecordHandler(
                context, metrics, c.originalsStrings().get(BadRecordHandler.DLQ_TOPIC_CONFIG)),
            PartitionWriter.NullValues.valueOf(c.behaviorOnNullValues().toUpperCase(Locale.ROOT)),
            c.getBoolean(STORE_KEYS),
            OpenFileHeap.of(formatOptions),
            metrics);
    partsOverBudget(c).ifPresent(LOG::warn);
    PartitionPauses pauses = new PartitionPauses(context, metrics::pausedPartitions);
    return new StagingCommitter(
        components,
        context,
        new MemoryBudget(
            c.memoryBufferMaxBytes(),
            components.commits,
            metrics,
            pauses,
            MemoryBudget.maxWaitMs(c.originals().get(MemoryBudget.MAX_POLL_INTERVAL_OVERRIDE))),
        pauses,
        storage);
  }

  /** The least age of a multipart upload the start takes for one an earlier task left behind. */
  static final Duration MIN_STALE_UPLOAD_AGE = Duration.ofHours(24);

  /**
   * How old an upload under the connector's temporary prefix ({@link FileNaming#connectorTmpDir})
   * must be for a starting task to abort it. Every task of the connector lists the same uploads, so
   * the age must pass the longest a live file stays open: the schedule rule closes every unit
   * within its interval, so twice that and at least a day; without it a unit can stay open
   * indefinitely (a trickle keeps the idle rule from firing), so nothing is aborted by age and
   * stale uploads are left to a bucket lifecycle rule. The listing still runs: it is the call that
   * fails the start on a missing bucket or bad credentials.
   */
  static Optional<Duration> staleAfter(long scheduleIntervalMs) {
    if (scheduleIntervalMs <= 0) {
      return Optional.empty();
    }
    Duration twice = Duration.ofMillis(scheduleIntervalMs).multipliedBy(2);
    return Optional.of(twice.compareTo(MIN_STALE_UPLOAD_AGE) > 0 ? twice : MIN_STALE_UPLOAD_AGE);
  }

  /** Start-up calls to the bucket before a settings problem fails the task. */
  private static final int START_ATTEMPTS = 3;

  /**
   * Aborts multipart uploads earlier tasks left behind. It is the task's first call to the bucket,
   * so a missing bucket or unknown credentials fail the start here, rather than the first commit,
   * which may come minutes later; other failures only cost the clean-up. Such an answer is tried
   * twice more, a second and then two apart, since a key just rotated or a bucket just created may
   * be refused for a moment, and Connect does not restart a task that failed.
   */
  private static void abortStaleUploads(
      S3Storage storage, FileNaming naming, Optional<Duration> staleAfter) {
    for (int attempt = 1; ; attempt++) {
      try {
        int aborted = storage.abortStaleUploads(naming.tmpPrefix(), staleAfter);
        if (aborted > 0) {
          LOG.info(
              "Aborted {} multipart uploads older than {} under {} left by earlier tasks",
              aborted,
              staleAfter.get(),
              naming.tmpPrefix());
        }
        return;
      } catch (S3StorageException e) {
        if (!e.isSettingsProblem()) {
          LOG.warn(
              "Cannot clean up stale multipart uploads under {}: {} The task starts anyway (stale"
                  + " uploads only cost storage until a bucket lifecycle rule for incomplete uploads"
                  + " removes them); if the cause persists, its first commit fails on it too.",
              naming.tmpPrefix(),
              e.getMessage());
          return;
        }
        boolean again = attempt < START_ATTEMPTS;
        if (again) {
          LOG.warn("{} Trying again in {} s.", e.getMessage(), attempt);
        }
        if (!again || !pause(attempt)) {
          throw new ConnectException(e.getMessage() + " The task did not start.", e);
        }
      }
    }
  }

  /** Waits {@code seconds}; false when interrupted (the task is stopping). */
  private static boolean pause(int seconds) {
    try {
      Thread.sleep(1000L * seconds);
      return true;
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * A warning when the part one streaming file fills exceeds the memory budget by itself: the
   * memory rule then closes such files at about the budget, before flush.size. (Full parts waiting
   * for S3 make put() wait or pause, they close nothing.) Not a config error, since small files
   * never fill a part.
   */
  static Optional<String> partsOverBudget(SinkConfig c) {
    long part = c.getInt(S3_PART_SIZE);
    if (part <= c.memoryBufferMaxBytes()) {
      return Optional.empty();
    }
    return Optional.of(
        "Cannot keep files that stream to their flush.size: "
            + S3_PART_SIZE
            + "="
            + part
            + " lets one file hold more than "
            + MEMORY_BUFFER_MAX_BYTES
            + "="
            + c.memoryBufferMaxBytes()
            + " before it sends a part, so the memory rule closes such files at about the budget. Set "
            + S3_PART_SIZE
            + " to at most half of "
            + MEMORY_BUFFER_MAX_BYTES
            + ", so that a file fills its next part while S3 takes the last one.");
  }

  static S3Settings s3Settings(SinkConfig c) {
    S3Settings.Builder b =
        S3Settings.builder()
            .bucket(c.bucket())
            .region(c.getString(S3_REGION))
            .pathStyle(c.getBoolean(S3_PATH_STYLE))
            .checksumCalculation(c.getString(S3_CHECKSUM_CALCULATION))
            .partSizeBytes(c.getInt(S3_PART_SIZE))
            .maxRetries(c.getInt(S3_PART_RETRIES))
            .retryBackoff(Duration.ofMillis(c.getLong(S3_RETRY_BACKOFF_MS)))
            .maxConnections(
                Math.max(
                    S3Settings.DEFAULT_MAX_CONNECTIONS,
                    BackgroundCommits.connectionsFor(c.getInt(S3_UPLOAD_THREADS))));
    String endpoint = blankToNull(c.getString(STORE_URL));
    if (endpoint != null) {
      b.endpoint(URI.create(endpoint));
    }
    // The validators take any case; S3 and the SDK take only the canonical spelling.
    b.sseAlgorithm(canonical(blankToNull(c.getString(S3_SSEA_NAME)), S3Settings.SSE_ALGORITHMS));
    b.sseKmsKeyId(blankToNull(c.getString(S3_SSE_KMS_KEY_ID)));
    String acl = blankToNull(c.getString(S3_ACL_CANNED));
    b.cannedAcl(acl == null ? null : acl.toLowerCase(Locale.ROOT));
    String keyId = blankToNull(c.getString(AWS_ACCESS_KEY_ID));
    Password secret = c.getPassword(AWS_SECRET_ACCESS_KEY);
    if (keyId != null) {
      b.staticCredentials(keyId, secret);
    }
    b.stsRoleArn(blankToNull(c.getString(STS_ROLE_ARN)));
    b.stsSessionName(c.getString(STS_ROLE_SESSION_NAME));
    Password externalId = c.getPassword(STS_ROLE_EXTERNAL_ID);
    b.stsExternalId(externalId == null ? null : blankToNull(externalId.value()));
    b.stsRegion(blankToNull(c.getString(STS_REGION)));
    b.credentialsProvider(c.getString(CREDENTIALS_PROVIDER_CLASS), credentialsProviderSettings(c));
    HttpProxySettings.parse(
            c.getString(S3_PROXY_URL), c.getString(S3_PROXY_USER), c.getPassword(S3_PROXY_PASSWORD))
        .ifPresent(b::proxy);
    return b.build();
  }

  /**
   * The s3.credentials.provider.* settings other than the class, without the prefix (Confluent's
   * convention).
   */
  static Map<String, String> credentialsProviderSettings(SinkConfig c) {
    Map<String, String> out = new HashMap<>();
    c.originalsWithPrefix(S3Settings.CREDENTIALS_PROVIDER_PREFIX)
        .forEach((k, v) -> out.put(k, String.valueOf(v)));
    out.remove(
        CREDENTIALS_PROVIDER_CLASS.substring(S3Settings.CREDENTIALS_PROVIDER_PREFIX.length()));
    return out;
  }

  static FormatOptions formatOptions(SinkConfig c) {
    boolean keys = c.getBoolean(STORE_KEYS);
    boolean headers = c.getBoolean(STORE_HEADERS);
    return FormatOptions.builder()
        .format(c.format())
        .parquetCodec(parquetCodec(c.getString(PARQUET_CODEC)))
        .parquetRowGroupBytes(c.getInt(PARQUET_ROW_GROUP_BYTES))
        .parquetPageBytes(c.getInt(PARQUET_PAGE_BYTES))
        .parquetDictionaryEnabled(c.getBoolean(PARQUET_DICTIONARY))
        .parquetDictionaryExcludedColumns(c.getList(PARQUET_DICTIONARY_EXCLUDED))
        .parquetDictionaryProbeRows(c.getInt(PARQUET_DICTIONARY_PROBE_ROWS))
        .avroCodec(c.getString(AVRO_CODEC).toLowerCase(Locale.ROOT))
        .jsonCompression(c.getString(COMPRESSION_TYPE).toLowerCase(Locale.ROOT))
        .timestampUnit(
            "micros".equalsIgnoreCase(c.getString(TIMESTAMP_UNIT))
                ? TimestampUnit.MICROS
                : TimestampUnit.MILLIS)
        .metadataEnabled(c.getBoolean(METADATA_ENABLED))
        .topicColumn(c.getString(METADATA_TOPIC))
        .partitionColumn(c.getString(METADATA_PARTITION))
        .offsetColumn(c.getString(METADATA_OFFSET))
        .timestampColumn(c.getString(METADATA_TIMESTAMP))
        .keyColumnEnabled(keys)
        .keyColumn(c.getString(METADATA_KEY))
        .headersColumnEnabled(headers)
        .headersColumn(c.getString(METADATA_HEADERS))
        .deleteMarkers("write".equals(c.behaviorOnNullValues()))
        .deletedColumn(c.getString(METADATA_DELETED))
        .varcharMaxBytes(c.getInt(VARCHAR_MAX_BYTES))
        .truncateOversizeStrings(
            "truncate".equalsIgnoreCase(c.getString(BEHAVIOR_ON_OVERSIZE_STRING).trim()))
        .schemaCompatibility(SchemaCompatibility.of(c.getString(SCHEMA_COMPATIBILITY)))
        .build();
  }

  /** Parquet's own name for no compression, "uncompressed", is the same as "none". */
  private static String parquetCodec(String configured) {
    String codec = configured.trim().toLowerCase(Locale.ROOT);
    return codec.equals("uncompressed") ? "none" : codec;
  }

  /** {@code value} spelled as in {@code allowed} when it matches one ignoring case. */
  private static String canonical(String value, List<String> allowed) {
    if (value != null) {
      for (String a : allowed) {
        if (a.equalsIgnoreCase(value)) {
          return a;
        }
      }
    }
    return value;
  }

  private static String blankToNull(String s) {
    return s == null || s.trim().isEmpty() ? null : s.trim();
  }
}
