package io.redstage.loader.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.loader.config.ConfigException;
import io.redstage.loader.config.LoaderConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepConfigTest {
  static Map<String, String> minimal(String... keyValues) {
    Map<String, String> m =
        new HashMap<>(
            Map.of(
                "s3.bucket.name",
                "b",
                "redshift.database",
                "dev",
                "redshift.workgroup-name",
                "wg"));
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  @Test
  void defaultsKeepTheSweepSafeAndOff() {
    LoaderConfig c = LoaderConfig.of(minimal());
    assertThat(c.string("topics.dir")).isEqualTo("topics");
    assertThat(c.string("sweep.action")).isEqualTo("move");
    assertThat(c.duration("sweep.grace")).isEqualTo(Duration.ofHours(24));
    assertThat(c.duration("sweep.interval")).isZero();
  }

  @Test
  void prefixesTheSweepWritesMustStayOutOfTopicsDirAndMarkers() {
    assertThatThrownBy(() -> LoaderConfig.of(minimal("sweep.moved-dir", "topics/orphans")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'sweep.moved-dir' = 'topics/orphans'")
        .hasMessageContaining("Use a separate prefix");
    assertThatThrownBy(() -> LoaderConfig.of(minimal("sweep.cursor-key", "topics/cursor")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'sweep.cursor-key'");
    assertThat(LoaderConfig.of(minimal("topics.dir", "")).string("topics.dir"))
        .as("the connector allows an empty topics.dir")
        .isNull();
    assertThat(LoaderConfig.of(minimal("markers.dir", "topics/_markers")).string("markers.dir"))
        .isEqualTo("topics/_markers");
    assertThatThrownBy(() -> LoaderConfig.of(minimal("sweep.grace", "10s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sweep.grace");
    assertThatThrownBy(() -> LoaderConfig.of(minimal("sweep.action", "purge")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("sweep.action");
  }
}
