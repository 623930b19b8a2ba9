package io.redstage.examples.deploy;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads the files under deploy/ with real parsers: Jackson YAML, hcl4j for Terraform's HCL. */
final class DeployFiles {
  static final Path DEPLOY = Path.of("..", "deploy");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();
  static final String CONNECTOR_CLASS = "io.redstage.connector.RedstageS3SinkConnector";

  private DeployFiles() {}

  /** Every document of every .yaml file in a deploy/ folder, in file order. */
  static List<JsonNode> yamlDocuments(String folder) {
    List<JsonNode> docs = new ArrayList<>();
    for (Path file : files(folder, ".yaml")) {
      try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
        while (it.hasNext()) {
          JsonNode doc = it.next();
          if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
            docs.add(doc);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot parse " + file + ": " + e.getMessage(), e);
      }
    }
    return docs;
  }

  static JsonNode object(List<JsonNode> docs, String kind, String name) {
    return docs.stream()
        .filter(d -> d.path("kind").asText().equals(kind))
        .filter(d -> name == null || d.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in deploy/"));
  }

  /** The top-level blocks of every .tf file in deploy/terraform, merged two levels deep. */
  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> terraform() {
    Map<String, Map<String, Object>> merged = new LinkedHashMap<>();
    for (Path file : files("terraform", ".tf")) {
      try {
        Map<String, Object> parsed = quietly(() -> new HCLParser().parse(file.toFile(), "UTF-8"));
        parsed.forEach(
            (block, body) -> {
              Map<String, Object> into = merged.computeIfAbsent(block, b -> new LinkedHashMap<>());
              if (body instanceof Map<?, ?> m) {
                m.forEach(
                    (k, v) -> {
                      Object old = into.get(k);
                      if (old instanceof Map<?, ?> o && v instanceof Map<?, ?> n) {
                        Map<String, Object> both = new LinkedHashMap<>((Map<String, Object>) o);
                        both.putAll((Map<String, Object>) n);
                        into.put((String) k, both);
                      } else {
                        into.put((String) k, v);
                      }
                    });
              }
            });
      } catch (Exception e) {
        throw new IllegalStateException("Cannot parse " + file + " as HCL: " + e.getMessage(), e);
      }
    }
    return merged;
  }

  interface Parse {
    Map<String, Object> run() throws Exception;
  }

  /** hcl4j 0.9.4 prints a debug line to System.out for each conditional expression it parses. */
  private static synchronized Map<String, Object> quietly(Parse parse) throws Exception {
    PrintStream out = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      return parse.run();
    } finally {
      System.setOut(out);
    }
  }

  static List<Path> files(String folder, String suffix) {
    try (Stream<Path> s = Files.list(DEPLOY.resolve(folder))) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The config of examples/connect/ad-events-parquet.json with its placeholders filled. */
  static Map<String, String> restExampleConfig(String bucket, String region) throws IOException {
    String text =
        Files.readString(Path.of("connect", "ad-events-parquet.json"))
            .replace("${STAGING_BUCKET}", bucket)
            .replace("${AWS_REGION}", region);
    Map<String, String> config = new LinkedHashMap<>();
    JSON.readTree(text)
        .path("config")
        .properties()
        .forEach(e -> config.put(e.getKey(), e.getValue().asText()));
    return config;
  }

  /** A Strimzi KafkaConnector as the flat config Connect gets. */
  static Map<String, String> strimziConnectorConfig(JsonNode connector) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("connector.class", connector.path("spec").path("class").asText());
    config.put("tasks.max", connector.path("spec").path("tasksMax").asText());
    connector
        .path("spec")
        .path("config")
        .properties()
        .forEach(e -> config.put(e.getKey(), e.getValue().asText()));
    return config;
  }

  /**
   * The Terraform connector's connector_configuration, with var.* references replaced by values.
   */
  @SuppressWarnings("unchecked")
  static Map<String, String> terraformConnectorConfig(Map<String, String> variables) {
    Map<String, Object> connector =
        (Map<String, Object>)
            ((Map<String, Object>) terraform().get("resource").get("aws_mskconnect_connector"))
                .get("ad_events");
    Map<String, String> config = new LinkedHashMap<>();
    ((Map<String, Object>) connector.get("connector_configuration"))
        .forEach((k, v) -> config.put(k, resolve(String.valueOf(v), variables)));
    return config;
  }

  static String resolve(String value, Map<String, String> variables) {
    if (value.startsWith("var.") || value.startsWith("aws_")) {
      String v = variables.get(value);
      if (v == null) {
        throw new AssertionError("no test value for the Terraform reference " + value);
      }
      return v;
    }
    return value;
  }
}
