package io.redstage.connector.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnknownKeysTest {
  private static Map<String, String> config(String... keyValues) {
    Map<String, String> p = new HashMap<>();
    p.put("s3.bucket.name", "b");
    for (int i = 0; i < keyValues.length; i += 2) {
      p.put(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }

  @Test
  void misspeltKeysAreNamedWithTheKeyMeant() {
    Map<String, String> unknown =
        UnknownKeys.in(
            config(
                "flush.szie", "1000",
                "FLUSH.SIZE", "1000",
                "rotate_interval_ms", "60000",
                "s3.bucket-name", "b",
                "compression.type", "gzip"));
    assertThat(unknown)
        .containsEntry("flush.szie", "flush.size")
        .containsEntry("FLUSH.SIZE", "flush.size")
        .containsEntry("rotate_interval_ms", "rotate.interval.ms")
        .containsEntry("s3.bucket-name", "s3.bucket.name")
        .containsKey("compression.type")
        .hasSize(5);
  }

  @Test
  void aKeyFarFromEveryDefinedOneGetsNoSuggestion() {
    assertThat(UnknownKeys.in(config("hive.metastore.uris", "thrift://h:9083")))
        .containsExactly(Map.entry("hive.metastore.uris", ""));
  }

  @Test
  void keysOfConnectItsPluginsAndConfluentAreNotReported() {
    Map<String, String> p =
        config(
            "name", "c",
            "connector.class", "io.redstage.connector.RedstageS3SinkConnector",
            "tasks.max", "2",
            "topics", "t",
            "value.converter", "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable", "false",
            "transforms", "x",
            "transforms.x.type", "org.apache.kafka.connect.transforms.InsertField$Value",
            "errors.tolerance", "all",
            "errors.deadletterqueue.topic.name", "dlq",
            "consumer.override.max.poll.records", "5000",
            "s3.credentials.provider.role.arn", "arn:aws:iam::1:role/r",
            "s3.elastic.buffer.enable", "true",
            "hive.integration", "false",
            "s3.sse.customer.key.md5", "x");
    SinkConfig.CONFIG_DEF.names().forEach(k -> p.putIfAbsent(k, ""));
    assertThat(UnknownKeys.in(p)).isEmpty();
  }

  /**
   * The configs the project ships, the Confluent one included (a migration changes only its
   * connector.class), hold no key this connector would ignore without a word.
   */
  @Test
  void theShippedExampleConfigsHaveNoUnknownKeys() throws IOException {
    Path dir = Path.of("..", "examples", "connect");
    int files = 0;
    try (DirectoryStream<Path> json = Files.newDirectoryStream(dir, "*.json")) {
      for (Path file : json) {
        JsonNode body = new ObjectMapper().readTree(file.toFile());
        Map<String, String> p = new HashMap<>();
        body.path("config").properties().forEach(e -> p.put(e.getKey(), e.getValue().asText()));
        assertThat(UnknownKeys.in(p)).as(file.toString()).isEmpty();
        files++;
      }
    }
    assertThat(files).isGreaterThanOrEqualTo(4);
  }

  @Test
  void theMessageNamesTheKeyButNeverItsValue() {
    assertThat(UnknownKeys.message("flush.szie", "flush.size"))
        .isEqualTo(
            "Ignoring flush.szie: not a setting of this connector or of Kafka Connect (did you mean "
                + "flush.size?). Correct or remove it; docs/config.md lists every setting.");
    // a ':' typed for '=' in a properties file puts the value into the key
    assertThat(UnknownKeys.message("aws.secret.access.key:wJalrXUtnFEMI", "aws.secret.access.key"))
        .startsWith("Ignoring aws.secret.access.key... (rest not shown):")
        .doesNotContain("wJalr");
  }

  @Test
  void editDistanceStopsAtItsLimit() {
    assertThat(UnknownKeys.editDistance("flush.size", "flush.size", 4)).isZero();
    assertThat(UnknownKeys.editDistance("flush.szie", "flush.size", 4)).isEqualTo(2);
    assertThat(UnknownKeys.editDistance("a", "abcdefgh", 4)).isEqualTo(4);
    assertThat(UnknownKeys.editDistance("topics.dir", "markers.dir", 4)).isEqualTo(4);
  }
}
