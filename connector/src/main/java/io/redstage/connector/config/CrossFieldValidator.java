package io.redstage.connector.config;

import static io.redstage.connector.config.SinkConfigDef.*;

import io.redstage.connector.format.ColumnNames;
import io.redstage.connector.format.NativeCodecs;
import io.redstage.connector.partition.PartitionerSettings;
import io.redstage.connector.partition.Partitioners;
import io.redstage.connector.storage.CredentialsProviders;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

/**
 * Rules that involve more than one key. {@link #validate} attaches each problem to every key
 * involved so that {@code PUT /connector-plugins/<class>/config/validate} shows it next to each of
 * them; the constructor of {@link SinkConfig} throws the first problem.
 */
public final class CrossFieldValidator {
  /** One problem and the keys it concerns. */
  static final class Problem {
    final List<String> keys;
    final String message;

    Problem(String message, String... keys) {
      this.message = message;
      this.keys = List.of(keys);
    }
  }

  /**
   * A field mapped to a metadata column's name: every record with the field would be a bad record
   * at run time, since the two would be one column.
   */
  private static void mappedOntoMetadata(SinkConfig c, List<Problem> out) {
    ColumnNames names;
    try {
      names = ColumnNames.mapped(c.getList(COLUMN_NAME_MAP));
    } catch (IllegalArgumentException e) {
      return; // the key's own validator reports it
    }
    for (String key : writtenMetadataColumnKeys(c)) {
      String column = c.getString(key);
      if (column == null) {
        continue;
      }
      names
          .fieldMappedTo(column)
          .ifPresent(
              field ->
                  out.add(
                      new Problem(
                          "Cannot map field '"
                              + field
                              + "' to column "
                              + column
                              + ": "
                              + key
                              + " gives a metadata column that name. Map the field to another name, or "
                              + "give the metadata column another name with "
                              + key
                              + ".",
                          COLUMN_NAME_MAP,
                          key)));
    }
  }

  /**
   * The keys of the metadata columns the files get (as FormatOptions.metadataColumnNames lists
   * them): a field may take the name of one that is not written.
   */
  private static List<String> writtenMetadataColumnKeys(SinkConfig c) {
    List<String> keys = new ArrayList<>();
    if (c.getBoolean(METADATA_ENABLED)) {
      keys.addAll(List.of(METADATA_TOPIC, METADATA_PARTITION, METADATA_OFFSET, METADATA_TIMESTAMP));
    }
    if (c.getBoolean(STORE_KEYS)) {
      keys.add(METADATA_KEY);
    }
    if (c.getBoolean(STORE_HEADERS)) {
      keys.add(METADATA_HEADERS);
    }
    if ("write".equals(c.behaviorOnNullValues())) {
      keys.add(METADATA_DELETED);
    }
    return keys;
  }

  private CrossFieldValidator() {}

  static List<Problem> problems(SinkConfig c) {
    List<Problem> out = new ArrayList<>();
    mappedOntoMetadata(c, out);
    String partitioner = c.partitionerType();
    if ("field".equals(partitioner) && c.partitionFields().isEmpty()) {
      out.add(
          new Problem(
              "Cannot partition by field: partition.field.name is empty. List one or more value "
                  + "fields, e.g. partition.field.name=country,city.",
              PARTITIONER_CLASS,
              PARTITION_FIELD_NAME));
    }
    if ("time".equals(partitioner)) {
      if (c.optional(PATH_FORMAT) == null) {
        out.add(
            new Problem(
                "Cannot partition by time: path.format is empty. Set it, e.g. "
                    + "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH, or use partitioner.class=hourly or daily.",
                PARTITIONER_CLASS,
                PATH_FORMAT));
      }
      if (c.getLong(PARTITION_DURATION_MS) <= 0) {
        out.add(
            new Problem(
                "Cannot partition by time: partition.duration.ms must be positive, e.g. 3600000 for "
                    + "hourly paths.",
                PARTITIONER_CLASS,
                PARTITION_DURATION_MS));
      }
    }
    boolean usesExtractor = PartitionerSettings.readsTime(partitioner) || c.rotateIntervalMs() > 0;
    if (usesExtractor
        && "RecordField".equalsIgnoreCase(c.timestampExtractor())
        && c.optional(TIMESTAMP_FIELD) == null) {
      out.add(
          new Problem(
              "Cannot extract record time: timestamp.extractor=RecordField needs timestamp.field. Name the value field "
                  + "that holds the event time (dots for nested fields), or use timestamp.extractor=Record.",
              TIMESTAMP_EXTRACTOR,
              TIMESTAMP_FIELD));
    }
    if (out.isEmpty()) {
      partitionerProblem(c, usesExtractor).ifPresent(out::add);
    }
    prefixProblem(c).ifPresent(out::add);
    awsProblem(c).ifPresent(out::add);
    if (c.rotateIntervalMs() > 0 && "Wallclock".equalsIgnoreCase(c.timestampExtractor())) {
      out.add(
          new Problem(
              "Cannot rotate on record time with the Wallclock extractor: use "
                  + "rotate.schedule.interval.ms for wall-clock rotation, or timestamp.extractor=Record/RecordField.",
              ROTATE_INTERVAL_MS,
              TIMESTAMP_EXTRACTOR));
    }
    if (c.optional(CREDENTIALS_PROVIDER_CLASS) != null
        && c.optional(AWS_ACCESS_KEY_ID) != null
        && !CredentialsProviders.isDefaultChain(c.optional(CREDENTIALS_PROVIDER_CLASS))) {
      out.add(
          new Problem(
              "Cannot use both s3.credentials.provider.class and aws.access.key.id: it is unclear which "
                  + "should sign the requests. Remove one of them.",
              CREDENTIALS_PROVIDER_CLASS,
              AWS_ACCESS_KEY_ID));
    }
    String sse = c.optional(S3_SSEA_NAME);
    if (c.optional(S3_SSE_KMS_KEY_ID) != null
        && (sse == null || !sse.toLowerCase(Locale.ROOT).startsWith("aws:kms"))) {
      out.add(
          new Problem(
              "Cannot use s3.sse.kms.key.id without KMS encryption: set s3.ssea.name=aws:kms "
                  + "(or aws:kms:dsse), or remove the key id.",
              S3_SSE_KMS_KEY_ID,
              S3_SSEA_NAME));
    }
    boolean hasKeyId = c.optional(AWS_ACCESS_KEY_ID) != null;
    boolean hasSecret =
        c.getPassword(AWS_SECRET_ACCESS_KEY) != null
            && !c.getPassword(AWS_SECRET_ACCESS_KEY).value().isEmpty();
    if (hasKeyId != hasSecret) {
      out.add(
          new Problem(
              "Cannot use static credentials: set both aws.access.key.id and aws.secret.access.key, "
                  + "or neither to use the default credentials chain.",
              AWS_ACCESS_KEY_ID,
              AWS_SECRET_ACCESS_KEY));
    }
    if (c.optional(STS_ROLE_EXTERNAL_ID) != null && c.optional(STS_ROLE_ARN) == null) {
      out.add(
          new Problem(
              "Cannot use sts.role.external.id without sts.role.arn: set the role to assume.",
              STS_ROLE_EXTERNAL_ID,
              STS_ROLE_ARN));
    }
    if (c.format() != FileFormat.JSONL && !"none".equalsIgnoreCase(c.getString(COMPRESSION_TYPE))) {
      out.add(
          new Problem(
              "Cannot gzip "
                  + c.format().id()
                  + " files as a whole: s3.compression.type applies to "
                  + "jsonl only. Use parquet.codec or avro.codec instead.",
              COMPRESSION_TYPE,
              FORMAT_CLASS));
    }
    if (c.format() != FileFormat.JSONL
        && !c.getBoolean(METADATA_ENABLED)
        && "write".equals(c.behaviorOnNullValues())) {
      out.add(
          new Problem(
              "Cannot write delete rows without metadata columns: behavior.on.null.values=write "
                  + "needs metadata.columns.enabled=true.",
              BEHAVIOR_ON_NULL_VALUES,
              METADATA_ENABLED));
    }
    // only the columns that are written: a name kept for a column that is off clashes with nothing
    Map<String, String> keyByName = new java.util.HashMap<>();
    for (String key : writtenMetadataColumnKeys(c)) {
      String name = c.getString(key);
      if (name == null) {
        continue;
      }
      String other = keyByName.putIfAbsent(name.toLowerCase(Locale.ROOT), key);
      if (other != null) {
        out.add(
            new Problem(
                "Cannot name two metadata columns "
                    + name
                    + ": "
                    + other
                    + " and "
                    + key
                    + " both do (Redshift folds names to lower case). Give each its own name.",
                other,
                key));
      }
    }
    String codecKey =
        c.format() == FileFormat.PARQUET
            ? PARQUET_CODEC
            : c.format() == FileFormat.AVRO ? AVRO_CODEC : null;
    if (codecKey != null) {
      String codec = c.getString(codecKey);
      NativeCodecs.unavailable(codec)
          .ifPresent(
              why ->
                  out.add(
                      new Problem(
                          "Cannot use "
                              + codecKey
                              + "="
                              + codec
                              + " on this worker: "
                              + why
                              + ". Use "
                              + (codecKey.equals(AVRO_CODEC)
                                  ? "avro.codec=deflate or null"
                                  : "parquet.codec=gzip or none")
                              + ", which are pure Java.",
                          codecKey,
                          FORMAT_CLASS)));
    }
    if (c.format() == FileFormat.PARQUET
        && c.getInt(PARQUET_ROW_GROUP_BYTES) > c.memoryBufferMaxBytes()) {
      out.add(
          new Problem(
              "Cannot fit one Parquet row group in the memory budget: parquet.row.group.size.bytes "
                  + "is larger than memory.buffer.max.bytes. Lower the row group or raise the budget.",
              PARQUET_ROW_GROUP_BYTES,
              MEMORY_BUFFER_MAX_BYTES));
    }
    return out;
  }

  /**
   * Adds an error to each Confluent key that Redstage rejects (see {@link ConfluentKeys}); these
   * keys are not in the ConfigDef, so their results are added to {@code values}. Secret values are
   * not shown.
   */
  public static void addConfluentKeyErrors(List<ConfigValue> values, Map<String, String> props) {
    for (Problem p : ConfluentKeys.problems(props)) {
      String key = p.keys.get(0);
      ConfigValue v = values.stream().filter(cv -> cv.name().equals(key)).findFirst().orElse(null);
      if (v == null) {
        v =
            new ConfigValue(
                key,
                ConfluentKeys.isSecret(key) ? "[hidden]" : props.get(key),
                new ArrayList<>(),
                new ArrayList<>());
        values.add(v);
      }
      v.addErrorMessage(p.message);
    }
  }

  /** Adds every cross-key problem to the validation result of each key involved. */
  public static void addTo(Map<String, ConfigValue> byName, Map<String, String> props) {
    // Cross-key rules read every value, so keys with an error of their own take their defaults
    // here, and a problem that names one of them is left out (it may come from that default).
    // The other problems are shown at once, not one round of fixes later.
    Set<String> errored = new HashSet<>();
    for (ConfigValue v : byName.values()) {
      if (!v.errorMessages().isEmpty()) {
        errored.add(v.name());
      }
    }
    boolean nulls = false;
    for (Map.Entry<String, String> e : props.entrySet()) {
      ConfigValue v = byName.get(e.getKey());
      if (e.getValue() == null && v != null) {
        // a JSON null in the posted config: the rules below read every value
        v.addErrorMessage(
            "Cannot use a null value for "
                + e.getKey()
                + ". Leave the key out to take its default, or give it a value.");
        nulls = true;
      }
    }
    if (nulls) {
      return;
    }
    Map<String, String> usable = new HashMap<>(props);
    usable.keySet().removeAll(errored);
    SinkConfig config;
    try {
      config = new SinkConfig(usable, false);
    } catch (ConfigException e) {
      return;
    }
    for (Problem p : problems(config)) {
      if (p.keys.stream().anyMatch(errored::contains)) {
        continue;
      }
      for (String key : p.keys) {
        ConfigValue v = byName.get(key);
        if (v != null) {
          v.addErrorMessage(p.message);
        }
      }
    }
  }

  /**
   * Builds the partitioner (and the extractor, when a rule reads record time) as a task would, so
   * that a path.format, field name or timestamp field the task would refuse is shown on its key by
   * validate() instead of failing the task at start. The messages name their key; the problem goes
   * to every partitioner key a message names, or to partitioner.class.
   */
  private static Optional<Problem> partitionerProblem(SinkConfig c, boolean usesExtractor) {
    try {
      PartitionerSettings ps = c.partitionerSettings();
      Partitioners.create(ps);
      if (usesExtractor) {
        Partitioners.timestampExtractor(ps);
      }
      return Optional.empty();
    } catch (RuntimeException e) {
      List<String> keys = new ArrayList<>();
      for (String key : PARTITIONER_KEYS) {
        if (e.getMessage() != null && e.getMessage().contains(key)) {
          keys.add(key);
        }
      }
      if (keys.isEmpty()) {
        keys.add(PARTITIONER_CLASS);
      }
      String message =
          e instanceof ConfigException
              ? e.getMessage()
              : "Cannot build the partitioner: "
                  + e.getMessage()
                  + ". Check the partitioner settings.";
      return Optional.of(new Problem(message, keys.toArray(new String[0])));
    }
  }

  private static final List<String> PARTITIONER_KEYS =
      List.of(
          PATH_FORMAT,
          PARTITION_FIELD_NAME,
          TIMESTAMP_FIELD,
          TIMESTAMP_EXTRACTOR,
          PARTITION_DURATION_MS,
          DIRECTORY_DELIM);

  /**
   * A starting task aborts stale multipart uploads under tmp.dir: with an empty tmp.dir that would
   * be every stale upload in the bucket, other tools' too. Markers need a prefix of their own:
   * copy-loader lists them there, and refuses an empty markers.dir.
   */
  private static Optional<Problem> prefixProblem(SinkConfig c) {
    if (c.markersDir().isEmpty()) {
      return Optional.of(
          new Problem(
              "Cannot use an empty markers.dir: commit markers would be written at the bucket's root, "
                  + "among everything else in it, where copy-loader does not look for them (it needs a prefix "
                  + "of their own). Set a prefix, e.g. _redstage/markers (the default).",
              MARKERS_DIR));
    }
    if (c.tmpDir().isEmpty()) {
      return Optional.of(
          new Problem(
              "Cannot use an empty tmp.dir: the task aborts stale multipart uploads under it, which "
                  + "would be every upload in the bucket. Set a prefix of its own, e.g. _redstage/tmp.",
              TMP_DIR));
    }
    // a lifecycle rule that expires tmp.dir's leftovers (as loader-operations.md advises) would
    // expire the committed files or markers under it
    String tmp = MarkerKeys.normalizeDir(c.tmpDir());
    for (Map.Entry<String, String> other :
        List.of(
            Map.entry(MARKERS_DIR, MarkerKeys.normalizeDir(c.markersDir())),
            Map.entry(TOPICS_DIR, MarkerKeys.normalizeDir(c.topicsDir())))) {
      String dir = other.getValue();
      if (!dir.isEmpty() && (tmp.startsWith(dir) || dir.startsWith(tmp))) {
        return Optional.of(
            new Problem(
                "Cannot use tmp.dir="
                    + c.tmpDir()
                    + " with "
                    + other.getKey()
                    + "="
                    + dir
                    + ": one holds the other, and a bucket lifecycle rule that expires what tmp.dir "
                    + "holds would also expire committed "
                    + (other.getKey().equals(MARKERS_DIR) ? "markers" : "files")
                    + ". Give tmp.dir a prefix of its own, e.g. _redstage/tmp (the default).",
                TMP_DIR));
      }
    }
    return Optional.empty();
  }

  /**
   * Checks that only apply against AWS itself (no store.url) or with an assumed role: a region id
   * in AWS's form (it is part of every request's signature), and STS's rule for session names.
   */
  private static Optional<Problem> awsProblem(SinkConfig c) {
    if (c.optional(STORE_URL) == null && !Validators.isAwsRegionId(c.getString(S3_REGION).trim())) {
      return Optional.of(
          new Problem(
              "Cannot use s3.region="
                  + c.getString(S3_REGION).trim()
                  + " against AWS: a region id has lower-case letters, digits and hyphens. Use one such "
                  + "as us-east-1, or set store.url for an S3-compatible store.",
              S3_REGION));
    }
    if (c.optional(STS_ROLE_ARN) != null) {
      String session = c.getString(STS_ROLE_SESSION_NAME).trim();
      if (!Validators.isStsSessionName(session)) {
        return Optional.of(
            new Problem(
                "Cannot assume sts.role.arn with sts.role.session.name="
                    + session
                    + ": STS takes 2 to 64 of letters, digits and _+=,.@-. Use one such as "
                    + "redstage-s3-sink.",
                STS_ROLE_SESSION_NAME));
      }
      String stsRegion = c.optional(STS_REGION);
      if (stsRegion != null && !Validators.isAwsRegionId(stsRegion)) {
        return Optional.of(
            new Problem(
                "Cannot use sts.region="
                    + stsRegion
                    + ": a region id has lower-case letters, digits and hyphens. Use one such as "
                    + "us-east-1.",
                STS_REGION));
      }
    }
    return Optional.empty();
  }

  static void throwIfInvalid(SinkConfig c) {
    List<Problem> ps = new ArrayList<>(ConfluentKeys.problems(c.originals()));
    ps.addAll(problems(c));
    if (!ps.isEmpty()) {
      // the message names the key and says what to do; Kafka's three-argument form would put the
      // key's value first ("Invalid value ... for configuration ..."), an access key id included
      throw new ConfigException(ps.get(0).message);
    }
  }
}
