package io.redstage.connector.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;

/**
 * The parts of one {@link S3UploadStream} and the multipart upload they go to: the parts handed to
 * the task's {@link PartUploads}, the parts sent, and the upload's id. The parts are sent one after
 * the other, in order: part N is handed to the pool only once part N-1 was sent (so the upload has
 * started: the first part's sender starts it), and is dropped unsent if part N-1 failed. A part's
 * bytes count in {@link PartUploads#bytes()} from its hand-over until it ends.
 *
 * <p>Only the stream's owner calls it, like the stream itself; a part's sender and the abort that
 * runs on the pool read no mutable field. A part that failed surfaces as an {@link
 * S3StorageException} from the call that finds it; the stream then fails and calls {@link #drop()}.
 */
final class StreamParts {
  // the stream's logger: parts and aborts log under the name the rest of the upload logs under
  private static final Logger LOG = LoggerFactory.getLogger(S3UploadStream.class);

  /** S3's limit of parts per multipart upload. */
  static final int MAX_PARTS = 10_000;

  private final S3Client client;
  private final S3Settings settings;
  private final ObjectWriteOptions writeOptions;
  private final String key;
  private final String contentType;
  private final PartUploads partUploads;

  /** Counts a part's failure against the stream's partition (see {@link PartUploads#failed}). */
  private final Runnable chargeFailure;

  /**
   * Set once the stream is dropped: a part of it that fails afterwards (one that was being sent)
   * concerns nobody, and must not make the task rewind again.
   */
  private final AtomicBoolean dropped = new AtomicBoolean();

  /**
   * Set once the task no longer holds the stream's file: its unit's commit was running when the
   * task dropped it (a rebalance took the partition, or a rewind). That commit still finishes or
   * fails the stream and settles as dropped; a part that fails is its failure, not the task's, and
   * must not rewind the partitions the task kept.
   */
  private final AtomicBoolean disowned = new AtomicBoolean();

  /**
   * Set when the owner may wait for S3 itself (a commit thread), and runs its waits: see {@link
   * #ownerWaits}. Null while the owner is the task thread, which never waits.
   */
  private S3UploadStream.OwnerWait ownerWait;

  /** Parts handed to the pool and not yet collected into {@link #parts}, in part order. */
  private final List<QueuedPart> handedOver = new ArrayList<>();

  /** Sent parts, in order. */
  private final List<CompletedPart> parts = new ArrayList<>();

  /**
   * The multipart upload's id, completed by the first part's sender once S3 has started the upload;
   * null until a part is handed over, and again once the upload is aborted or completed.
   */
  private CompletableFuture<String> uploadId;

  StreamParts(
      S3Client client,
      S3Settings settings,
      ObjectWriteOptions writeOptions,
      String key,
      String contentType,
      PartUploads partUploads,
      Runnable chargeFailure) {
    this.client = client;
    this.settings = settings;
    this.writeOptions = writeOptions;
    this.key = key;
    this.contentType = contentType;
    this.partUploads = partUploads;
    this.chargeFailure = chargeFailure;
  }

  /**
   * From now on the owner waits for the part before to be sent before it hands over the next (see
   * {@link S3UploadStream#ownerWaitsForParts}); each such wait runs through {@code wait}.
   */
  void ownerWaits(S3UploadStream.OwnerWait wait) {
    ownerWait = wait;
  }

  /** Whether a part was handed over: the object is then a multipart upload. */
  boolean started() {
    return uploadId != null;
  }

  /** The parts sent, in order (a view). */
  List<CompletedPart> sent() {
    return Collections.unmodifiableList(parts);
  }

  /**
   * The multipart upload is complete: there is nothing left to abort. {@link #drop()} then does
   * nothing.
   */
  void uploadCompleted() {
    uploadId = null;
  }

  /**
   * The number of the next part to hand over; surfaces the failure of a part sent before (without
   * waiting for any), or S3's limit of parts.
   */
  int nextPartNumber() throws S3StorageException {
    collectSent();
    int partNumber = parts.size() + handedOver.size() + 1;
    if (partNumber > MAX_PARTS) {
      throw new S3StorageException(
          "Cannot upload "
              + part(partNumber)
              + ": S3 allows at most "
              + MAX_PARTS
              + " parts per object. Raise "
              + S3Settings.PART_SIZE_CONFIG
              + " or rotate files at a smaller size.",
          false,
          null);
    }
    return partNumber;
  }

  /**
   * Hands {@code full} to the pool as part {@code partNumber} (from {@link #nextPartNumber()}),
   * behind the part before it; the part's sender owns the buffer from now on and frees it once it
   * ends. Surfaces the failure of a part sent before (without waiting for any).
   */
  void handOver(int partNumber, PartBuffer full) throws IOException {
    // at most one part in flight, the owner filling the next; when the part before is sent already
    // (collected by nextPartNumber) the owner keeps what it holds, as it has nothing to wait for
    if (ownerWait != null && !handedOver.isEmpty()) {
      ownerWait.await(this::awaitSent);
    }
    boolean first = uploadId == null;
    if (first) {
      uploadId = new CompletableFuture<>();
    }
    CompletableFuture<String> id = uploadId;
    QueuedPart part =
        new QueuedPart(
            part(partNumber),
            () -> {
              try {
                // the sender of part N runs only once part N-1 was sent: the upload has started
                return uploadPart(partNumber, full, first ? startMultipartUpload(id) : id.join());
              } catch (S3StorageException e) {
                partUploads.failed(e, chargeFailure, this::concernsNobody);
                throw e;
              } catch (RuntimeException | Error e) {
                partUploads.failed(partFailure(partNumber, e), chargeFailure, this::concernsNobody);
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
      // a part queued behind one still being sent: the task waits for it to go out after put()
      // (PartUploads#awaitNoneWaiting), as S3 is then slower than the file fills. It stops waiting
      // when the part before ends, or when it ends itself first (dropped with its file while the
      // part before is still being sent, which may take minutes)
      if (!previous.result().isDone()) {
        partUploads.waitingBehind();
        CompletableFuture.anyOf(previous.result(), part.result())
            .whenComplete((ended, failure) -> partUploads.stoppedWaiting());
      }
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
   * Moves the parts sent so far, oldest first, into {@link #parts}; throws the failure of the first
   * that failed, which fails the stream. Never waits.
   */
  private void collectSent() throws S3StorageException {
    while (!handedOver.isEmpty() && handedOver.get(0).result().isDone()) {
      QueuedPart part = handedOver.remove(0);
      try {
        parts.add(part.result().join());
      } catch (CompletionException | CancellationException e) {
        throw partFailure(parts.size() + 1, e.getCause() != null ? e.getCause() : e);
      }
    }
  }

  /**
   * Waits for every part handed over, oldest first, and returns the upload's id; throws the failure
   * of a part that failed, which fails the stream. Runs on the owner's thread when the file
   * completes (a commit thread), and only once a part was handed over ({@link #started()}).
   */
  String awaitHandedOver() throws S3StorageException {
    awaitSent();
    return uploadId.join(); // part 1 was sent, so the upload started
  }

  /** Waits for every part handed over, oldest first; a part that failed fails the stream. */
  private void awaitSent() throws S3StorageException {
    while (!handedOver.isEmpty()) {
      QueuedPart waiting = handedOver.get(0);
      try {
        parts.add(waiting.result().get());
        handedOver.remove(0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        // still listed: the abort in drop(), which the stream's failure calls, waits for the part
        // being sent
        throw new S3StorageException(
            "Cannot upload "
                + part(parts.size() + 1)
                + ": interrupted while waiting for it (the task is stopping). The unit is written again.",
            false,
            e);
      } catch (ExecutionException e) {
        handedOver.remove(0);
        throw partFailure(parts.size() + 1, e.getCause() != null ? e.getCause() : e);
      }
    }
  }

  /** "part N of s3://bucket/key", as messages name a part; reads no mutable field. */
  private String part(int partNumber) {
    return "part " + partNumber + " of s3://" + settings.bucket() + "/" + key;
  }

  /** The failure of part {@code partNumber}; reads no mutable field (a sender calls it too). */
  private S3StorageException partFailure(int partNumber, Throwable cause) {
    if (cause instanceof S3StorageException) {
      return (S3StorageException) cause;
    }
    return new S3StorageException(
        "Cannot upload " + part(partNumber) + ": " + cause + ". The unit is written again.",
        false,
        cause);
  }

  /**
   * Sends the last part, which is never full, on the owner's thread as complete() runs there, after
   * {@link #awaitHandedOver()} returned {@code id}.
   */
  void sendLast(PartBuffer last, String id) throws S3StorageException {
    parts.add(uploadPart(parts.size() + 1, last, id));
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
      throw S3Errors.failure("upload " + part(partNumber), e, settings);
    }
  }

  /** See {@link #disowned}. */
  void disown() {
    disowned.set(true);
  }

  private boolean concernsNobody() {
    return dropped.get() || disowned.get();
  }

  /**
   * Aborts the multipart upload, never on the owner's thread. Parts not yet being sent are dropped
   * unsent ({@link QueuedPart#drop()}); a part being sent keeps its buffer (the sender reads it)
   * and the abort waits until that part has ended, so no part can land after the abort and keep
   * storage. Never waits.
   */
  void drop() {
    dropped.set(true);
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
