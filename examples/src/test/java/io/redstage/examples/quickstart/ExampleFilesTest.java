package io.redstage.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleFilesTest {
  private static final Map<String, String> VARS = Map.of("STAGING_BUCKET", "my-bucket", "AWS_REGION", "eu-west-1");

  @Test
  void connectorFilesAreRestBodiesForOurConnector() {
    for (String file : new String[] {"ad-events-parquet.json", "page-views-jsonl.json", "customers-cdc-avro.json"}) {
      ExampleFiles.ConnectorRequest r = ExampleFiles.connector(file, VARS);
      assertThat(r.name()).isNotBlank();
      assertThat(r.config()).containsEntry("connector.class", "io.redstage.connector.RedstageS3SinkConnector")
          .containsEntry("s3.bucket.name", "my-bucket").containsEntry("s3.region", "eu-west-1").containsKey("topics");
      assertThat(r.config()).doesNotContainKeys("store.url", "aws.access.key.id", "aws.secret.access.key");
    }
  }

  @Test
  void confluentFileIsAConfluentConfig() {
    ExampleFiles.ConnectorRequest r = ExampleFiles.connector("confluent-s3-sink.json", VARS);
    assertThat(r.config()).containsEntry("connector.class", "io.confluent.connect.s3.S3SinkConnector")
        .containsEntry("format.class", "io.confluent.connect.s3.format.parquet.ParquetFormat")
        .containsEntry("storage.class", "io.confluent.connect.s3.storage.S3Storage");
  }

  @Test
  void loaderFileReadsThroughTheLoadersOwnReader(@TempDir Path dir) {
    Map<String, String> c = ExampleFiles.loaderConfig("quickstart.yaml", VARS, dir);
    assertThat(c).containsEntry("s3.bucket", "my-bucket").containsEntry("table.public.customers.mode", "upsert")
        .containsEntry("table.public.customers.upsert.key", "id").containsEntry("loop.interval", "1s");
    assertThat(c.get("tables.map")).contains("shop.public.customers:customers", "ad-events:ad_events");
  }

  @Test
  void aMissingVariableNamesTheFileAndThePlaceholder() {
    assertThatThrownBy(() -> ExampleFiles.connector("ad-events-parquet.json", Map.of("AWS_REGION", "x")))
        .hasMessageContaining("examples/connect/ad-events-parquet.json").hasMessageContaining("${STAGING_BUCKET}");
  }

  @Test
  void durationsReadLikeTheLoaders() {
    assertThat(Quickstart.duration("90s")).hasSeconds(90);
    assertThat(Quickstart.duration("500ms")).hasMillis(500);
    assertThat(Quickstart.duration("PT2M")).hasMinutes(2);
  }
}
