package io.redstage.loader.check;

import static io.redstage.loader.config.LoaderConfigDef.*;

import io.redstage.loader.config.LoaderConfig;
import io.redstage.loader.redshift.DataApi;
import io.redstage.loader.redshift.DataApiException;
import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.redshift.StatementFailedException;
import io.redstage.loader.redshift.StatementTimeoutException;
import io.redstage.loader.sql.Identifiers;
import io.redstage.loader.sql.SqlText;
import io.redstage.loader.sql.TableMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loader creates and alters tables in {@code target.schema} and the schemas tables.map names,
 * and its control tables in {@code control.schema}: it needs USAGE and CREATE on each, and CREATE
 * on the database only to create one that is missing ({@link
 * io.redstage.loader.sql.ExistingSchemas}). Asked with {@code has_schema_privilege} for {@code
 * redshift.db-user} when set (the user the Data API signs in as), else for {@code current_user}.
 */
final class SchemaPrivileges {
  private final LoaderConfig config;
  private final DataApi api;

  SchemaPrivileges(LoaderConfig config, DataApi api) {
    this.config = config;
    this.api = api;
  }

  /**
   * A schema to check.
   *
   * @param check the check's name
   * @param schema the schema's name as Redshift folds it, as the loader names it in SQL
   * @param source what names the schema in the config, for the messages
   */
  record Schema(String check, String schema, String source) {}

  /**
   * The schemas to check, each once: target.schema, control.schema, then each other schema
   * tables.map sends topics to (the loader creates and alters those tables too). Compared folded,
   * as Redshift compares them: target.schema=Analytics is the schema a tables.map entry names
   * analytics.
   */
  List<Schema> schemas() {
    Map<String, Schema> out = new LinkedHashMap<>();
    for (String key : List.of(TARGET_SCHEMA, CONTROL_SCHEMA)) {
      String schema = Identifiers.fold(config.string(key), key);
      out.putIfAbsent(schema, new Schema("schema " + key, schema, key));
    }
    for (TableMapper.Entry e :
        TableMapper.entries(config.list(TABLES_MAP), config.string(TARGET_SCHEMA))) {
      String schema = e.table().schema();
      out.putIfAbsent(
          schema, new Schema("schema " + schema, schema, TABLES_MAP + " entry '" + e.text() + "'"));
    }
    return List.copyOf(out.values());
  }

  CheckResult check(Schema s) throws InterruptedException {
    String name = s.check();
    String schema = s.schema();
    String key = s.source();
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
        QueryResult db =
            api.query(
                "SELECT has_database_privilege("
                    + user
                    + ", current_database(), 'CREATE') AS can_create",
                "redstage-check-privileges");
        if (truth(db.rows().get(0).get(0))) {
          return CheckResult.ok(
              name,
              "'"
                  + schema
                  + "' does not exist; "
                  + userText
                  + " has CREATE on the database, so the loader creates it");
        }
        return CheckResult.fail(
            name,
            "Cannot load into "
                + key
                + " '"
                + schema
                + "': the schema does not exist and "
                + userText
                + " lacks CREATE on the database to create it. Create it (CREATE SCHEMA "
                + schema
                + "; "
                + grant
                + "), grant "
                + userText
                + " CREATE on the database so that the loader creates it, or set "
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
