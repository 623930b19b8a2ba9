package io.redstage.examples.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.loader.config.ConfigSources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the deployment example files (examples/connect/*.json, examples/loader/*.yaml, packaged on
 * the classpath under {@code redstage-examples/}) and fills their {@code ${NAME}} placeholders, as
 * {@code envsubst} does for a user. The quickstart runs exactly these files, so they stay correct.
 */
final class ExampleFiles {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z0-9_]+)}");

  private ExampleFiles() {}

  /** A connector as posted to {@code /connectors}: its name and config. */
  record ConnectorRequest(String name, Map<String, String> config) {}

  static ConnectorRequest connector(String file, Map<String, String> variables) {
    String text = substitute(read("connect/" + file), variables, "examples/connect/" + file);
    try {
      JsonNode root = JSON.readTree(text);
      Map<String, String> config = new LinkedHashMap<>();
      root.path("config").properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
      if (!root.hasNonNull("name") || config.isEmpty()) {
        throw new IllegalStateException(
            "Cannot use examples/connect/"
                + file
                + ": expected {\"name\": ..., \"config\": {...}} as POST /connectors takes it.");
      }
      return new ConnectorRequest(root.get("name").asText(), config);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot parse examples/connect/" + file + ": " + e.getMessage(), e);
    }
  }

  /** A loader config file as flat keys, read by the loader's own config reader. */
  static Map<String, String> loaderConfig(
      String file, Map<String, String> variables, Path workDir) {
    String text = substitute(read("loader/" + file), variables, "examples/loader/" + file);
    try {
      // ConfigSources reads files; the text is written out once to reuse exactly the loader's YAML
      // handling
      Path copy = workDir.resolve(file);
      Files.createDirectories(workDir);
      Files.writeString(copy, text, StandardCharsets.UTF_8);
      return new LinkedHashMap<>(ConfigSources.readFile(copy));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot prepare examples/loader/" + file + ": " + e.getMessage(), e);
    }
  }

  static String read(String relative) {
    String resource = "redstage-examples/" + relative;
    try (InputStream in = ExampleFiles.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "Cannot find "
                + resource
                + " on the classpath: build the examples module "
                + "('mvn -B -pl examples -am -DskipTests package').");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + resource + ": " + e.getMessage(), e);
    }
  }

  /** Replaces every {@code ${NAME}}; a placeholder without a value is an error naming the file. */
  static String substitute(String text, Map<String, String> variables, String source) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = variables.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException(
            "Cannot fill "
                + source
                + ": no value for ${"
                + m.group(1)
                + "}. Known: "
                + variables.keySet()
                + ".");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
