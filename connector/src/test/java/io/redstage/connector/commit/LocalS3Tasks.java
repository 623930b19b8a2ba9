package io.redstage.connector.commit;

import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerCodec;
import io.redstage.sandbox.s3.LocalS3;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Task config pointing at S3Proxy, and the commit markers a task wrote there. */
final class LocalS3Tasks {
  private LocalS3Tasks() {}

  /** The S3 keys of a task config for {@code bucket} on the stand-in; wall-clock and idle rotation off. */
  static Map<String, String> props(LocalS3 s3, String bucket) {
    Map<String, String> props = new HashMap<>();
    props.put("s3.bucket.name", bucket);
    props.put("s3.region", s3.region());
    props.put("store.url", s3.endpoint().toString());
    props.put("aws.access.key.id", s3.accessKey());
    props.put("aws.secret.access.key", s3.secretKey());
    props.put("rotate.schedule.interval.ms", "-1");
    props.put("rotate.idle.ms", "-1");
    return props;
  }

  static List<CommitMarker> markers(LocalS3 s3, String bucket, String markersPrefix) {
    List<CommitMarker> markers = new ArrayList<>();
    for (S3Object o : s3.client().listObjectsV2Paginator(r -> r.bucket(bucket).prefix(markersPrefix)).contents()) {
      markers.add(MarkerCodec.fromJson(s3.client().getObjectAsBytes(r -> r.bucket(bucket).key(o.key())).asByteArray(),
          o.key()));
    }
    return markers;
  }
}
