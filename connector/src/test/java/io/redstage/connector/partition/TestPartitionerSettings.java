package io.redstage.connector.partition;

import io.redstage.connector.config.SinkConfig;
import io.redstage.connector.config.SinkConfigDef;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;

/** A partitioner settings builder holding the ConfigDef's defaults, as an empty config fills it. */
final class TestPartitionerSettings {
  private TestPartitionerSettings() {}

  static PartitionerSettings.Builder builder() {
    SinkConfig c = new SinkConfig(Map.of(SinkConfigDef.S3_BUCKET, "b"));
    return PartitionerSettings.builder()
        .type(c.partitionerType())
        .locale(Locale.forLanguageTag(c.getString(SinkConfigDef.LOCALE)))
        .timezone(ZoneId.of(c.timezone()))
        .timestampExtractor(c.timestampExtractor())
        .timestampField(c.timestampField())
        .directoryDelim(c.directoryDelim());
  }
}
