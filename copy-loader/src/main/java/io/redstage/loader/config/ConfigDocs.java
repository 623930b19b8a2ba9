package io.redstage.loader.config;

/**
 * Generates docs/loader-config.md from {@link LoaderConfigDef}; a test fails when the committed
 * file is stale.
 */
public final class ConfigDocs {
  private ConfigDocs() {}

  public static String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# copy-loader configuration\n\n");
    b.append(
        "<!-- Generated from io.redstage.loader.config.LoaderConfigDef by ConfigDocs; do not edit by hand.\n");
    b.append(
        "     Regenerate: mvn -pl copy-loader -am -Dtest=ConfigDocsTest -Dsurefire.failIfNoSpecifiedTests=false -Dredstage.docs.write=true test -->\n\n");
    b.append(
        "Values come from a `.properties` or `.yaml` file (`--config`), then environment variables, then `-D key=value`\n");
    b.append(
        "on the command line, each overriding the previous. The environment variable of a key is `REDSTAGE_` plus the\n");
    b.append(
        "key in upper snake case (`s3.bucket.name` -> `REDSTAGE_S3_BUCKET_NAME`). Values in the file may hold `${NAME}` and\n");
    b.append(
        "`${NAME:-default}` placeholders, filled from the environment (the default applies when `NAME` is unset or empty;\n");
    b.append(
        "`$${...}` is a literal `${...}`); an unset variable without a default stops the loader with an error naming the\n");
    b.append("key and the variable. Secrets are never logged.\n\n");
    b.append(
        "Per-table overrides (not in the environment): `table.<schema.table>.mode` (append | upsert),\n");
    b.append(
        "`table.<schema.table>.upsert.key` (comma-separated columns), and for tables the loader creates\n");
    b.append(
        "`table.<schema.table>.sort-key` (as `tables.sort-key`), `table.<schema.table>.varchar-length` (bytes) and\n");
    b.append(
        "`table.<schema.table>.varchar-lengths` (`column:bytes` pairs). Schema and table are written in lower case,\n");
    b.append(
        "as Redshift folds them; the loader checks every override when it starts, and an unknown setting, a name it\n");
    b.append("would never look up or a bad value stops it with the key named.\n");
    b.append(
        "\nKeys for the same things as the connector's have the connector's names and defaults. Old names still\n");
    b.append(
        "work (in a file, as `-D`, or as their environment variable) with a warning at start; setting an old and its new\n");
    b.append("name together is an error:\n\n");
    b.append("| Old name | Current name |\n|---|---|\n");
    LoaderConfigDef.RENAMED.forEach(
        (old, current) ->
            b.append("| `").append(old).append("` | `").append(current).append("` |\n"));
    String group = null;
    for (ConfigKey k : LoaderConfigDef.keys()) {
      if (!k.group().equals(group)) {
        group = k.group();
        b.append("\n## ").append(group).append("\n\n");
        b.append("| Key | Type | Default | Description |\n|---|---|---|---|\n");
      }
      String type =
          k.type() == ConfigKey.Type.ENUM
              ? "one of " + String.join(", ", k.allowed())
              : k.type().doc();
      if (k.min() != Long.MIN_VALUE && k.type() == ConfigKey.Type.INT) {
        type += " (" + k.min() + ".." + k.max() + ")";
      }
      String def =
          k.defaultValue() == null
              ? (isRequired(k) ? "**required**" : "(unset)")
              : k.defaultValue().isEmpty() ? "(empty)" : "`" + k.defaultValue() + "`";
      b.append("| `")
          .append(k.name())
          .append("` | ")
          .append(type)
          .append(" | ")
          .append(def)
          .append(" | ")
          .append(k.doc().replace("|", "\\|"))
          .append(" Env: `")
          .append(k.envName())
          .append("`. |\n");
    }
    return b.toString();
  }

  private static boolean isRequired(ConfigKey k) {
    return k.name().equals(LoaderConfigDef.S3_BUCKET)
        || k.name().equals(LoaderConfigDef.REDSHIFT_DATABASE);
  }
}
