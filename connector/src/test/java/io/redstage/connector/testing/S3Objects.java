package io.redstage.connector.testing;

import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerCodec;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Lists, reads and clears objects and commit markers of the S3 stand-in, for the connector's tests
 * and benchmarks.
 */
public final class S3Objects {
  private S3Objects() {}

  public static List<String> keys(S3Client s3, String bucket, String prefix) {
    List<String> keys = new ArrayList<>();
    for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()) {
      keys.add(o.key());
    }
    return keys;
  }

  public static byte[] get(S3Client s3, String bucket, String key) {
    return s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray();
  }

  /** The commit markers under {@code markersPrefix}, in key order (per partition: offset order). */
  public static List<CommitMarker> markers(S3Client s3, String bucket, String markersPrefix) {
    List<CommitMarker> out = new ArrayList<>();
    for (String key : keys(s3, bucket, markersPrefix)) {
      out.add(MarkerCodec.fromJson(get(s3, bucket, key), key));
    }
    return out;
  }

  /** Deletes every object under {@code prefix}, 1,000 keys per request (the S3 limit). */
  public static void deleteAll(S3Client s3, String bucket, String prefix) {
    List<String> keys = keys(s3, bucket, prefix);
    for (int i = 0; i < keys.size(); i += 1000) {
      List<ObjectIdentifier> ids = new ArrayList<>();
      for (String k : keys.subList(i, Math.min(keys.size(), i + 1000))) {
        ids.add(ObjectIdentifier.builder().key(k).build());
      }
      s3.deleteObjects(r -> r.bucket(bucket).delete(d -> d.objects(ids)));
    }
  }
}
