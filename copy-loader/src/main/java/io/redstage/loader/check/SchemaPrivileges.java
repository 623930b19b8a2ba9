package io.redstage.loader.check;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.redshift.StatementTimeoutException;
import io.redstage.loader.sql.SqlText;
import io.redstage.loader.sql.TableRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The loader creates and alters tables in {@code target.schema} and its control tables in {@code
 * control.schema}: it needs USAGE and CREATE on both. Asked with {@code has_schema_privilege} for
 * {@code redshift.db-user} when set (the user the Data API signs in as), else for {@code
 * current_user}.
 */
final class SchemaPrivileges {
  private final LoaderConfig config;
  private final DataApi api;

  SchemaPrivileges(LoaderConfig config, DataApi api) {
    this.config = config;
    this.api = api;
  }

  /** The schema keys to check: target.schema, and control.schema when it names another schema. */
  List<String> keys() {
    List<String> keys = new ArrayList<>(List.of(TARGET_SCHEMA));
    if (!config.string(CONTROL_SCHEMA).equals(config.string(TARGET_SCHEMA))) {
      keys.add(CONTROL_SCHEMA);
    }
    return keys;
  }

  /**
   * The other schemas tables.map sends topics to (the loader creates and alters those tables too),
   * each with the entry that names it, in order.
   */
  Map<String, String> mappedSchemas() {
    Set<String> known = new HashSet<>();
    for (String key : keys()) {
      known.add(config.string(key));
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : config.list(TABLES_MAP)) {
      String target = pair.substring(pair.lastIndexOf(':') + 1);
      String schema = TableRef.parse(target, config.string(TARGET_SCHEMA)).schema();
      if (!known.contains(schema)) {
        out.putIfAbsent(schema, TABLES_MAP + " entry '" + pair + "'");
      }
    }
    return out;
  }

  CheckResult check(String key) throws InterruptedException {
    return check("schema " + key, config.string(key), key);
  }

  /**
   * @param name the check's name
   * @param key what names the schema in the config, for the messages
   */
  CheckResult check(String name, String schema, String key) throws InterruptedException {
    String user = config.optional(REDSHIFT_DB_USER).map(SqlText::literal).orElse("current_user");
    String userText = config.optional(REDSHIFT_DB_USER).orElse("the Data API's user");
    String grant =
        "GRANT USAGE, CREATE ON SCHEMA "
            + schema
            + " TO "
            + config.optional(REDSHIFT_DB_USER).orElse("<loader user>")
            + ";";
    try {
      QueryResult found =
          api.query(
              "SELECT COUNT(*) AS found FROM pg_namespace WHERE nspname = "
                  + SqlText.literal(schema),
              "redstage-check-schema");
      if (QueryResult.number(found.rows().get(0).get(0)) == 0) {
        return CheckResult.fail(
            name,
            "Cannot load into "
                + key
                + " '"
                + schema
                + "': the schema does not exist. Create it (CREATE SCHEMA "
                + schema
                + "; "
                + grant
                + ") or set "
                + key
                + " to an existing schema.");
      }
      QueryResult p =
          api.query(
              "SELECT has_schema_privilege("
                  + user
                  + ", "
                  + SqlText.literal(schema)
                  + ", 'USAGE') AS can_use, has_schema_privilege("
                  + user
                  + ", "
                  + SqlText.literal(schema)
                  + ", 'CREATE') AS can_create",
              "redstage-check-privileges");
      List<String> missing = new ArrayList<>();
      if (!truth(p.rows().get(0).get(p.index("can_use")))) {
        missing.add("USAGE");
      }
      if (!truth(p.rows().get(0).get(p.index("can_create")))) {
        missing.add("CREATE");
      }
      if (!missing.isEmpty()) {
        return CheckResult.fail(
            name,
            "Cannot load into "
                + key
                + " '"
                + schema
                + "': "
                + userText
                + " lacks "
                + String.join(" and ", missing)
                + " on it (the loader creates and alters tables there). Run as an admin: "
                + grant);
      }
      return CheckResult.ok(name, userText + " has USAGE and CREATE on '" + schema + "'");
    } catch (StatementFailedException | StatementTimeoutException | DataApiException e) {
      return CheckResult.fail(
          name,
          "Cannot check the privileges of "
              + userText
              + " on schema '"
              + schema
              + "': "
              + e.getMessage()
              + ". Check that the user exists, and "
              + key
              + ".");
    }
  }

  private static boolean truth(Object v) {
    return v instanceof Boolean b ? b : v != null && v.toString().trim().matches("(?i)t|true|1");
  }
}
