package io.redstage.connector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.connector.RedstageS3SinkConnector;
import io.redstage.connector.storage.ConfigurableTestCredentials;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfluentKeysTest {
  private static Map<String, String> base() {
    Map<String, String> p = new HashMap<>();
    p.put("s3.bucket.name", "b");
    return p;
  }

  private static Map<String, ConfigValue> validate(Map<String, String> p) {
    return new RedstageS3SinkConnector()
        .validate(p).configValues().stream().collect(Collectors.toMap(ConfigValue::name, v -> v));
  }

  /**
   * Each rejected key, a value that turns its feature on, and a word the error must name (what to
   * use instead).
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "s3.sse.customer.key | c2VjcmV0LWtleS0zMi1ieXRlcy1sb25nLi4uLi4= | s3.ssea.name=aws:kms",
        "s3.sse.customer.key.md5 | abc | s3.ssea.name=aws:kms",
        "s3.sse.key | c2VjcmV0 | s3.ssea.name=aws:kms",
        "hive.integration | true | loader creates",
        "s3.wan.mode | true | store.url",
        "s3.object.tagging | true | commit marker",
        "s3.object.tagging.key.value.pairs | team:data | Remove it",
        "keys.format.class | io.confluent.connect.s3.format.avro.AvroFormat | metadata.key.column",
        "headers.format.class | io.confluent.connect.s3.format.json.JsonFormat | metadata.headers.column",
        "report.null.values.to.dlq | true | errors.tolerance=all",
        "s3.schema.partition.affix.type | PREFIX | Remove it",
        "append.late.data | true | Remove it",
        "tombstone.encoded.partition | deleted | behavior.on.null.values=write",
        "storage.class | io.confluent.connect.hdfs.storage.HdfsStorage | S3 only",
        "s3.credentials.provider.access.key | AKIA | s3.credentials.provider.class"
      })
  void rejectedKeyFailsValidationOnThatKeyAndStopsTheConnector(
      String key, String value, String instead) {
    Map<String, String> p = base();
    p.put(key, value);
    ConfigValue v = validate(p).get(key);
    assertThat(v).as("validation result for " + key).isNotNull();
    assertThat(v.errorMessages())
        .singleElement()
        .satisfies(m -> assertThat(m).startsWith("Cannot use " + key + ": ").contains(instead));
    assertThatThrownBy(() -> new SinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key);
  }

  @Test
  void offValuesOfRejectedKeysAndIgnoredKeysAreAccepted() {
    Map<String, String> p = base();
    p.put("s3.wan.mode", "false");
    p.put("s3.object.tagging", "false");
    p.put("report.null.values.to.dlq", "false");
    p.put("s3.sse.customer.key", "");
    p.put("s3.schema.partition.affix.type", "NONE");
    p.put("storage.class", "io.confluent.connect.s3.storage.S3Storage");
    p.put("tombstone.encoded.partition", "tombstone");
    p.put("s3.compression.level", "9");
    p.put("s3.elastic.buffer.enable", "true");
    new SinkConfig(p);
    assertThat(validate(p).values())
        .allSatisfy(v -> assertThat(v.errorMessages()).as(v.name()).isEmpty());
    assertThat(ConfluentKeys.ignored(p))
        .containsOnlyKeys("s3.compression.level", "s3.elastic.buffer.enable");
  }

  @Test
  void secretValuesAreNeverShown() {
    Map<String, String> p = base();
    p.put("s3.sse.customer.key", "TOPSECRETKEY");
    assertThat(validate(p).get("s3.sse.customer.key").value()).isEqualTo("[hidden]");
    assertThatThrownBy(() -> new SinkConfig(p)).hasMessageNotContaining("TOPSECRETKEY");
  }

  @Test
  void credentialsProviderSettingsNeedAConfigurableProvider() {
    Map<String, String> p = base();
    p.put("s3.credentials.provider.class", "com.amazonaws.auth.profile.ProfileCredentialsProvider");
    p.put("s3.credentials.provider.profile", "prod");
    assertThat(validate(p).get("s3.credentials.provider.profile").errorMessages())
        .singleElement()
        .satisfies(
            m -> assertThat(m).contains("does not implement org.apache.kafka.common.Configurable"));

    p.put("s3.credentials.provider.class", ConfigurableTestCredentials.class.getName());
    assertThat(validate(p).values())
        .allSatisfy(v -> assertThat(v.errorMessages()).as(v.name()).isEmpty());
    new SinkConfig(p);
  }

  @Test
  void credentialsProviderClassIsValidatedAndExclusiveWithStaticKeys() {
    Map<String, String> p = base();
    p.put(
        "s3.credentials.provider.class",
        "io.confluent.connect.s3.auth.AwsAssumeRoleCredentialsProvider");
    assertThat(validate(p).get("s3.credentials.provider.class").errorMessages())
        .singleElement()
        .satisfies(m -> assertThat(m).contains("sts.role.arn"));

    p.put("s3.credentials.provider.class", ConfigurableTestCredentials.class.getName());
    p.put("aws.access.key.id", "AKIA");
    p.put("aws.secret.access.key", "s");
    Map<String, ConfigValue> byName = validate(p);
    for (String key : List.of("s3.credentials.provider.class", "aws.access.key.id")) {
      assertThat(byName.get(key).errorMessages())
          .as(key)
          .anyMatch(m -> m.contains("Cannot use both"));
    }
    // the default chain's v1 name alongside static keys is what Confluent configs often hold: the
    // keys win
    p.put("s3.credentials.provider.class", "com.amazonaws.auth.DefaultAWSCredentialsProviderChain");
    new SinkConfig(p);
  }
}
