package io.redstage.connector.storage;

import java.util.Map;
import org.apache.kafka.common.Configurable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * A provider configured like Confluent's custom providers: through s3.credentials.provider.*
 * settings.
 */
public final class ConfigurableTestCredentials implements AwsCredentialsProvider, Configurable {
  private Map<String, ?> settings = Map.of();

  @Override
  public void configure(Map<String, ?> configs) {
    this.settings = Map.copyOf(configs);
  }

  @Override
  public AwsCredentials resolveCredentials() {
    return AwsBasicCredentials.create(
        String.valueOf(settings.get("access.key")), String.valueOf(settings.get("secret.key")));
  }
}
