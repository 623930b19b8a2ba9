package io.redstage.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RedstageS3SinkConnectorTest {
  /**
   * errors.tolerance=all with neither a dead letter queue nor Connect's error log: Connect drops
   * what its converter or transforms reject with no record of it anywhere, and start() warns.
   */
  @Test
  void warnsOfRecordsConnectWouldSkipWithoutATrace() {
    assertThat(RedstageS3SinkConnector.skipsWithoutTrace(Map.of("errors.tolerance", " ALL ")))
        .isTrue();
    assertThat(
            RedstageS3SinkConnector.skipsWithoutTrace(
                Map.of("errors.tolerance", "all", "errors.deadletterqueue.topic.name", " ")))
        .as("a blank topic is no dead letter queue")
        .isTrue();
    assertThat(
            RedstageS3SinkConnector.skipsWithoutTrace(
                Map.of("errors.tolerance", "all", "errors.deadletterqueue.topic.name", "dlq")))
        .isFalse();
    assertThat(
            RedstageS3SinkConnector.skipsWithoutTrace(
                Map.of("errors.tolerance", "all", "errors.log.enable", "true")))
        .isFalse();
    assertThat(RedstageS3SinkConnector.skipsWithoutTrace(Map.of("errors.tolerance", "none")))
        .isFalse();
    assertThat(RedstageS3SinkConnector.skipsWithoutTrace(Map.of()))
        .as("Connect's default")
        .isFalse();
  }
}
