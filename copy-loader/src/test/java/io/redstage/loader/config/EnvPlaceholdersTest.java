package io.redstage.loader.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvPlaceholdersTest {
  @Test
  void fileValuesTakeEnvironmentVariablesAndDefaults(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("loader.yaml");
    Files.writeString(
        yaml,
        """
        aws:
          region: ${AWS_REGION:-eu-west-1}
        s3:
          bucket: ${STAGING_BUCKET}
        redshift:
          workgroup-name: ${WORKGROUP_NAME:-wg-default}
          database: ${DATABASE}
        copy:
          iam-role: arn:aws:iam::${ACCOUNT_ID}:role/copy
        markers.dir: $${not-a-variable}
        """);
    Map<String, String> env =
        Map.of(
            "STAGING_BUCKET",
            "staging",
            "DATABASE",
            "dev",
            "ACCOUNT_ID",
            "111122223333",
            "WORKGROUP_NAME",
            "",
            "REDSTAGE_REDSHIFT_DATABASE",
            "from-env-key");
    LoaderConfig c = ConfigSources.load(yaml, env, Map.of());
    assertThat(c.string("s3.bucket.name")).isEqualTo("staging");
    assertThat(c.string("aws.region")).isEqualTo("eu-west-1");
    assertThat(c.string("redshift.workgroup-name"))
        .as("an empty variable takes the default")
        .isEqualTo("wg-default");
    assertThat(c.string("copy.iam-role")).isEqualTo("arn:aws:iam::111122223333:role/copy");
    assertThat(c.string("markers.dir")).isEqualTo("${not-a-variable}");
    assertThat(c.string("redshift.database"))
        .as("REDSTAGE_* variables still win over the file")
        .isEqualTo("from-env-key");
  }

  @Test
  void aVariableValueIsNotInterpolatedAgain(@TempDir Path dir) throws Exception {
    Path props = dir.resolve("loader.properties");
    Files.writeString(
        props, "s3.bucket.name=${B}\nredshift.database=dev\nredshift.workgroup-name=wg\n");
    assertThat(
            ConfigSources.load(props, Map.of("B", "x${HOME}y"), Map.of()).string("s3.bucket.name"))
        .isEqualTo("x${HOME}y");
  }

  @Test
  void anUnsetVariableWithoutDefaultNamesTheKeyAndVariableButNoValue(@TempDir Path dir)
      throws Exception {
    Path yaml = dir.resolve("loader.yaml");
    Files.writeString(
        yaml,
        """
        s3:
          bucket: ${STAGING_BUCKET}
        redshift:
          secret-arn: ${SECRET_ARN}
        """);
    assertThatThrownBy(
            () -> ConfigSources.load(yaml, Map.of("STAGING_BUCKET", "top-secret-bucket"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'redshift.secret-arn'")
        .hasMessageContaining("SECRET_ARN")
        .hasMessageContaining("${SECRET_ARN:-<default>}")
        .hasMessageNotContaining("top-secret-bucket");
  }

  /** The example configs in examples/loader load once their placeholders have values. */
  @Test
  void exampleConfigsResolve() throws Exception {
    Pattern placeholder = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");
    int files = 0;
    try (DirectoryStream<Path> examples =
        Files.newDirectoryStream(Paths.get("..", "examples", "loader"), "*.yaml")) {
      for (Path example : examples) {
        Map<String, String> env = new HashMap<>();
        Matcher m = placeholder.matcher(Files.readString(example));
        while (m.find()) {
          env.put(m.group(1), "value-of-" + m.group(1).toLowerCase());
        }
        env.put("AWS_REGION", "eu-west-1");
        LoaderConfig c = ConfigSources.load(example, env, Map.of());
        assertThat(c.string("s3.bucket.name"))
            .as(example.toString())
            .isNotBlank()
            .doesNotContain("${");
        files++;
      }
    }
    assertThat(files).isGreaterThanOrEqualTo(3);
  }
}
