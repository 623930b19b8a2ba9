package io.redstage.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.loader.config.LoaderConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleFilesTest {
  private static final Map<String, String> VARS =
      Map.of("STAGING_BUCKET", "my-bucket", "AWS_REGION", "eu-west-1");

  @Test
  void connectorFilesAreRestBodiesForOurConnector() {
    for (String file :
        new String[] {
          "ad-events-parquet.json", "page-views-jsonl.json", "customers-cdc-avro.json"
        }) {
      ExampleFiles.ConnectorRequest r = ExampleFiles.connector(file, VARS);
      assertThat(r.name()).isNotBlank();
      assertThat(r.config())
          .containsEntry("connector.class", "io.redstage.connector.RedstageS3SinkConnector")
          .containsEntry("s3.bucket.name", "my-bucket")
          .containsEntry("s3.region", "eu-west-1")
          .containsKey("topics");
      assertThat(r.config())
          .doesNotContainKeys("store.url", "aws.access.key.id", "aws.secret.access.key");
    }
  }

  /**
   * The MSK Connect request carries the same connector config as the REST example, placeholders
   * aside.
   */
  @Test
  void mskConnectConfigEqualsTheRestExample() throws Exception {
    com.fasterxml.jackson.databind.JsonNode msk =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(
                java.nio.file.Files.readString(Path.of("msk-connect", "create-connector.json")));
    Map<String, String> mskConfig = new java.util.LinkedHashMap<>();
    msk.path("connectorConfiguration")
        .properties()
        .forEach(e -> mskConfig.put(e.getKey(), e.getValue().asText()));
    ExampleFiles.ConnectorRequest rest =
        ExampleFiles.connector(
            "ad-events-parquet.json",
            Map.of("STAGING_BUCKET", "STAGING_BUCKET", "AWS_REGION", "REGION"));
    assertThat(mskConfig).isEqualTo(rest.config());
    assertThat(msk.path("connectorName").asText()).isEqualTo(rest.name());
  }

  @Test
  void confluentFileIsAConfluentConfig() {
    ExampleFiles.ConnectorRequest r = ExampleFiles.connector("confluent-s3-sink.json", VARS);
    assertThat(r.config())
        .containsEntry("connector.class", "io.confluent.connect.s3.S3SinkConnector")
        .containsEntry("format.class", "io.confluent.connect.s3.format.parquet.ParquetFormat")
        .containsEntry("storage.class", "io.confluent.connect.s3.storage.S3Storage");
  }

  @Test
  void loaderFileReadsThroughTheLoadersOwnReader(@TempDir Path dir) {
    Map<String, String> c = ExampleFiles.loaderConfig("quickstart.yaml", VARS, dir);
    assertThat(c)
        .containsEntry("s3.bucket.name", "my-bucket")
        .containsEntry("table.public.customers.mode", "upsert")
        .containsEntry("table.public.customers.upsert.key", "id")
        .containsEntry("loop.interval", "500ms");
    assertThat(c.get("tables.map"))
        .contains("shop.public.customers:customers", "ad-events:ad_events");
  }

  /**
   * The deployment loader configs pass the loader's own validation (unknown keys, one Redshift
   * target, ...).
   */
  @Test
  void deploymentLoaderConfigsAreValid(@TempDir Path dir) {
    Map<String, String> vars =
        Map.of(
            "STAGING_BUCKET",
            "my-bucket",
            "AWS_REGION",
            "eu-west-1",
            "ACCOUNT_ID",
            "123456789012",
            "CLUSTER_ID",
            "analytics",
            "DATABASE",
            "dev",
            "WORKGROUP_NAME",
            "analytics-wg");
    for (String file :
        new String[] {
          "provisioned-secret-arn.yaml",
          "provisioned-db-user.yaml",
          "serverless.yaml",
          "quickstart.yaml"
        }) {
      LoaderConfig c = LoaderConfig.of(ExampleFiles.loaderConfig(file, vars, dir));
      assertThat(c.string("s3.bucket.name")).as(file).isEqualTo("my-bucket");
      assertThat(
              c.tableOverride(
                  file.equals("quickstart.yaml") ? "public.customers" : "analytics.customers",
                  "mode"))
          .as(file)
          .contains("upsert");
    }
    assertThat(
            LoaderConfig.of(ExampleFiles.loaderConfig("serverless.yaml", vars, dir))
                .string("redshift.workgroup-name"))
        .isEqualTo("analytics-wg");
    assertThat(
            LoaderConfig.of(ExampleFiles.loaderConfig("provisioned-db-user.yaml", vars, dir))
                .string("redshift.db-user"))
        .isEqualTo("redstage_loader");
    assertThat(
            LoaderConfig.of(ExampleFiles.loaderConfig("provisioned-secret-arn.yaml", vars, dir))
                .string("redshift.secret-arn"))
        .startsWith("arn:aws:secretsmanager:eu-west-1:123456789012:secret:");
  }

  @Test
  void aMissingVariableNamesTheFileAndThePlaceholder() {
    assertThatThrownBy(
            () -> ExampleFiles.connector("ad-events-parquet.json", Map.of("AWS_REGION", "x")))
        .hasMessageContaining("examples/connect/ad-events-parquet.json")
        .hasMessageContaining("${STAGING_BUCKET}");
  }

  @Test
  void durationsReadLikeTheLoaders() {
    assertThat(Quickstart.duration("90s")).hasSeconds(90);
    assertThat(Quickstart.duration("500ms")).hasMillis(500);
    assertThat(Quickstart.duration("PT2M")).hasMinutes(2);
  }
}
