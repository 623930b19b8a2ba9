package io.redstage.connector.storage;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One part of a streamed object handed to a part uploader, with the future its stream waits on.
 *
 * <p>A stream aborts its multipart upload only once its part in flight has ended, so that no part
 * lands after the abort. A part that its uploader will never run (the pool was shut down at task
 * stop with the part still queued) would therefore keep the upload open until the stale-upload
 * cleanup; whoever shuts the pool down calls {@link #drop()} on the parts it got back, which ends
 * them unsent and lets the abort go ahead.
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
    if (result.isDone()) {
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
   * Ends the part without sending it: its stream fails, and an abort waiting for this part runs now
   * on the calling thread. Does nothing to a part already sent or failed.
   */
  public void drop() {
    result.completeExceptionally(
        new S3StorageException(
            "Cannot upload "
                + description
                + ": the task stopped before the part was sent. The unit is written again.",
            true,
            null));
  }
}
