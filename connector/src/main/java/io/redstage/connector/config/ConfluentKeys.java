package io.redstage.connector.config;

import io.redstage.connector.storage.CredentialsProviders;
import io.redstage.connector.storage.S3Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keys of Confluent's S3 sink that Redstage does not define. Kafka Connect hands every key of a
 * connector config to the connector and {@link SinkConfig} ignores keys it does not know, so
 * without this class a Confluent config would lose these settings silently. Each one is either
 * <em>rejected</em> (a validation error on that key, naming what to use instead) when set to
 * anything but its "off" value, or <em>ignored</em> because it cannot change what is written
 * (logged once at connector start). Security-relevant keys are always rejected. The full comparison
 * is docs/migrating-from-confluent.md.
 */
public final class ConfluentKeys {
  /**
   * A key, the values that mean "feature off" (empty: any value is rejected), and why it is
   * rejected.
   */
  private static final class Rejected {
    final Set<String> offValues;
    final boolean secret;
    final String message;

    Rejected(Set<String> offValues, boolean secret, String message) {
      this.offValues = offValues;
      this.secret = secret;
      this.message = message;
    }
  }

  private static final String SSE_C =
      "Redshift COPY cannot read objects encrypted with a customer-provided key "
          + "(SSE-C), so the loader could never load them. Remove it and use s3.ssea.name=aws:kms with s3.sse.kms.key.id "
          + "for a key you control, or s3.ssea.name=AES256.";
  private static final Map<String, Rejected> REJECTED = new TreeMap<>();
  private static final Map<String, String> IGNORED = new TreeMap<>();

  static {
    REJECTED.put("s3.sse.customer.key", new Rejected(Set.of(""), true, SSE_C));
    REJECTED.put("s3.sse.key", new Rejected(Set.of(""), true, SSE_C));
    REJECTED.put(
        "s3.wan.mode",
        new Rejected(
            Set.of("false"),
            false,
            "S3 Transfer Acceleration is not supported. "
                + "Remove it (or set false); the connector writes through the region's endpoint or store.url."));
    REJECTED.put(
        "s3.object.tagging",
        new Rejected(
            Set.of("false"),
            false,
            "the connector does not tag objects; "
                + "offsets and record counts are in each unit's commit marker. Remove it (or set false)."));
    REJECTED.put(
        "s3.object.tagging.key.value.pairs",
        new Rejected(
            Set.of(""),
            false,
            "the connector does not tag "
                + "objects. Remove it, and tag by prefix with a bucket policy or S3 Batch Operations if you need tags."));
    REJECTED.put(
        "keys.format.class",
        new Rejected(
            Set.of(),
            false,
            "the connector writes no separate key files: "
                + "with store.kafka.keys=true the key is a column (metadata.key.column) of each data file. Remove it."));
    REJECTED.put(
        "headers.format.class",
        new Rejected(
            Set.of(),
            false,
            "the connector writes no separate header "
                + "files: with store.kafka.headers=true the headers are a column (metadata.headers.column) of each data "
                + "file. Remove it."));
    REJECTED.put(
        "report.null.values.to.dlq",
        new Rejected(
            Set.of("false"),
            false,
            "to send tombstones to the dead "
                + "letter queue, set behavior.on.null.values=fail with errors.tolerance=all and "
                + "errors.deadletterqueue.topic.name. Remove it (or set false)."));
    REJECTED.put(
        "s3.schema.partition.affix.type",
        new Rejected(
            Set.of("none"),
            false,
            "the connector does not put "
                + "schema names into paths; the loader maps each topic to its table. Remove it (or set NONE)."));
    REJECTED.put(
        "append.late.data",
        new Rejected(
            Set.of("false"),
            false,
            "the connector always writes a record "
                + "into the time partition of its own timestamp. Remove it (or set false)."));
    REJECTED.put(
        "tombstone.encoded.partition",
        new Rejected(
            Set.of("tombstone"),
            false,
            "the partition of delete rows "
                + "(behavior.on.null.values=write) that the partitioner cannot place by their value is always "
                + "named tombstone. Remove it (or set tombstone)."));
    REJECTED.put(
        "hive.integration",
        new Rejected(
            Set.of("false"),
            false,
            "the connector updates no Hive metastore; "
                + "the loader creates and evolves the Redshift tables. Remove it (or set false)."));
    REJECTED.put(
        "storage.class",
        new Rejected(
            Set.of("io.confluent.connect.s3.storage.s3storage"),
            false,
            "the connector writes to S3 only. Remove it (or set io.confluent.connect.s3.storage.S3Storage)."));

    IGNORED.put(
        "s3.elastic.buffer.enable", "part buffers always grow on demand up to s3.part.size");
    IGNORED.put(
        "s3.elastic.buffer.init.capacity", "part buffers always grow on demand up to s3.part.size");
    IGNORED.put("s3.compression.level", "gzip (s3.compression.type) always uses the default level");
    IGNORED.put("s3.send.digest", "the AWS SDK v2 sends checksums of every upload");
    IGNORED.put("s3.http.send.expect.continue", "the AWS SDK v2 decides");
    IGNORED.put("s3.object.behavior.on.tagging.error", "the connector does not tag objects");
    IGNORED.put("format.bytearray.extension", "ByteArrayFormat is not supported (format.class)");
    IGNORED.put("format.bytearray.separator", "ByteArrayFormat is not supported (format.class)");
    IGNORED.put(
        "json.decimal.format",
        "JSON Lines files hold a decimal column as a string of its plain digits, which COPY reads "
            + "exactly, and decimals inside nested values as JSON numbers");
    IGNORED.put(
        "max.write.duration.ms",
        "units close by flush.size and the rotate.* rules; S3 calls are bounded by the SDK's timeouts");
    IGNORED.put(
        "partitioner.max.open.files",
        "open files are bounded by memory.buffer.max.bytes, which closes the largest units first");
    IGNORED.put(
        "rotate.file.on.partition.change",
        "each encoded partition of a unit always has a file of its own");
    IGNORED.put(
        "enable.conditional.writes",
        "exactly once comes from commit markers and the loader, not from conditional writes");
    IGNORED.put("max.files.scan.limit", "no conditional writes, so no files to scan");
    IGNORED.put(
        "allow.optional.map.keys",
        "map keys are checked record by record: a null key makes the record bad (bad-records.md)");
    IGNORED.put(
        "retry.backoff.ms",
        "S3 calls retry inside the AWS SDK (s3.part.retries, s3.retry.backoff.ms)");
    IGNORED.put("shutdown.timeout.ms", "there are no Hive metastore updates to wait for");
    IGNORED.put("schema.cache.size", "the connector keeps its own schema cache");
    IGNORED.put(
        "enhanced.avro.schema.support",
        "the connector derives its file schemas from the Connect schema");
    IGNORED.put(
        "connect.meta.data", "the connector derives its file schemas from the Connect schema");
  }

  private ConfluentKeys() {}

  /** The rejected Confluent keys set in {@code props}, each with its error message. */
  static List<CrossFieldValidator.Problem> problems(Map<String, ?> props) {
    List<CrossFieldValidator.Problem> out = new ArrayList<>();
    REJECTED.forEach(
        (key, rule) -> {
          if (props.containsKey(key)) {
            String value =
                props.get(key) == null
                    ? ""
                    : String.valueOf(props.get(key)).trim().toLowerCase(Locale.ROOT);
            if (!rule.offValues.contains(value)) {
              out.add(
                  new CrossFieldValidator.Problem("Cannot use " + key + ": " + rule.message, key));
            }
          }
        });
    for (String key : new TreeMap<>(props).keySet()) {
      if (key.startsWith("s3.sse.customer.key.")) {
        out.add(new CrossFieldValidator.Problem("Cannot use " + key + ": " + SSE_C, key));
      } else if (key.startsWith(S3Settings.CREDENTIALS_PROVIDER_PREFIX)
          && !key.equals(SinkConfigDef.CREDENTIALS_PROVIDER_CLASS)) {
        providerSettingProblem(key, props).ifPresent(out::add);
      }
    }
    return out;
  }

  private static Optional<CrossFieldValidator.Problem> providerSettingProblem(
      String key, Map<String, ?> props) {
    Object cls = props.get(SinkConfigDef.CREDENTIALS_PROVIDER_CLASS);
    String provider = cls == null ? "" : cls.toString().trim();
    if (provider.isEmpty() || CredentialsProviders.isDefaultChain(provider)) {
      return Optional.of(
          new CrossFieldValidator.Problem(
              "Cannot use "
                  + key
                  + ": it configures the "
                  + "provider of s3.credentials.provider.class, which is not set (the default credentials chain takes no "
                  + "settings). Set s3.credentials.provider.class to a provider implementing "
                  + "org.apache.kafka.common.Configurable, or remove "
                  + key
                  + ".",
              key));
    }
    try {
      CredentialsProviders.resolve(provider);
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // the class itself carries the error
    }
    if (!CredentialsProviders.isConfigurable(provider)) {
      return Optional.of(
          new CrossFieldValidator.Problem(
              "Cannot use "
                  + key
                  + ": "
                  + provider
                  + " does not "
                  + "implement org.apache.kafka.common.Configurable, so it would never see this setting. Remove "
                  + key
                  + ", or use a provider that implements Configurable.",
              key));
    }
    return Optional.empty();
  }

  /** True when the value of {@code key} must not be shown (it may be a secret). */
  static boolean isSecret(String key) {
    Rejected r = REJECTED.get(key);
    return r != null
        ? r.secret
        : key.startsWith("s3.sse.customer.key.")
            || key.startsWith(S3Settings.CREDENTIALS_PROVIDER_PREFIX);
  }

  /** The ignored Confluent keys set in {@code props}, each with the reason it has no effect. */
  public static Map<String, String> ignored(Map<String, ?> props) {
    Map<String, String> out = new LinkedHashMap<>();
    IGNORED.forEach(
        (key, reason) -> {
          if (props.containsKey(key)) {
            out.put(key, reason);
          }
        });
    return out;
  }

  /** Every rejected key (prefix keys excluded), for tests and docs. */
  static Set<String> rejectedKeys() {
    return REJECTED.keySet();
  }

  /** Every ignored key, for tests and docs. */
  static Set<String> ignoredKeys() {
    return IGNORED.keySet();
  }
}
