package io.redstage.loader.sql;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Which schemas exist, as the loader last read them, so that it issues CREATE SCHEMA only for a
 * missing one: on Redshift, as on PostgreSQL, CREATE SCHEMA IF NOT EXISTS needs CREATE on the
 * database even when the schema exists, which a user granted only USAGE and CREATE on its schemas
 * lacks. Read from pg_namespace, which lists every schema to every user (Redshift's
 * information_schema.schemata lists only the user's own). 'public' always counts as existing:
 * creating it would need that privilege too.
 */
public final class ExistingSchemas {
  private static final String PUBLIC = "public";
  private static final String CREATE = "CREATE SCHEMA IF NOT EXISTS ";

  /** Each schema read, with whether it existed then; a read replaces the earlier one. */
  private final Map<String, Boolean> read = new ConcurrentHashMap<>();

  /** Whether {@code schema} existed when last read ('public': always). */
  public boolean exists(String schema) {
    return schema.equals(PUBLIC) || read.getOrDefault(schema, false);
  }

  /**
   * Records what a read of {@code asked} found: the schemas of {@code found} exist, the rest not.
   */
  public void read(Collection<String> asked, Collection<String> found) {
    asked.forEach(s -> read.put(s, found.contains(s)));
  }

  /** Records that {@code schema} exists: a table in it was found. */
  public void holdsATable(String schema) {
    read.put(schema, true);
  }

  /** The distinct schemas of {@code schemas} that a read may find missing: all but 'public'. */
  public static List<String> creatable(Collection<String> schemas) {
    return schemas.stream().filter(s -> !s.equals(PUBLIC)).distinct().sorted().toList();
  }

  /** The query of which {@code schemas} exist: one row (nspname) per existing one. */
  public static String query(Collection<String> schemas) {
    return "SELECT nspname FROM pg_namespace WHERE nspname IN ("
        + schemas.stream().map(SqlText::literal).collect(Collectors.joining(", "))
        + ")";
  }

  /** The DDL that creates a missing schema; IF NOT EXISTS for two loaders creating it at once. */
  public static String create(String schema) {
    return CREATE + Identifiers.quote(schema);
  }

  /** Whether {@code sql} is a statement of {@link #create}. */
  public static boolean isCreate(String sql) {
    return sql.startsWith(CREATE);
  }

  /**
   * What to do when {@code schema} is missing and the loader's user may not create it (a sentence
   * without its period).
   */
  public static String whenMissing(String schema) {
    return "Create schema "
        + schema
        + " and grant the loader's database user USAGE and CREATE on it, or grant that user"
        + " CREATE on the database so that the loader creates the schema itself";
  }
}
