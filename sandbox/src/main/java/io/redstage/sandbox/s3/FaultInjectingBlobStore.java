package io.redstage.sandbox.s3;

import java.io.IOException;
import java.io.InputStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Where faults are injected, and why here: S3Proxy 4.x dropped jclouds for an in-tree {@link
 * BlobStore} interface (built on AWS SDK v2 model classes) and ships {@link ForwardingBlobStore} to
 * decorate it; its own middlewares (latency, read-only, ...) are built that way. S3Proxy offers no
 * HTTP-level hook (no servlet filter or handler wrapper on its builder), and an HTTP proxy in front
 * would need its own server and would have to re-sign requests. An {@code AwsServiceException}
 * thrown here is answered by S3Proxy as a real S3 error response (status and XML error code), so
 * clients see exactly what S3 would send.
 *
 * <p>Each REST request reaches one "primary" method below. S3Proxy also makes internal calls while
 * serving a request (HEADs for conditional checks, a stub object per multipart upload under {@value
 * #S3PROXY_STUB_PREFIX}); those are passed through unobserved so that a rule fires once per client
 * request.
 */
final class FaultInjectingBlobStore extends ForwardingBlobStore {
  /** S3Proxy's reserved key prefix for its multipart-upload bookkeeping objects. */
  static final String S3PROXY_STUB_PREFIX = ".s3proxy-mpu-stub-";

  private final FaultInjector faults;
  private final Map<ObjectOperation, AtomicLong> requestCounts =
      new EnumMap<>(ObjectOperation.class);

  FaultInjectingBlobStore(BlobStore delegate, FaultInjector faults) {
    super(delegate);
    this.faults = faults;
    for (ObjectOperation op : ObjectOperation.values()) {
      requestCounts.put(op, new AtomicLong());
    }
  }

  long requestCount(ObjectOperation operation) {
    return requestCounts.get(operation).get();
  }

  void resetRequestCounts() {
    requestCounts.values().forEach(c -> c.set(0));
  }

  private void observe(ObjectOperation operation, String bucket, String key) {
    if (key != null && key.startsWith(S3PROXY_STUB_PREFIX)) {
      return;
    }
    requestCounts.get(operation).incrementAndGet();
    faults.beforeRequest(operation, bucket, key);
  }

  /**
   * Like {@link #observe} for requests with a body: on an injected failure the body is read to its
   * end first, so the client gets the error response after sending its payload, as with real S3,
   * not a reset connection.
   */
  private void observeWithBody(
      ObjectOperation operation, String bucket, String key, InputStream body) {
    try {
      observe(operation, bucket, key);
    } catch (RuntimeException e) {
      drain(body);
      throw e;
    }
  }

  private static void drain(InputStream body) {
    byte[] sink = new byte[64 * 1024];
    try {
      while (body.read(sink) >= 0) {
        // discard
      }
    } catch (IOException ignored) {
      // the error response is sent anyway
    }
  }

  @Override
  public PutObjectResponse putBlob(PutObjectRequest request, InputStream input) {
    observeWithBody(ObjectOperation.PUT_OBJECT, request.bucket(), request.key(), input);
    return super.putBlob(request, input);
  }

  @Override
  public CopyObjectResponse copyBlob(CopyObjectRequest request) {
    observe(ObjectOperation.COPY_OBJECT, request.destinationBucket(), request.destinationKey());
    return super.copyBlob(request);
  }

  @Override
  public HeadObjectResponse blobMetadata(HeadObjectRequest request) {
    observe(ObjectOperation.HEAD_OBJECT, request.bucket(), request.key());
    return super.blobMetadata(request);
  }

  /**
   * S3Proxy's internal existence checks: not client requests, so not observed (the default would
   * call blobMetadata).
   */
  @Override
  public HeadObjectResponse blobMetadataIfPresent(HeadObjectRequest request) {
    return delegate().blobMetadataIfPresent(request);
  }

  @Override
  public ResponseInputStream<GetObjectResponse> getBlob(GetObjectRequest request) {
    observe(ObjectOperation.GET_OBJECT, request.bucket(), request.key());
    return super.getBlob(request);
  }

  @Override
  public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
    observe(ObjectOperation.DELETE_OBJECT, request.bucket(), request.key());
    return super.removeBlob(request);
  }

  /** Matched by its first key; delegated whole, so its keys are not also seen as single deletes. */
  @Override
  public DeleteObjectsResponse removeBlobs(DeleteObjectsRequest request) {
    String firstKey =
        request.delete() == null || request.delete().objects().isEmpty()
            ? ""
            : request.delete().objects().get(0).key();
    observe(ObjectOperation.DELETE_OBJECTS, request.bucket(), firstKey);
    return delegate().removeBlobs(request);
  }

  @Override
  public ListObjectsV2Response list(ListObjectsV2Request request) {
    observe(ObjectOperation.LIST_OBJECTS, request.bucket(), request.prefix());
    return super.list(request);
  }

  @Override
  public MultipartUpload initiateMultipartUpload(CreateMultipartUploadRequest request) {
    observe(ObjectOperation.CREATE_MULTIPART_UPLOAD, request.bucket(), request.key());
    return super.initiateMultipartUpload(request);
  }

  @Override
  public UploadPartResponse uploadMultipartPart(
      MultipartUpload upload, UploadPartRequest request, InputStream input) {
    observeWithBody(ObjectOperation.UPLOAD_PART, upload.containerName(), upload.blobName(), input);
    return super.uploadMultipartPart(upload, request, input);
  }

  @Override
  public CompleteMultipartUploadResponse completeMultipartUpload(
      MultipartUpload upload, CompleteMultipartUploadRequest request) {
    observe(ObjectOperation.COMPLETE_MULTIPART_UPLOAD, upload.containerName(), upload.blobName());
    return super.completeMultipartUpload(upload, request);
  }

  @Override
  public void abortMultipartUpload(MultipartUpload upload) {
    observe(ObjectOperation.ABORT_MULTIPART_UPLOAD, upload.containerName(), upload.blobName());
    super.abortMultipartUpload(upload);
  }

  @Override
  public List<software.amazon.awssdk.services.s3.model.MultipartUpload> listMultipartUploads(
      String container) {
    observe(ObjectOperation.LIST_MULTIPART_UPLOADS, container, "");
    return super.listMultipartUploads(container);
  }
}
