package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.connector.config.SinkConfig;
import io.redstage.connector.storage.S3Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComponentsFactoryTest {
  /**
   * A starting task aborts only uploads older than any live file can be: twice the schedule
   * interval and at least a day, and none by age without the schedule rule (a unit can then stay
   * open indefinitely, and another task's start would abort its live upload).
   */
  @Test
  void staleUploadsAreThoseOlderThanAnyLiveFile() {
    assertThat(ComponentsFactory.staleAfter(60_000)).contains(java.time.Duration.ofHours(24));
    assertThat(ComponentsFactory.staleAfter(java.time.Duration.ofHours(20).toMillis()))
        .contains(java.time.Duration.ofHours(40));
    assertThat(ComponentsFactory.staleAfter(-1)).isEmpty();
  }

  @Test
  void theStsExternalIdReachesTheS3SettingsThoughTheConfigHidesIt() {
    Map<String, String> p = new java.util.HashMap<>();
    p.put("s3.bucket.name", "b");
    p.put("sts.role.arn", "arn:aws:iam::111122223333:role/writer");
    p.put("sts.role.external.id", "shared-ext-secret");
    assertThat(ComponentsFactory.s3Settings(new SinkConfig(p)).stsExternalId())
        .contains("shared-ext-secret");
    p.remove("sts.role.external.id");
    assertThat(ComponentsFactory.s3Settings(new SinkConfig(p)).stsExternalId()).isEmpty();
  }

  @Test
  void parquetDictionaryEncodingIsOnByDefaultAndCanBeTurnedOff() {
    Map<String, String> props = new HashMap<>();
    props.put("s3.bucket.name", "b");
    assertThat(ComponentsFactory.formatOptions(new SinkConfig(props)).parquetDictionaryEnabled())
        .isTrue();

    props.put("parquet.dictionary.enabled", "false");
    assertThat(ComponentsFactory.formatOptions(new SinkConfig(props)).parquetDictionaryEnabled())
        .isFalse();
  }

  @Test
  void parquetDictionaryExclusionsReachTheFormatOptions() {
    Map<String, String> props = new HashMap<>();
    props.put("s3.bucket.name", "b");
    assertThat(
            ComponentsFactory.formatOptions(new SinkConfig(props))
                .parquetDictionaryExcludedColumns())
        .isEmpty();

    props.put("parquet.dictionary.excluded.columns", "id,address.zip");
    assertThat(
            ComponentsFactory.formatOptions(new SinkConfig(props))
                .parquetDictionaryExcludedColumns())
        .containsExactly("id", "address.zip");
  }

  /**
   * Values the validators accept in any case or spelling reach S3, the SDK and Parquet in the one
   * they take, so a config that validates also starts.
   */
  @Test
  void valuesAcceptedInAnyCaseReachTheTaskInTheirCanonicalSpelling() {
    Map<String, String> props = new HashMap<>(Map.of("s3.bucket.name", "b"));
    props.put("parquet.codec", "UNCOMPRESSED");
    props.put("s3.ssea.name", "aws:KMS");
    props.put("s3.sse.kms.key.id", "arn:aws:kms:eu-west-1:1:key/x");
    props.put("s3.acl.canned", "Bucket-Owner-Full-Control");
    props.put("locale", "de_CH");
    SinkConfig c = new SinkConfig(props);

    assertThat(ComponentsFactory.formatOptions(c).parquetCodec()).isEqualTo("none");
    S3Settings s3 = ComponentsFactory.s3Settings(c);
    assertThat(s3.sseAlgorithm()).hasValue("aws:kms");
    assertThat(s3.cannedAcl()).hasValue("bucket-owner-full-control");
    assertThat(c.partitionerSettings().locale())
        .isEqualTo(java.util.Locale.forLanguageTag("de-CH"));
  }

  /** The ConfigDef is the only home of the defaults: the settings builders have none. */
  @Test
  void s3SettingsOfAnEmptyConfigAreTheConfigDefDefaults() {
    S3Settings s = ComponentsFactory.s3Settings(new SinkConfig(Map.of("s3.bucket.name", "b")));
    assertThat(s.region()).isEqualTo("us-west-2");
    assertThat(s.partSizeBytes()).isEqualTo(64 * 1024 * 1024);
    assertThat(s.stsSessionName()).isEqualTo("redstage-s3-sink");
    assertThat(s.pathStyle()).isTrue();
    assertThat(s.maxRetries()).isEqualTo(3);
    assertThat(s.retryBackoff()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void aBudgetBelowOnePartIsWarnedAboutWithBothKeys() {
    Map<String, String> props = new HashMap<>(Map.of("s3.bucket.name", "b"));
    assertThat(ComponentsFactory.partsOverBudget(new SinkConfig(props))).isEmpty();
    // a part being sent waits in the budget beside the one filling: no file closes early
    props.put("memory.buffer.max.bytes", Integer.toString(100 << 20));
    assertThat(ComponentsFactory.partsOverBudget(new SinkConfig(props))).isEmpty();

    props.put("memory.buffer.max.bytes", Integer.toString(60 << 20));
    assertThat(ComponentsFactory.partsOverBudget(new SinkConfig(props)))
        .hasValueSatisfying(
            w ->
                assertThat(w)
                    .startsWith("Cannot keep files that stream to their flush.size")
                    .contains("s3.part.size=67108864", "memory.buffer.max.bytes=62914560"));

    props.put("s3.part.size", Integer.toString(50 << 20));
    assertThat(ComponentsFactory.partsOverBudget(new SinkConfig(props))).isEmpty();
  }

  /**
   * Every commit and part thread can hold a connection beside the task thread's own calls (see
   * BackgroundCommits.connectionsFor).
   */
  @Test
  void connectionPoolCoversBothCommitPoolsAndTheTaskThread() {
    assertThat(
            ComponentsFactory.s3Settings(new SinkConfig(Map.of("s3.bucket.name", "b")))
                .maxConnections())
        .isEqualTo(70);
    assertThat(
            ComponentsFactory.s3Settings(
                    new SinkConfig(Map.of("s3.bucket.name", "b", "s3.upload.threads", "100")))
                .maxConnections())
        .isEqualTo(206);
    // Few threads keep the SDK's own pool size.
    assertThat(
            ComponentsFactory.s3Settings(
                    new SinkConfig(Map.of("s3.bucket.name", "b", "s3.upload.threads", "4")))
                .maxConnections())
        .isEqualTo(S3Settings.DEFAULT_MAX_CONNECTIONS);
  }
}
