package io.redstage.loader.check;

import static io.redstage.loader.config.LoaderConfigDef.MARKERS_DIR;
import static io.redstage.loader.config.LoaderConfigDef.MARKERS_LOADED_ACTION;
import static io.redstage.loader.config.LoaderConfigDef.S3_BUCKET;

import io.redstage.contract.MarkerKeys;
import io.redstage.loader.config.LoaderConfig;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What the loader does to the markers under markers.dir besides listing them: it reads each
 * (s3:GetObject, and kms:Decrypt on an SSE-KMS bucket) and, unless markers.loaded.action=keep,
 * deletes it once loaded. A policy that allows the listing only lets every marker be rejected as
 * unreadable while the listing check passes; one without the delete lets loaded markers pile up.
 */
final class MarkerAccess {
  static final String READ = "read " + MARKERS_DIR;
  static final String DELETE = "delete under " + MARKERS_DIR;

  private final LoaderConfig config;
  private final S3Client s3;

  MarkerAccess(LoaderConfig config, S3Client s3) {
    this.config = config;
    this.s3 = s3;
  }

  /**
   * Reads the first byte of the marker the listing check found first: a GET needs s3:GetObject,
   * kms:Decrypt on an SSE-KMS object and an object not archived, where a HEAD needs none of the
   * last two.
   */
  CheckResult readMarker(Optional<String> first) {
    if (first.isEmpty()) {
      return CheckResult.skip(READ, "no marker under it yet to read.");
    }
    String bucket = config.string(S3_BUCKET);
    String key = first.get();
    try {
      s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range("bytes=0-0"));
      return CheckResult.ok(READ, "read s3://" + bucket + "/" + key);
    } catch (S3Exception e) {
      return CheckResult.fail(
          READ,
          "Cannot read commit marker s3://"
              + bucket
              + "/"
              + key
              + ": S3 answered HTTP "
              + e.statusCode()
              + ". Grant the loader s3:GetObject on "
              + MARKERS_DIR
              + " (and kms:Decrypt on the bucket's key with SSE-KMS; examples/iam/loader.json): every"
              + " marker would be rejected as unreadable.");
    } catch (SdkException e) {
      return CheckResult.skip(READ, "S3 did not answer (" + e.getMessage() + ").");
    }
  }

  /**
   * Deletes a key that does not exist under markers.dir: S3 answers 204 when the loader may delete
   * there and 403 when not, and nothing is removed either way.
   */
  CheckResult deleteUnderMarkers() {
    String bucket = config.string(S3_BUCKET);
    String key =
        MarkerKeys.normalizeDir(config.string(MARKERS_DIR))
            + ".redstage-probe-"
            + UUID.randomUUID();
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
      return CheckResult.ok(DELETE, "deleting is allowed (a key that does not exist was asked)");
    } catch (S3Exception e) {
      return CheckResult.fail(
          DELETE,
          "Cannot delete under "
              + MARKERS_DIR
              + ": S3 answered HTTP "
              + e.statusCode()
              + " to deleting a key that does not exist. "
              + MARKERS_LOADED_ACTION
              + "="
              + config.string(MARKERS_LOADED_ACTION)
              + " deletes each loaded marker from it: grant the loader s3:DeleteObject on "
              + MARKERS_DIR
              + " (examples/iam/loader.json), or set "
              + MARKERS_LOADED_ACTION
              + "=keep.");
    } catch (SdkException e) {
      return CheckResult.skip(DELETE, "S3 did not answer (" + e.getMessage() + ").");
    }
  }
}
