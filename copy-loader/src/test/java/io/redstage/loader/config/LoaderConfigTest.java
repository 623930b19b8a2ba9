package io.redstage.loader.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoaderConfigTest {
  static Map<String, String> minimal() {
    Map<String, String> m = new HashMap<>();
    m.put("s3.bucket.name", "b");
    m.put("redshift.database", "dev");
    m.put("redshift.workgroup-name", "wg");
    return m;
  }

  @Test
  void oldKeyNamesStillWorkUnderTheConnectorsNames() {
    Map<String, String> old = new HashMap<>();
    old.put("s3.bucket", "b");
    old.put("s3.endpoint", "http://localhost:9000");
    old.put("s3.path-style", "false");
    old.put("redshift.database", "dev");
    old.put("redshift.workgroup-name", "wg");
    LoaderConfig c = LoaderConfig.of(old);
    assertThat(c.string("s3.bucket.name")).isEqualTo("b");
    assertThat(c.string("store.url")).isEqualTo("http://localhost:9000");
    assertThat(c.bool("s3.path.style.access.enabled")).isFalse();

    LoaderConfig fromEnv =
        ConfigSources.load(
            null,
            Map.of("REDSTAGE_S3_BUCKET", "env-bucket", "REDSTAGE_REDSHIFT_DATABASE", "dev"),
            Map.of("redshift.workgroup-name", "wg"));
    assertThat(fromEnv.string("s3.bucket.name")).isEqualTo("env-bucket");

    Map<String, String> both = minimal();
    both.put("s3.bucket", "other");
    assertThatThrownBy(() -> LoaderConfig.of(both))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Cannot load config: both 's3.bucket' and its new name 's3.bucket.name' are set."
                + " Remove 's3.bucket' (or REDSTAGE_S3_BUCKET).");
  }

  /**
   * The old and new names of the static keys (aws.access-key-id, aws.access.key.id) share one
   * environment variable: it was read under both names, and every command stopped with "both are
   * set. Remove ... REDSTAGE_AWS_ACCESS_KEY_ID", the only variable set.
   */
  @Test
  void theStaticKeyVariablesTheDocsGiveAreTakenOnce() {
    LoaderConfig c =
        ConfigSources.load(
            null,
            Map.of(
                "REDSTAGE_S3_BUCKET_NAME", "b",
                "REDSTAGE_REDSHIFT_DATABASE", "dev",
                "REDSTAGE_AWS_ACCESS_KEY_ID", "AKIAEXAMPLE",
                "REDSTAGE_AWS_SECRET_ACCESS_KEY", "s3cr3t"),
            Map.of("redshift.workgroup-name", "wg"));
    assertThat(c.string("aws.access.key.id")).isEqualTo("AKIAEXAMPLE");
    assertThat(c.string("aws.secret.access.key")).isEqualTo("s3cr3t");
  }

  @Test
  void sameThingsHaveTheConnectorsDefaultsAndNoRegionIsGuessed() {
    LoaderConfig c = LoaderConfig.of(minimal());
    assertThat(c.bool("s3.path.style.access.enabled")).isTrue();
    assertThat(c.optional("aws.region")).isEmpty();
    Map<String, String> deprecated = minimal();
    deprecated.put("metadata.offset-column", "record_offset");
    assertThat(LoaderConfig.of(deprecated).string("metadata.offset-column"))
        .isEqualTo("record_offset");
    assertThat(LoaderConfigDef.key("metadata.offset-column").orElseThrow().doc())
        .contains("Deprecated");
  }

  @Test
  void appliesDefaultsAndParsesTypes() {
    Map<String, String> m = minimal();
    m.put("batch.max-bytes", "64MiB");
    m.put("markers.retention", "90m");
    LoaderConfig c = LoaderConfig.of(m);
    assertThat(c.size("batch.max-bytes")).isEqualTo(64L << 20);
    assertThat(c.duration("markers.retention")).isEqualTo(Duration.ofMinutes(90));
    assertThat(c.duration("loop.interval")).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.string("markers.dir")).isEqualTo("_redstage/markers");
    assertThat(c.list("topics")).isEmpty();
  }

  /** The SDK takes these only at its first request, and its error names no key. */
  @Test
  void endpointsAndTheRegionAreCheckedAtStart() {
    Map<String, String> ok = minimal();
    ok.put("store.url", "http://127.0.0.1:9000");
    ok.put("redshift.endpoint", "https://redshift-data.us-east-1.amazonaws.com");
    ok.put("aws.region", "us-gov-west-1");
    LoaderConfig.of(ok);
    for (String[] bad :
        List.of(
            new String[] {"store.url", "127.0.0.1:9000"},
            new String[] {"store.url", "http://bad host"},
            new String[] {"redshift.endpoint", "ftp://x"},
            new String[] {"aws.region", "US-EAST-1"})) {
      Map<String, String> m = minimal();
      m.put(bad[0], bad[1]);
      assertThatThrownBy(() -> LoaderConfig.of(m))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("Cannot use '" + bad[0] + "' = '" + bad[1] + "'");
    }
  }

  /** A number too large for a long was an uncaught exception that named no key. */
  @Test
  void durationsAndSizesTooLargeForALongNameTheirKey() {
    for (String value : List.of("99999999999999999999s", "9999999999999999d")) {
      Map<String, String> m = minimal();
      m.put("markers.retention", value);
      assertThatThrownBy(() -> LoaderConfig.of(m))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("Cannot use '" + value + "' for config key 'markers.retention'");
    }
    Map<String, String> m = minimal();
    m.put("batch.max-bytes", "9999999999GiB");
    assertThatThrownBy(() -> LoaderConfig.of(m))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Cannot use '9999999999GiB' for config key 'batch.max-bytes'");
  }

  /** Such a target stopped every cycle at the first unit of its topic, naming neither. */
  @Test
  void tablesMapTargetsRedshiftCannotNameAreRefusedAtStartWithTheEntry() {
    for (String target : List.of("sales." + "t".repeat(128), "sales.a\\b")) {
      Map<String, String> m = minimal();
      m.put("tables.map", "orders:" + target);
      assertThatThrownBy(() -> LoaderConfig.of(m))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("Cannot use 'tables.map' entry 'orders:" + target + "'")
          .hasMessageEndingWith("Name a table Redshift takes (at most 127 bytes per name).");
    }
    Map<String, String> ok = minimal();
    ok.put("tables.map", "orders:sales." + "t".repeat(127));
    LoaderConfig.of(ok);
  }

  /**
   * The claims and seed-watermark tables are named after the load-marker table with a suffix: a
   * name Redshift takes for the one could make the others too long, found only at the first cycle.
   */
  @Test
  void aLoadMarkerTableNameTooLongForItsSuffixesIsRefusedAtStart() {
    Map<String, String> m = minimal();
    m.put("control.markers-table", "m".repeat(121));
    assertThatThrownBy(() -> LoaderConfig.of(m))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Cannot use 'control.markers-table' of 121 bytes")
        .hasMessageEndingWith("whose first 40 characters take at most 110.");
    // the per-target tables take the first 40 characters: 37 of 3 bytes, or a character cut in two
    for (String name : List.of("\u20ac".repeat(37), "a" + "\ud83d\ude00".repeat(20))) {
      Map<String, String> multibyte = minimal();
      multibyte.put("control.markers-table", name);
      assertThatThrownBy(() -> LoaderConfig.of(multibyte))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("Cannot use 'control.markers-table' of");
    }
    Map<String, String> ok = minimal();
    ok.put("control.markers-table", "m".repeat(120));
    LoaderConfig.of(ok);
    ok.put("control.markers-table", "\u20ac".repeat(36));
    LoaderConfig.of(ok);
  }

  @Test
  void yamlFileThenEnvThenOverrides(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("loader.yaml");
    Files.writeString(
        yaml,
        """
        s3:
          bucket: from-file
        redshift:
          database: dev
          cluster-identifier: c1
          db-user: loader
        tables:
          map:
            orders: sales.orders
        table:
          sales.orders:
            mode: upsert
            upsert.key: [id]
        loop.interval: 5s
        """);
    LoaderConfig c =
        ConfigSources.load(
            yaml,
            Map.of("REDSTAGE_LOOP_INTERVAL", "7s", "REDSTAGE_S3_BUCKET_NAME", "from-env"),
            Map.of("s3.bucket.name", "from-cli"));
    assertThat(c.string("s3.bucket.name")).isEqualTo("from-cli");
    assertThat(c.duration("loop.interval")).isEqualTo(Duration.ofSeconds(7));
    assertThat(c.list("tables.map")).containsExactly("orders:sales.orders");
    assertThat(c.tableOverride("sales.orders", "mode")).contains("upsert");
    assertThat(c.tableOverride("sales.orders", "upsert.key")).contains("id");
  }

  /** The YAML parser's message quotes the text around the error. */
  @Test
  void aYamlSyntaxErrorNamesTheLineButNotTheText(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("loader.yaml");
    Files.writeString(
        yaml,
        """
        s3:
          bucket: b
        aws:
          secret.access.key: "wJalrXUtnFEMI/K7MDENG
          access.key.id: AKIA
        """);
    assertThatThrownBy(() -> ConfigSources.load(yaml, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("Cannot read config file " + yaml + ": it is not valid YAML (line ")
        .hasMessageNotContaining("wJalr")
        .hasNoCause();
  }

  @Test
  void errorsNameTheKeyAndHideSecrets() {
    Map<String, String> m = minimal();
    m.put("batch.max-files", "lots");
    assertThatThrownBy(() -> LoaderConfig.of(m))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Cannot use 'lots' for config key 'batch.max-files': expected an integer. Fix the value in the config file or in "
                + "REDSTAGE_BATCH_MAX_FILES.");
    Map<String, String> s = minimal();
    s.put("aws.secret.access.key", "hunter2");
    assertThatThrownBy(() -> LoaderConfig.of(s))
        .hasMessageContaining("set both")
        .hasMessageNotContaining("hunter2");
    Map<String, String> ok = minimal();
    ok.put("aws.access.key.id", "AKID");
    ok.put("aws.secret.access.key", "hunter2");
    assertThat(LoaderConfig.of(ok).describe().get("aws.secret.access.key")).isEqualTo("********");
  }

  /** Settings that would otherwise print a secret in the error that refuses them. */
  @Test
  void errorsNeverEchoASecretWrittenIntoAUrlOrAMistypedSetting() {
    for (String key : List.of("store.url", "redshift.endpoint")) {
      Map<String, String> m = minimal();
      m.put(key, "https://user:hunter2@minio.example:9000");
      assertThatThrownBy(() -> LoaderConfig.of(m))
          .hasMessageStartingWith(
              "Cannot use '" + key + "' (value not shown): it holds user information")
          .hasMessageNotContaining("hunter2");
    }
    Map<String, String> typo = minimal();
    typo.put("aws.secret.access.key:hunter2", ""); // -D with ':' for '='
    assertThatThrownBy(() -> LoaderConfig.of(typo))
        .hasMessageContaining("unknown key(s) [aws.secret.access.key... (rest not shown)]")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void configFilesThatCannotBeReadSaySo(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> ConfigSources.load(dir.resolve("missing.yaml"), Map.of(), Map.of()))
        .hasMessage(
            "Cannot read config file "
                + dir.resolve("missing.yaml")
                + ": it does not exist. Check the path.");
    Path props = dir.resolve("loader.properties");
    Files.writeString(props, "rejects.dir=C:\\users\\x\nbad=\\uZZZZ\n");
    assertThatThrownBy(() -> ConfigSources.load(props, Map.of(), Map.of()))
        .hasMessageStartingWith(
            "Cannot read config file " + props + ": it is not a valid properties file")
        .hasMessageEndingWith("write Windows paths with '/' or '\\\\'.");
  }

  @Test
  void rejectsUnknownKeysAndBadCombinations() {
    Map<String, String> m = minimal();
    m.put("s3.buckt", "x");
    assertThatThrownBy(() -> LoaderConfig.of(m)).hasMessageContaining("unknown key(s) [s3.buckt]");
    Map<String, String> both = minimal();
    both.put("redshift.cluster-identifier", "c");
    assertThatThrownBy(() -> LoaderConfig.of(both)).hasMessageContaining("exactly one of");
    Map<String, String> user = minimal();
    user.put("redshift.db-user", "u");
    assertThatThrownBy(() -> LoaderConfig.of(user))
        .hasMessageContaining("only on provisioned clusters");
    Map<String, String> overlap = minimal();
    overlap.put("markers.loaded.dir", "_redstage/markers/loaded");
    assertThatThrownBy(() -> LoaderConfig.of(overlap))
        .hasMessageContaining("overlaps 'markers.dir'");
    Map<String, String> missing = new HashMap<>(minimal());
    missing.remove("s3.bucket.name");
    assertThatThrownBy(() -> LoaderConfig.of(missing))
        .hasMessageContaining("'s3.bucket.name' is required")
        .hasMessageContaining("REDSTAGE_S3_BUCKET_NAME");
    Map<String, String> mode = minimal();
    mode.put("load.mode", "merge");
    assertThatThrownBy(() -> LoaderConfig.of(mode)).hasMessageContaining("one of [append, upsert]");
  }

  /** A replacement is applied only when a topic matches, during planning, which it stopped. */
  @Test
  void aTableReplacementIsTriedOnTheRegexsGroupsAtStart() {
    Map<String, String> m = minimal();
    m.put("tables.regex", "prod\\.(.*)");
    m.put("tables.replacement", "$1_t");
    assertThat(LoaderConfig.of(m).string("tables.replacement")).isEqualTo("$1_t");
    m.put("tables.replacement", "$2");
    assertThatThrownBy(() -> LoaderConfig.of(m))
        .hasMessageStartingWith(
            "Cannot use 'tables.replacement' = '$2' with tables.regex (1 group(s))")
        .hasMessageContaining("groups $0 to $1");
    m.put("tables.replacement", "x\\");
    assertThatThrownBy(() -> LoaderConfig.of(m)).hasMessageContaining("'tables.replacement'");
    m.put("tables.regex", "prod\\.(?<name>.*)");
    m.put("tables.replacement", "${name}");
    assertThat(LoaderConfig.of(m).string("tables.replacement")).isEqualTo("${name}");
    m.put("tables.replacement", "${other}");
    assertThatThrownBy(() -> LoaderConfig.of(m)).hasMessageContaining("'tables.replacement'");
    // a name inside a character class is no group
    m.put("tables.regex", "x[(?<a>]");
    m.put("tables.replacement", "$1");
    assertThatThrownBy(() -> LoaderConfig.of(m)).hasMessageContaining("(0 group(s))");
  }

  @Test
  void envNames() {
    assertThat(ConfigKey.envName("redshift.max-statements-in-flight"))
        .isEqualTo("REDSTAGE_REDSHIFT_MAX_STATEMENTS_IN_FLIGHT");
    assertThat(LoaderConfigDef.keys()).extracting(ConfigKey::name).doesNotHaveDuplicates();
    assertThat(List.of("1GiB", "512KiB", "10"))
        .allSatisfy(
            v ->
                assertThat(LoaderConfigDef.key("batch.max-bytes").orElseThrow().parse(v))
                    .isNotNull());
  }
}
