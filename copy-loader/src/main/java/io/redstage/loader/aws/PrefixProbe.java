package io.redstage.loader.aws;

import static io.redstage.loader.config.LoaderConfigDef.S3_BUCKET;

import io.redstage.contract.MarkerKeys;
import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.LoaderConfig;
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

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
