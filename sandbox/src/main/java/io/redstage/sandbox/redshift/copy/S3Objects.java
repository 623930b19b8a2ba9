package io.redstage.sandbox.redshift.copy;

import io.redstage.sandbox.redshift.exec.StatementFailedException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads COPY's objects through the S3 API from the endpoint the sandbox points at (path-style, e.g.
 * S3Proxy), and words S3 failures the way Redshift reports them ({@code
 * S3ServiceException:...,Status n}).
 */
final class S3Objects implements AutoCloseable {
  /** An S3 location {@code s3://bucket/key}. */
  record Location(String bucket, String key) {
    static Location parse(String url) {
      if (!url.startsWith("s3://")) {
        return null;
      }
      String rest = url.substring("s3://".length());
      int slash = rest.indexOf('/');
      if (slash <= 0) {
        return new Location(rest, "");
      }
      return new Location(rest.substring(0, slash), rest.substring(slash + 1));
    }

    String url() {
      return "s3://" + bucket + "/" + key;
    }
  }

  /** An S3 failure in Redshift's words, with the HTTP status and error code S3 gave. */
  static final class S3Failure extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    S3Failure(String message, int status, String code) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }

    boolean isNotFound() {
      return status == 404;
    }
  }

  private final S3Client client;
  private final URI endpoint;

  S3Objects(URI endpoint, String accessKey, String secretKey, String region) {
    this.endpoint = endpoint;
    if (endpoint == null) {
      this.client = null;
      return;
    }
    AwsCredentialsProvider credentials =
        accessKey == null
            ? AnonymousCredentialsProvider.create()
            : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    this.client =
        S3Client.builder()
            .endpointOverride(endpoint)
            .region(Region.of(region == null ? "us-east-1" : region))
            .forcePathStyle(true)
            .credentialsProvider(credentials)
            .build();
  }

  byte[] get(Location loc) throws S3Failure {
    try {
      return client().getObjectAsBytes(b -> b.bucket(loc.bucket()).key(loc.key())).asByteArray();
    } catch (SdkException e) {
      throw failure(e);
    }
  }

  long size(Location loc) throws S3Failure {
    try {
      return client().headObject(b -> b.bucket(loc.bucket()).key(loc.key())).contentLength();
    } catch (SdkException e) {
      throw failure(e);
    }
  }

  /**
   * Objects whose key starts with the prefix (Redshift's COPY FROM prefix semantics), folders
   * excluded.
   */
  List<S3Object> list(Location prefix) throws S3Failure {
    List<S3Object> out = new ArrayList<>();
    try {
      ListObjectsV2Request request =
          ListObjectsV2Request.builder().bucket(prefix.bucket()).prefix(prefix.key()).build();
      for (S3Object o : client().listObjectsV2Paginator(request).contents()) {
        if (!o.key().endsWith("/")) {
          out.add(o);
        }
      }
    } catch (SdkException e) {
      throw failure(e);
    }
    return out;
  }

  private S3Client client() {
    if (client == null) {
      throw new StatementFailedException(
          "Cannot COPY from S3: the Redshift sandbox has no S3 endpoint configured. "
              + "Start LocalRedshift with Options.s3Endpoint(...) (CLI: --s3-endpoint).");
    }
    return client;
  }

  private S3Failure failure(SdkException e) {
    if (e instanceof S3Exception s3) {
      String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
      String text =
          switch (code == null ? "" : code) {
            case "NoSuchKey" -> "The specified key does not exist.";
            case "NoSuchBucket" -> "The specified bucket does not exist";
            case "AccessDenied" -> "Access Denied";
            default ->
                s3.awsErrorDetails() != null && s3.awsErrorDetails().errorMessage() != null
                    ? s3.awsErrorDetails().errorMessage()
                    : (s3.statusCode() == 404 ? "Not Found" : e.getMessage());
          };
      String errorCode = code != null ? code : (s3.statusCode() == 404 ? "NoSuchKey" : "Unknown");
      return new S3Failure(
          "S3ServiceException:" + text + ",Status " + s3.statusCode() + ",Error " + errorCode,
          s3.statusCode(),
          errorCode);
    }
    if (e instanceof SdkClientException) {
      return new S3Failure(
          "S3 request to " + endpoint + " failed: " + e.getMessage(), 0, "ClientError");
    }
    return new S3Failure("S3 request failed: " + e.getMessage(), 0, "Unknown");
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
