package io.redstage.loader.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configuration key: its name, type, default, documentation and validation. Values arrive as
 * text (properties, YAML, environment) and are parsed here, so every source gets the same checks
 * and errors.
 */
public final class ConfigKey {
  /** How a value is written and parsed. */
  public enum Type {
    STRING("string"),
    PASSWORD("string, secret"),
    INT("int"),
    BOOLEAN("boolean"),
    DURATION("duration (e.g. 250ms, 30s, 5m, 1h)"),
    SIZE("size in bytes (e.g. 512KiB, 64MiB, 1GiB)"),
    LIST("comma-separated list"),
    ENUM("one of");

    private final String doc;

    Type(String doc) {
      this.doc = doc;
    }

    public String doc() {
      return doc;
    }
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kib|kb|k|mib|mb|m|gib|gb|g)?");

  private final String name;
  private final Type type;
  private final String defaultValue;
  private final String group;
  private final String doc;
  private final List<String> allowed;
  private final long min;
  private final long max;

  private ConfigKey(
      String name,
      Type type,
      String defaultValue,
      String group,
      String doc,
      List<String> allowed,
      long min,
      long max) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.group = group;
    this.doc = doc;
    this.allowed = allowed;
    this.min = min;
    this.max = max;
  }

  public static ConfigKey of(
      String group, String name, Type type, String defaultValue, String doc) {
    return new ConfigKey(
        name, type, defaultValue, group, doc, List.of(), Long.MIN_VALUE, Long.MAX_VALUE);
  }

  public static ConfigKey oneOf(
      String group, String name, String defaultValue, String doc, String... allowed) {
    return new ConfigKey(
        name,
        Type.ENUM,
        defaultValue,
        group,
        doc,
        List.of(allowed),
        Long.MIN_VALUE,
        Long.MAX_VALUE);
  }

  /** The same key with a numeric range check (INT, SIZE: the value; DURATION: milliseconds). */
  public ConfigKey range(long minimum, long maximum) {
    return new ConfigKey(name, type, defaultValue, group, doc, allowed, minimum, maximum);
  }

  public String name() {
    return name;
  }

  public Type type() {
    return type;
  }

  /** The default as text, or null when the key is required or optional without default. */
  public String defaultValue() {
    return defaultValue;
  }

  public String group() {
    return group;
  }

  public String doc() {
    return doc;
  }

  public List<String> allowed() {
    return allowed;
  }

  public boolean secret() {
    return type == Type.PASSWORD;
  }

  public long min() {
    return min;
  }

  public long max() {
    return max;
  }

  /** The environment variable that overrides this key: {@code REDSTAGE_} + upper snake case. */
  public String envName() {
    return envName(name);
  }

  public static String envName(String key) {
    return "REDSTAGE_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Parses {@code text} into the key's Java type (String, Integer, Boolean, Duration, Long, List,
   * String).
   */
  public Object parse(String text) {
    String t = text.trim();
    switch (type) {
      case STRING:
      case PASSWORD:
        return t;
      case INT:
        return checkRange(parseLong(t, "an integer"), t).intValue();
      case BOOLEAN:
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
          return Boolean.parseBoolean(t);
        }
        throw invalid(t, "true or false");
      case DURATION:
        {
          Duration d;
          long millis;
          try {
            d = parseDuration(t);
            millis = d.toMillis();
          } catch (ArithmeticException | NumberFormatException e) {
            throw invalid(t, "a duration that fits in a long of milliseconds");
          }
          checkRange(millis, t);
          return d;
        }
      case SIZE:
        try {
          return checkRange(parseSize(t), t);
        } catch (ArithmeticException | NumberFormatException e) {
          throw invalid(t, "a size that fits in a long of bytes");
        }
      case LIST:
        {
          List<String> items = new ArrayList<>();
          for (String s : t.split(",")) {
            if (!s.trim().isEmpty()) {
              items.add(s.trim());
            }
          }
          return List.copyOf(items);
        }
      case ENUM:
        {
          String v = t.toLowerCase(Locale.ROOT);
          if (!allowed.contains(v)) {
            throw invalid(t, "one of " + allowed);
          }
          return v;
        }
      default:
        throw new IllegalStateException("unknown type " + type);
    }
  }

  private Long parseLong(String t, String what) {
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw invalid(t, what);
    }
  }

  private Long checkRange(long v, String t) {
    if (v < min || v > max) {
      String unit = type == Type.DURATION ? " ms" : "";
      throw invalid(t, "a value between " + min + unit + " and " + max + unit);
    }
    return v;
  }

  private Duration parseDuration(String t) {
    Matcher m = DURATION.matcher(t.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw invalid(t, "a duration such as 250ms, 30s, 5m, 1h or 1d");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    switch (unit) {
      case "s":
        return Duration.ofSeconds(n);
      case "m":
        return Duration.ofMinutes(n);
      case "h":
        return Duration.ofHours(n);
      case "d":
        return Duration.ofDays(n);
      default:
        return Duration.ofMillis(n);
    }
  }

  private long parseSize(String t) {
    Matcher m = SIZE.matcher(t.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw invalid(t, "a size such as 1048576, 512KiB, 64MiB or 1GiB");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    long factor =
        Arrays.asList("kib", "kb", "k").contains(unit)
            ? 1L << 10
            : Arrays.asList("mib", "mb", "m").contains(unit)
                ? 1L << 20
                : Arrays.asList("gib", "gb", "g").contains(unit) ? 1L << 30 : 1L;
    return Math.multiplyExact(n, factor);
  }

  private ConfigException invalid(String text, String expected) {
    String shown = secret() ? "(hidden)" : "'" + text + "'";
    return new ConfigException(
        "Cannot use "
            + shown
            + " for config key '"
            + name
            + "': expected "
            + expected
            + ". Fix the value in the config file or in "
            + envName()
            + ".");
  }
}
