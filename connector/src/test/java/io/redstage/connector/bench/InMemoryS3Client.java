package io.redstage.connector.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The benchmark's "into memory" destination: the S3 operations the sink task uses, kept in a map in
 * this JVM, so that a sink run measures the connector (conversion, encoding, part buffers, commit
 * units, markers) without HTTP, request signing or an S3 server sharing the CPU. Every request body
 * is read in full, as a network send would. A completed multipart object keeps its parts as they
 * were sent and a copy shares them, as a store would not rewrite bytes it already holds. Only for
 * benchmarks: it checks nothing an S3 server checks (credentials, ETags, part sizes).
 */
final class InMemoryS3Client implements S3Client {
  private final Map<String, List<byte[]>> objects = new ConcurrentSkipListMap<>();
  private final Map<String, Map<Integer, byte[]>> uploads = new ConcurrentHashMap<>();

  /** Keys and bytes of every object under {@code prefix}. */
  Map<String, byte[]> objects(String prefix) {
    return objects.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .collect(
            Collectors.toMap(
                Map.Entry::getKey, e -> concat(e.getValue()), (a, b) -> a, TreeMap::new));
  }

  void deleteAll(String prefix) {
    objects.keySet().removeIf(k -> k.startsWith(prefix));
  }

  int openUploads() {
    return uploads.size();
  }

  @Override
  public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
    objects.put(request.key(), List.of(read(body)));
    return PutObjectResponse.builder().eTag("\"etag\"").build();
  }

  @Override
  public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest request) {
    String id = UUID.randomUUID().toString();
    uploads.put(id, new ConcurrentSkipListMap<>());
    return CreateMultipartUploadResponse.builder()
        .uploadId(id)
        .bucket(request.bucket())
        .key(request.key())
        .build();
  }

  @Override
  public UploadPartResponse uploadPart(UploadPartRequest request, RequestBody body) {
    upload(request.uploadId()).put(request.partNumber(), read(body));
    return UploadPartResponse.builder().eTag("\"part-" + request.partNumber() + "\"").build();
  }

  @Override
  public CompleteMultipartUploadResponse completeMultipartUpload(
      CompleteMultipartUploadRequest request) {
    Map<Integer, byte[]> parts = upload(request.uploadId());
    List<byte[]> whole = new ArrayList<>();
    for (CompletedPart part : request.multipartUpload().parts()) {
      whole.add(parts.get(part.partNumber()));
    }
    objects.put(request.key(), whole);
    uploads.remove(request.uploadId());
    return CompleteMultipartUploadResponse.builder().key(request.key()).build();
  }

  @Override
  public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest request) {
    uploads.remove(request.uploadId());
    return AbortMultipartUploadResponse.builder().build();
  }

  @Override
  public CopyObjectResponse copyObject(CopyObjectRequest request) {
    objects.put(request.destinationKey(), objects.get(request.sourceKey()));
    return CopyObjectResponse.builder().build();
  }

  @Override
  public DeleteObjectResponse deleteObject(DeleteObjectRequest request) {
    objects.remove(request.key());
    return DeleteObjectResponse.builder().build();
  }

  /** The task's start-up cleanup of stale uploads lists them once; there are none to report. */
  @Override
  public ListMultipartUploadsResponse listMultipartUploads(ListMultipartUploadsRequest request) {
    return ListMultipartUploadsResponse.builder()
        .bucket(request.bucket())
        .isTruncated(false)
        .build();
  }

  @Override
  public String serviceName() {
    return "s3";
  }

  @Override
  public void close() {}

  private Map<Integer, byte[]> upload(String id) {
    Map<Integer, byte[]> parts = uploads.get(id);
    if (parts == null) {
      throw NoSuchUploadException.builder().message("no upload " + id).build();
    }
    return parts;
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(out::writeBytes);
    return out.toByteArray();
  }

  private static byte[] read(RequestBody body) {
    try (InputStream in = body.contentStreamProvider().newStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
