package io.redstage.sandbox.redshift.pg;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs the {@code redstage_sys} schema: Redshift functions PostgreSQL lacks (GETDATE, SYSDATE,
 * JSON_PARSE, NVL, DATEADD ...), the load history and load error tables with Redshift's system
 * views over them (SYS_LOAD_HISTORY, SYS_LOAD_ERROR_DETAIL, STL_LOAD_ERRORS, STL_LOAD_COMMITS),
 * SVV_TRANSACTIONS (over pg_locks: the sessions holding or awaiting table locks), and catalog views
 * that report Redshift type names (SVV_COLUMNS, PG_TABLE_DEF, information_schema.columns), and the
 * table design catalog ({@link DesignCatalog}). The translator routes Redshift names to these
 * objects. Idempotent: safe on an existing data directory.
 */
public final class CompatSchema {
  public static final String SCHEMA = "redstage_sys";

  private static final String FUNCTIONS =
      """
      CREATE SCHEMA IF NOT EXISTS redstage_sys;
      CREATE OR REPLACE FUNCTION redstage_sys.getdate() RETURNS timestamp LANGUAGE sql STABLE
        AS $$ SELECT date_trunc('second', statement_timestamp()::timestamp) $$;
      CREATE OR REPLACE FUNCTION redstage_sys.sysdate() RETURNS timestamp LANGUAGE sql STABLE
        AS $$ SELECT now()::timestamp $$;
      CREATE OR REPLACE FUNCTION redstage_sys.json_parse(text) RETURNS jsonb LANGUAGE sql IMMUTABLE STRICT
        AS $$ SELECT $1::jsonb $$;
      CREATE OR REPLACE FUNCTION redstage_sys.can_json_parse(text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE
        AS $$ BEGIN PERFORM $1::jsonb; RETURN $1 IS NOT NULL; EXCEPTION WHEN others THEN RETURN false; END $$;
      CREATE OR REPLACE FUNCTION redstage_sys.is_valid_json(text) RETURNS boolean LANGUAGE sql IMMUTABLE
        AS $$ SELECT redstage_sys.can_json_parse($1) $$;
      CREATE OR REPLACE FUNCTION redstage_sys.is_valid_json_array(text) RETURNS boolean LANGUAGE sql IMMUTABLE
        AS $$ SELECT redstage_sys.can_json_parse($1) AND jsonb_typeof($1::jsonb) = 'array' $$;
      CREATE OR REPLACE FUNCTION redstage_sys.json_serialize(jsonb) RETURNS varchar LANGUAGE sql IMMUTABLE STRICT
        AS $$ SELECT $1::text $$;
      CREATE OR REPLACE FUNCTION redstage_sys.json_extract_path_text(text, VARIADIC text[]) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT ($1::json) #>> $2 $$;
      CREATE OR REPLACE FUNCTION redstage_sys.nvl(anycompatible, anycompatible) RETURNS anycompatible
        LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce($1, $2) $$;
      CREATE OR REPLACE FUNCTION redstage_sys.nvl2(anyelement, anycompatible, anycompatible) RETURNS anycompatible
        LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN $1 IS NOT NULL THEN $2 ELSE $3 END $$;
      CREATE OR REPLACE FUNCTION redstage_sys.len(text) RETURNS integer LANGUAGE sql IMMUTABLE STRICT
        AS $$ SELECT length($1) $$;
      CREATE OR REPLACE FUNCTION redstage_sys.datepart_unit(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
        SELECT CASE lower($1)
          WHEN 'y' THEN 'year' WHEN 'yr' THEN 'year' WHEN 'yrs' THEN 'year' WHEN 'years' THEN 'year'
          WHEN 'mon' THEN 'month' WHEN 'mons' THEN 'month' WHEN 'months' THEN 'month'
          WHEN 'w' THEN 'week' WHEN 'weeks' THEN 'week'
          WHEN 'd' THEN 'day' WHEN 'days' THEN 'day'
          WHEN 'h' THEN 'hour' WHEN 'hr' THEN 'hour' WHEN 'hrs' THEN 'hour' WHEN 'hours' THEN 'hour'
          WHEN 'm' THEN 'minute' WHEN 'min' THEN 'minute' WHEN 'mins' THEN 'minute' WHEN 'minutes' THEN 'minute'
          WHEN 's' THEN 'second' WHEN 'sec' THEN 'second' WHEN 'secs' THEN 'second' WHEN 'seconds' THEN 'second'
          WHEN 'ms' THEN 'millisecond' WHEN 'msec' THEN 'millisecond' WHEN 'milliseconds' THEN 'millisecond'
          WHEN 'us' THEN 'microsecond' WHEN 'usec' THEN 'microsecond' WHEN 'microseconds' THEN 'microsecond'
          ELSE lower($1) END $$;
      CREATE OR REPLACE FUNCTION redstage_sys.dateadd(text, bigint, timestamp) RETURNS timestamp LANGUAGE sql IMMUTABLE STRICT
        AS $$ SELECT $3 + ($2 || ' ' || redstage_sys.datepart_unit($1))::interval $$;
      CREATE OR REPLACE FUNCTION redstage_sys.datediff(text, timestamp, timestamp) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS $$
        SELECT CASE redstage_sys.datepart_unit($1)
          WHEN 'year' THEN extract(year FROM $3) - extract(year FROM $2)
          WHEN 'month' THEN (extract(year FROM $3) - extract(year FROM $2)) * 12 + extract(month FROM $3) - extract(month FROM $2)
          WHEN 'week' THEN (date_trunc('week', $3)::date - date_trunc('week', $2)::date) / 7
          WHEN 'day' THEN $3::date - $2::date
          WHEN 'hour' THEN extract(epoch FROM date_trunc('hour', $3) - date_trunc('hour', $2)) / 3600
          WHEN 'minute' THEN extract(epoch FROM date_trunc('minute', $3) - date_trunc('minute', $2)) / 60
          WHEN 'second' THEN extract(epoch FROM date_trunc('second', $3) - date_trunc('second', $2))
          WHEN 'millisecond' THEN extract(epoch FROM date_trunc('milliseconds', $3) - date_trunc('milliseconds', $2)) * 1000
          ELSE extract(epoch FROM $3 - $2) * 1000000 END::bigint $$;
      CREATE OR REPLACE FUNCTION redstage_sys.convert_timezone(text, text, timestamp) RETURNS timestamp LANGUAGE sql STABLE STRICT
        AS $$ SELECT ($3 AT TIME ZONE $1) AT TIME ZONE $2 $$;
      CREATE OR REPLACE FUNCTION redstage_sys.convert_timezone(text, timestamp) RETURNS timestamp LANGUAGE sql STABLE STRICT
        AS $$ SELECT ($2 AT TIME ZONE 'UTC') AT TIME ZONE $1 $$;
      CREATE OR REPLACE FUNCTION redstage_sys.from_hex(text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT
        AS $$ SELECT decode($1, 'hex') $$;
      CREATE OR REPLACE FUNCTION redstage_sys.pg_last_copy_id() RETURNS integer LANGUAGE sql STABLE
        AS $$ SELECT coalesce(nullif(current_setting('redstage.last_copy_id', true), ''), '-1')::integer $$;
      CREATE OR REPLACE FUNCTION redstage_sys.pg_last_query_id() RETURNS integer LANGUAGE sql STABLE
        AS $$ SELECT coalesce(nullif(current_setting('redstage.last_query_id', true), ''), '-1')::integer $$;
      CREATE OR REPLACE FUNCTION redstage_sys.set_byte_limit(tbl regclass, col text, n integer) RETURNS void
        LANGUAGE plpgsql AS $$
        DECLARE r record;
        BEGIN
          FOR r IN SELECT conname FROM pg_constraint
                   WHERE conrelid = tbl AND conname LIKE 'rsvb\\_%' AND conname LIKE '%\\_' || substr(md5(col), 1, 8) LOOP
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, r.conname);
          END LOOP;
          EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (octet_length(%I) <= %s)',
                         tbl, 'rsvb_' || n || '_' || substr(md5(col), 1, 8), col, n);
        END $$;
      """;

  private static final String LOAD_TABLES =
      """
      CREATE TABLE IF NOT EXISTS redstage_sys.load_history (
        user_id integer, query_id bigint PRIMARY KEY, transaction_id bigint, session_id integer,
        database_name text, status text, table_name text, start_time timestamp, end_time timestamp,
        duration bigint, data_source text, file_format text, loaded_rows bigint, loaded_bytes bigint,
        source_file_count integer, source_file_bytes bigint, file_count_scanned integer, file_bytes_scanned bigint,
        error_count bigint, copy_job_id bigint, error_message text);
      CREATE TABLE IF NOT EXISTS redstage_sys.load_errors (
        user_id integer, query_id bigint, transaction_id bigint, session_id integer, database_name text,
        table_id integer, table_name text, start_time timestamp, file_name text, line_number bigint,
        column_name text, column_type text, column_length text, position integer, error_code integer,
        error_message text, raw_line text, raw_field_value text, is_partial integer, start_offset bigint);
      CREATE TABLE IF NOT EXISTS redstage_sys.load_commits (
        user_id integer, query_id bigint, file_name text, byte_offset bigint, lines_scanned bigint,
        errors integer, commit_time timestamp DEFAULT (now() AT TIME ZONE 'UTC'));
      CREATE OR REPLACE VIEW redstage_sys.sys_load_history AS
        SELECT user_id, query_id, transaction_id, session_id, database_name, status, table_name, start_time, end_time,
               duration, data_source, file_format, loaded_rows, loaded_bytes, source_file_count, source_file_bytes,
               file_count_scanned, file_bytes_scanned, error_count, copy_job_id
        FROM redstage_sys.load_history;
      CREATE OR REPLACE VIEW redstage_sys.sys_load_error_detail AS
        SELECT user_id, query_id, transaction_id, session_id, database_name, table_id, start_time, file_name,
               line_number, column_name, column_type, column_length, position, error_code, error_message
        FROM redstage_sys.load_errors;
      CREATE OR REPLACE VIEW redstage_sys.stl_load_errors AS
        SELECT user_id AS userid, 0 AS slice, table_id AS tbl, start_time AS starttime, session_id AS session,
               query_id AS query, file_name AS filename, line_number, column_name AS colname, column_type AS type,
               column_length AS col_length, position, raw_line, raw_field_value, error_code AS err_code,
               error_message AS err_reason, is_partial, start_offset
        FROM redstage_sys.load_errors;
      CREATE OR REPLACE VIEW redstage_sys.stl_loaderror_detail AS
        SELECT user_id AS userid, 0 AS slice, session_id AS session, query_id AS query, file_name AS filename,
               line_number, column_name AS field, column_name AS colname, raw_field_value AS value,
               0 AS is_null, column_type AS type, column_length AS col_length
        FROM redstage_sys.load_errors;
      CREATE OR REPLACE VIEW redstage_sys.stl_load_commits AS
        SELECT user_id AS userid, query_id AS query, 0 AS slice, file_name AS name, file_name AS filename,
               byte_offset, lines_scanned, errors, commit_time AS curtime, 1 AS status
        FROM redstage_sys.load_commits;
      CREATE OR REPLACE VIEW redstage_sys.pg_table_def AS
        SELECT n.nspname AS schemaname, c.relname AS tablename, a.attname AS "column",
               CASE t.typname WHEN 'jsonb' THEN 'super' WHEN 'bytea' THEN 'varbyte'
                    ELSE format_type(a.atttypid, a.atttypmod) END AS type,
               redstage_sys.column_encoding(c.oid, a.attname, t.typname)::varchar(32) AS encoding,
               coalesce(d.distkey = a.attname, false) AS distkey,
               redstage_sys.sortkey_position(c.oid, a.attname) AS sortkey, a.attnotnull AS notnull
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN redstage_sys.table_design d ON d.table_oid = c.oid
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v') AND pg_table_is_visible(c.oid)
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'redstage_sys');
      CREATE OR REPLACE VIEW redstage_sys.svv_transactions AS
        SELECT a.usename::text AS txn_owner, a.datname::text AS txn_db, a.backend_xid::text::bigint AS xid,
               l.pid, (a.xact_start AT TIME ZONE 'UTC') AS txn_start, l.mode::text AS lock_mode,
               l.locktype::text AS lockable_object_type, l.relation::integer AS relation, l.granted
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype IN ('relation', 'transactionid');
      CREATE OR REPLACE VIEW redstage_sys.svv_tables AS
        SELECT table_catalog, table_schema, table_name, table_type, NULL::text AS remarks
        FROM information_schema.tables
        WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'redstage_sys')
          AND table_schema NOT LIKE 'pg\\_%';
      """;

  private CompatSchema() {}

  public static void install(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(FUNCTIONS);
      DesignCatalog.install(c);
      s.execute(LOAD_TABLES);
      s.execute(informationSchemaColumnsView(c));
      s.execute(
          """
          CREATE OR REPLACE VIEW redstage_sys.svv_columns AS
            SELECT table_catalog, table_schema, table_name, column_name, ordinal_position, column_default,
                   is_nullable, data_type, character_maximum_length, numeric_precision, numeric_precision_radix,
                   numeric_scale, datetime_precision, NULL::text AS remarks
            FROM redstage_sys.information_schema_columns
            WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'redstage_sys')
              AND table_schema NOT LIKE 'pg\\_%'
          """);
    }
  }

  /**
   * information_schema.columns with Redshift's names for the types the stand-in maps (SUPER is
   * stored as jsonb, VARBYTE as bytea). Built from the live column list so every column of the
   * original stays.
   */
  private static String informationSchemaColumnsView(Connection c) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT column_name FROM information_schema.columns "
                    + "WHERE table_schema = 'information_schema' AND table_name = 'columns' ORDER BY ordinal_position")) {
      while (rs.next()) {
        columns.add(rs.getString(1));
      }
    }
    List<String> select = new ArrayList<>();
    for (String col : columns) {
      switch (col) {
        case "data_type":
          select.add(
              "(CASE udt_name WHEN 'jsonb' THEN 'super' WHEN 'bytea' THEN 'binary varying' "
                  + "ELSE data_type END)::information_schema.character_data AS data_type");
          break;
        case "udt_name":
          select.add(
              "(CASE udt_name WHEN 'jsonb' THEN 'super' WHEN 'bytea' THEN 'varbyte' "
                  + "ELSE udt_name END)::information_schema.sql_identifier AS udt_name");
          break;
        case "column_default":
          // Redshift shows an IDENTITY column's generator as its default; PostgreSQL leaves an
          // identity column's default empty and says so in is_identity
          select.add(
              "COALESCE(column_default, CASE WHEN is_identity = 'YES' THEN '\"identity\"(0, 0, '''"
                  + " || identity_start || ',' || identity_increment || '''::text)'"
                  + " END)::information_schema.character_data AS column_default");
          break;
        default:
          select.add("\"" + col + "\"");
      }
    }
    return "CREATE OR REPLACE VIEW redstage_sys.information_schema_columns AS SELECT "
        + String.join(", ", select)
        + " FROM information_schema.columns";
  }
}
