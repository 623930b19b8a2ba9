package io.redstage.connector.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;

import io.redstage.connector.format.FormatOptions;
import io.redstage.connector.partition.PartitionerSettings;
import io.redstage.connector.storage.HttpProxySettings;
import io.redstage.connector.storage.S3Settings;
import io.redstage.contract.FileFormat;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * The connector's one ConfigDef. Key names follow Confluent's S3 sink wherever the meaning is the
 * same, so a Confluent config runs with only {@code connector.class} changed. Each key's doc states
 * units and the default; {@code docs/config.md} is generated from this definition.
 */
public final class SinkConfigDef {
  public static final String GROUP_S3 = "S3";
  public static final String GROUP_AUTH = "Credentials";
  public static final String GROUP_LAYOUT = "Layout";
  public static final String GROUP_FORMAT = "Format";
  public static final String GROUP_LIMITS = "Warehouse limits";
  public static final String GROUP_PARTITION = "Partitioner";
  public static final String GROUP_ROTATION = "Rotation";
  public static final String GROUP_METADATA = "Metadata columns";
  public static final String GROUP_ERRORS = "Errors";
  public static final String GROUP_MEMORY = "Memory";

  // S3
  public static final String S3_BUCKET = "s3.bucket.name";
  public static final String S3_REGION = "s3.region";
  public static final String STORE_URL = "store.url";
  public static final String S3_PATH_STYLE = "s3.path.style.access.enabled";
  public static final String S3_CHECKSUM_CALCULATION = S3Settings.CHECKSUM_CALCULATION_CONFIG;
  public static final String S3_PART_SIZE = "s3.part.size";
  public static final String S3_SSEA_NAME = "s3.ssea.name";
  public static final String S3_SSE_KMS_KEY_ID = "s3.sse.kms.key.id";
  public static final String S3_ACL_CANNED = "s3.acl.canned";
  public static final String S3_PART_RETRIES = "s3.part.retries";
  public static final String S3_RETRY_BACKOFF_MS = "s3.retry.backoff.ms";
  public static final String S3_UPLOAD_THREADS = "s3.upload.threads";
  public static final String S3_PROXY_URL = HttpProxySettings.URL_CONFIG;
  public static final String S3_PROXY_USER = HttpProxySettings.USER_CONFIG;
  public static final String S3_PROXY_PASSWORD = HttpProxySettings.PASSWORD_CONFIG;
  // Credentials
  public static final String AWS_ACCESS_KEY_ID = "aws.access.key.id";
  public static final String AWS_SECRET_ACCESS_KEY = "aws.secret.access.key";
  public static final String STS_ROLE_ARN = "sts.role.arn";
  public static final String STS_ROLE_SESSION_NAME = "sts.role.session.name";
  public static final String STS_ROLE_EXTERNAL_ID = "sts.role.external.id";
  public static final String STS_REGION = "sts.region";
  public static final String CREDENTIALS_PROVIDER_CLASS = S3Settings.CREDENTIALS_PROVIDER_CONFIG;
  // Layout
  public static final String TOPICS_DIR = "topics.dir";
  public static final String MARKERS_DIR = "markers.dir";
  public static final String TMP_DIR = "tmp.dir";
  public static final String DIRECTORY_DELIM = "directory.delim";
  public static final String FILE_DELIM = "file.delim";
  public static final String ZERO_PAD_WIDTH = "filename.offset.zero.pad.width";
  // Format
  public static final String FORMAT_CLASS = "format.class";
  public static final String PARQUET_CODEC = "parquet.codec";
  public static final String PARQUET_ROW_GROUP_BYTES = "parquet.row.group.size.bytes";
  public static final String PARQUET_PAGE_BYTES = "parquet.page.size.bytes";
  public static final String PARQUET_DICTIONARY = "parquet.dictionary.enabled";
  public static final String PARQUET_DICTIONARY_EXCLUDED = "parquet.dictionary.excluded.columns";
  public static final String PARQUET_DICTIONARY_PROBE_ROWS = "parquet.dictionary.probe.rows";
  public static final String AVRO_CODEC = "avro.codec";
  public static final String COMPRESSION_TYPE = "s3.compression.type";
  public static final String TIMESTAMP_UNIT = "format.timestamp.unit";
  public static final String SCHEMA_COMPATIBILITY = "schema.compatibility";
  public static final String COLUMN_NAME_MAP = "column.name.map";
  // Warehouse limits
  public static final String VARCHAR_MAX_BYTES = "varchar.max.bytes";
  public static final String BEHAVIOR_ON_OVERSIZE_STRING = "behavior.on.oversize.string";
  // Partitioner
  public static final String PARTITIONER_CLASS = "partitioner.class";
  public static final String PARTITION_FIELD_NAME = "partition.field.name";
  public static final String PATH_FORMAT = "path.format";
  public static final String PARTITION_DURATION_MS = "partition.duration.ms";
  public static final String LOCALE = "locale";
  public static final String TIMEZONE = "timezone";
  public static final String TIMESTAMP_EXTRACTOR = "timestamp.extractor";
  public static final String TIMESTAMP_FIELD = "timestamp.field";
  // Rotation
  public static final String FLUSH_SIZE = "flush.size";
  public static final String FLUSH_SIZE_BYTES = "flush.size.bytes";
  public static final String ROTATE_INTERVAL_MS = "rotate.interval.ms";
  public static final String ROTATE_SCHEDULE_INTERVAL_MS = "rotate.schedule.interval.ms";
  public static final String ROTATE_IDLE_MS = "rotate.idle.ms";
  public static final String ROTATE_TASK_IDLE_MS = "rotate.task.idle.ms";
  // Metadata
  public static final String METADATA_ENABLED = "metadata.columns.enabled";
  public static final String METADATA_TOPIC = "metadata.topic.column";
  public static final String METADATA_PARTITION = "metadata.partition.column";
  public static final String METADATA_OFFSET = "metadata.offset.column";
  public static final String METADATA_TIMESTAMP = "metadata.timestamp.column";
  public static final String STORE_KEYS = "store.kafka.keys";
  public static final String METADATA_KEY = "metadata.key.column";
  public static final String STORE_HEADERS = "store.kafka.headers";
  public static final String METADATA_HEADERS = "metadata.headers.column";
  public static final String METADATA_DELETED = "metadata.deleted.column";
  // Errors
  public static final String BEHAVIOR_ON_NULL_VALUES = "behavior.on.null.values";
  // Memory
  public static final String MEMORY_BUFFER_MAX_BYTES = "memory.buffer.max.bytes";

  static final int MIB = 1024 * 1024;

  // When keys apply, for the validate endpoint's "visible" (see Recommenders)
  private static final Predicate<Map<String, Object>> PARQUET =
      Recommenders.format(FileFormat.PARQUET);
  private static final Predicate<Map<String, Object>> PARQUET_DICTIONARIES =
      PARQUET.and(Recommenders.enabled(PARQUET_DICTIONARY));
  private static final Predicate<Map<String, Object>> TIME_PARTITIONER =
      Recommenders.partitioner(PartitionerSettings.TYPE_TIME);

  // The values of keys that take one of a list, each the source of its key's validator and
  // recommender; lists the connector's code reads live with that code (FormatOptions, S3Settings)
  private static final List<String> CHECKSUM_CALCULATIONS =
      List.of("when_supported", "when_required");
  private static final List<String> CANNED_ACLS =
      List.of(
          "private",
          "public-read",
          "public-read-write",
          "authenticated-read",
          "aws-exec-read",
          "bucket-owner-read",
          "bucket-owner-full-control");
  private static final List<String> TIMESTAMP_UNITS = List.of("millis", "micros");
  private static final List<String> SCHEMA_COMPATIBILITIES =
      List.of("NONE", "BACKWARD", "FORWARD", "FULL");
  private static final List<String> OVERSIZE_STRING_BEHAVIORS = List.of("fail", "truncate");
  private static final List<String> NULL_VALUE_BEHAVIORS = List.of("fail", "ignore", "write");

  /** Parquet codecs accepted: those offered, and Parquet's own name for none. */
  private static final List<String> PARQUET_CODECS_ACCEPTED =
      Stream.concat(FormatOptions.PARQUET_CODECS.stream(), Stream.of("uncompressed"))
          .collect(Collectors.toList());

  private SinkConfigDef() {}

  public static ConfigDef create() {
    ConfigDef def = new ConfigDef();
    defineS3(def);
    defineCredentials(def);
    defineLayout(def);
    defineFormat(def);
    defineLimits(def);
    definePartitioner(def);
    defineRotation(def);
    defineMetadata(def);
    defineErrors(def);
    def.define(
        MEMORY_BUFFER_MAX_BYTES,
        Type.LONG,
        256L * MIB,
        Validators.atLeast(8L * MIB),
        HIGH,
        "Upper bound, in bytes, on everything one task buffers in heap: the encoded rows Parquet and Avro "
            + "files hold until their unit commits (about 2 KB per open file besides), Parquet row groups being "
            + "built and S3 part buffers of files that stream (full parts count until S3 has them), an estimate of "
            + "each streaming file's encoder "
            + "overhead (per column for Parquet, see parquet.dictionary.enabled; about 100 KB per Avro file; about 20 KB "
            + "per JSON Lines file, 284 KB with gzip, whose deflate state lives outside the heap) and "
            + "closed units still waiting to be committed in the background. When the total passes it, the task first waits for those commits and "
            + "parts, then closes its largest open commit units early (rotation reason 'memory.buffer.max.bytes') instead of growing; "
            + "when S3 is too slow for them to fit within a third of the consumer's max.poll.interval.ms (read "
            + "from consumer.override.max.poll.interval.ms; set it when the worker lowers its own), it pauses its "
            + "partitions until they do, so that the consumer keeps its place in the group. Default 268435456 (256 MiB); "
            + "minimum 8 MiB. Keep it well below the worker heap divided by the tasks per worker.",
        GROUP_MEMORY,
        1,
        Width.LONG,
        "Memory budget per task (bytes)");
    return def;
  }

  private static void defineS3(ConfigDef def) {
    int o = 0;
    def.define(
        S3_BUCKET,
        Type.STRING,
        ConfigDef.NO_DEFAULT_VALUE,
        Validators.NON_EMPTY,
        HIGH,
        "The S3 bucket data files and commit markers are written to. Required.",
        GROUP_S3,
        ++o,
        Width.LONG,
        "S3 bucket");
    def.define(
        S3_REGION,
        Type.STRING,
        "us-west-2",
        Validators.REGION,
        MEDIUM,
        "AWS region of the bucket, e.g. us-east-1 (against AWS in lower case, as it is signed into every request; "
            + "an S3-compatible store may name its regions otherwise). Default "
            + "us-west-2 (as Confluent's S3 sink).",
        GROUP_S3,
        ++o,
        Width.SHORT,
        "Region",
        List.of(),
        Recommenders.values(Recommenders.awsRegions()));
    def.define(
        STORE_URL,
        Type.STRING,
        null,
        Validators.URL,
        MEDIUM,
        "Custom S3 endpoint URL (S3-compatible stores, VPC endpoints, local stand-ins), e.g. http://127.0.0.1:9000. "
            + "Default: none (the AWS endpoint of s3.region).",
        GROUP_S3,
        ++o,
        Width.LONG,
        "Endpoint URL");
    def.define(
        S3_PATH_STYLE,
        Type.BOOLEAN,
        true,
        MEDIUM,
        "Use path-style requests (https://host/bucket/key) instead of virtual-hosted style. Default true.",
        GROUP_S3,
        ++o,
        Width.SHORT,
        "Path-style access");
    def.define(
        S3_CHECKSUM_CALCULATION,
        Type.STRING,
        "when_supported",
        Validators.oneOf(CHECKSUM_CALCULATIONS),
        LOW,
        "When uploads carry a checksum that S3 verifies before it stores the object: when_supported (every "
            + "PutObject and UploadPart carries a CRC32, sent as a trailer of an aws-chunked body, so a damaged "
            + "upload is refused, never stored) or when_required (only where S3 demands one). Set when_required for "
            + "an S3-compatible store that refuses aws-chunked bodies or checksum trailers (errors such as 501 "
            + "NotImplemented or 400 InvalidArgument on every upload); over plain HTTP the payload is still signed. "
            + "Default when_supported.",
        GROUP_S3,
        ++o,
        Width.SHORT,
        "Upload checksums",
        List.of(),
        Recommenders.values(CHECKSUM_CALCULATIONS));
    def.define(
        S3_PART_SIZE,
        Type.INT,
        64 * MIB,
        Validators.between(5 * MIB, 1024 * MIB),
        MEDIUM,
        "Multipart upload part size in bytes; also the most one open file buffers in heap before a part is "
            + "sent (buffers grow on demand, they are not allocated up front). Files smaller than one part go to "
            + "their final key in a single PUT; larger ones stream as a multipart upload to tmp.dir and are copied "
            + "to their final key when the unit commits: at least six requests instead of one, and S3 writes the "
            + "file twice before the commit completes. Full parts are sent in the background, one at a time per "
            + "file, while the file goes on filling the next, and count in memory.buffer.max.bytes until S3 has "
            + "them. When a file fills a part while the one before is still being sent, S3 is the slower side: "
            + "put() waits for that part to go out, at most a third of the consumer's max.poll.interval.ms, and "
            + "then pauses the partitions until it has (as for commits). Default 67108864 (64 MiB, so that files of up to 64 MiB take one PUT; Confluent's "
            + "S3 sink uses 25 MiB), a quarter of the default memory.buffer.max.bytes. With a budget below one "
            + "part, lower this too, or the memory rule closes such files at about the budget (the task warns at "
            + "start); below two parts, a file waits for each part to be sent before it fills the next. Each S3 "
            + "call, retries included, may take five minutes, or longer for large parts: long enough for every "
            + "attempt to send a part at 2 MiB/s. "
            + "Range 5 MiB to 1 GiB.",
        GROUP_S3,
        ++o,
        Width.MEDIUM,
        "Part size (bytes)");
    def.define(
        S3_SSEA_NAME,
        Type.STRING,
        "",
        Validators.oneOfOrEmpty(S3Settings.SSE_ALGORITHMS),
        MEDIUM,
        "Server-side encryption: AES256 (SSE-S3), aws:kms or aws:kms:dsse (SSE-KMS). Default: empty (the bucket's default).",
        GROUP_S3,
        ++o,
        Width.SHORT,
        "Server-side encryption",
        List.of(S3_SSE_KMS_KEY_ID),
        Recommenders.values(S3Settings.SSE_ALGORITHMS));
    def.define(
        S3_SSE_KMS_KEY_ID,
        Type.STRING,
        "",
        MEDIUM,
        "KMS key id or ARN for SSE-KMS; requires s3.ssea.name=aws:kms or aws:kms:dsse. Default: empty (the AWS managed key).",
        GROUP_S3,
        ++o,
        Width.LONG,
        "KMS key id",
        List.of(),
        Recommenders.when(Recommenders.startsWith(S3_SSEA_NAME, "aws:kms")));
    def.define(
        S3_ACL_CANNED,
        Type.STRING,
        "",
        Validators.oneOfOrEmpty(CANNED_ACLS),
        LOW,
        "Canned ACL for every object written, e.g. bucket-owner-full-control; S3 then also asks the "
            + "connector's role for s3:PutObjectAcl on the prefixes it writes (topics.dir, markers.dir, "
            + "tmp.dir). Default: empty (no ACL header).",
        GROUP_S3,
        ++o,
        Width.MEDIUM,
        "Canned ACL",
        List.of(),
        Recommenders.values(CANNED_ACLS));
    def.define(
        S3_PART_RETRIES,
        Type.INT,
        3,
        Validators.between(0, 20),
        LOW,
        "Retries of one S3 request after throttling or a 5xx error (AWS SDK standard retry strategy with "
            + "exponential backoff). Default 3.",
        GROUP_S3,
        ++o,
        Width.SHORT,
        "Retries");
    def.define(
        S3_RETRY_BACKOFF_MS,
        Type.LONG,
        200L,
        Validators.between(1, 60_000),
        LOW,
        "Base delay in milliseconds of the exponential backoff between S3 retries. Default 200.",
        GROUP_S3,
        ++o,
        Width.SHORT,
        "Retry backoff (ms)");
    def.define(
        S3_UPLOAD_THREADS,
        Type.INT,
        32,
        Validators.between(1, 128),
        LOW,
        "Threads per task that commit closed units in the background (finish the files, complete their uploads, "
            + "write the markers) while the task goes on encoding, and as many again that send full parts of open "
            + "files. Each unit's commit waits for two S3 round trips (its file, then its marker), so when many "
            + "partitions close units at once (a rotate.schedule.interval.ms boundary), at most this many units "
            + "commit per round-trip pair: 32 threads against S3's ~30 ms commit 1,000 units in about 2 s of "
            + "waiting, 8 in about 7.5 s. A partition's units still commit one after the other, in offset order. "
            + "Threads end after a minute without work. Building the files is CPU work: at most one file per "
            + "processor is built at once per task, whatever this says. The S3 client's connection pool "
            + "holds twice this plus 6 connections (4 for aborting the uploads of dropped files; at least 50). Default 32; range 1 to 128.",
        GROUP_S3,
        ++o,
        Width.SHORT,
        "Upload threads");
    def.define(
        S3_PROXY_URL,
        Type.STRING,
        "",
        Validators.PROXY_URL,
        LOW,
        "HTTP proxy for S3 and STS calls, in URL syntax: http://proxy.example.com:3128, or with credentials "
            + "http://user:password@proxy.example.com:3128 (as Confluent's S3 sink; prefer s3.proxy.password, which "
            + "is never shown). Default: empty (no proxy).",
        GROUP_S3,
        ++o,
        Width.LONG,
        "Proxy URL",
        List.of(S3_PROXY_USER, S3_PROXY_PASSWORD),
        null);
    def.define(
        S3_PROXY_USER,
        Type.STRING,
        "",
        LOW,
        "User for the HTTP proxy; wins over a user in s3.proxy.url. Default: empty.",
        GROUP_S3,
        ++o,
        Width.MEDIUM,
        "Proxy user",
        List.of(),
        Recommenders.when(Recommenders.set(S3_PROXY_URL)));
    def.define(
        S3_PROXY_PASSWORD,
        Type.PASSWORD,
        "",
        LOW,
        "Password for the HTTP proxy; wins over a password in s3.proxy.url. Never logged.",
        GROUP_S3,
        ++o,
        Width.MEDIUM,
        "Proxy password",
        List.of(),
        Recommenders.when(Recommenders.set(S3_PROXY_URL)));
  }

  private static void defineCredentials(ConfigDef def) {
    int o = 0;
    def.define(
        AWS_ACCESS_KEY_ID,
        Type.STRING,
        "",
        MEDIUM,
        "Static access key id. Default: empty, which uses the AWS default credentials chain (environment, "
            + "system properties, profile, container and instance roles).",
        GROUP_AUTH,
        ++o,
        Width.MEDIUM,
        "Access key id");
    def.define(
        AWS_SECRET_ACCESS_KEY,
        Type.PASSWORD,
        "",
        MEDIUM,
        "Static secret access key; required with aws.access.key.id. Never logged.",
        GROUP_AUTH,
        ++o,
        Width.MEDIUM,
        "Secret access key");
    def.define(
        STS_ROLE_ARN,
        Type.STRING,
        "",
        Validators.orEmpty(Validators.ROLE_ARN),
        MEDIUM,
        "IAM role to assume through STS for S3 access (on top of the static keys or the default chain). Default: empty (no role).",
        GROUP_AUTH,
        ++o,
        Width.LONG,
        "Role ARN",
        List.of(STS_ROLE_SESSION_NAME, STS_ROLE_EXTERNAL_ID, STS_REGION),
        null);
    def.define(
        STS_ROLE_SESSION_NAME,
        Type.STRING,
        "redstage-s3-sink",
        LOW,
        "Session name for the assumed role: 2 to 64 of letters, digits and _+=,.@- (STS's rule). Default "
            + "redstage-s3-sink.",
        GROUP_AUTH,
        ++o,
        Width.MEDIUM,
        "Role session name",
        List.of(),
        Recommenders.when(Recommenders.set(STS_ROLE_ARN)));
    def.define(
        STS_ROLE_EXTERNAL_ID,
        Type.PASSWORD,
        "",
        LOW,
        "External id for the assumed role, if its trust policy requires one; never shown or logged. Default: "
            + "empty.",
        GROUP_AUTH,
        ++o,
        Width.MEDIUM,
        "External id",
        List.of(),
        Recommenders.when(Recommenders.set(STS_ROLE_ARN)));
    def.define(
        STS_REGION,
        Type.STRING,
        "",
        Validators.orEmpty(Validators.REGION),
        LOW,
        "Region of the STS endpoint. Default: empty (s3.region).",
        GROUP_AUTH,
        ++o,
        Width.SHORT,
        "STS region",
        List.of(),
        Recommenders.when(Recommenders.set(STS_ROLE_ARN)));
    def.define(
        CREDENTIALS_PROVIDER_CLASS,
        Type.STRING,
        "",
        Validators.CREDENTIALS_PROVIDER,
        MEDIUM,
        "An AWS SDK v2 credentials provider class (software.amazon.awssdk.auth.credentials.AwsCredentialsProvider), "
            + "created through its static create() method or its public no-arg constructor; if it implements "
            + "org.apache.kafka.common.Configurable it receives every s3.credentials.provider.* setting (prefix "
            + "removed). The AWS SDK v1 names of Confluent configs with a v2 equivalent are accepted: "
            + "com.amazonaws.auth.DefaultAWSCredentialsProviderChain, EnvironmentVariableCredentialsProvider, "
            + "SystemPropertiesCredentialsProvider, InstanceProfileCredentialsProvider, ContainerCredentialsProvider, "
            + "WebIdentityTokenCredentialsProvider and com.amazonaws.auth.profile.ProfileCredentialsProvider. Cannot be "
            + "combined with aws.access.key.id; sts.role.arn assumes its role with these credentials. "
            + "Default: empty (the AWS default credentials chain).",
        GROUP_AUTH,
        ++o,
        Width.LONG,
        "Credentials provider class");
  }

  private static void defineLayout(ConfigDef def) {
    int o = 0;
    def.define(
        TOPICS_DIR,
        Type.STRING,
        "topics",
        Validators.S3_PREFIX,
        HIGH,
        "Top-level prefix for data files: <topics.dir>/<topic>/<encoded partition>/<file>. Default topics.",
        GROUP_LAYOUT,
        ++o,
        Width.MEDIUM,
        "Data prefix");
    def.define(
        MARKERS_DIR,
        Type.STRING,
        "_redstage/markers",
        Validators.S3_PREFIX,
        HIGH,
        "Prefix for commit markers, one small JSON object per commit unit; the copy-loader lists only this "
            + "prefix. Must match the loader's markers prefix; not empty. Default _redstage/markers.",
        GROUP_LAYOUT,
        ++o,
        Width.MEDIUM,
        "Markers prefix");
    def.define(
        TMP_DIR,
        Type.STRING,
        "_redstage/tmp",
        Validators.S3_PREFIX,
        LOW,
        "Prefix for files larger than one part while they are being written, each connector under a folder "
            + "named after it (<tmp.dir>/<connector name>/); they are copied to their final key once the unit's "
            + "end offset is known. Not empty, and apart from topics.dir and markers.dir (a lifecycle rule that "
            + "expires leftovers here must not reach committed files or markers): a starting task aborts "
            + "multipart uploads under its connector's folder older than any live file can be (a day, or twice "
            + "rotate.schedule.interval.ms if longer; none by age with that rule off, when a bucket lifecycle rule "
            + "for incomplete uploads should remove them). Default _redstage/tmp.",
        GROUP_LAYOUT,
        ++o,
        Width.MEDIUM,
        "Temporary prefix");
    def.define(
        DIRECTORY_DELIM,
        Type.STRING,
        "/",
        Validators.NON_EMPTY,
        LOW,
        "Delimiter between path levels of the encoded partition. Default /.",
        GROUP_LAYOUT,
        ++o,
        Width.SHORT,
        "Directory delimiter");
    def.define(
        FILE_DELIM,
        Type.STRING,
        "+",
        Validators.NON_EMPTY,
        LOW,
        "Delimiter between topic, partition and offsets in file names. Default +.",
        GROUP_LAYOUT,
        ++o,
        Width.SHORT,
        "File delimiter");
    def.define(
        ZERO_PAD_WIDTH,
        Type.INT,
        10,
        Validators.between(1, 20),
        LOW,
        "Digits the offsets in file names are zero-padded to, so that keys sort in offset order. Default 10.",
        GROUP_LAYOUT,
        ++o,
        Width.SHORT,
        "Offset padding (digits)");
  }

  private static void defineFormat(ConfigDef def) {
    int o = 0;
    def.define(
        FORMAT_CLASS,
        Type.STRING,
        "parquet",
        Validators.FORMAT,
        HIGH,
        "File format: parquet, avro or jsonl (JSON Lines). Confluent's class names "
            + "(io.confluent.connect.s3.format.parquet.ParquetFormat, ...avro.AvroFormat, ...json.JsonFormat) "
            + "are accepted. Default parquet.",
        GROUP_FORMAT,
        ++o,
        Width.MEDIUM,
        "Format",
        List.of(
            PARQUET_CODEC,
            PARQUET_ROW_GROUP_BYTES,
            PARQUET_PAGE_BYTES,
            PARQUET_DICTIONARY,
            PARQUET_DICTIONARY_EXCLUDED,
            PARQUET_DICTIONARY_PROBE_ROWS,
            AVRO_CODEC,
            COMPRESSION_TYPE,
            TIMESTAMP_UNIT),
        Recommenders.values(
            Arrays.stream(FileFormat.values()).map(FileFormat::id).collect(Collectors.toList())));
    def.define(
        PARQUET_CODEC,
        Type.STRING,
        "snappy",
        Validators.oneOf(PARQUET_CODECS_ACCEPTED),
        MEDIUM,
        "Parquet compression codec: snappy, zstd, gzip or none (uncompressed means none). Default snappy.",
        GROUP_FORMAT,
        ++o,
        Width.SHORT,
        "Parquet codec",
        List.of(),
        Recommenders.when(PARQUET, FormatOptions.PARQUET_CODECS));
    def.define(
        PARQUET_ROW_GROUP_BYTES,
        Type.INT,
        8 * MIB,
        Validators.between(MIB, 512 * MIB),
        MEDIUM,
        "Parquet row group size in bytes: how much one open Parquet file buffers in heap before writing a "
            + "row group. Default 8388608 (8 MiB); range 1 MiB to 512 MiB.",
        GROUP_FORMAT,
        ++o,
        Width.MEDIUM,
        "Parquet row group (bytes)",
        List.of(),
        Recommenders.when(PARQUET));
    def.define(
        PARQUET_PAGE_BYTES,
        Type.INT,
        256 * 1024,
        Validators.between(8 * 1024, 16 * MIB),
        LOW,
        "Parquet page size in bytes. Default 262144 (256 KiB); range 8 KiB to 16 MiB.",
        GROUP_FORMAT,
        ++o,
        Width.MEDIUM,
        "Parquet page (bytes)",
        List.of(),
        Recommenders.when(PARQUET));
    def.define(
        PARQUET_DICTIONARY,
        Type.BOOLEAN,
        true,
        MEDIUM,
        "Parquet dictionary encoding: smaller files for repetitive columns, but every Parquet encoder holds "
            + "about 24 KB of heap per column instead of 7 KB, plus its dictionaries (up to a few times the page "
            + "size per column). An open file has no encoder until its unit commits or its encoded rows pass "
            + "s3.part.size or 25 MiB, so this matters only for the files being built and for larger files. "
            + "Default true.",
        GROUP_FORMAT,
        ++o,
        Width.SHORT,
        "Parquet dictionary",
        List.of(PARQUET_DICTIONARY_EXCLUDED, PARQUET_DICTIONARY_PROBE_ROWS),
        Recommenders.when(PARQUET));
    def.define(
        PARQUET_DICTIONARY_EXCLUDED,
        Type.LIST,
        Collections.emptyList(),
        Validators.DICTIONARY_EXCLUDED_COLUMNS,
        LOW,
        "Parquet columns written without dictionary encoding, comma-separated: column names as written in the "
            + "files (after column.name.map; case-sensitive), or column.field for a field inside a struct column; "
            + "a struct, list or map column covers all its fields. Deeper paths follow the Parquet leaf path, as "
            + "the log line below prints them (e.g. items.list.element.id). List columns whose values rarely repeat within a file, "
            + "such as ids, UUIDs, exact timestamps or free text: Parquet first builds a dictionary for every "
            + "column and writes such a column plain anyway once the dictionary turns out no smaller, so "
            + "excluding it saves that CPU when files are built and leaves the file the same or about the "
            + "same size. A column whose values do repeat gets a larger file. The offset metadata column is "
            + "always written plain (its values never repeat within a file), and top-level columns whose sampled "
            + "values all differ are found per file without listing them (parquet.dictionary.probe.rows). To "
            + "find candidates, the task logs "
            + "at INFO, once per schema and task, the columns whose dictionary Parquet dropped in a file of 1,000 rows "
            + "or more. A name that matches no column is logged as a warning once per schema and task. Default empty.",
        GROUP_FORMAT,
        ++o,
        Width.LONG,
        "Parquet columns without dictionary",
        List.of(),
        Recommenders.when(PARQUET_DICTIONARIES));
    def.define(
        PARQUET_DICTIONARY_PROBE_ROWS,
        Type.INT,
        1024,
        Validators.between(0, 4096),
        LOW,
        "Rows of each Parquet file sampled for repeating values, so that columns whose values do not repeat "
            + "skip the dictionary Parquet would build and then drop: the rows are drawn (the same ones for the "
            + "same file) from the file's first 20,000, and a top-level column whose values in them are all "
            + "present and all different, or outgrow parquet.page.size.bytes (which also caps dictionaries) before "
            + "one repeats, is written without dictionary encoding in that file. Parquet keeps a column's "
            + "dictionary only while it stays under that size and, when the first page closes, makes the values "
            + "smaller; for ids, exact timestamps, amounts or free text it hashes a page and then rewrites it "
            + "plain, and such a column written plain from the start has the same bytes. With 1,024 rows a "
            + "column of uniformly drawn values shows no repeat only when it has hundreds of thousands of "
            + "distinct values; a column that looks so in the sample but repeats elsewhere in the file (in a "
            + "later row group, say) is written larger than Parquet would write it. A file of fewer rows is probed "
            + "in full, and then its bytes are always Parquet's. Files whose encoder starts (see s3.part.size) "
            + "before they hold this many rows, fields inside "
            + "structs, lists and maps, and columns with a null in the sampled rows (unless they outgrow first) "
            + "keep the dictionary. Default 1024; 0 turns sampling off (every column starts with a dictionary, "
            + "as in parquet-java); at most 4096.",
        GROUP_FORMAT,
        ++o,
        Width.SHORT,
        "Parquet dictionary probe (rows)",
        List.of(),
        Recommenders.when(PARQUET_DICTIONARIES));
    def.define(
        AVRO_CODEC,
        Type.STRING,
        "null",
        Validators.oneOf(FormatOptions.AVRO_CODECS),
        MEDIUM,
        "Avro container codec: null, deflate, snappy or zstd. Redshift COPY reads null, deflate and snappy: with zstd the connector warns at start and copy-loader quarantines the units (zstd is for files read by other tools). Default null.",
        GROUP_FORMAT,
        ++o,
        Width.SHORT,
        "Avro codec",
        List.of(),
        Recommenders.when(Recommenders.format(FileFormat.AVRO), FormatOptions.AVRO_CODECS));
    def.define(
        COMPRESSION_TYPE,
        Type.STRING,
        "none",
        Validators.oneOf(FormatOptions.JSON_COMPRESSIONS),
        MEDIUM,
        "Whole-file compression for JSON Lines: none or gzip. With parquet or avro only none is accepted "
            + "(they compress inside the file: see their codecs). Default none.",
        GROUP_FORMAT,
        ++o,
        Width.SHORT,
        "JSON compression",
        List.of(),
        Recommenders.when(Recommenders.format(FileFormat.JSONL), FormatOptions.JSON_COMPRESSIONS));
    def.define(
        TIMESTAMP_UNIT,
        Type.STRING,
        "millis",
        Validators.oneOf(TIMESTAMP_UNITS),
        LOW,
        "Unit of timestamp columns: millis or micros (never nanos, which Redshift misreads); in JSON Lines, the "
            + "digits of the fraction in timestamp text. Default millis.",
        GROUP_FORMAT,
        ++o,
        Width.SHORT,
        "Timestamp unit",
        List.of(),
        Recommenders.values(TIMESTAMP_UNITS));
    def.define(
        SCHEMA_COMPATIBILITY,
        Type.STRING,
        "NONE",
        Validators.oneOf(SCHEMA_COMPATIBILITIES),
        LOW,
        "Which value schema versions share a commit unit, as in Confluent's storage sinks (versions are "
            + "Schema.version(), set by the AvroConverter from Schema Registry). NONE: any schema change closes the unit "
            + "(rotation reason 'schema change'); the loader evolves the table. BACKWARD or FULL: a newer version closes the "
            + "unit and its files take the new schema; older versions of the same schema name are projected to it "
            + "(a field they lack gets its default, or NULL when optional without default); an older record the "
            + "projection would change closes the unit instead and opens one of its own version: a value in a field the "
            + "newer version removed, a number the newer type would round (int64 beyond 2^53 into float64, int32 "
            + "beyond 2^24 or int64 into float32), a null where the newer field is required (it would get the default). "
            + "Confluent's sink writes those changed. FORWARD: files keep the "
            + "schema they opened with; newer versions are projected to it (fields it lacks are dropped; a number it "
            + "would round or a null it would make a default closes the unit) and an older "
            + "version closes the unit. A projection Connect's SchemaProjector refuses (type change, new required "
            + "field without default, other schema name) and records without a schema version close the unit as under "
            + "NONE. Default NONE: what Confluent's sink does by default, and the only mode that never changes values "
            + "(BACKWARD writes a field's default where NONE loads NULL; FORWARD drops fields). Set BACKWARD when "
            + "producers with different schema versions interleave (rolling deploys): one unit per upgrade instead of "
            + "one per flip (as long as old producers fill no field the new version removed), so fewer small files "
            + "and COPYs.",
        GROUP_FORMAT,
        ++o,
        Width.SHORT,
        "Schema compatibility",
        List.of(),
        Recommenders.values(SCHEMA_COMPATIBILITIES));
    def.define(
        COLUMN_NAME_MAP,
        Type.LIST,
        Collections.emptyList(),
        Validators.COLUMN_NAME_MAP,
        MEDIUM,
        "Column names for top-level fields, as field:column pairs separated by commas, e.g. "
            + "'Order Id:order_id,customer-name:customer' (split at the last ':'). Applies to every topic and format. "
            + "Any other field keeps its name with only letters, digits and '_' (other characters become '_', a "
            + "leading digit gets a '_' prefix), so Parquet, Avro and JSON Lines write the same columns; each rename "
            + "is logged once. A record whose column name would exceed 127 bytes, or with two fields that become "
            + "one column once Redshift folds names to lower case, is rejected (errors.tolerance decides: dead "
            + "letter queue or task failure): map such fields here. Targets: 1 to 127 letters, digits or "
            + "underscores, starting with a letter or underscore; each field and each target (ignoring case) at "
            + "most once, and not the name of a metadata column the files get. Names nested inside structs are not mapped: JSON Lines keeps them (they are SUPER values), "
            + "Parquet and Avro rewrite their characters by the same rule. Default empty.",
        GROUP_FORMAT,
        ++o,
        Width.LONG,
        "Column name map");
  }

  private static void defineLimits(ConfigDef def) {
    int o = 0;
    def.define(
        VARCHAR_MAX_BYTES,
        Type.INT,
        FormatOptions.MAX_VARCHAR_BYTES,
        Validators.between(1, FormatOptions.MAX_VARCHAR_BYTES),
        MEDIUM,
        "Most UTF-8 bytes of a string that becomes a column (a top-level field, or the value itself). The loader "
            + "widens a VARCHAR column a longer string does not fit (its tables.varchar-widen, on by default), up "
            + "to 65535; where it may not (widening off, or columns you manage), match this to their size: a longer "
            + "string would make the COPY of its whole unit fail. Strings inside structs, arrays and maps land in SUPER, "
            + "where each may hold 65535 bytes whatever this says (Avro: the whole nested column, as JSON text, "
            + "must fit 65535 bytes). Every string is also checked for U+0000 (NUL) "
            + "and unpaired surrogates, which Redshift cannot load: such records go to the dead letter queue "
            + "(errors.tolerance=all) or fail the task. Default 65535 (Redshift's VARCHAR maximum); range 1 to 65535.",
        GROUP_LIMITS,
        ++o,
        Width.SHORT,
        "Largest string (bytes)");
    def.define(
        BEHAVIOR_ON_OVERSIZE_STRING,
        Type.STRING,
        "fail",
        Validators.oneOf(OVERSIZE_STRING_BEHAVIORS),
        MEDIUM,
        "What to do with a string over its byte limit (varchar.max.bytes, or 65535 inside SUPER): fail rejects the "
            + "record, which goes to the dead letter queue under errors.tolerance=all and fails the task "
            + "otherwise; truncate cuts the string at a character boundary to the limit and writes the record "
            + "(the task logs how many strings it cut per commit unit at INFO). Default fail.",
        GROUP_LIMITS,
        ++o,
        Width.SHORT,
        "Oversize strings",
        List.of(),
        Recommenders.values(OVERSIZE_STRING_BEHAVIORS));
  }

  private static void definePartitioner(ConfigDef def) {
    int o = 0;
    def.define(
        PARTITIONER_CLASS,
        Type.STRING,
        "default",
        Validators.PARTITIONER,
        HIGH,
        "How files are grouped into paths: default (partition=<kafka partition>), field (partition.field.name), "
            + "time (path.format + partition.duration.ms), hourly or daily. Confluent's partitioner class names are "
            + "accepted. Default default.",
        GROUP_PARTITION,
        ++o,
        Width.MEDIUM,
        "Partitioner",
        List.of(PARTITION_FIELD_NAME, PATH_FORMAT, PARTITION_DURATION_MS, LOCALE),
        Recommenders.values(PartitionerSettings.TYPES));
    def.define(
        PARTITION_FIELD_NAME,
        Type.LIST,
        Collections.emptyList(),
        MEDIUM,
        "Value fields to partition by with the field partitioner, comma-separated; nested fields with dots "
            + "(address.city). Default: empty.",
        GROUP_PARTITION,
        ++o,
        Width.LONG,
        "Partition fields",
        List.of(),
        Recommenders.when(Recommenders.partitioner(PartitionerSettings.TYPE_FIELD)));
    def.define(
        PATH_FORMAT,
        Type.STRING,
        "",
        MEDIUM,
        "Path pattern of the time partitioner, in Joda/Confluent syntax, e.g. 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH. "
            + "Default: empty (required by partitioner.class=time).",
        GROUP_PARTITION,
        ++o,
        Width.LONG,
        "Path format",
        List.of(),
        Recommenders.when(TIME_PARTITIONER));
    def.define(
        PARTITION_DURATION_MS,
        Type.LONG,
        -1L,
        LOW,
        "Duration in milliseconds of one time partition; timestamps are rounded down to a multiple of it. "
            + "Default -1 (required by partitioner.class=time; hourly and daily set it themselves).",
        GROUP_PARTITION,
        ++o,
        Width.SHORT,
        "Partition duration (ms)",
        List.of(),
        Recommenders.when(TIME_PARTITIONER));
    def.define(
        LOCALE,
        Type.STRING,
        "en",
        Validators.orEmpty(Validators.LOCALE),
        LOW,
        "Locale for the time partitioner's path format (month and day names): a language tag such as en or "
            + "en-US (en_US is read the same); empty, as Confluent's exported configs have it, is en. Default en.",
        GROUP_PARTITION,
        ++o,
        Width.SHORT,
        "Locale",
        List.of(),
        Recommenders.when(TIME_PARTITIONER));
    def.define(
        TIMEZONE,
        Type.STRING,
        "UTC",
        Validators.TIMEZONE,
        MEDIUM,
        "Time zone of time partitions and of rotate.schedule.interval.ms alignment: an IANA id (Europe/Berlin) "
            + "or an offset (+02:00); empty (Confluent's default) means the default. Default UTC.",
        GROUP_PARTITION,
        ++o,
        Width.SHORT,
        "Time zone");
    def.define(
        TIMESTAMP_EXTRACTOR,
        Type.STRING,
        "Record",
        Validators.TIMESTAMP_EXTRACTOR,
        MEDIUM,
        "Where the time partitioner and rotate.interval.ms take a record's time: Record (the Kafka record "
            + "timestamp), RecordField (timestamp.field) or Wallclock (the task's clock: paths a replay does not "
            + "reproduce, see docs/design.md). Default Record.",
        GROUP_PARTITION,
        ++o,
        Width.SHORT,
        "Timestamp extractor",
        List.of(TIMESTAMP_FIELD),
        Recommenders.when(Recommenders.readsRecordTime(), PartitionerSettings.EXTRACTORS));
    def.define(
        TIMESTAMP_FIELD,
        Type.STRING,
        "timestamp",
        LOW,
        "Value field holding the record time for timestamp.extractor=RecordField (nested with dots); accepts "
            + "epoch milliseconds (64-bit integers or strings of digits), Connect Timestamp and Date (read as the start "
            + "of its day in timezone) and ISO-8601 strings; narrower integers (likely seconds) and Connect Time values "
            + "are bad records. Default timestamp.",
        GROUP_PARTITION,
        ++o,
        Width.MEDIUM,
        "Timestamp field",
        List.of(),
        Recommenders.when(
            Recommenders.readsRecordTime()
                .and(Recommenders.extractor(PartitionerSettings.EXTRACTOR_RECORD_FIELD))));
  }

  private static void defineRotation(ConfigDef def) {
    int o = 0;
    def.define(
        FLUSH_SIZE,
        Type.INT,
        100_000,
        Validators.atLeast(1),
        HIGH,
        "Records per commit unit of one topic-partition: the unit's files are completed and committed when it "
            + "holds this many rows, or when this many of its records have no row (sent to the dead letter queue, "
            + "or tombstones ignored), so that a stream of only those commits its offsets even with the wall-clock "
            + "rules off. Default 100000.",
        GROUP_ROTATION,
        ++o,
        Width.SHORT,
        "Records per unit");
    def.define(
        FLUSH_SIZE_BYTES,
        Type.LONG,
        128L * MIB,
        Validators.between(MIB, 4L * 1024 * MIB),
        MEDIUM,
        "Largest size in bytes of one file; the unit is committed when any of its files reaches it (its size is "
            + "sampled every 32 rows, so a file can pass it by up to 32 rows and its footer). "
            + "Default 134217728 (128 MiB, the size above which Redshift splits columnar files); at most 4 GiB, "
            + "which keeps room below 5 GiB, the largest single server-side copy a file takes to its final key.",
        GROUP_ROTATION,
        ++o,
        Width.MEDIUM,
        "File size limit (bytes)");
    def.define(
        ROTATE_INTERVAL_MS,
        Type.LONG,
        -1L,
        Validators.atLeast(-1),
        MEDIUM,
        "Record-time span in milliseconds of one unit: a record whose time (timestamp.extractor) is this far past "
            + "the unit's first written record starts a new unit (a record set aside as bad does not count, and "
            + "one whose time lies outside years 1 to 9999 is a bad record). Deterministic on replay. Default -1 "
            + "(off); 0 is off too.",
        GROUP_ROTATION,
        ++o,
        Width.SHORT,
        "Record-time interval (ms)");
    def.define(
        ROTATE_SCHEDULE_INTERVAL_MS,
        Type.LONG,
        60_000L,
        Validators.atLeast(-1),
        MEDIUM,
        "Wall-clock rotation in milliseconds: open units are committed at every multiple of this interval "
            + "in local time of 'timezone' (one that divides a day rotates at the same local times every day, a "
            + "daily one at local midnight, daylight saving included), whether or not records arrive. Safe for "
            + "exactly-once here because the "
            + "loader drops replayed offsets. Default 60000 (1 min); -1 or 0 turns it off.",
        GROUP_ROTATION,
        ++o,
        Width.SHORT,
        "Wall-clock interval (ms)");
    def.define(
        ROTATE_IDLE_MS,
        Type.LONG,
        10_000L,
        Validators.atLeast(-1),
        MEDIUM,
        "Commit a partition's open unit when no record was written to it for this many milliseconds, so quiet "
            + "partitions become visible quickly (records sent to the dead letter queue or ignored do not count: a "
            + "stream of only those still commits their offsets). Also the shortest time between two commits of "
            + "rotate.task.idle.ms. Default 10000; -1 or 0 turns both off.",
        GROUP_ROTATION,
        ++o,
        Width.SHORT,
        "Idle flush (ms)");
    def.define(
        ROTATE_TASK_IDLE_MS,
        Type.LONG,
        1_000L,
        Validators.atLeast(-1),
        MEDIUM,
        "Commit every open unit of the task when no record at all reached the task (after converters and "
            + "transforms) for this many milliseconds: its consumer found nothing new on any partition, so "
            + "waiting for the schedule or for rotate.idle.ms would only delay the data. After a burst or a "
            + "backfill the files land about this long after the last record. It fires at most once per "
            + "rotate.idle.ms, so it never commits a partition's units more often than rotate.idle.ms can, and "
            + "not at all when rotate.idle.ms is -1. A task that gets a record at least this often never lets "
            + "it fire. A quiet task whose records come further apart (seconds) commits a unit per partition "
            + "every rotate.idle.ms instead of every rotate.schedule.interval.ms: fresher data and more files; "
            + "raise this, or set -1, for fewer. Default 1000 (1 s); -1 or 0 turns it off.",
        GROUP_ROTATION,
        ++o,
        Width.SHORT,
        "Task idle flush (ms)");
  }

  private static void defineMetadata(ConfigDef def) {
    int o = 0;
    def.define(
        METADATA_ENABLED,
        Type.BOOLEAN,
        true,
        HIGH,
        "Write Kafka metadata columns (topic, partition, offset, timestamp) into every file. The copy-loader "
            + "needs them for exactly-once loads and quarantines every unit whose files lack them: turn them off "
            + "only for files that other tools read. Default true.",
        GROUP_METADATA,
        ++o,
        Width.SHORT,
        "Metadata columns",
        List.of(METADATA_TOPIC, METADATA_PARTITION, METADATA_OFFSET, METADATA_TIMESTAMP),
        null);
    def.define(
        METADATA_TOPIC,
        Type.STRING,
        "kafka_topic",
        Validators.COLUMN,
        LOW,
        "Name of the topic column (string). Default kafka_topic.",
        GROUP_METADATA,
        ++o,
        Width.MEDIUM,
        "Topic column",
        List.of(),
        Recommenders.when(Recommenders.enabled(METADATA_ENABLED)));
    def.define(
        METADATA_PARTITION,
        Type.STRING,
        "kafka_partition",
        Validators.COLUMN,
        LOW,
        "Name of the partition column (int). Default kafka_partition.",
        GROUP_METADATA,
        ++o,
        Width.MEDIUM,
        "Partition column",
        List.of(),
        Recommenders.when(Recommenders.enabled(METADATA_ENABLED)));
    def.define(
        METADATA_OFFSET,
        Type.STRING,
        "kafka_offset",
        Validators.COLUMN,
        LOW,
        "Name of the offset column (bigint). Default kafka_offset.",
        GROUP_METADATA,
        ++o,
        Width.MEDIUM,
        "Offset column",
        List.of(),
        Recommenders.when(Recommenders.enabled(METADATA_ENABLED)));
    def.define(
        METADATA_TIMESTAMP,
        Type.STRING,
        "kafka_timestamp",
        Validators.COLUMN,
        LOW,
        "Name of the record timestamp column (timestamp). Default kafka_timestamp.",
        GROUP_METADATA,
        ++o,
        Width.MEDIUM,
        "Timestamp column",
        List.of(),
        Recommenders.when(Recommenders.enabled(METADATA_ENABLED)));
    def.define(
        STORE_KEYS,
        Type.BOOLEAN,
        false,
        MEDIUM,
        "Also write the record key as a column (metadata.key.column). Default false.",
        GROUP_METADATA,
        ++o,
        Width.SHORT,
        "Store keys",
        List.of(METADATA_KEY),
        null);
    def.define(
        METADATA_KEY,
        Type.STRING,
        "kafka_key",
        Validators.COLUMN,
        LOW,
        "Name of the key column. Default kafka_key.",
        GROUP_METADATA,
        ++o,
        Width.MEDIUM,
        "Key column",
        List.of(),
        Recommenders.when(Recommenders.enabled(STORE_KEYS)));
    def.define(
        STORE_HEADERS,
        Type.BOOLEAN,
        false,
        MEDIUM,
        "Also write the record headers as a column (map of string to string). Each value is the "
            + "text of what the worker's header.converter made of it: Connect's default "
            + "(SimpleHeaderConverter) parses header text, so 007 is written as 7, 12:34 as 12 and a "
            + "long number in plain digits. Set header.converter=org.apache.kafka.connect.storage.StringConverter "
            + "in the connector config to keep header text as sent. A key that a record repeats keeps its last "
            + "value (a map holds a key once). Default false.",
        GROUP_METADATA,
        ++o,
        Width.SHORT,
        "Store headers",
        List.of(METADATA_HEADERS),
        null);
    def.define(
        METADATA_HEADERS,
        Type.STRING,
        "kafka_headers",
        Validators.COLUMN,
        LOW,
        "Name of the headers column. Default kafka_headers.",
        GROUP_METADATA,
        ++o,
        Width.MEDIUM,
        "Headers column",
        List.of(),
        Recommenders.when(Recommenders.enabled(STORE_HEADERS)));
    def.define(
        METADATA_DELETED,
        Type.STRING,
        "kafka_deleted",
        Validators.COLUMN,
        LOW,
        "Name of the boolean column marking delete rows written for tombstones when behavior.on.null.values=write. "
            + "Default kafka_deleted.",
        GROUP_METADATA,
        ++o,
        Width.MEDIUM,
        "Deleted column",
        List.of(),
        Recommenders.when(Recommenders.is(BEHAVIOR_ON_NULL_VALUES, "write")));
  }

  private static void defineErrors(ConfigDef def) {
    def.define(
        BEHAVIOR_ON_NULL_VALUES,
        Type.STRING,
        "fail",
        Validators.oneOf(NULL_VALUE_BEHAVIORS),
        MEDIUM,
        "What to do with records whose value is null (tombstones): fail (reject the record: it goes to the dead "
            + "letter queue under errors.tolerance=all, and fails the task otherwise), ignore them (their offsets "
            + "still commit), or write a delete row (value columns null, key fields filled, "
            + "metadata.deleted.column=true) for upsert loads of CDC streams. A delete row takes its unit's value "
            + "schema; one whose key leaves a required field of the unit's schema empty, fills a field with a value "
            + "of another type (key id INT32, value id INT64), or fills none of its fields (a schemaless key, a "
            + "value schema that is not a struct; with store.kafka.keys=true only a key that has no fields of its "
            + "own, such as a string, may leave them all NULL) closes the unit and is written as if it opened one: "
            + "with its own value schema when its key fills it so, else in Parquet "
            + "and Avro with its Struct key's schema (a unit of key columns, which the loader deletes by), or with "
            + "another kind of key no value fields (the metadata columns only: store.kafka.keys=true gives the key "
            + "column an upsert by kafka_key deletes by); in JSON Lines with the key's fields or map entries as "
            + "columns. A delete row has no value fields, so when the partitioner reads one "
            + "(partition.field.name, or timestamp.extractor=RecordField) it goes under the path 'tombstone' of its "
            + "topic, and rotate.interval.ms does not count its time. A tombstone whose delete row would name no "
            + "row is a bad record: its key is null; or, with store.kafka.keys=false, it is not a Struct (nor, in "
            + "JSON Lines, a map), or all its fields or entries are null (an empty map included). Default fail.",
        GROUP_ERRORS,
        1,
        Width.SHORT,
        "Null values",
        List.of(METADATA_DELETED),
        Recommenders.values(NULL_VALUE_BEHAVIORS));
  }
}
