package io.redstage.loader.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads configuration text from a properties or YAML file (its values may hold {@code ${NAME}} and
 * {@code ${NAME:-default}} placeholders for environment variables), then environment variables
 * ({@code REDSTAGE_} + upper snake case of the key), then explicit overrides (command line), each
 * overriding the previous.
 */
public final class ConfigSources {
  private ConfigSources() {}

  public static LoaderConfig load(
      Path file, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> merged = new LinkedHashMap<>();
    if (file != null) {
      merged.putAll(LoaderConfig.currentNames(EnvPlaceholders.resolve(readFile(file), env, file)));
    }
    Map<String, String> fromEnv = new LinkedHashMap<>();
    for (ConfigKey key : LoaderConfigDef.keys()) {
      String v = env.get(key.envName());
      if (v != null) {
        fromEnv.put(key.name(), v);
      }
    }
    for (Map.Entry<String, String> renamed : LoaderConfigDef.RENAMED.entrySet()) {
      String old = renamed.getKey();
      if (ConfigKey.envName(old).equals(ConfigKey.envName(renamed.getValue()))) {
        continue; // one variable for both names (aws.access-key-id, aws.access.key.id): taken above
      }
      String v = env.get(ConfigKey.envName(old));
      if (v != null) {
        fromEnv.put(old, v);
      }
    }
    // each source under the current key names, so a later source overrides an old name too
    merged.putAll(LoaderConfig.currentNames(fromEnv));
    merged.putAll(LoaderConfig.currentNames(overrides));
    return new LoaderConfig(merged);
  }

  /** Reads a .properties, .yaml or .yml file into flat dotted keys. */
  public static Map<String, String> readFile(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    try (InputStream in = Files.newInputStream(file)) {
      if (name.endsWith(".yaml") || name.endsWith(".yml")) {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
        Map<String, String> out = new LinkedHashMap<>();
        if (root != null && !root.isNull()) {
          if (!root.isObject()) {
            throw new ConfigException(
                "Cannot read config file "
                    + file
                    + ": the YAML top level must be a mapping of keys. Write one key per line, such as"
                    + " 'redshift.database: dev', or nest them under their first word.");
          }
          flatten("", root, out);
        }
        return out;
      }
      Properties p = new Properties();
      try {
        p.load(in);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "Cannot read config file "
                + file
                + ": it is not a valid properties file ("
                + e.getMessage()
                + "). A backslash starts an escape there: write Windows paths with '/' or '\\\\'.");
      }
      Map<String, String> out = new LinkedHashMap<>();
      for (String k : p.stringPropertyNames()) {
        out.put(k.trim(), p.getProperty(k));
      }
      return out;
    } catch (JsonProcessingException e) {
      // the parser's own message quotes the text around the error, which may be a secret's value
      JsonLocation at = e.getLocation();
      throw new ConfigException(
          "Cannot read config file "
              + file
              + ": it is not valid YAML"
              + (at == null
                  ? ""
                  : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
              + ". Check its syntax there.");
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ConfigException(
          "Cannot read config file " + file + ": it does not exist. Check the path.", e);
    } catch (IOException e) {
      throw new ConfigException(
          "Cannot read config file "
              + file
              + ": "
              + e
              + ". Check the path, that it is a file and that the loader may read it.",
          e);
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      // tables.map as a YAML mapping {topic: table} becomes the list form topic:table
      if (prefix.equals(LoaderConfigDef.TABLES_MAP)) {
        List<String> pairs = new ArrayList<>();
        node.properties().forEach(e -> pairs.add(e.getKey() + ":" + e.getValue().asText()));
        out.put(prefix, String.join(",", pairs));
        return;
      }
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(n -> items.add(n.asText()));
      out.put(prefix, String.join(",", items));
    } else if (!node.isNull()) {
      out.put(prefix, node.asText());
    }
  }
}
