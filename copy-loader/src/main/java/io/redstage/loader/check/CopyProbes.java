package io.redstage.loader.check;

import static io.redstage.loader.config.LoaderConfigDef.MANIFESTS_DIR;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.redshift.QueryResult;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the checks that run a COPY share: a folder of their own under manifests.dir (where the
 * loader's manifests go, so the COPY role reads it as it reads theirs), a one-file manifest, the
 * reading of the rows counted after the COPY, the failure to write there, and the clean-up.
 */
final class CopyProbes {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CopyProbes() {}

  /** A new folder under manifests.dir, ending in '/'. */
  static String folder(LoaderConfig config) {
    return MarkerKeys.normalizeDir(config.string(MANIFESTS_DIR))
        + ".redstage-check-"
        + UUID.randomUUID()
        + "/";
  }

  /** A COPY manifest of one file of {@code length} bytes. */
  static byte[] manifest(String url, long length) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode entry = root.putArray("entries").addObject();
    entry.put("url", url).put("mandatory", true);
    entry.putObject("meta").put("content_length", length);
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The number in {@code column} of the first row of a probe's count, or -1 when there is no row.
   */
  static long count(QueryResult counted, int column) {
    return counted.rows().isEmpty() ? -1 : QueryResult.number(counted.rows().get(0).get(column));
  }

  /** The check {@code name} failed because its probe could not be written. */
  static CheckResult cannotWrite(String name, String what, LoaderConfig config, SdkException e) {
    return CheckResult.fail(
        name,
        "Cannot write the "
            + what
            + " under "
            + MANIFESTS_DIR
            + " '"
            + config.string(MANIFESTS_DIR)
            + "': "
            + e.getMessage()
            + ". Fix the 'write "
            + MANIFESTS_DIR
            + "' check first.");
  }

  /** Deletes the probe objects; one left behind is a few bytes under the manifests prefix. */
  static void delete(S3Client s3, String bucket, String... keys) {
    for (String key : keys) {
      try {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
      } catch (SdkException e) {
        // left there: harmless, and an S3 lifecycle rule on the manifests prefix removes it
      }
    }
  }
}
