package io.redstage.loader.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/loader-config.md must be what {@link ConfigDocs} generates; run with
 * -Dredstage.docs.write=true to refresh it.
 */
class ConfigDocsTest {
  @Test
  void committedDocMatchesTheDefinition() throws Exception {
    Path doc = Path.of("..", "docs", "loader-config.md");
    String generated = ConfigDocs.markdown();
    if (Boolean.getBoolean("redstage.docs.write")) {
      Files.writeString(doc, generated);
    }
    assertThat(doc).exists();
    assertThat(Files.readString(doc))
        .as(
            "docs/loader-config.md is stale: regenerate with mvn -pl copy-loader -am -Dtest=ConfigDocsTest -Dsurefire.failIfNoSpecifiedTests=false -Dredstage.docs.write=true test")
        .isEqualTo(generated);
  }
}
