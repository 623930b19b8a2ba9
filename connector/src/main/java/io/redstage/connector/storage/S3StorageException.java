package io.redstage.connector.storage;

import java.io.IOException;

/**
 * An S3 call failed after the SDK's retries. {@link #isRetriable()} tells the caller whether trying
 * again later can help (throttling, 5xx, network, timeouts: the task should raise a Connect
 * RetriableException) or not (access denied, missing bucket, bad configuration).
 */
public final class S3StorageException extends IOException {
  private static final long serialVersionUID = 1L;

  private final boolean retriable;

  public S3StorageException(String message, boolean retriable, Throwable cause) {
    super(message, cause);
    this.retriable = retriable;
  }

  public boolean isRetriable() {
    return retriable;
  }
}
