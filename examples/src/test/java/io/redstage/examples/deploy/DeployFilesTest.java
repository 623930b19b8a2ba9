package io.redstage.examples.deploy;

import static io.redstage.examples.deploy.DeployFiles.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.loader.config.ConfigKey;
import io.redstage.loader.config.ConfigSources;
import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.config.LoaderConfigDef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files under deploy/ parse, hang together (names, labels, ports, mounts), and carry
 * configs the loader's own validation accepts. The connector configs are validated by the connector
 * in DeployConnectorConfigsIT.
 */
class DeployFilesTest {
  static final List<JsonNode> K8S = yamlDocuments("kubernetes");

  @Test
  void everyKubernetesObjectHasItsRequiredFields() {
    assertThat(K8S.stream().map(d -> d.path("kind").asText()).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "Deployment",
            "Service",
            "ConfigMap",
            "Secret",
            "ServiceMonitor",
            "Kustomization");
    for (JsonNode d : K8S) {
      assertThat(d.path("apiVersion").asText()).as("apiVersion of " + d.path("kind")).isNotBlank();
      if (!d.path("kind").asText().equals("Kustomization")) {
        assertThat(d.path("metadata").path("name").asText())
            .as("metadata.name of " + d.path("kind"))
            .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
      }
    }
    JsonNode kustomization = object(K8S, "Kustomization", null);
    kustomization
        .path("resources")
        .forEach(r -> assertThat(DEPLOY.resolve("kubernetes").resolve(r.asText())).exists());
  }

  @Test
  void deploymentMountsTheConfigAndProbesTheMetricsPort() {
    JsonNode deployment = object(K8S, "Deployment", "redstage-loader");
    JsonNode pod = deployment.path("spec").path("template");
    JsonNode podLabels = pod.path("metadata").path("labels");
    deployment
        .path("spec")
        .path("selector")
        .path("matchLabels")
        .properties()
        .forEach(e -> assertThat(podLabels.path(e.getKey())).isEqualTo(e.getValue()));
    JsonNode spec = pod.path("spec");
    assertThat(spec.path("serviceAccountName").asText())
        .isEqualTo(object(K8S, "ServiceAccount", null).path("metadata").path("name").asText());
    assertThat(spec.path("securityContext").path("runAsUser").asInt())
        .as("the image's user")
        .isEqualTo(65532);
    JsonNode container = spec.path("containers").get(0);
    assertThat(container.path("image").asText()).startsWith("redstage/copy-loader:");

    Map<String, JsonNode> volumes = new HashMap<>();
    spec.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
    String configPath = null;
    for (JsonNode mount : container.path("volumeMounts")) {
      JsonNode volume = volumes.get(mount.path("name").asText());
      assertThat(volume).as("volume " + mount.path("name")).isNotNull();
      if (volume.has("configMap")) {
        JsonNode configMap =
            object(K8S, "ConfigMap", volume.path("configMap").path("name").asText());
        configPath = mount.path("mountPath").asText() + "/loader.yaml";
        assertThat(configMap.path("data").has("loader.yaml")).isTrue();
      }
    }
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asText()));
    assertThat(args).containsSubsequence("--config", configPath).endsWith("run");
    assertThat(mountPaths(container)).contains("/tmp"); // the root filesystem is read-only

    JsonNode port = container.path("ports").get(0);
    assertThat(port.path("name").asText()).isEqualTo("metrics");
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      JsonNode get = container.path(probe).path("httpGet");
      assertThat(get.path("port").asText()).as(probe).isEqualTo("metrics");
      assertThat(get.path("path").asText()).as(probe).isEqualTo("/metrics");
    }
    JsonNode annotations = pod.path("metadata").path("annotations");
    assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
    assertThat(annotations.path("prometheus.io/port").asInt())
        .isEqualTo(port.path("containerPort").asInt());

    JsonNode service = object(K8S, "Service", null);
    service
        .path("spec")
        .path("selector")
        .properties()
        .forEach(e -> assertThat(podLabels.path(e.getKey())).isEqualTo(e.getValue()));
    assertThat(service.path("spec").path("ports").get(0).path("targetPort").asText())
        .isEqualTo("metrics");
    JsonNode monitor = object(K8S, "ServiceMonitor", null);
    monitor
        .path("spec")
        .path("selector")
        .path("matchLabels")
        .properties()
        .forEach(
            e ->
                assertThat(service.path("metadata").path("labels").path(e.getKey()))
                    .isEqualTo(e.getValue()));
    assertThat(monitor.path("spec").path("endpoints").get(0).path("port").asText())
        .isEqualTo(service.path("spec").path("ports").get(0).path("name").asText());

    JsonNode secretRef = container.path("envFrom").get(0).path("secretRef");
    assertThat(secretRef.path("name").asText())
        .isEqualTo(object(K8S, "Secret", null).path("metadata").path("name").asText());
  }

  private static List<String> mountPaths(JsonNode container) {
    List<String> paths = new ArrayList<>();
    container.path("volumeMounts").forEach(m -> paths.add(m.path("mountPath").asText()));
    return paths;
  }

  /**
   * The ConfigMap's loader.yaml, with the Deployment's environment, through the loader's own
   * reader, placeholder interpolation and validation.
   */
  @Test
  void configMapLoaderConfigPassesTheLoadersValidation(@TempDir Path dir) throws Exception {
    JsonNode container =
        object(K8S, "Deployment", "redstage-loader")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0);
    Map<String, String> env = new LinkedHashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    Path file = dir.resolve("loader.yaml");
    Files.writeString(
        file,
        object(K8S, "ConfigMap", "redstage-loader-config")
            .path("data")
            .path("loader.yaml")
            .asText());
    LoaderConfig c = ConfigSources.load(file, env, Map.of());
    assertThat(c.string("s3.bucket.name")).isEqualTo(env.get("STAGING_BUCKET"));
    assertThat(c.string("redshift.secret-arn")).isEqualTo(env.get("REDSHIFT_SECRET_ARN"));
    assertThat(c.string("target.schema")).isEqualTo("analytics");
    assertThat(c.bool("metrics.enabled")).as("the probes need the metrics endpoint").isTrue();
    assertThat(c.integer("metrics.port"))
        .isEqualTo(container.path("ports").get(0).path("containerPort").asInt());
  }

  @Test
  void strimziConnectBuildsOurPluginAndTheConnectorRunsOnIt() throws Exception {
    List<JsonNode> docs = yamlDocuments("strimzi");
    JsonNode connect = object(docs, "KafkaConnect", null);
    JsonNode connector = object(docs, "KafkaConnector", null);
    assertThat(connect.path("apiVersion").asText()).isEqualTo("kafka.strimzi.io/v1beta2");
    assertThat(
            connect
                .path("metadata")
                .path("annotations")
                .path("strimzi.io/use-connector-resources")
                .asText())
        .isEqualTo("true");
    JsonNode artifact = connect.path("spec").path("build").path("plugins").get(0).path("artifacts");
    assertThat(artifact.get(0).path("type").asText()).isEqualTo("zip");
    assertThat(artifact.get(0).path("url").asText())
        .matches("https://.*/redstage-kafka-connect-s3-[0-9]+\\.[0-9]+\\.[0-9]+\\.zip");
    assertThat(connect.path("spec").path("build").path("output").path("image").asText())
        .isNotBlank();
    assertThat(connector.path("metadata").path("labels").path("strimzi.io/cluster").asText())
        .isEqualTo(connect.path("metadata").path("name").asText());
    assertThat(strimziConnectorConfig(connector))
        .isEqualTo(restExampleConfig("my-staging-bucket", "eu-west-1"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void terraformParsesAndDeclaresMskConnectIamAndTheLoaderOnEcs() throws Exception {
    Map<String, Map<String, Object>> tf = terraform();
    Map<String, Object> resources = tf.get("resource");
    Map<String, Set<String>> names = new LinkedHashMap<>();
    resources.forEach((type, body) -> names.put(type, ((Map<String, Object>) body).keySet()));
    assertThat(names)
        .containsEntry("aws_mskconnect_custom_plugin", Set.of("redstage"))
        .containsEntry("aws_mskconnect_connector", Set.of("ad_events"))
        .containsEntry("aws_mskconnect_worker_configuration", Set.of("redstage"))
        .containsEntry("aws_s3_object", Set.of("plugin_zip"))
        .containsEntry("aws_ecs_task_definition", Set.of("loader"))
        .containsEntry("aws_ecs_service", Set.of("loader"))
        .containsEntry("aws_cloudwatch_event_rule", Set.of("loader"))
        .containsEntry("aws_cloudwatch_event_target", Set.of("loader"));
    assertThat(names.get("aws_iam_role"))
        .contains("connector", "copy", "loader", "loader_execution");
    Map<String, Object> plugin =
        (Map<String, Object>)
            ((Map<String, Object>) resources.get("aws_mskconnect_custom_plugin")).get("redstage");
    assertThat(plugin.get("content_type")).isEqualTo("ZIP");

    // every var.* a .tf file uses is declared
    Set<String> used = new TreeSet<>();
    Pattern ref = Pattern.compile("\\bvar\\.([a-z_]+)");
    for (Path f : files("terraform", ".tf")) {
      Matcher m = ref.matcher(Files.readString(f));
      while (m.find()) {
        used.add(m.group(1));
      }
    }
    assertThat(tf.get("variable").keySet()).containsAll(used);
    assertThat(DEPLOY.resolve("terraform").resolve("../../examples/msk-connect/worker.properties"))
        .exists();

    assertThat(terraformConnectorConfig(VARIABLES))
        .isEqualTo(restExampleConfig("my-staging-bucket", "eu-west-1"));
  }

  static final Map<String, String> VARIABLES =
      Map.of(
          "var.topics", "ad-events",
          "var.staging_bucket", "my-staging-bucket",
          "var.region", "eu-west-1",
          "var.redshift_cluster_identifier", "analytics",
          "var.redshift_database", "dev",
          "var.redshift_db_user", "redstage_loader",
          "var.target_schema", "analytics",
          "aws_iam_role.copy.arn", "arn:aws:iam::123456789012:role/redstage-redshift-copy");

  /** The ECS task's REDSTAGE_* environment names loader keys and makes a valid loader config. */
  @Test
  @SuppressWarnings("unchecked")
  void ecsTaskEnvironmentIsAValidLoaderConfig() {
    List<Object> environment = (List<Object>) terraform().get("locals").get("loader_environment");
    Map<String, String> env = new LinkedHashMap<>();
    for (Object e : environment) {
      Map<String, Object> pair = (Map<String, Object>) e;
      env.put(
          String.valueOf(pair.get("name")),
          DeployFiles.resolve(String.valueOf(pair.get("value")), VARIABLES));
    }
    Set<String> envNames =
        LoaderConfigDef.keys().stream().map(ConfigKey::envName).collect(Collectors.toSet());
    assertThat(envNames).containsAll(env.keySet());
    LoaderConfig c = ConfigSources.load(null, env, Map.of());
    assertThat(c.string("redshift.cluster-identifier")).isEqualTo("analytics");
    assertThat(c.string("copy.iam-role")).endsWith(":role/redstage-redshift-copy");
    assertThat(c.bool("metrics.enabled")).isTrue();
  }
}
