package io.redstage.connector.bench;

import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerCodec;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Reads commit markers and clears prefixes between benchmark runs (outside the timed part). */
final class S3Objects {
  private S3Objects() {}

  static List<String> keys(S3Client s3, String bucket, String prefix) {
    List<String> keys = new ArrayList<>();
    for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()) {
      keys.add(o.key());
    }
    return keys;
  }

  static List<CommitMarker> markers(S3Client s3, String bucket, String markersPrefix) {
    List<CommitMarker> out = new ArrayList<>();
    for (String key : keys(s3, bucket, markersPrefix)) {
      out.add(MarkerCodec.fromJson(s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray(), key));
    }
    return out;
  }

  /** Deletes every object under {@code prefix}, 1,000 keys per request (the S3 limit). */
  static void deleteAll(S3Client s3, String bucket, String prefix) {
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
