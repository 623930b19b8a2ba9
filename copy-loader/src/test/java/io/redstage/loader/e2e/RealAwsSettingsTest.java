package io.redstage.loader.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.loader.config.LoaderConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real-AWS switch: off without a bucket, complete or refused with it, keys the loader takes.
 */
class RealAwsSettingsTest {
  static Map<String, String> serverless() {
    Map<String, String> env = new HashMap<>();
    env.put(RealAwsSettings.BUCKET, "my-staging");
    env.put(RealAwsSettings.REGION, "eu-west-1");
    env.put(RealAwsSettings.WORKGROUP, "redstage-wg");
    env.put(RealAwsSettings.DATABASE, "dev");
    env.put(
        RealAwsSettings.SECRET_ARN,
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:redshift-abc");
    env.put(RealAwsSettings.COPY_ROLE_ARN, "arn:aws:iam::123456789012:role/redshift-copy");
    return env;
  }

  @Test
  void withoutABucketTheTestsRunOnTheSandbox() {
    assertThat(RealAwsSettings.from(Map.of())).isEmpty();
    assertThat(RealAwsSettings.from(Map.of(RealAwsSettings.BUCKET, "  "))).isEmpty();
    assertThat(RealAwsSettings.from(Map.of(RealAwsSettings.REGION, "eu-west-1"))).isEmpty();
  }

  @Test
  void aBucketAloneIsRefusedNamingEveryMissingVariable() {
    assertThatThrownBy(() -> RealAwsSettings.from(Map.of(RealAwsSettings.BUCKET, "b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot run the end-to-end tests against real AWS")
        .hasMessageContaining("REDSTAGE_IT_AWS_REGION is not set")
        .hasMessageContaining("REDSTAGE_IT_REDSHIFT_DATABASE is not set")
        .hasMessageContaining("REDSTAGE_IT_COPY_ROLE_ARN is not set")
        .hasMessageContaining("exactly one of REDSTAGE_IT_REDSHIFT_WORKGROUP")
        .hasMessageEndingWith("unset REDSTAGE_IT_S3_BUCKET to run on the sandbox.");
  }

  @Test
  void workgroupAndClusterTogetherOrDbUserWithServerlessAreRefused() {
    Map<String, String> both = serverless();
    both.put(RealAwsSettings.CLUSTER, "c1");
    assertThatThrownBy(() -> RealAwsSettings.from(both))
        .hasMessageContaining("exactly one of REDSTAGE_IT_REDSHIFT_WORKGROUP");
    Map<String, String> dbUser = serverless();
    dbUser.remove(RealAwsSettings.SECRET_ARN);
    dbUser.put(RealAwsSettings.DB_USER, "loader");
    assertThatThrownBy(() -> RealAwsSettings.from(dbUser))
        .hasMessageContaining("REDSTAGE_IT_REDSHIFT_DB_USER works only with a provisioned cluster");
    Map<String, String> slash = serverless();
    slash.put(RealAwsSettings.PREFIX, "it/");
    assertThatThrownBy(() -> RealAwsSettings.from(slash))
        .hasMessageContaining("must not start or end with '/'");
  }

  @Test
  void serverlessSettingsBecomeAValidLoaderConfigWithEveryPrefixUnderTheRun() {
    RealAwsSettings s = RealAwsSettings.from(serverless()).orElseThrow();
    Map<String, String> keys = new HashMap<>(s.loaderKeys("redstage-it/r1"));
    keys.put("topics", "orders_r1");
    LoaderConfig config = LoaderConfig.of(keys); // the loader's own validation accepts them
    assertThat(config.string("redshift.workgroup-name")).isEqualTo("redstage-wg");
    assertThat(config.string("copy.iam-role"))
        .isEqualTo("arn:aws:iam::123456789012:role/redshift-copy");
    assertThat(keys).doesNotContainKeys("store.url", "redshift.endpoint", "aws.access.key.id");
    assertThat(keys)
        .hasEntrySatisfying("target.schema", v -> assertThat(v).isEqualTo("public"))
        .allSatisfy(
            (k, v) -> {
              if (k.endsWith(".dir")) {
                assertThat(v).startsWith("redstage-it/r1/");
              }
            });
    assertThat(s.connectorKeys("redstage-it/r1"))
        .containsEntry("s3.bucket.name", "my-staging")
        .containsEntry("s3.region", "eu-west-1")
        .containsEntry("markers.dir", "redstage-it/r1/markers")
        .doesNotContainKeys("store.url", "aws.access.key.id", "aws.secret.access.key");
  }

  @Test
  void aProvisionedClusterWithADbUserIsAValidLoaderConfig() {
    Map<String, String> env = serverless();
    env.remove(RealAwsSettings.WORKGROUP);
    env.remove(RealAwsSettings.SECRET_ARN);
    env.put(RealAwsSettings.CLUSTER, "redstage-cluster");
    env.put(RealAwsSettings.DB_USER, "loader");
    env.put(RealAwsSettings.SCHEMA, "staging");
    RealAwsSettings s = RealAwsSettings.from(env).orElseThrow();
    Map<String, String> keys = new HashMap<>(s.loaderKeys("p/r2"));
    keys.put("topics", "t");
    LoaderConfig config = LoaderConfig.of(keys);
    assertThat(config.string("redshift.cluster-identifier")).isEqualTo("redstage-cluster");
    assertThat(config.string("redshift.db-user")).isEqualTo("loader");
    assertThat(config.string("target.schema")).isEqualTo("staging");
    assertThat(keys).doesNotContainKeys("redshift.workgroup-name", "redshift.secret-arn");
  }
}
