package io.redstage.sandbox.redshift.pg;

import io.redstage.sandbox.redshift.sql.AlterColumnTypeRules;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The stand-in's record of Redshift table design, which PostgreSQL has no place for: per permanent
 * table its DISTSTYLE, DISTKEY, sort key, ENCODE AUTO and explicit column encodings, as the CREATE
 * TABLE gave them. An event trigger forgets dropped tables. SVV_TABLE_INFO (here) and PG_TABLE_DEF
 * ({@link CompatSchema}) read it, and the ALTER COLUMN TYPE rules check encodings against it.
 */
final class DesignCatalog {
  private static final String SQL =
      """
      CREATE TABLE IF NOT EXISTS redstage_sys.table_design (
        table_oid oid PRIMARY KEY, diststyle text NOT NULL, distkey text, sortkind text NOT NULL,
        sortkey text[] NOT NULL, encode_auto boolean NOT NULL, encodings text[] NOT NULL);
      CREATE OR REPLACE FUNCTION redstage_sys.record_design(tbl regclass, diststyle text, distkey text,
          sortkind text, sortkey text[], encode_auto boolean, encodings text[]) RETURNS void
        LANGUAGE sql AS $$
          INSERT INTO redstage_sys.table_design VALUES (tbl, diststyle, distkey, sortkind, sortkey, encode_auto, encodings)
          ON CONFLICT (table_oid) DO NOTHING $$;
      CREATE OR REPLACE FUNCTION redstage_sys.set_encoding(tbl regclass, col text, enc text) RETURNS void
        LANGUAGE plpgsql AS $$
        DECLARE e text[] := '{}'; i integer;
        BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = tbl AND attname = col AND attnum > 0 AND NOT attisdropped) THEN
            RAISE EXCEPTION 'column "%" does not exist', col;
          END IF;
          INSERT INTO redstage_sys.table_design VALUES (tbl, 'auto', NULL, 'auto', '{}', false, '{}')
            ON CONFLICT (table_oid) DO NOTHING;
          SELECT d.encodings INTO e FROM redstage_sys.table_design d WHERE d.table_oid = tbl;
          FOR i IN 1 .. coalesce(array_length(e, 1), 0) BY 2 LOOP
            IF e[i] = col THEN
              e[i + 1] := enc;
              UPDATE redstage_sys.table_design SET encodings = e, encode_auto = false WHERE table_oid = tbl;
              RETURN;
            END IF;
          END LOOP;
          UPDATE redstage_sys.table_design SET encodings = e || ARRAY[col, enc], encode_auto = false WHERE table_oid = tbl;
        END $$;
      CREATE OR REPLACE FUNCTION redstage_sys.forget_design() RETURNS event_trigger LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM redstage_sys.table_design
            WHERE table_oid IN (SELECT objid FROM pg_event_trigger_dropped_objects() WHERE object_type = 'table');
        END $$;
      DROP EVENT TRIGGER IF EXISTS redstage_forget_design;
      CREATE EVENT TRIGGER redstage_forget_design ON sql_drop EXECUTE FUNCTION redstage_sys.forget_design();
      CREATE OR REPLACE FUNCTION redstage_sys.column_encoding(tbl oid, col text, typ text) RETURNS varchar
        LANGUAGE sql STABLE AS $$
          SELECT coalesce(
            (SELECT lower(d.encodings[i + 1]) FROM redstage_sys.table_design d, generate_subscripts(d.encodings, 1) i
              WHERE d.table_oid = tbl AND i % 2 = 1 AND d.encodings[i] = col),
            CASE
              WHEN NOT EXISTS (SELECT 1 FROM redstage_sys.table_design d WHERE d.table_oid = tbl) THEN 'none'
              WHEN EXISTS (SELECT 1 FROM redstage_sys.table_design d WHERE d.table_oid = tbl AND col = ANY (d.sortkey)) THEN 'none'
              WHEN typ IN ('int2', 'int4', 'int8', 'numeric', 'date', 'timestamp', 'timestamptz') THEN 'az64'
              WHEN typ IN ('varchar', 'bpchar', 'text', 'bytea') THEN 'lzo'
              ELSE 'none' END) $$;
      CREATE OR REPLACE FUNCTION redstage_sys.sortkey_position(tbl oid, col text) RETURNS integer
        LANGUAGE sql STABLE AS $$
          SELECT coalesce((SELECT CASE WHEN d.sortkind = 'interleaved' THEN -1 ELSE 1 END * array_position(d.sortkey, col)
                           FROM redstage_sys.table_design d WHERE d.table_oid = tbl), 0) $$;
      CREATE OR REPLACE VIEW redstage_sys.svv_table_info AS
        SELECT current_database()::text AS database, n.nspname::text AS schema, c.oid::integer AS table_id,
               c.relname::text AS "table",
               CASE WHEN d.encode_auto THEN 'Y, AUTO(ENCODE)' WHEN cardinality(d.encodings) > 0 THEN 'Y' ELSE 'N' END AS encoded,
               CASE d.diststyle WHEN 'auto' THEN 'AUTO(ALL)' WHEN 'key' THEN 'KEY(' || d.distkey || ')'
                    ELSE upper(coalesce(d.diststyle, 'even')) END AS diststyle,
               CASE WHEN d.sortkind = 'auto' THEN 'AUTO(SORTKEY)' ELSE d.sortkey[1] END AS sortkey1,
               coalesce(cardinality(d.sortkey), 0) AS sortkey_num
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN redstage_sys.table_design d ON d.table_oid = c.oid
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'redstage_sys')
          AND n.nspname NOT LIKE 'pg\\_%';
      """;

  private DesignCatalog() {}

  static void install(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(SQL);
      s.execute(AlterColumnTypeRules.FUNCTION);
    }
  }
}
