package io.redstage.connector.bench;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} arguments of the benchmark mains. Hand-written rather than picocli: picocli
 * is not on the connector's test classpath and these mains take a handful of numeric options.
 */
final class BenchArgs {
  private final Map<String, String> values = new HashMap<>();

  BenchArgs(String[] args, String usage, String... known) {
    Set<String> names = Set.of(known);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(usage);
        System.exit(0);
      }
      String name = a.startsWith("--") ? a.substring(2) : null;
      if (name == null || !names.contains(name) || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "Cannot parse argument '"
                + a
                + "': expected one of "
                + Arrays.toString(known)
                + " followed by a value.\n"
                + usage);
      }
      values.put(name, args[++i]);
    }
  }

  String string(String name, String dflt) {
    return values.getOrDefault(name, dflt);
  }

  List<String> list(String name, String dflt) {
    return Arrays.asList(string(name, dflt).split(","));
  }

  long number(String name, long dflt) {
    String v = values.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Cannot use --" + name + " '" + v + "': expected a whole number.");
    }
  }
}
