package io.redstage.connector.storage;

import io.redstage.connector.format.PositionedOutputStream;
import java.io.IOException;
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
 * one PutObject instead of a multipart upload. The parts handed over, and the multipart upload they
 * go to, are kept by {@link StreamParts}.
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
  private final StreamParts parts;
  private PartBuffer buffer;

  private long position;
  private State state = State.OPEN;

  S3UploadStream(
      S3Client client,
      S3Settings settings,
      ObjectWriteOptions writeOptions,
      String key,
      String contentType,
      PartUploads partUploads,
      Runnable chargeFailure) {
    this.client = client;
    this.parts =
        new StreamParts(
            client,
            settings,
            writeOptions,
            key,
            contentType,
            Objects.requireNonNull(partUploads, "partUploads"),
            chargeFailure);
    this.settings = settings;
    this.writeOptions = writeOptions;
    this.key = Objects.requireNonNull(key, "key");
    this.contentType = contentType;
    this.buffer = new PartBuffer(settings.partSizeBytes());
  }

  public String key() {
    return key;
  }

  /**
   * The stream passes to a thread that may wait for S3 (a commit thread that builds the file from
   * its held rows): from now on each full part waits for the part before it to be sent before it is
   * handed over, so a file being built holds at most the part in flight and the one filling, and
   * its parts never count as waiting for the task ({@link PartUploads#waiting()}), which must not
   * stop taking records because a commit is slower than its build. Each such wait runs through
   * {@code wait}.
   */
  public void ownerWaitsForParts(OwnerWait wait) {
    parts.ownerWaits(Objects.requireNonNull(wait, "wait"));
  }

  /**
   * Runs the waits of a stream's owner for its parts to be sent (see {@link #ownerWaitsForParts}),
   * so that the owner can give back what it holds and others need while S3 takes its time (a commit
   * thread its build slot).
   */
  @FunctionalInterface
  public interface OwnerWait {
    void await(PartsSent partsSent) throws IOException;
  }

  /** Waits until every part handed over is sent; a part that failed fails the stream. */
  @FunctionalInterface
  public interface PartsSent {
    void await() throws S3StorageException;
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
    if (!parts.started()) {
      putWholeObject(finalKey);
    } else {
      String id;
      try {
        id = parts.awaitHandedOver();
        if (buffer.size() > 0) {
          parts.sendLast(buffer, id);
        }
      } catch (S3StorageException e) {
        throw fail(e);
      }
      completeMultipartUpload(id, finalKey);
      if (!finalKey.equals(key)) {
        moveTo(finalKey);
      }
    }
    state = State.COMPLETED;
    parts.uploadCompleted();
    buffer.release();
    LOG.info(
        "Uploaded s3://{}/{}: {} bytes in {} part(s)",
        settings.bucket(),
        finalKey,
        position,
        Math.max(1, parts.sent().size()));
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

  /**
   * The task no longer holds this file, while a commit it dropped still runs on it: a part that
   * fails from now on is that commit's failure, and no longer makes the task rewind. Any thread;
   * the owner keeps using the stream.
   */
  public void disown() {
    parts.disown();
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
    try {
      int partNumber = parts.nextPartNumber();
      PartBuffer full = buffer;
      buffer = new PartBuffer(settings.partSizeBytes());
      parts.handOver(partNumber, full);
    } catch (S3StorageException e) {
      throw fail(e);
    }
  }

  /**
   * Frees the buffer and aborts the multipart upload, never on the owner's thread, once the part
   * being sent, if any, has ended ({@link StreamParts#drop()}). Never waits.
   */
  private void dropUpload() {
    buffer.release();
    parts.drop();
  }

  private void completeMultipartUpload(String id, String finalKey) throws IOException {
    List<CompletedPart> sent = parts.sent();
    try {
      client.completeMultipartUpload(
          r ->
              r.bucket(settings.bucket())
                  .key(key)
                  .uploadId(id)
                  .multipartUpload(CompletedMultipartUpload.builder().parts(sent).build()));
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
                      + sent.size()
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
      parts.uploadCompleted();
      buffer.release();
      deleteTemporary(target);
      throw S3Errors.failure(
          "copy s3://" + settings.bucket() + "/" + key + " to " + target, e, settings);
    }
    deleteTemporary(target);
  }

  private void deleteTemporary(String target) {
    // as in StreamParts#abortUpload: a commit thread interrupted by a stop would have the SDK
    // refuse the call
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
}
