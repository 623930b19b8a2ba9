package io.redstage.connector.storage;

import io.redstage.connector.format.PositionedOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Streams one S3 object: bytes collect in a heap buffer of at most one part, which grows as bytes
 * arrive. Each full part is uploaded either synchronously in the writing thread or, when the stream
 * has a part uploader (an {@link Executor}), in the background while writing goes on into a second
 * buffer: at most one part per stream is in flight, so a stream holds at most two part buffers. An
 * object that ends within its first part is sent as one PutObject instead of a multipart upload.
 *
 * <p>Lifecycle: write, then {@link #complete()} to make the object visible, or {@link #abort()} to
 * drop it. {@link #close()} only ends writing (format writers close their stream when they finish)
 * and uploads nothing, so the owner still decides between complete and abort. Not thread-safe: one
 * owner thread at a time (ownership may pass to another thread through an executor, which orders
 * the accesses); the part uploader only reads the buffer it was given.
 *
 * <p>Failures surface as {@link S3StorageException} ("Cannot upload part N of s3://bucket/key:
 * ...") once the SDK's retries are used up; the stream then aborts its multipart upload and accepts
 * no more bytes.
 */
public final class S3UploadStream extends PositionedOutputStream {
  private static final Logger LOG = LoggerFactory.getLogger(S3UploadStream.class);

  /** S3's limit of parts per multipart upload. */
  static final int MAX_PARTS = 10_000;

  private enum State {
    OPEN,
    CLOSED,
    COMPLETED,
    ABORTED,
    FAILED
  }

  private final S3Client client;
  private final S3Settings settings;
  private final ObjectWriteOptions writeOptions;
  private final String key;
  private final String contentType;
  private final Executor partUploader;
  private PartBuffer buffer;

  /** The buffer of the part in flight, reused for the part after next once that part is sent. */
  private PartBuffer inFlightBuffer;

  private QueuedPart inFlight;
  private final List<CompletedPart> parts = new ArrayList<>();
  private String uploadId;
  private long position;
  private State state = State.OPEN;

  S3UploadStream(
      S3Client client,
      S3Settings settings,
      ObjectWriteOptions writeOptions,
      String key,
      String contentType,
      Executor partUploader) {
    this.client = client;
    this.partUploader = partUploader;
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

  /**
   * Heap held for this object now: the part buffer's capacity plus the part in flight, at most two
   * part sizes; 0 once completed or aborted.
   */
  public long bufferedBytes() {
    return buffer.capacity() + (inFlightBuffer == null ? 0 : inFlightBuffer.capacity());
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
      // upload a full part only when more bytes come, so an object of exactly one part stays a
      // single PutObject
      if (buffer.isFull()) {
        uploadBufferedPart();
      }
      int n = buffer.write(b, off, len);
      off += n;
      len -= n;
      position += n;
    }
  }

  /**
   * Nothing to do: S3 has no partial writes, and parts below the part size cannot be sent early.
   */
  @Override
  public void flush() {}

  /** Ends writing; uploads nothing and aborts nothing (see the class comment). Idempotent. */
  @Override
  public void close() {
    if (state == State.OPEN) {
      state = State.CLOSED;
    }
  }

  /**
   * Uploads what is buffered and makes the object visible: one PutObject when the object fits in
   * one part, otherwise the last part and CompleteMultipartUpload. Returns the object's size.
   * Calling it again returns the size again.
   *
   * @throws S3StorageException when S3 refuses or fails the upload after the SDK's retries; the
   *     upload is aborted
   */
  public long complete() throws IOException {
    return completeAs(key);
  }

  /**
   * Completes the object under {@code finalKey}, which may differ from the key the stream was
   * created with (the commit unit's end offset, part of the final name, is known only when the unit
   * closes). An object that fits in one part goes straight to {@code finalKey} with one PutObject;
   * a multipart upload is completed under the creation key and then server-side copied to {@code
   * finalKey}, and the temporary object is deleted. Returns the object's size.
   */
  public long completeAs(String finalKey) throws IOException {
    if (state == State.COMPLETED) {
      return position;
    }
    if (state == State.ABORTED || state == State.FAILED) {
      throw new IOException(
          "Cannot complete s3://"
              + settings.bucket()
              + "/"
              + key
              + ": the upload was "
              + (state == State.ABORTED ? "aborted" : "failed")
              + " before. Write the file again with a new stream.");
    }
    if (uploadId == null) {
      putWholeObject(finalKey);
    } else {
      awaitPartInFlight();
      if (buffer.size() > 0) {
        uploadPartOrFail(parts.size() + 1);
      }
      completeMultipartUpload(finalKey);
      if (!finalKey.equals(key)) {
        moveTo(finalKey);
      }
    }
    state = State.COMPLETED;
    releaseBuffers();
    LOG.info(
        "Uploaded s3://{}/{}: {} bytes in {} part(s)",
        settings.bucket(),
        finalKey,
        position,
        Math.max(1, parts.size()));
    return position;
  }

  /**
   * Drops the object: aborts the multipart upload if one was started, frees the buffer. Idempotent,
   * never throws (a failed abort is logged; {@link S3Storage#abortStaleUploads} cleans up later).
   * Does nothing after complete().
   */
  public void abort() {
    if (state == State.COMPLETED || state == State.ABORTED) {
      return;
    }
    state = State.ABORTED;
    dropUpload();
  }

  private void ensureWritable() throws IOException {
    if (state != State.OPEN) {
      throw new IOException(
          "Cannot write to s3://"
              + settings.bucket()
              + "/"
              + key
              + ": the stream is "
              + state.name().toLowerCase(Locale.ROOT)
              + ". Write the file again with a new stream.");
    }
  }

  private void uploadBufferedPart() throws IOException {
    int partNumber = parts.size() + (inFlight == null ? 1 : 2);
    if (partNumber > MAX_PARTS) {
      throw fail(
          new S3StorageException(
              "Cannot upload part "
                  + partNumber
                  + " of s3://"
                  + settings.bucket()
                  + "/"
                  + key
                  + ": S3 allows at most "
                  + MAX_PARTS
                  + " parts per object. Raise "
                  + S3Settings.PART_SIZE_CONFIG
                  + " or rotate files at a smaller size.",
              false,
              null));
    }
    if (uploadId == null) {
      startMultipartUpload();
    }
    if (partUploader == null) {
      uploadPartOrFail(partNumber);
      buffer.clear();
      return;
    }
    awaitPartInFlight();
    PartBuffer full = buffer;
    String id = uploadId;
    buffer = inFlightBuffer != null ? inFlightBuffer : new PartBuffer(settings.partSizeBytes());
    inFlightBuffer = full;
    QueuedPart part =
        new QueuedPart(
            "part " + partNumber + " of s3://" + settings.bucket() + "/" + key,
            () -> uploadPart(partNumber, full, id));
    inFlight = part;
    try {
      partUploader.execute(part);
    } catch (RejectedExecutionException e) {
      part.drop(); // the uploader is shut down: the task is stopping
    }
  }

  private void uploadPartOrFail(int partNumber) throws S3StorageException {
    try {
      parts.add(uploadPart(partNumber, buffer, uploadId));
    } catch (S3StorageException e) {
      throw fail(e);
    }
  }

  /** Uploads one part from {@code part}; runs in the owner thread or the part uploader. */
  private CompletedPart uploadPart(int partNumber, PartBuffer part, String id)
      throws S3StorageException {
    int size = part.size();
    try {
      String etag =
          client
              .uploadPart(
                  r ->
                      r.bucket(settings.bucket())
                          .key(key)
                          .uploadId(id)
                          .partNumber(partNumber)
                          .contentLength((long) size),
                  RequestBody.fromContentProvider(part.content(), size, "application/octet-stream"))
              .eTag();
      LOG.debug(
          "Uploaded part {} ({} bytes) of s3://{}/{}", partNumber, size, settings.bucket(), key);
      return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
    } catch (SdkException e) {
      throw S3Errors.failure(
          "upload part " + partNumber + " of s3://" + settings.bucket() + "/" + key, e, settings);
    }
  }

  /** Waits for the part in flight, if any, and records it; its failure fails the stream. */
  private void awaitPartInFlight() throws IOException {
    if (inFlight == null) {
      return;
    }
    QueuedPart waiting = inFlight;
    inFlight = null;
    try {
      parts.add(waiting.result().get());
      inFlightBuffer.clear();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      inFlight = waiting; // still being sent: the abort in fail() must wait for it
      throw fail(
          new S3StorageException(
              "Cannot upload part "
                  + (parts.size() + 1)
                  + " of s3://"
                  + settings.bucket()
                  + "/"
                  + key
                  + ": interrupted while waiting for it (the task is stopping). The unit is written again.",
              false,
              e));
    } catch (java.util.concurrent.ExecutionException
        | java.util.concurrent.CancellationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof S3StorageException) {
        throw fail((S3StorageException) cause);
      }
      throw fail(
          new S3StorageException(
              "Cannot upload part "
                  + (parts.size() + 1)
                  + " of s3://"
                  + settings.bucket()
                  + "/"
                  + key
                  + ": "
                  + cause
                  + ". The unit is written again.",
              false,
              cause));
    }
  }

  /**
   * Frees the buffers and aborts the multipart upload. A part still queued is dropped unsent
   * ({@link QueuedPart#drop()}) and the abort runs at once. A part being sent keeps its buffer (the
   * uploader may be reading it; the garbage collector reclaims it) and the abort waits until that
   * part has ended, so no part can land after the abort and keep storage. Never waits.
   */
  private void dropUpload() {
    QueuedPart running = inFlight;
    inFlight = null;
    if (running != null && running.drop() && inFlightBuffer != null) {
      inFlightBuffer.release(); // never sent: nobody reads it
    }
    inFlightBuffer = null;
    buffer.release();
    if (running == null || running.result().isDone() || uploadId == null) {
      abortMultipartUpload();
      return;
    }
    String id = uploadId;
    uploadId = null;
    running.result().whenComplete((part, failure) -> abortUpload(id));
  }

  private void releaseBuffers() {
    buffer.release();
    if (inFlightBuffer != null) {
      inFlightBuffer.release();
      inFlightBuffer = null;
    }
  }

  private void startMultipartUpload() throws IOException {
    try {
      CreateMultipartUploadRequest.Builder request =
          CreateMultipartUploadRequest.builder()
              .bucket(settings.bucket())
              .key(key)
              .contentType(contentType);
      uploadId = client.createMultipartUpload(writeOptions.applyTo(request).build()).uploadId();
    } catch (SdkException e) {
      throw fail(
          S3Errors.failure(
              "start a multipart upload of s3://" + settings.bucket() + "/" + key, e, settings));
    }
  }

  private void completeMultipartUpload(String finalKey) throws IOException {
    try {
      client.completeMultipartUpload(
          r ->
              r.bucket(settings.bucket())
                  .key(key)
                  .uploadId(uploadId)
                  .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
    } catch (SdkException e) {
      // S3 may have completed the upload and the answer got lost (the SDK's retry then meets
      // NoSuchUpload): the object exists under the temporary key, which no abort removes and no
      // marker names
      S3StorageException failure =
          fail(
              S3Errors.failure(
                  "complete the multipart upload of s3://"
                      + settings.bucket()
                      + "/"
                      + key
                      + " ("
                      + parts.size()
                      + " parts)",
                  e,
                  settings));
      if (!finalKey.equals(key)) {
        deleteTemporary(finalKey);
      }
      throw failure;
    }
  }

  private void putWholeObject(String target) throws IOException {
    int size = buffer.size();
    try {
      PutObjectRequest.Builder request =
          PutObjectRequest.builder()
              .bucket(settings.bucket())
              .key(target)
              .contentType(contentType)
              .contentLength((long) size);
      client.putObject(
          writeOptions.applyTo(request).build(),
          RequestBody.fromContentProvider(buffer.content(), size, contentType));
    } catch (SdkException e) {
      throw fail(S3Errors.failure("upload s3://" + settings.bucket() + "/" + target, e, settings));
    }
  }

  /**
   * Server-side copy of the completed temporary object to its final key (≤ 5 GiB), then delete it.
   */
  private void moveTo(String target) throws IOException {
    try {
      software.amazon.awssdk.services.s3.model.CopyObjectRequest.Builder copy =
          software.amazon.awssdk.services.s3.model.CopyObjectRequest.builder()
              .sourceBucket(settings.bucket())
              .sourceKey(key)
              .destinationBucket(settings.bucket())
              .destinationKey(target)
              .contentType(contentType)
              .metadataDirective(
                  software.amazon.awssdk.services.s3.model.MetadataDirective.REPLACE);
      client.copyObject(writeOptions.applyTo(copy).build());
    } catch (SdkException e) {
      state = State.FAILED;
      // the multipart upload is complete: there is nothing to abort, only the temporary object,
      // which the replay writes again under a new key
      uploadId = null;
      deleteTemporary(target);
      throw S3Errors.failure(
          "copy s3://" + settings.bucket() + "/" + key + " to " + target, e, settings);
    }
    deleteTemporary(target);
  }

  private void deleteTemporary(String target) {
    // as in abortUpload: a commit thread interrupted by a stop would have the SDK refuse the call
    boolean interrupted = Thread.interrupted();
    try {
      client.deleteObject(r -> r.bucket(settings.bucket()).key(key));
    } catch (SdkException e) {
      LOG.warn(
          "Cannot delete the temporary object s3://{}/{} of {}: {}. It is not referenced by "
              + "any marker; a bucket lifecycle rule on the tmp.dir prefix removes it.",
          settings.bucket(),
          key,
          target,
          e.toString());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Marks the stream failed and aborts its upload, so no half-written upload is left behind. */
  private S3StorageException fail(S3StorageException e) {
    state = State.FAILED;
    dropUpload();
    return e;
  }

  private void abortMultipartUpload() {
    if (uploadId == null) {
      return;
    }
    String id = uploadId;
    uploadId = null;
    abortUpload(id);
  }

  /**
   * Aborts upload {@code id}; may run on the part uploader's thread, so it reads no mutable field.
   */
  private void abortUpload(String id) {
    // a thread interrupted by a stop would have the SDK refuse the call at once: the abort is
    // best effort clean-up, so it runs with the flag cleared, and the flag is put back after
    boolean interrupted = Thread.interrupted();
    try {
      client.abortMultipartUpload(r -> r.bucket(settings.bucket()).key(key).uploadId(id));
      LOG.debug("Aborted the multipart upload {} of s3://{}/{}", id, settings.bucket(), key);
    } catch (NoSuchUploadException e) {
      // completed after all (its answer was lost) or aborted already: nothing is left to abort
      LOG.debug("No multipart upload {} of s3://{}/{} to abort", id, settings.bucket(), key);
    } catch (RuntimeException e) {
      LOG.warn(
          "Cannot abort the multipart upload {} of s3://{}/{}: {}. It stays until a bucket lifecycle rule or the "
              + "next stale-upload cleanup removes it.",
          id,
          settings.bucket(),
          key,
          e.toString());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
