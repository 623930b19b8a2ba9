package io.redstage.connector.storage;

import io.redstage.connector.format.PositionedOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
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
 * arrive. Each full part is handed to the task's {@link PartUploads} and writing goes on into a new
 * buffer: the writing thread (the task thread) makes no S3 call and never waits for one. The parts
 * of one stream are sent one after the other, in order (each is handed to the pool once the
 * previous one is sent), and the first one also starts the multipart upload. Parts waiting to be
 * sent are counted by {@link PartUploads#bytes()}, which the task's memory budget reads: when S3 is
 * slower than the records arrive, it is the budget that waits, for a bounded time, and then pauses
 * the partitions, instead of the writing thread waiting for S3 without a limit (which could hold
 * put() past the consumer's poll interval). An object that ends within its first part is sent as
 * one PutObject instead of a multipart upload.
 *
 * <p>Lifecycle: write, then {@link #complete()} to make the object visible, or {@link #abort()} to
 * drop it. {@link #close()} only ends writing (format writers close their stream when they finish)
 * and uploads nothing, so the owner still decides between complete and abort. Not thread-safe: one
 * owner thread at a time (ownership may pass to another thread through an executor, which orders
 * the accesses); a part's sender only reads the buffer it was given. complete() runs on the owner's
 * thread (a commit thread) and waits for the parts; abort() never waits and makes no S3 call on the
 * owner's thread.
 *
 * <p>Failures surface as {@link S3StorageException} ("Cannot upload part N of s3://bucket/key:
 * ...") once the SDK's retries are used up, at the next write that hands over a part or at
 * complete(); the stream then aborts its multipart upload and accepts no more bytes.
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
  private final PartUploads partUploads;
  private PartBuffer buffer;

  /** Parts handed to the pool and not yet collected into {@link #parts}, in part order. */
  private final List<QueuedPart> handedOver = new ArrayList<>();

  /** Sent parts, in order. */
  private final List<CompletedPart> parts = new ArrayList<>();

  /**
   * The multipart upload's id, completed by the first part's sender once S3 has started the upload;
   * null until a part is handed over, and again once the upload is aborted.
   */
  private CompletableFuture<String> uploadId;

  private long position;
  private State state = State.OPEN;

  S3UploadStream(
      S3Client client,
      S3Settings settings,
      ObjectWriteOptions writeOptions,
      String key,
      String contentType,
      PartUploads partUploads) {
    this.client = client;
    this.partUploads = Objects.requireNonNull(partUploads, "partUploads");
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
   * Heap held for this object by its owner now: the buffer of the part being written, at most one
   * part size; 0 once completed or aborted. Parts handed over are counted by {@link
   * PartUploads#bytes()} until they are sent.
   */
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
      String id = awaitHandedOver();
      if (buffer.size() > 0) {
        uploadLastPart(id);
      }
      completeMultipartUpload(id, finalKey);
      if (!finalKey.equals(key)) {
        moveTo(finalKey);
      }
    }
    state = State.COMPLETED;
    uploadId = null;
    buffer.release();
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

  /**
   * Hands the full buffer to the pool as the next part and goes on with a new buffer; surfaces the
   * failure of a part sent before (without waiting for any).
   */
  private void uploadBufferedPart() throws IOException {
    collectSent();
    int partNumber = parts.size() + handedOver.size() + 1;
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
    PartBuffer full = buffer;
    buffer = new PartBuffer(settings.partSizeBytes());
    boolean first = uploadId == null;
    if (first) {
      uploadId = new CompletableFuture<>();
    }
    CompletableFuture<String> id = uploadId;
    QueuedPart part =
        new QueuedPart(
            "part " + partNumber + " of s3://" + settings.bucket() + "/" + key,
            () -> {
              try {
                // the sender of part N runs only once part N-1 was sent: the upload has started
                return uploadPart(partNumber, full, first ? startMultipartUpload(id) : id.join());
              } catch (S3StorageException e) {
                partUploads.failed(e);
                throw e;
              } catch (RuntimeException | Error e) {
                partUploads.failed(partFailure(partNumber, e));
                throw e;
              }
            });
    long bytes = full.capacity();
    partUploads.handedOver(bytes);
    part.result()
        .whenComplete(
            (sent, failure) -> {
              // the sender has returned or never will run: nobody reads the buffer any more
              full.release();
              partUploads.ended(bytes);
            });
    QueuedPart previous = handedOver.isEmpty() ? null : handedOver.get(handedOver.size() - 1);
    handedOver.add(part);
    if (previous == null) {
      handToPool(part);
    } else {
      previous
          .result()
          .whenComplete(
              (sent, failure) -> {
                if (failure == null) {
                  handToPool(part);
                } else {
                  part.drop(); // the upload fails with the part before; this one is never sent
                }
              });
    }
    // a pool that runs parts on the calling thread has sent it already: its failure is this write's
    collectSent();
  }

  private void handToPool(QueuedPart part) {
    try {
      partUploads.execute(part);
    } catch (RejectedExecutionException e) {
      part.drop(); // the pool is shut down: the task is stopping
    }
  }

  /**
   * Moves the parts sent so far, oldest first, into {@link #parts}; the first that failed fails the
   * stream. Never waits.
   */
  private void collectSent() throws S3StorageException {
    while (!handedOver.isEmpty() && handedOver.get(0).result().isDone()) {
      QueuedPart part = handedOver.remove(0);
      try {
        parts.add(part.result().join());
      } catch (CompletionException | CancellationException e) {
        throw fail(partFailure(parts.size() + 1, e.getCause() != null ? e.getCause() : e));
      }
    }
  }

  /**
   * Waits for every part handed over, oldest first, and returns the upload's id; a part that failed
   * fails the stream. Runs on the owner's thread when the file completes (a commit thread).
   */
  private String awaitHandedOver() throws IOException {
    while (!handedOver.isEmpty()) {
      QueuedPart waiting = handedOver.get(0);
      try {
        parts.add(waiting.result().get());
        handedOver.remove(0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        // still listed: the abort in fail() waits for the part being sent
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
      } catch (ExecutionException e) {
        handedOver.remove(0);
        throw fail(partFailure(parts.size() + 1, e.getCause() != null ? e.getCause() : e));
      }
    }
    return uploadId.join(); // part 1 was sent, so the upload started
  }

  /** The failure of part {@code partNumber}; reads no mutable field (a sender calls it too). */
  private S3StorageException partFailure(int partNumber, Throwable cause) {
    if (cause instanceof S3StorageException) {
      return (S3StorageException) cause;
    }
    return new S3StorageException(
        "Cannot upload part "
            + partNumber
            + " of s3://"
            + settings.bucket()
            + "/"
            + key
            + ": "
            + cause
            + ". The unit is written again.",
        false,
        cause);
  }

  /** Sends the last part, which is never full, on the owner's thread as complete() runs there. */
  private void uploadLastPart(String id) throws S3StorageException {
    try {
      parts.add(uploadPart(parts.size() + 1, buffer, id));
    } catch (S3StorageException e) {
      throw fail(e);
    }
  }

  /** Uploads one part from {@code part}; runs on the pool or in complete(). */
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

  /**
   * Frees the buffer and aborts the multipart upload, never on the owner's thread. Parts not yet
   * being sent are dropped unsent ({@link QueuedPart#drop()}); a part being sent keeps its buffer
   * (the sender reads it) and the abort waits until that part has ended, so no part can land after
   * the abort and keep storage. Never waits.
   */
  private void dropUpload() {
    buffer.release();
    CompletableFuture<String> id = uploadId;
    uploadId = null;
    if (id == null) {
      return; // nothing was handed over: S3 has no upload of this stream
    }
    List<QueuedPart> outstanding = new ArrayList<>(handedOver);
    handedOver.clear();
    CompletableFuture<?>[] ends = new CompletableFuture<?>[outstanding.size()];
    for (int i = 0; i < ends.length; i++) {
      outstanding.get(i).drop();
      ends[i] = outstanding.get(i).result();
    }
    // after the parts end, on the pool: the owner is often the task thread (a rebalance, a rewind)
    CompletableFuture.allOf(ends)
        .whenCompleteAsync(
            (ended, failure) -> {
              // a dropped first part never started the upload; a failed start left nothing either
              if (id.isDone() && !id.isCompletedExceptionally()) {
                abortUpload(id.join());
              }
            },
            partUploads::runCleanUp);
  }

  /** Starts the multipart upload; runs in the first part's sender, on the pool. */
  private String startMultipartUpload(CompletableFuture<String> id) throws S3StorageException {
    try {
      CreateMultipartUploadRequest.Builder request =
          CreateMultipartUploadRequest.builder()
              .bucket(settings.bucket())
              .key(key)
              .contentType(contentType);
      String started =
          client.createMultipartUpload(writeOptions.applyTo(request).build()).uploadId();
      id.complete(started);
      return started;
    } catch (SdkException e) {
      S3StorageException failure =
          S3Errors.failure(
              "start a multipart upload of s3://" + settings.bucket() + "/" + key, e, settings);
      id.completeExceptionally(failure);
      throw failure;
    } catch (RuntimeException | Error e) {
      id.completeExceptionally(e);
      throw e;
    }
  }

  private void completeMultipartUpload(String id, String finalKey) throws IOException {
    try {
      client.completeMultipartUpload(
          r ->
              r.bucket(settings.bucket())
                  .key(key)
                  .uploadId(id)
                  .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
    } catch (SdkException e) {
      // S3 may have completed the upload and the answer got lost (the SDK's retry then meets
      // NoSuchUpload): the object exists under the temporary key, which no abort removes and no
      // marker names. fail() aborts the upload after all, in case S3 did not complete it.
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
      buffer.release();
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

  /**
   * Aborts upload {@code id}; runs on the pool (or a stopping task's thread), so it reads no
   * mutable field.
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
