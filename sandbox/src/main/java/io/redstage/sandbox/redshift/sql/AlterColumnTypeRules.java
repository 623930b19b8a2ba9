package io.redstage.sandbox.redshift.sql;

/**
 * Redshift's rules for {@code ALTER TABLE t ALTER COLUMN c TYPE VARCHAR(n)} (Database Developer
 * Guide, r_ALTER_TABLE), which PostgreSQL does not have, so that code that passes here respects
 * them on a cluster:
 *
 * <ul>
 *   <li>not inside a transaction block (a BatchExecuteStatement is one): refused before execution
 *       ({@link Translation#forbiddenInTransaction()});
 *   <li>only to a VARCHAR type, and only for a VARCHAR column;
 *   <li>not for columns encoded BYTEDICT, RUNLENGTH, TEXT255 or TEXT32K (the encoding comes from
 *       the design catalog that {@link TableDesignRecorder} fills);
 *   <li>not for columns with a default value;
 *   <li>not to a size below the longest value the column holds (in bytes).
 * </ul>
 *
 * The checks run as a function in the statement's own transaction, right before the ALTER, and
 * raise Redshift's error text where it is known. Not enforced: the ban on UNIQUE / PRIMARY KEY /
 * FOREIGN KEY columns (the stand-in drops those informational constraints).
 */
public final class AlterColumnTypeRules {
  static final String SHRINK_ERROR =
      "target column size should be greater or equal to current maximum column size";

  /** The function the check calls; installed with the stand-in's compatibility schema. */
  public static final String FUNCTION =
      """
      CREATE OR REPLACE FUNCTION redstage_sys.check_alter_varchar(tbl regclass, col text, n integer) RETURNS void
        LANGUAGE plpgsql AS $$
        DECLARE typ text; enc text; longest integer;
        BEGIN
          SELECT t.typname INTO typ FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = tbl AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
          IF typ IS NULL THEN
            RAISE EXCEPTION 'column "%" does not exist', col;
          END IF;
          IF typ <> 'varchar' THEN
            RAISE EXCEPTION 'ALTER TABLE ALTER COLUMN TYPE is only supported for VARCHAR columns; column "%" is %', col, typ;
          END IF;
          SELECT d.encodings[i + 1] INTO enc FROM redstage_sys.table_design d,
                 generate_subscripts(d.encodings, 1) AS i
            WHERE d.table_oid = tbl AND i % 2 = 1 AND d.encodings[i] = col;
          IF lower(enc) IN ('bytedict', 'runlength', 'text255', 'text32k') THEN
            RAISE EXCEPTION 'ALTER TABLE ALTER COLUMN TYPE is not supported for columns with % encoding (column "%")', upper(enc), col;
          END IF;
          IF EXISTS (SELECT 1 FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
                     WHERE ad.adrelid = tbl AND a.attname = col) THEN
            RAISE EXCEPTION 'ALTER TABLE ALTER COLUMN TYPE is not supported for columns with a default value (column "%")', col;
          END IF;
          EXECUTE format('SELECT max(octet_length(%I)) FROM %s', col, tbl) INTO longest;
          IF longest > n THEN
            RAISE EXCEPTION 'target column size should be greater or equal to current maximum column size';
          END IF;
        END $$;
      """;

  private AlterColumnTypeRules() {}

  /** The statement that checks the rules before the ALTER of {@code column} to {@code length}. */
  static String check(String regclass, String column, int length) {
    return "SELECT "
        + CompatRewrites.SYS_SCHEMA
        + ".check_alter_varchar("
        + regclass
        + ", '"
        + column.replace("'", "''")
        + "', "
        + length
        + ")";
  }
}
