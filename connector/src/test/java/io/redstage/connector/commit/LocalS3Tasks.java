package io.redstage.connector.commit;

import io.redstage.sandbox.s3.LocalS3;
import java.util.HashMap;
import java.util.Map;

/** Task config pointing at S3Proxy. */
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
}
