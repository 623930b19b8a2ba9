package io.redstage.examples.deploy;

import static io.redstage.examples.deploy.DeployFiles.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.examples.quickstart.PluginLocator;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Connector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector configs in deploy/ (Strimzi KafkaConnector, Terraform's MSK Connect connector) pass
 * the validation Connect runs on them: the connector's own {@code validate}, loaded from the plugin
 * ZIP as a worker loads it.
 */
class DeployConnectorConfigsIT {
  @TempDir static Path work;
  static URLClassLoader plugin;
  static Connector connector;

  @BeforeAll
  static void loadPlugin() throws Exception {
    String zip = System.getProperty("redstage.plugin.zip");
    Path pluginPath = PluginLocator.pluginPath(zip == null ? null : Path.of(zip), work);
    List<URL> jars = new ArrayList<>();
    try (Stream<Path> files = Files.walk(pluginPath)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".jar")).toList()) {
        jars.add(p.toUri().toURL());
      }
    }
    plugin =
        new URLClassLoader(
            jars.toArray(URL[]::new), DeployConnectorConfigsIT.class.getClassLoader());
    connector =
        (Connector)
            Class.forName(CONNECTOR_CLASS, true, plugin).getDeclaredConstructor().newInstance();
  }

  @AfterAll
  static void close() throws Exception {
    plugin.close();
  }

  static Map<String, List<String>> errors(Map<String, String> config) {
    Config validated = connector.validate(config);
    Map<String, List<String>> errors = new LinkedHashMap<>();
    for (ConfigValue v : validated.configValues()) {
      if (!v.errorMessages().isEmpty()) {
        errors.put(v.name(), v.errorMessages());
      }
    }
    return errors;
  }

  @Test
  void strimziKafkaConnectorConfigIsValid() {
    Map<String, String> config =
        strimziConnectorConfig(object(yamlDocuments("strimzi"), "KafkaConnector", null));
    assertThat(connector.getClass().getClassLoader()).isSameAs(plugin);
    assertThat(errors(config)).isEmpty();
  }

  @Test
  void terraformMskConnectConfigIsValid() {
    assertThat(errors(terraformConnectorConfig(DeployFilesTest.VARIABLES))).isEmpty();
  }

  @Test
  void theValidationSeesABadValue() {
    Map<String, String> config =
        strimziConnectorConfig(object(yamlDocuments("strimzi"), "KafkaConnector", null));
    config.put("flush.size", "many");
    assertThat(errors(config)).containsKey("flush.size");
  }
}
