package io.redstage.loader.aws;

import java.time.Duration;
import software.amazon.awssdk.retries.api.RetryStrategy;

/** Test access to the loader's retry strategy factory. */
public final class AwsClientsAccess {
  private AwsClientsAccess() {}

  public static RetryStrategy retryStrategy(String mode, int attempts, Duration base) {
    return AwsClients.retryStrategy(mode, attempts, base);
  }
}
