package io.redstage.loader.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader's validated configuration. Built from text values (see {@link ConfigSources}); every
 * defined key is parsed up front, so a bad value fails at start-up with the key's name, never in
 * the middle of a load.
 */
public final class LoaderConfig {
  private static final Logger LOG = LoggerFactory.getLogger(LoaderConfig.class);

  private final Map<String, String> raw;
  private final Map<String, Object> values = new LinkedHashMap<>();

  public LoaderConfig(Map<String, String> rawValues) {
    this.raw = Collections.unmodifiableMap(new TreeMap<>(currentNames(rawValues)));
    raw.keySet().stream()
        .filter(LoaderConfigDef.DEPRECATED::containsKey)
        .forEach(
            k ->
                LOG.warn(
                    "Config key '{}' is deprecated. {}", k, LoaderConfigDef.DEPRECATED.get(k)));
    List<String> unknown = new ArrayList<>();
    for (String name : raw.keySet()) {
      if (LoaderConfigDef.key(name).isEmpty()
          && !name.startsWith(LoaderConfigDef.TABLE_OVERRIDE_PREFIX)) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      // each name up to a ':' or blank only: "-D aws.secret.access.key:wJalr..." (a ':' for '=')
      // makes the secret part of the name
      List<String> shown = new ArrayList<>();
      for (String name : unknown) {
        String cut = name.split("[:=\\s]", 2)[0];
        shown.add(cut.equals(name) ? name : cut + "... (rest not shown)");
      }
      throw new ConfigException(
          "Cannot load config: unknown key(s) "
              + shown
              + ". Check the spelling against docs/loader-config.md (a -D setting is key=value).");
    }
    for (ConfigKey key : LoaderConfigDef.keys()) {
      String text = raw.containsKey(key.name()) ? raw.get(key.name()) : key.defaultValue();
      if (text != null && !(text.trim().isEmpty() && key.type() != ConfigKey.Type.LIST)) {
        values.put(key.name(), key.parse(text));
        if (key.type() == ConfigKey.Type.DURATION
            && raw.containsKey(key.name())
            && text.trim().matches("[0-9]+")
            && !text.trim().matches("0+")) {
          // a bare number is milliseconds, which is rarely meant for keys whose defaults are
          // seconds or minutes (redshift.statement-timeout=1800 would wait 1.8 s)
          LOG.warn(
              "Config key '{}' = {} has no unit, so it is read as {} milliseconds. Write the unit to say what you "
                  + "mean, e.g. {}ms or {}s.",
              key.name(),
              text.trim(),
              text.trim(),
              text.trim(),
              text.trim());
        }
      }
    }
    require(LoaderConfigDef.S3_BUCKET);
    require(LoaderConfigDef.REDSHIFT_DATABASE);
    ConfigChecks.check(this);
  }

  /**
   * The values under their current key names: an old name ({@link LoaderConfigDef#RENAMED}) is
   * taken with a warning, and refused when the current name is set too, since one of the two would
   * be silently ignored.
   */
  static Map<String, String> currentNames(Map<String, String> values) {
    Map<String, String> out = new LinkedHashMap<>(values);
    LoaderConfigDef.RENAMED.forEach(
        (old, current) -> {
          if (!out.containsKey(old)) {
            return;
          }
          if (out.containsKey(current)) {
            throw new ConfigException(
                "Cannot load config: both '"
                    + old
                    + "' and its new name '"
                    + current
                    + "' are set. Remove '"
                    + old
                    + "' (or "
                    + ConfigKey.envName(old)
                    + ").");
          }
          LOG.warn(
              "Config key '{}' is renamed to '{}' (the connector's name for it); the old name still"
                  + " works for now. Rename it in the config file or environment ({}).",
              old,
              current,
              ConfigKey.envName(current));
          out.put(current, out.remove(old));
        });
    return out;
  }

  /** Config from a plain map with no file or environment (tests, embedding). */
  public static LoaderConfig of(Map<String, String> values) {
    return new LoaderConfig(values);
  }

  private void require(String name) {
    if (!values.containsKey(name)) {
      throw new ConfigException(
          "Cannot start the loader: config key '"
              + name
              + "' is required. Set it in the config file or in "
              + ConfigKey.envName(name)
              + ".");
    }
  }

  public String string(String name) {
    Object v = get(name);
    return v == null ? null : (String) v;
  }

  public Optional<String> optional(String name) {
    return Optional.ofNullable(string(name));
  }

  public int integer(String name) {
    return (Integer) get(name);
  }

  public long size(String name) {
    return (Long) get(name);
  }

  public boolean bool(String name) {
    return (Boolean) get(name);
  }

  public Duration duration(String name) {
    return (Duration) get(name);
  }

  @SuppressWarnings("unchecked")
  public List<String> list(String name) {
    Object v = get(name);
    return v == null ? List.of() : (List<String>) v;
  }

  /** Every {@code table.<schema.table>.<setting>} key given, as written. */
  public List<String> tableOverrideKeys() {
    return raw.keySet().stream()
        .filter(k -> k.startsWith(LoaderConfigDef.TABLE_OVERRIDE_PREFIX))
        .toList();
  }

  /** A per-table override such as {@code table.public.orders.mode}, if set. */
  public Optional<String> tableOverride(String qualifiedTable, String suffix) {
    String v = raw.get(LoaderConfigDef.TABLE_OVERRIDE_PREFIX + qualifiedTable + "." + suffix);
    return v == null || v.trim().isEmpty() ? Optional.empty() : Optional.of(v.trim());
  }

  private Object get(String name) {
    if (LoaderConfigDef.key(name).isEmpty()) {
      throw new IllegalArgumentException("undefined config key " + name);
    }
    return values.get(name);
  }

  /** The effective values with secrets masked, for logs and 'status'. */
  public Map<String, String> describe() {
    Map<String, String> out = new LinkedHashMap<>();
    for (ConfigKey key : LoaderConfigDef.keys()) {
      Object v = values.get(key.name());
      if (v != null) {
        out.put(key.name(), key.secret() ? "********" : String.valueOf(v));
      }
    }
    return out;
  }
}
