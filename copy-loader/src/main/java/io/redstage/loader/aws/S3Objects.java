package io.redstage.loader.aws;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Small S3 questions the loader asks in more than one place. */
public final class S3Objects {
  private S3Objects() {}

  /**
   * Whether an object exists. HEAD answers a missing key with a bare 404 (no error code in a body),
   * which the SDK may raise as a plain {@link S3Exception} rather than {@link NoSuchKeyException};
   * both mean "no".
   */
  public static boolean exists(S3Client s3, String bucket, String key) {
    try {
      s3.headObject(b -> b.bucket(bucket).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }
}
