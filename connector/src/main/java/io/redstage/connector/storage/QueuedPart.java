package io.redstage.connector.storage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One part of a streamed object handed to a part uploader, with the future its stream waits on.
 *
 * <p>A stream aborts its multipart upload only once its part being sent has ended, so that no part
 * lands after the abort. A part still queued when its stream is dropped (a rewind, a partition
 * closed) would be sent anyway, a whole part into an upload about to be aborted, and hold back the
 * abort and the replay's own parts behind it; one its uploader will never run (the pool shut down
 * at task stop) would keep the upload open until the stale-upload cleanup. So the stream, or
 * whoever shuts the pool down, calls {@link #drop()}: a part that has not started then never will,
 * and the abort goes ahead at once.
 */
public final class QueuedPart implements Runnable {
  /** Sends the part; runs once, on the uploader's thread. */
  @FunctionalInterface
  interface Sender {
    CompletedPart send() throws S3StorageException;
  }

  private final String description;
  private final Sender sender;
  private final CompletableFuture<CompletedPart> result = new CompletableFuture<>();

  /** Claimed by the uploader when it runs the part, or by {@link #drop()} before that. */
  private final AtomicBoolean claimed = new AtomicBoolean();

  /**
   * @param description what the part is, for the failure of a dropped part ("part 2 of
   *     s3://bucket/key")
   */
  QueuedPart(String description, Sender sender) {
    this.description = description;
    this.sender = sender;
  }

  CompletableFuture<CompletedPart> result() {
    return result;
  }

  @Override
  public void run() {
    if (!claimed.compareAndSet(false, true)) {
      return; // dropped before the uploader got to it
    }
    try {
      result.complete(sender.send());
    } catch (Throwable e) {
      // an Error too (a class the SDK cannot load, out of memory): a future left open would hold
      // its stream's owner, and the partition's later commits behind it, for good
      result.completeExceptionally(e);
      if (e instanceof Error) {
        throw (Error) e;
      }
    }
  }

  /**
   * Ends the part without sending it if the uploader has not started it: its stream fails, and an
   * abort waiting for this part is handed to the abort pool now. Returns whether it did (the part's
   * buffer is then no longer read); does nothing to a part being sent or already ended.
   */
  public boolean drop() {
    if (!claimed.compareAndSet(false, true)) {
      return false;
    }
    result.completeExceptionally(
        new S3StorageException(
            "Cannot upload "
                + description
                + ": the file was dropped (the task stopping or rewinding, or its partition closed) "
                + "before the part was sent. The unit is written again.",
            true,
            null));
    return true;
  }
}
