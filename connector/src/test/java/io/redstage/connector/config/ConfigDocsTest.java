package io.redstage.connector.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {
  private static final Path DOC = Paths.get("..", "docs", "config.md");

  @Test
  void committedReferenceMatchesTheConfigDef() throws Exception {
    String expected = ConfigDocs.markdown();
    if (Boolean.getBoolean("redstage.docs.write")) {
      Files.write(DOC, expected.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(DOC).exists();
    assertThat(Files.readString(DOC))
        .as(
            "docs/config.md is stale: regenerate it with "
                + "mvn -pl connector -am test -Dtest=ConfigDocsTest -Dsurefire.failIfNoSpecifiedTests=false -Dredstage.docs.write=true")
        .isEqualTo(expected);
  }

  @Test
  void everyKeyDocumentsItsDefault() {
    for (var key : SinkConfig.CONFIG_DEF.configKeys().values()) {
      assertThat(key.documentation).as(key.name).isNotBlank();
      assertThat(key.group).as(key.name).isNotBlank();
      if (key.hasDefault() && key.type != org.apache.kafka.common.config.ConfigDef.Type.PASSWORD) {
        assertThat(key.documentation.toLowerCase())
            .as(key.name + " doc names its default")
            .containsAnyOf("default", "required");
      }
    }
  }
}
