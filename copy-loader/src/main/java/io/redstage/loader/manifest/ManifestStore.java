package io.redstage.loader.manifest;

import io.redstage.contract.MarkerKeys;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.StagingGroup;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/**
 * Writes and removes the manifests of a batch under the loader's own prefix (never among data or
 * markers).
 */
public final class ManifestStore {
  private final S3Client s3;
  private final String bucket;
  private final String dir;

  public ManifestStore(S3Client s3, String bucket, String manifestsDir) {
    this.s3 = s3;
    this.bucket = bucket;
    this.dir = MarkerKeys.normalizeDir(manifestsDir);
  }

  /** {@code <manifests.dir>/<table>/<batch id>/<group>.manifest.json} */
  public String key(Batch batch, StagingGroup group) {
    return dir + batch.table().name() + "/" + batch.id() + "/" + group.index() + ".manifest.json";
  }

  public String url(Batch batch, StagingGroup group) {
    return "s3://" + bucket + "/" + key(batch, group);
  }

  /** Uploads one manifest per staging group; returns the S3 requests made. */
  public int write(Batch batch) {
    for (StagingGroup g : batch.groups()) {
      s3.putObject(
          b -> b.bucket(bucket).key(key(batch, g)).contentType("application/json"),
          RequestBody.fromBytes(CopyManifest.json(g)));
    }
    return batch.groups().size();
  }

  /** Deletes a committed batch's manifests in one request; returns the S3 requests made. */
  public int delete(Batch batch) {
    if (batch.groups().isEmpty()) {
      return 0;
    }
    List<ObjectIdentifier> ids = new ArrayList<>();
    for (StagingGroup g : batch.groups()) {
      ids.add(ObjectIdentifier.builder().key(key(batch, g)).build());
    }
    s3.deleteObjects(
        b -> b.bucket(bucket).delete(Delete.builder().objects(ids).quiet(true).build()));
    return 1;
  }
}
