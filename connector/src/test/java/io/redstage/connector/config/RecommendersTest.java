package io.redstage.connector.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.connector.RedstageS3SinkConnector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** What the validate endpoint offers per key: values to pick from and whether the key applies. */
class RecommendersTest {
  private static Map<String, ConfigValue> validate(String... keyValues) {
    Map<String, String> config = new HashMap<>();
    config.put("s3.bucket.name", "b");
    for (int i = 0; i < keyValues.length; i += 2) {
      config.put(keyValues[i], keyValues[i + 1]);
    }
    return new RedstageS3SinkConnector()
        .validate(config).configValues().stream()
            .collect(Collectors.toMap(ConfigValue::name, Function.identity()));
  }

  private static List<String> visible(Map<String, ConfigValue> values, String... keys) {
    return List.of(keys).stream().filter(k -> values.get(k).visible()).collect(Collectors.toList());
  }

  @Test
  void formatKeysShowOnlyForTheirFormatConfluentClassNamesIncluded() {
    String[] formatKeys = {
      "parquet.codec",
      "parquet.row.group.size.bytes",
      "parquet.dictionary.enabled",
      "parquet.dictionary.probe.rows",
      "avro.codec",
      "s3.compression.type",
      "format.timestamp.unit"
    };
    assertThat(visible(validate(), formatKeys))
        .containsExactly(
            "parquet.codec",
            "parquet.row.group.size.bytes",
            "parquet.dictionary.enabled",
            "parquet.dictionary.probe.rows",
            "format.timestamp.unit");
    assertThat(
            visible(
                validate("format.class", "io.confluent.connect.s3.format.avro.AvroFormat"),
                formatKeys))
        .containsExactly("avro.codec", "format.timestamp.unit");
    assertThat(visible(validate("format.class", "JSONL"), formatKeys))
        .as("JSON Lines writes timestamp text at that unit")
        .containsExactly("s3.compression.type", "format.timestamp.unit");
    assertThat(visible(validate("parquet.dictionary.enabled", "false"), formatKeys))
        .containsExactly(
            "parquet.codec",
            "parquet.row.group.size.bytes",
            "parquet.dictionary.enabled",
            "format.timestamp.unit");
    // a format the validator refuses hides nothing: its own error says what is wrong
    Map<String, ConfigValue> unknown = validate("format.class", "orc");
    assertThat(unknown.get("format.class").errorMessages()).isNotEmpty();
    assertThat(visible(unknown, formatKeys)).containsExactly(formatKeys);
  }

  @Test
  void aKeyWithAnErrorIsShownEvenWhereItDoesNotApply() {
    Map<String, ConfigValue> v =
        validate(
            "s3.sse.kms.key.id", "arn:aws:kms:us-east-1:111122223333:key/k",
            "format.class", "parquet",
            "s3.compression.type", "gzip");
    for (String key : List.of("s3.sse.kms.key.id", "s3.compression.type")) {
      assertThat(v.get(key).errorMessages()).as(key).isNotEmpty();
      assertThat(v.get(key).visible()).as(key).isTrue();
    }
  }

  /**
   * A key's own error does not hide the cross-key problems of other keys until it is fixed; a
   * cross-key problem that names the errored key is left out (it would be judged on its default).
   */
  @Test
  void crossKeyProblemsShowBesideAnotherKeysOwnError() {
    Map<String, ConfigValue> v =
        validate(
            "flush.size", "-5",
            "format.class", "parquet",
            "s3.compression.type", "gzip",
            "s3.sse.kms.key.id", "arn:aws:kms:us-east-1:111122223333:key/k");
    assertThat(v.get("flush.size").errorMessages()).hasSize(1);
    assertThat(v.get("s3.compression.type").errorMessages())
        .singleElement()
        .asString()
        .contains("applies to jsonl only");
    assertThat(v.get("s3.sse.kms.key.id").errorMessages()).hasSize(1);

    Map<String, ConfigValue> badFormat =
        validate("format.class", "orc", "s3.compression.type", "gzip");
    assertThat(badFormat.get("format.class").errorMessages()).hasSize(1);
    assertThat(badFormat.get("s3.compression.type").errorMessages())
        .as("judged against the default format.class, which is not the user's")
        .isEmpty();
  }

  @Test
  void choicesAreOfferedForKeysWithAFixedSetOfValues() {
    Map<String, ConfigValue> v = validate();
    assertThat(v.get("format.class").recommendedValues())
        .containsExactly("parquet", "avro", "jsonl");
    assertThat(v.get("parquet.codec").recommendedValues())
        .containsExactly("snappy", "zstd", "gzip", "none");
    assertThat(v.get("partitioner.class").recommendedValues())
        .containsExactly("default", "field", "time", "hourly", "daily");
    assertThat(v.get("timestamp.extractor").recommendedValues())
        .containsExactly("Record", "RecordField", "Wallclock");
    assertThat(v.get("behavior.on.null.values").recommendedValues())
        .containsExactly("fail", "ignore", "write");
    assertThat(v.get("s3.region").recommendedValues())
        .contains("us-east-1", "eu-central-1", "us-west-2")
        .doesNotContain("aws-global")
        .isSorted();
    // every value offered is one the key's own validator accepts
    ConfigDef def = SinkConfig.CONFIG_DEF;
    v.values().stream()
        .filter(c -> !c.recommendedValues().isEmpty())
        .forEach(
            c -> {
              ConfigDef.ConfigKey key = def.configKeys().get(c.name());
              for (Object offered : c.recommendedValues()) {
                if (key.validator != null) {
                  key.validator.ensureValid(
                      c.name(), ConfigDef.parseType(c.name(), offered, key.type));
                }
              }
            });
  }

  @Test
  void partitionerKeysShowOnlyForThePartitionerThatReadsThem() {
    String[] keys = {
      "partition.field.name",
      "path.format",
      "partition.duration.ms",
      "locale",
      "timezone",
      "timestamp.field"
    };
    assertThat(visible(validate(), keys)).containsExactly("timezone");
    assertThat(visible(validate("partitioner.class", "field"), keys))
        .containsExactly("partition.field.name", "timezone");
    assertThat(
            visible(
                validate(
                    "partitioner.class",
                    "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
                    "timestamp.extractor",
                    "recordfield"),
                keys))
        .containsExactly(
            "path.format", "partition.duration.ms", "locale", "timezone", "timestamp.field");
    assertThat(visible(validate("partitioner.class", "hourly"), keys)).containsExactly("timezone");
  }

  /** Only a time partitioner and rotate.interval.ms read a record's time. */
  @Test
  void theTimestampExtractorShowsOnlyWhereSomethingReadsARecordsTime() {
    String[] keys = {"timestamp.extractor", "timestamp.field"};
    assertThat(visible(validate(), keys)).isEmpty();
    assertThat(visible(validate("timestamp.extractor", "RecordField"), keys))
        .as("set, but nothing reads it")
        .isEmpty();
    assertThat(visible(validate("partitioner.class", "hourly"), keys))
        .containsExactly("timestamp.extractor");
    assertThat(
            visible(
                validate("rotate.interval.ms", "600000", "timestamp.extractor", "RecordField"),
                keys))
        .containsExactly("timestamp.extractor", "timestamp.field");
  }

  @Test
  void keysThatRefineAnotherShowOnlyWhenItIsSet() {
    String[] keys = {
      "s3.sse.kms.key.id",
      "sts.role.session.name",
      "sts.role.external.id",
      "sts.region",
      "s3.proxy.user",
      "s3.proxy.password",
      "metadata.topic.column",
      "metadata.key.column",
      "metadata.headers.column",
      "metadata.deleted.column"
    };
    assertThat(visible(validate(), keys)).containsExactly("metadata.topic.column");
    assertThat(
            visible(
                validate(
                    "s3.ssea.name", "aws:kms",
                    "sts.role.arn", "arn:aws:iam::111122223333:role/r",
                    "s3.proxy.url", "http://proxy.example.com:3128",
                    "metadata.columns.enabled", "false",
                    "store.kafka.keys", "true",
                    "store.kafka.headers", "true",
                    "behavior.on.null.values", "write"),
                keys))
        .containsExactly(
            "s3.sse.kms.key.id",
            "sts.role.session.name",
            "sts.role.external.id",
            "sts.region",
            "s3.proxy.user",
            "s3.proxy.password",
            "metadata.key.column",
            "metadata.headers.column",
            "metadata.deleted.column");
    assertThat(visible(validate("s3.ssea.name", "AES256"), "s3.sse.kms.key.id")).isEmpty();
  }
}
