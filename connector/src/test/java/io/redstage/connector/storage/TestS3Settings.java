package io.redstage.connector.storage;

import io.redstage.connector.config.SinkConfigDef;
import java.time.Duration;
import java.util.Map;

/**
 * An S3 settings builder holding the ConfigDef's defaults, as an empty connector config fills it.
 */
final class TestS3Settings {
  private TestS3Settings() {}

  static S3Settings.Builder builder() {
    Map<String, Object> d = SinkConfigDef.create().defaultValues();
    return S3Settings.builder()
        .region((String) d.get(S3Settings.REGION_CONFIG))
        .pathStyle((Boolean) d.get(S3Settings.PATH_STYLE_CONFIG))
        .checksumCalculation((String) d.get(S3Settings.CHECKSUM_CALCULATION_CONFIG))
        .partSizeBytes((Integer) d.get(S3Settings.PART_SIZE_CONFIG))
        .stsSessionName((String) d.get(S3Settings.STS_SESSION_NAME_CONFIG))
        .maxRetries((Integer) d.get(S3Settings.MAX_RETRIES_CONFIG))
        .retryBackoff(Duration.ofMillis((Long) d.get(S3Settings.RETRY_BACKOFF_CONFIG)));
  }
}
