package io.redstage.connector.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * Renders {@code docs/config.md} from the ConfigDef, grouped as in the definition. A test compares
 * the committed file with this output, so the reference cannot go stale. Run {@code main} to
 * regenerate.
 */
public final class ConfigDocs {
  private ConfigDocs() {}

  public static String markdown() {
    ConfigDef def = SinkConfig.CONFIG_DEF;
    Map<String, List<ConfigDef.ConfigKey>> byGroup = new LinkedHashMap<>();
    for (String group : def.groups()) {
      byGroup.put(group, new ArrayList<>());
    }
    for (ConfigDef.ConfigKey key : def.configKeys().values()) {
      byGroup
          .computeIfAbsent(key.group == null ? "Other" : key.group, g -> new ArrayList<>())
          .add(key);
    }
    StringBuilder md = new StringBuilder();
    md.append("# Connector configuration reference\n\n")
        .append(
            "Generated from `SinkConfigDef` by `io.redstage.connector.config.ConfigDocs`; do not edit by hand ")
        .append("(`ConfigDocsTest` fails when this file is stale; regenerate with ")
        .append(
            "`mvn -pl connector -am test -Dtest=ConfigDocsTest -Dsurefire.failIfNoSpecifiedTests=false -Dredstage.docs.write=true`).\n\n")
        .append(
            "Set `connector.class=io.redstage.connector.RedstageS3SinkConnector`. Keys named like Confluent's ")
        .append(
            "S3 sink mostly mean the same thing; where a default or a meaning differs, and which of Confluent's keys ")
        .append(
            "are refused, [migrating-from-confluent.md](migrating-from-confluent.md) says. Framework keys (`topics`, "
                + "`tasks.max`, converters, `errors.*`) are ")
        .append(
            "Kafka Connect's own. A key that is none of these is ignored, and the connector names it in a WARN at "
                + "start with the key it most likely meant (`Ignoring flush.szie: ... (did you mean flush.size?)`); "
                + "its value is not logged.\n\n")
        .append(
            "Connect's validate endpoint (`PUT /connector-plugins/RedstageS3SinkConnector/config/validate`) and ")
        .append(
            "the UIs built on it get each key's choices (`recommended_values`: formats, codecs, partitioners, ")
        .append(
            "extractors, AWS regions, ...) and whether it applies (`visible`): a format's keys only for that ")
        .append(
            "format, the partitioner's keys only for the partitioner that reads them, a refining key (KMS key, STS ")
        .append(
            "session name, proxy user, a metadata column's name) only when the key it refines is set.\n");
    for (Map.Entry<String, List<ConfigDef.ConfigKey>> e : byGroup.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      e.getValue().sort((a, b) -> Integer.compare(a.orderInGroup, b.orderInGroup));
      md.append("\n## ")
          .append(e.getKey())
          .append("\n\n")
          .append("| Key | Type | Default | Valid values | Importance | Description |\n")
          .append("|---|---|---|---|---|---|\n");
      for (ConfigDef.ConfigKey k : e.getValue()) {
        md.append("| `")
            .append(k.name)
            .append("` | ")
            .append(k.type.name().toLowerCase(Locale.ROOT))
            .append(" | ")
            .append(defaultText(k))
            .append(" | ")
            .append(k.validator == null ? "" : cell(k.validator.toString()))
            .append(" | ")
            .append(k.importance.name().toLowerCase(Locale.ROOT))
            .append(" | ")
            .append(cell(k.documentation))
            .append(" |\n");
      }
    }
    return md.toString();
  }

  private static String defaultText(ConfigDef.ConfigKey k) {
    if (!k.hasDefault()) {
      return "(required)";
    }
    Object d = k.defaultValue;
    if (d == null) {
      return "null";
    }
    if (d instanceof Password) {
      return "\"\"";
    }
    String s =
        d instanceof List
            ? String.join(",", ((List<?>) d).stream().map(Object::toString).toArray(String[]::new))
            : d.toString();
    return s.isEmpty() ? "\"\"" : "`" + cell(s) + "`";
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }

  public static void main(String[] args) throws IOException {
    Path out = Paths.get(args.length > 0 ? args[0] : "docs/config.md");
    Files.write(out, markdown().getBytes(StandardCharsets.UTF_8));
  }
}
