package io.redstage.connector.storage;

import java.io.IOException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * An S3 call failed after the SDK's retries. {@link #isRetriable()} tells the caller whether trying
 * again later can help (throttling, 5xx, network, timeouts) or not (access denied, missing bucket,
 * bad configuration); {@link #isSettingsProblem()} whether S3 refused because the connector's
 * settings name no usable bucket or credentials, so that every later call fails alike.
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

  /**
   * True when S3 refused the call for a reason only the settings or the bucket can change: the
   * bucket does not exist, the access key is unknown or the secret wrong, or the bucket is in
   * another region. Retrying cannot help until someone fixes them.
   */
  public boolean isSettingsProblem() {
    return getCause() instanceof SdkException
        && S3Errors.isSettingsProblem((SdkException) getCause());
  }
}
