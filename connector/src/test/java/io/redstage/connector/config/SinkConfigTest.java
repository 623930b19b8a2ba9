package io.redstage.connector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.connector.RedstageS3SinkConnector;
import io.redstage.contract.FileFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class SinkConfigTest {
  private static Map<String, String> base() {
    Map<String, String> p = new HashMap<>();
    p.put("s3.bucket.name", "b");
    return p;
  }

  /**
   * A store.url with a password in it is refused without echoing the value anywhere (error,
   * validate response); so is one that does not parse, whose parser message would repeat it.
   */
  @Test
  void aStoreUrlWithCredentialsIsRefusedAndNeverShown() {
    for (String url :
        List.of(
            "http://minio:s3cr3t-pw@127.0.0.1:9000", "http://minio:s3cr3t-pw @127.0.0.1:9000")) {
      Map<String, String> p = base();
      p.put("store.url", url);
      List<ConfigValue> values = new RedstageS3SinkConnector().validate(p).configValues();
      assertThat(values.toString()).as(url).doesNotContain("s3cr3t-pw");
      assertThat(errorsByKey(p))
          .containsOnlyKeys("store.url")
          .hasEntrySatisfying(
              "store.url",
              e ->
                  assertThat(e)
                      .allMatch(m -> m.startsWith("Cannot use store.url (value not shown): ")));
      assertThatThrownBy(() -> new SinkConfig(p)).hasMessageNotContaining("s3cr3t-pw");
    }
  }

  @Test
  void theStsExternalIdIsAPasswordTheValidateEndpointHides() {
    Map<String, String> p = base();
    p.put("sts.role.arn", "arn:aws:iam::111122223333:role/writer");
    p.put("sts.role.external.id", "shared-ext-secret");
    assertThat(new RedstageS3SinkConnector().validate(p).configValues().toString())
        .doesNotContain("shared-ext-secret");
  }

  @Test
  void acceptsConfluentClassNamesAsAliases() {
    Map<String, String> p = base();
    p.put("format.class", "io.confluent.connect.s3.format.avro.AvroFormat");
    p.put("partitioner.class", "io.confluent.connect.storage.partitioner.HourlyPartitioner");
    SinkConfig c = new SinkConfig(p);
    assertThat(c.format()).isEqualTo(FileFormat.AVRO);
    assertThat(c.partitionerType()).isEqualTo("hourly");
  }

  @Test
  void acceptsConfluentTimestampExtractorClassNamesAndRejectsOthersNamingTheKey() {
    Map<String, String> p = base();
    p.put(
        "timestamp.extractor",
        "io.confluent.connect.storage.partitioner.TimeBasedPartitioner$WallclockTimestampExtractor");
    assertThat(new SinkConfig(p).timestampExtractor()).isEqualTo("Wallclock");
    p.put("timestamp.extractor", "recordfield");
    assertThat(new SinkConfig(p).timestampExtractor()).isEqualTo("RecordField");
    p.put("timestamp.extractor", "Kafka");
    assertThatThrownBy(() -> new SinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("timestamp.extractor")
        .hasMessageContaining("Use Record (Kafka timestamp), RecordField");
  }

  @Test
  void rejectsUnknownFormatNamingTheKey() {
    Map<String, String> p = base();
    p.put("format.class", "io.confluent.connect.s3.format.bytearray.ByteArrayFormat");
    assertThatThrownBy(() -> new SinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("format.class")
        .hasMessageContaining("Cannot use this format");
  }

  @Test
  void partSizeBelowFiveMebibytesIsRejected() {
    Map<String, String> p = base();
    p.put("s3.part.size", "1048576");
    assertThatThrownBy(() -> new SinkConfig(p)).hasMessageContaining("s3.part.size");
  }

  @Test
  void constructorThrowsTheFirstCrossFieldProblem() {
    Map<String, String> p = base();
    p.put("partitioner.class", "field");
    assertThatThrownBy(() -> new SinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("partition.field.name is empty");
  }

  @Test
  void validateAttachesCrossFieldErrorsToEveryKeyInvolved() {
    Map<String, String> p = base();
    p.put("s3.sse.kms.key.id", "arn:aws:kms:eu-west-1:1:key/x");
    p.put("aws.access.key.id", "AKIA");
    p.put("format.class", "parquet");
    p.put("s3.compression.type", "gzip");
    Map<String, ConfigValue> byName =
        new RedstageS3SinkConnector()
            .validate(p).configValues().stream()
                .collect(Collectors.toMap(ConfigValue::name, v -> v));
    assertThat(byName.get("s3.sse.kms.key.id").errorMessages())
        .anyMatch(m -> m.contains("aws:kms"));
    assertThat(byName.get("s3.ssea.name").errorMessages()).anyMatch(m -> m.contains("aws:kms"));
    assertThat(byName.get("aws.secret.access.key").errorMessages())
        .anyMatch(m -> m.contains("both"));
    assertThat(byName.get("aws.access.key.id").errorMessages()).anyMatch(m -> m.contains("both"));
    assertThat(byName.get("s3.compression.type").errorMessages())
        .anyMatch(m -> m.contains("jsonl only"));
    assertThat(byName.get("format.class").errorMessages()).anyMatch(m -> m.contains("jsonl only"));
    assertThat(byName.get("flush.size").errorMessages()).isEmpty();
  }

  private static Map<String, List<String>> errorsByKey(Map<String, String> p) {
    return new RedstageS3SinkConnector()
        .validate(p).configValues().stream()
            .filter(v -> !v.errorMessages().isEmpty())
            .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }

  /**
   * What the task would refuse at start is shown by validate() on its key: a partitioner setting
   * only the partitioner can read, an endpoint that is not http(s), a locale that is no language,
   * and an empty tmp.dir.
   */
  @Test
  void validateShowsWhatTheTaskWouldRefuseOnItsKey() {
    Map<String, String> p = base();
    p.put("partitioner.class", "time");
    p.put("partition.duration.ms", "3600000");
    p.put("path.format", "'year'=YYYY/'month");
    assertThat(errorsByKey(p))
        .containsOnlyKeys("path.format")
        .hasEntrySatisfying(
            "path.format",
            e -> assertThat(e).anyMatch(m -> m.startsWith("Cannot use path.format=")));

    p = base();
    p.put("partitioner.class", "field");
    p.put("partition.field.name", "address..city");
    assertThat(errorsByKey(p)).containsOnlyKeys("partition.field.name");

    p = base();
    p.put("store.url", "s3://bucket");
    assertThat(errorsByKey(p))
        .containsOnlyKeys("store.url")
        .hasEntrySatisfying(
            "store.url", e -> assertThat(e).anyMatch(m -> m.contains("not http or https")));

    p = base();
    p.put("locale", "!!");
    assertThat(errorsByKey(p)).containsOnlyKeys("locale");

    p = base();
    p.put("tmp.dir", "");
    assertThat(errorsByKey(p))
        .containsOnlyKeys("tmp.dir")
        .hasEntrySatisfying(
            "tmp.dir",
            e -> assertThat(e).anyMatch(m -> m.startsWith("Cannot use an empty tmp.dir")));

    // a lifecycle rule that expires tmp.dir's leftovers must not reach markers or committed files
    for (Map.Entry<String, String> overlap :
        List.of(
            Map.entry("_redstage", "markers.dir"),
            Map.entry("_redstage/markers/tmp/", "markers.dir"),
            Map.entry("topics/tmp", "topics.dir"))) {
      p = base();
      p.put("topics.dir", "topics");
      p.put("tmp.dir", overlap.getKey());
      assertThat(errorsByKey(p))
          .as(overlap.getKey())
          .containsOnlyKeys("tmp.dir")
          .hasEntrySatisfying(
              "tmp.dir",
              e ->
                  assertThat(e)
                      .anyMatch(
                          m ->
                              m.startsWith("Cannot use tmp.dir=" + overlap.getKey() + " with ")
                                  && m.contains(overlap.getValue())
                                  && m.contains("one holds the other")));
    }
    p = base();
    p.put("topics.dir", "");
    p.put("tmp.dir", "_redstage/tmpfiles");
    assertThat(errorsByKey(p)).as("a prefix beside another of the same start").isEmpty();

    p = base();
    p.put("markers.dir", "");
    assertThat(errorsByKey(p))
        .containsOnlyKeys("markers.dir")
        .hasEntrySatisfying(
            "markers.dir",
            e -> assertThat(e).anyMatch(m -> m.startsWith("Cannot use an empty markers.dir")));

    p = base();
    p.put("topics.dir", "");
    p.put("markers.dir", "topics/_markers");
    assertThat(errorsByKey(p)).as("nested and empty data prefixes stay allowed").isEmpty();
  }

  /** Connect's validate endpoint returns STRING values as they are: a proxy URL's password not. */
  @Test
  void validateDoesNotReturnThePasswordOfAProxyUrl() {
    Map<String, String> p = base();
    p.put("s3.proxy.url", "http://alice:s3cr3t@proxy.example.com:3128");
    ConfigValue proxy =
        new RedstageS3SinkConnector()
            .validate(p).configValues().stream()
                .filter(v -> v.name().equals("s3.proxy.url"))
                .findFirst()
                .orElseThrow();
    assertThat(proxy.value()).isEqualTo("http://alice:[hidden]@proxy.example.com:3128");
    assertThat(String.valueOf(proxy.value())).doesNotContain("s3cr3t");
  }

  /**
   * A proxy URL whose password the URI parser cannot take as user information (an unencoded '#',
   * '/' or '?', a host with '_'): it was returned whole, password and all, with its error.
   */
  @Test
  void validateHidesAProxyUrlItCannotParseWhenItMayHoldAPassword() {
    for (String url :
        new String[] {
          "http://svc:Pa#ss1@proxy.corp:3128",
          "http://svc:Pa/ss1@proxy.corp:3128",
          "http://svc:Pass1@proxy_1.corp:3128"
        }) {
      Map<String, String> p = base();
      p.put("s3.proxy.url", url);
      ConfigValue proxy =
          new RedstageS3SinkConnector()
              .validate(p).configValues().stream()
                  .filter(v -> v.name().equals("s3.proxy.url"))
                  .findFirst()
                  .orElseThrow();
      assertThat(String.valueOf(proxy.value())).as(url).doesNotContain("ss1");
      assertThat(proxy.errorMessages()).as(url).isNotEmpty();
      assertThat(String.join(" ", proxy.errorMessages())).doesNotContain("ss1");
    }
  }

  /**
   * Files without the metadata columns cannot be loaded (the loader refuses them): the connector
   * says so at start. slf4j-simple writes to System.err as it is when a line is logged.
   */
  @Test
  void startWarnsThatFilesWithoutMetadataColumnsCannotBeLoaded() {
    Map<String, String> p = base();
    p.put("metadata.columns.enabled", "false");
    java.io.PrintStream before = System.err;
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      new RedstageS3SinkConnector().start(p);
    } finally {
      System.setErr(before);
    }
    assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("WARN")
        .contains("metadata.columns.enabled=false")
        .contains("copy-loader needs");
  }

  /**
   * timezone="" is Confluent's default, which exported configs carry: it means the default zone.
   */
  @Test
  void anEmptyTimezoneIsTheDefaultZone() {
    Map<String, String> p = base();
    p.put("timezone", "");
    assertThat(errorsByKey(p)).doesNotContainKey("timezone");
    assertThat(new SinkConfig(p).timezone()).isEqualTo("UTC");
  }

  /**
   * A JSON null in a posted config is an error on its key, not a NullPointerException (HTTP 500).
   */
  @Test
  void validateNamesANullValueInsteadOfFailing() {
    Map<String, String> p = base();
    p.put("markers.dir", null);
    Map<String, List<String>> errors = errorsByKey(p);
    assertThat(errors).containsKey("markers.dir");
  }

  /** Values S3 or STS would only refuse at the first request are refused by validate(). */
  @Test
  void regionsRolesAndSessionNamesAreCheckedUpFront() {
    Map<String, String> p = base();
    p.put("sts.region", "eu central 1");
    p.put("sts.role.arn", "role/redstage");
    assertThat(errorsByKey(p)).containsOnlyKeys("sts.region", "sts.role.arn");

    p = base();
    p.put("s3.region", "US-EAST-1");
    assertThat(errorsByKey(p)).as("against AWS").containsOnlyKeys("s3.region");
    p.put("store.url", "http://127.0.0.1:9000");
    p.put("s3.region", "my_zonegroup");
    assertThat(errorsByKey(p)).as("an S3-compatible store names its regions").isEmpty();

    p = base();
    p.put("sts.role.arn", "arn:aws:iam::123456789012:role/redstage");
    p.put("sts.role.session.name", "a");
    assertThat(errorsByKey(p)).containsOnlyKeys("sts.role.session.name");
    p.remove("sts.role.arn");
    assertThat(errorsByKey(p)).as("no role: the session name is not used").isEmpty();

    p = base();
    p.put("s3.region", "us-gov-west-1");
    p.put("sts.region", "");
    p.put("sts.role.arn", "arn:aws-cn:iam::123456789012:role/path/redstage");
    p.put("sts.role.session.name", "redstage@task=1");
    p.put("locale", "");
    assertThat(errorsByKey(p)).isEmpty();
  }

  /** An extractor that no rule uses does not stop the task, whatever its settings. */
  @Test
  void anUnusedTimestampExtractorIsNotChecked() {
    Map<String, String> p = base();
    p.put("timestamp.extractor", "RecordField");
    p.put("timestamp.field", "when..at");
    assertThat(errorsByKey(p)).isEmpty();
    p.put("rotate.interval.ms", "60000");
    assertThat(errorsByKey(p)).containsKeys("timestamp.field");
  }

  @Test
  void theStsExternalIdIsNotEchoedInErrors() {
    Map<String, String> p = base();
    p.put("sts.role.external.id", "shared-secret-123");
    assertThatThrownBy(() -> new SinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sts.role.external.id")
        .hasMessageNotContaining("shared-secret-123");
  }

  @Test
  void timePartitionerNeedsPathFormatAndDuration() {
    Map<String, String> p = base();
    p.put("partitioner.class", "io.confluent.connect.storage.partitioner.TimeBasedPartitioner");
    List<CrossFieldValidator.Problem> problems =
        CrossFieldValidator.problems(new SinkConfig(p, false));
    assertThat(problems)
        .extracting(pr -> pr.keys)
        .contains(
            List.of("partitioner.class", "path.format"),
            List.of("partitioner.class", "partition.duration.ms"));
  }

  /** Every record with the field would have been a bad record at run time. */
  @Test
  void aFieldMappedToAMetadataColumnsNameIsRejected() {
    Map<String, String> p = base();
    p.put("column.name.map", "ref:order_ref,id:KAFKA_OFFSET");
    assertThat(CrossFieldValidator.problems(new SinkConfig(p, false)))
        .singleElement()
        .satisfies(
            pr -> {
              assertThat(pr.keys).containsExactly("column.name.map", "metadata.offset.column");
              assertThat(pr.message)
                  .isEqualTo(
                      "Cannot map field 'id' to column kafka_offset: metadata.offset.column gives a "
                          + "metadata column that name. Map the field to another name, or give the "
                          + "metadata column another name with metadata.offset.column.");
            });
    p.put("metadata.offset.column", "kafka_off");
    assertThat(CrossFieldValidator.problems(new SinkConfig(p, false))).isEmpty();
    p.put("column.name.map", "key:kafka_key");
    assertThat(CrossFieldValidator.problems(new SinkConfig(p, false)))
        .as("the key column is not written: no clash")
        .isEmpty();
    p.put("store.kafka.keys", "true");
    assertThat(CrossFieldValidator.problems(new SinkConfig(p, false)))
        .extracting(pr -> pr.keys)
        .containsExactly(List.of("column.name.map", "metadata.key.column"));
  }

  /** An empty locale, as configs exported from Confluent's sink carry, is the default (en). */
  @Test
  void anEmptyLocaleIsTheDefault() {
    Map<String, String> p = base();
    p.put("locale", " ");
    assertThat(new SinkConfig(p).locale()).isEqualTo(java.util.Locale.ENGLISH);
  }

  @Test
  void duplicateMetadataColumnNamesAreRejectedOnTheirTwoKeys() {
    Map<String, String> p = base();
    p.put("metadata.offset.column", "KAFKA_TOPIC");
    assertThatThrownBy(() -> new SinkConfig(p))
        .hasMessage(
            "Cannot name two metadata columns KAFKA_TOPIC: metadata.topic.column and"
                + " metadata.offset.column both do (Redshift folds names to lower case). Give each"
                + " its own name.");
    assertThat(CrossFieldValidator.problems(new SinkConfig(p, false)))
        .extracting(pr -> pr.keys)
        .containsExactly(List.of("metadata.topic.column", "metadata.offset.column"));

    // the key column is not written (store.kafka.keys=false): its name clashes with nothing
    Map<String, String> off = base();
    off.put("metadata.key.column", "kafka_topic");
    assertThat(CrossFieldValidator.problems(new SinkConfig(off, false))).isEmpty();
  }

  /**
   * A row group larger than the memory budget matters to Parquet only; and the start's error does
   * not echo a key's value (Kafka's "Invalid value ... for configuration ..." did).
   */
  @Test
  void parquetLimitsApplyToParquetAndStartErrorsEchoNoValue() {
    Map<String, String> p = base();
    p.put("parquet.row.group.size.bytes", "268435456");
    p.put("memory.buffer.max.bytes", "134217728");
    assertThat(CrossFieldValidator.problems(new SinkConfig(p, false))).hasSize(1);
    p.put("format.class", "jsonl");
    assertThat(CrossFieldValidator.problems(new SinkConfig(p, false))).isEmpty();

    Map<String, String> q = base();
    q.put("aws.access.key.id", "AKIAIOSFODNN7EXAMPLE");
    q.put("tmp.dir", "_redstage/markers");
    assertThatThrownBy(() -> new SinkConfig(q))
        .hasMessageStartingWith("Cannot use tmp.dir=_redstage/markers with markers.dir=")
        .hasMessageNotContaining("AKIA")
        .hasMessageNotContaining("Invalid value");
  }

  @Test
  void warehouseLimitKeysAreValidatedAndDefaultToRedshiftsMaximum() {
    SinkConfig defaults = new SinkConfig(base());
    assertThat(defaults.getInt(SinkConfigDef.VARCHAR_MAX_BYTES)).isEqualTo(65535);
    assertThat(defaults.getString(SinkConfigDef.BEHAVIOR_ON_OVERSIZE_STRING)).isEqualTo("fail");
    for (String tooBig : List.of("0", "65536")) {
      Map<String, String> p = base();
      p.put("varchar.max.bytes", tooBig);
      assertThatThrownBy(() -> new SinkConfig(p))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("varchar.max.bytes");
    }
    Map<String, String> p = base();
    p.put("behavior.on.oversize.string", "cut");
    assertThatThrownBy(() -> new SinkConfig(p))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Cannot use behavior.on.oversize.string=cut: expected one of fail, truncate (in any case).");
    Map<String, String> small = base();
    small.put("s3.part.size", "1048576");
    assertThatThrownBy(() -> new SinkConfig(small))
        .hasMessage(
            "Cannot use s3.part.size=1048576: it is outside 5242880 to 1073741824. Set a value in that"
                + " range.");
    Map<String, String> noBucket = base();
    noBucket.put("s3.bucket.name", "");
    assertThatThrownBy(() -> new SinkConfig(noBucket))
        .hasMessage("Cannot leave s3.bucket.name empty: set it (see docs/config.md).");
  }
}
