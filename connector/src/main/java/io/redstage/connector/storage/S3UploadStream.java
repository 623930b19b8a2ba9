package io.redstage.connector.storage;

import io.redstage.connector.format.PositionedOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Streams one S3 object: bytes collect in a heap buffer of at most one part, which grows as bytes arrive; each full
 * part is uploaded synchronously in the writing thread (bounded memory, no background threads), then the buffer is
 * reused. An object that ends within its first part is sent as one PutObject instead of a multipart upload.
 *
 * <p>Lifecycle: write, then {@link #complete()} to make the object visible, or {@link #abort()} to drop it.
 * {@link #close()} only ends writing (format writers close their stream when they finish) and uploads nothing, so
 * the owner still decides between complete and abort. Not thread-safe: one writer thread per stream.
 *
 * <p>Failures surface as {@link S3StorageException} ("Cannot upload part N of s3://bucket/key: ...") once the SDK's
 * retries are used up; the stream then aborts its multipart upload and accepts no more bytes.
 */
public final class S3UploadStream extends PositionedOutputStream {
  private static final Logger LOG = LoggerFactory.getLogger(S3UploadStream.class);
  /** S3's limit of parts per multipart upload. */
  static final int MAX_PARTS = 10_000;

  private enum State { OPEN, CLOSED, COMPLETED, ABORTED, FAILED }

  private final S3Client client;
  private final S3Settings settings;
  private final ObjectWriteOptions writeOptions;
  private final String key;
  private final String contentType;
  private final PartBuffer buffer;
  private final List<CompletedPart> parts = new ArrayList<>();
  private String uploadId;
  private long position;
  private State state = State.OPEN;

  S3UploadStream(S3Client client, S3Settings settings, ObjectWriteOptions writeOptions, String key, String contentType) {
    this.client = client;
    this.settings = settings;
    this.writeOptions = writeOptions;
    this.key = Objects.requireNonNull(key, "key");
    this.contentType = contentType;
    this.buffer = new PartBuffer(settings.partSizeBytes());
  }

  public String key() {
    return key;
  }

  /** Bytes written so far; after {@link #complete()} the object's size. */
  @Override
  public long position() {
    return position;
  }

  /** Heap held for this object now (the part buffer's capacity), at most the part size; 0 once completed or aborted. */
  public long bufferedBytes() {
    return buffer.capacity();
  }

  @Override
  public void write(int b) throws IOException {
    ensureWritable();
    if (buffer.isFull()) {
      uploadBufferedPart();
    }
    buffer.write(b);
    position++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureWritable();
    while (len > 0) {
      // upload a full part only when more bytes come, so an object of exactly one part stays a single PutObject
      if (buffer.isFull()) {
        uploadBufferedPart();
      }
      int n = buffer.write(b, off, len);
      off += n;
      len -= n;
      position += n;
    }
  }

  /** Nothing to do: S3 has no partial writes, and parts below the part size cannot be sent early. */
  @Override
  public void flush() {
  }

  /** Ends writing; uploads nothing and aborts nothing (see the class comment). Idempotent. */
  @Override
  public void close() {
    if (state == State.OPEN) {
      state = State.CLOSED;
    }
  }

  /**
   * Uploads what is buffered and makes the object visible: one PutObject when the object fits in one part, otherwise
   * the last part and CompleteMultipartUpload. Returns the object's size. Calling it again returns the size again.
   *
   * @throws S3StorageException when S3 refuses or fails the upload after the SDK's retries; the upload is aborted
   */
  public long complete() throws IOException {
    return completeAs(key);
  }

  /**
   * Completes the object under {@code finalKey}, which may differ from the key the stream was created with
   * (the commit unit's end offset, part of the final name, is known only when the unit closes). An object
   * that fits in one part goes straight to {@code finalKey} with one PutObject; a multipart upload is
   * completed under the creation key and then server-side copied to {@code finalKey}, and the temporary
   * object is deleted. Returns the object's size.
   */
  public long completeAs(String finalKey) throws IOException {
    if (state == State.COMPLETED) {
      return position;
    }
    if (state == State.ABORTED || state == State.FAILED) {
      throw new IOException("Cannot complete s3://" + settings.bucket() + "/" + key + ": the upload was "
          + (state == State.ABORTED ? "aborted" : "failed") + " before. Write the file again with a new stream.");
    }
    if (uploadId == null) {
      putWholeObject(finalKey);
    } else {
      if (buffer.size() > 0) {
        uploadBufferedPart();
      }
      completeMultipartUpload();
      if (!finalKey.equals(key)) {
        moveTo(finalKey);
      }
    }
    state = State.COMPLETED;
    buffer.release();
    LOG.info("Uploaded s3://{}/{}: {} bytes in {} part(s)", settings.bucket(), finalKey, position, Math.max(1, parts.size()));
    return position;
  }

  /**
   * Drops the object: aborts the multipart upload if one was started, frees the buffer. Idempotent, never throws
   * (a failed abort is logged; {@link S3Storage#abortStaleUploads} cleans up later). Does nothing after complete().
   */
  public void abort() {
    if (state == State.COMPLETED || state == State.ABORTED) {
      return;
    }
    state = State.ABORTED;
    buffer.release();
    abortMultipartUpload();
  }

  private void ensureWritable() throws IOException {
    if (state != State.OPEN) {
      throw new IOException("Cannot write to s3://" + settings.bucket() + "/" + key + ": the stream is "
          + state.name().toLowerCase(Locale.ROOT) + ". Write the file again with a new stream.");
    }
  }

  private void uploadBufferedPart() throws IOException {
    int partNumber = parts.size() + 1;
    if (partNumber > MAX_PARTS) {
      throw fail(new S3StorageException("Cannot upload part " + partNumber + " of s3://" + settings.bucket() + "/" + key
          + ": S3 allows at most " + MAX_PARTS + " parts per object. Raise " + S3Settings.PART_SIZE_CONFIG
          + " or rotate files at a smaller size.", false, null));
    }
    if (uploadId == null) {
      startMultipartUpload();
    }
    int size = buffer.size();
    try {
      String etag = client.uploadPart(r -> r.bucket(settings.bucket()).key(key).uploadId(uploadId)
          .partNumber(partNumber).contentLength((long) size),
          RequestBody.fromContentProvider(buffer.content(), size, "application/octet-stream")).eTag();
      parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
    } catch (SdkException e) {
      throw fail(S3Errors.failure("upload part " + partNumber + " of s3://" + settings.bucket() + "/" + key, e, settings));
    }
    LOG.debug("Uploaded part {} ({} bytes) of s3://{}/{}", partNumber, size, settings.bucket(), key);
    buffer.clear();
  }

  private void startMultipartUpload() throws IOException {
    try {
      CreateMultipartUploadRequest.Builder request = CreateMultipartUploadRequest.builder()
          .bucket(settings.bucket()).key(key).contentType(contentType);
      uploadId = client.createMultipartUpload(writeOptions.applyTo(request).build()).uploadId();
    } catch (SdkException e) {
      throw fail(S3Errors.failure("start a multipart upload of s3://" + settings.bucket() + "/" + key, e, settings));
    }
  }

  private void completeMultipartUpload() throws IOException {
    try {
      client.completeMultipartUpload(r -> r.bucket(settings.bucket()).key(key).uploadId(uploadId)
          .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
    } catch (SdkException e) {
      throw fail(S3Errors.failure("complete the multipart upload of s3://" + settings.bucket() + "/" + key + " ("
          + parts.size() + " parts)", e, settings));
    }
  }

  private void putWholeObject(String target) throws IOException {
    int size = buffer.size();
    try {
      PutObjectRequest.Builder request = PutObjectRequest.builder()
          .bucket(settings.bucket()).key(target).contentType(contentType).contentLength((long) size);
      client.putObject(writeOptions.applyTo(request).build(),
          RequestBody.fromContentProvider(buffer.content(), size, contentType));
    } catch (SdkException e) {
      throw fail(S3Errors.failure("upload s3://" + settings.bucket() + "/" + target, e, settings));
    }
  }

  /** Server-side copy of the completed temporary object to its final key (≤ 5 GiB), then delete it. */
  private void moveTo(String target) throws IOException {
    try {
      software.amazon.awssdk.services.s3.model.CopyObjectRequest.Builder copy =
          software.amazon.awssdk.services.s3.model.CopyObjectRequest.builder()
              .sourceBucket(settings.bucket()).sourceKey(key)
              .destinationBucket(settings.bucket()).destinationKey(target).contentType(contentType)
              .metadataDirective(software.amazon.awssdk.services.s3.model.MetadataDirective.REPLACE);
      client.copyObject(writeOptions.applyTo(copy).build());
    } catch (SdkException e) {
      state = State.FAILED;
      throw S3Errors.failure("copy s3://" + settings.bucket() + "/" + key + " to " + target, e, settings);
    }
    try {
      client.deleteObject(r -> r.bucket(settings.bucket()).key(key));
    } catch (SdkException e) {
      LOG.warn("Cannot delete the temporary object s3://{}/{} after copying it to {}: {}. It is not referenced by "
          + "any marker; a bucket lifecycle rule on the tmp.dir prefix removes it.", settings.bucket(), key, target, e.toString());
    }
  }

  /** Marks the stream failed and aborts its upload, so no half-written upload is left behind. */
  private S3StorageException fail(S3StorageException e) {
    state = State.FAILED;
    buffer.release();
    abortMultipartUpload();
    return e;
  }

  private void abortMultipartUpload() {
    if (uploadId == null) {
      return;
    }
    String id = uploadId;
    uploadId = null;
    try {
      client.abortMultipartUpload(r -> r.bucket(settings.bucket()).key(key).uploadId(id));
      LOG.debug("Aborted the multipart upload of s3://{}/{} after {} part(s)", settings.bucket(), key, parts.size());
    } catch (RuntimeException e) {
      LOG.warn("Cannot abort the multipart upload {} of s3://{}/{}: {}. It stays until a bucket lifecycle rule or the "
          + "next stale-upload cleanup removes it.", id, settings.bucket(), key, e.toString());
    }
  }
}
