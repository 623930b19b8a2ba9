package io.redstage.loader.aws;

import static io.redstage.loader.config.LoaderConfigDef.AWS_REGION;
import static io.redstage.loader.config.LoaderConfigDef.MANIFESTS_DIR;
import static io.redstage.loader.config.LoaderConfigDef.MARKERS_LOADED_ACTION;
import static io.redstage.loader.config.LoaderConfigDef.MARKERS_LOADED_DIR;
import static io.redstage.loader.config.LoaderConfigDef.QUARANTINE_DIR;
import static io.redstage.loader.config.LoaderConfigDef.REJECTS_DIR;
import static io.redstage.loader.config.LoaderConfigDef.S3_BUCKET;

import io.redstage.contract.MarkerKeys;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.LoaderConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Proves the loader may write under a configured prefix: puts an empty probe object there and
 * deletes it. Used by the start-up checks and by {@code check}.
 */
public final class PrefixProbe {
  private static final Logger LOG = LoggerFactory.getLogger(PrefixProbe.class);

  private PrefixProbe() {}

  /**
   * The keys of the prefixes the loader writes to, which the start-up checks and {@code check}
   * probe: markers.loaded.dir only when loaded markers are moved there. The loader only reads and
   * deletes under markers.dir (the connector writes there), so a least-privilege policy grants no
   * PutObject on it.
   */
  public static List<String> writtenPrefixKeys(LoaderConfig config) {
    List<String> keys = new ArrayList<>(List.of(MANIFESTS_DIR, QUARANTINE_DIR, REJECTS_DIR));
    if ("move".equalsIgnoreCase(config.string(MARKERS_LOADED_ACTION))) {
      keys.add(0, MARKERS_LOADED_DIR);
    }
    return keys;
  }

  /**
   * @param key the config key whose value is the prefix (inside {@code s3.bucket.name})
   * @throws ConfigException naming the key, the probe object and the grant needed
   */
  public static void probe(S3Client s3, LoaderConfig config, String key) {
    String bucket = config.string(S3_BUCKET);
    String probe =
        MarkerKeys.normalizeDir(config.string(key)) + ".redstage-probe-" + UUID.randomUUID();
    try {
      s3.putObject(b -> b.bucket(bucket).key(probe), RequestBody.fromBytes(new byte[0]));
      s3.deleteObject(b -> b.bucket(bucket).key(probe));
    } catch (SdkException e) {
      RuntimeException notThePrefix = notThePrefix(e, config, bucket);
      if (notThePrefix != null) {
        throw notThePrefix;
      }
      if (e instanceof AwsServiceException s
          ? s.statusCode() >= 500 || s.isThrottlingException()
          : hasCause(e, java.io.IOException.class)) {
        // S3 unreachable or failing (after the SDK's retries): nothing to grant; a restart retries
        throw new IllegalStateException(
            "Cannot check '"
                + key
                + "' = '"
                + config.string(key)
                + "' in bucket "
                + bucket
                + ": S3 did not answer the probe ("
                + e.getMessage()
                + "). Check the network path to S3 (store.url, proxy, VPC endpoint); the check runs"
                + " again at the next start.",
            e);
      }
      throw new ConfigException(
          "Cannot write to '"
              + key
              + "' = '"
              + config.string(key)
              + "' in bucket "
              + bucket
              + ": a probe object "
              + probe
              + " failed ("
              + e.getMessage()
              + "). Grant the loader s3:PutObject and s3:DeleteObject on that prefix, or set "
              + key
              + " to a prefix it may write.",
          e);
    }
    LOG.debug("{} is writable ({} put and deleted)", key, probe);
  }

  /**
   * The error for a failure that has nothing to do with the prefix or its grants: no credentials,
   * credentials S3 refuses, a clock S3 refuses, a bucket that does not exist or is in another
   * region. Each says what to fix; "grant s3:PutObject" would send the operator to edit a policy
   * that is fine. Null for any other failure.
   */
  private static RuntimeException notThePrefix(SdkException e, LoaderConfig config, String bucket) {
    if (!(e instanceof AwsServiceException s)) {
      if (String.valueOf(e.getMessage()).contains("Unable to load credentials")) {
        return new IllegalStateException(
            "Cannot use S3: the loader found no AWS credentials ("
                + e.getMessage()
                + "). Give it a role (instance profile, ECS task role, IRSA), AWS_PROFILE, or "
                + "aws.access.key.id and aws.secret.access.key.",
            e);
      }
      return null;
    }
    Optional<S3CallError> error = S3CallError.of(s);
    if (error.isEmpty()) {
      return null;
    }
    String code = S3CallError.code(s);
    return switch (error.get()) {
      case CREDENTIALS ->
          new IllegalStateException(
              "Cannot use S3: it refuses the loader's AWS credentials ("
                  + code
                  + "). "
                  + error.get().whatToDo(),
              e);
      case CLOCK ->
          new IllegalStateException(
              "Cannot use S3: this host's clock is too far from S3's (RequestTimeTooSkewed), so every "
                  + "signed request is refused. "
                  + error.get().whatToDo(),
              e);
      case NO_SUCH_BUCKET ->
          new ConfigException(
              "Cannot use "
                  + S3_BUCKET
                  + " = '"
                  + bucket
                  + "': S3 says there is no such bucket. "
                  + error.get().whatToDo(),
              e);
      case OTHER_REGION ->
          new ConfigException(
              "Cannot use bucket "
                  + bucket
                  + " through region "
                  + (config.string(AWS_REGION) == null
                      ? "the environment gives"
                      : "'" + config.string(AWS_REGION) + "'")
                  + ": S3 answered "
                  + code
                  + ", which it does when the bucket is in another region. "
                  + error.get().whatToDo(),
              e);
      // S3 failing, which the caller tells by its status and the SDK's throttling check
      case SLOW_DOWN -> null;
    };
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
