package io.redstage.sandbox.redshift.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The dialect translation as text (pure logic; the behaviour on PostgreSQL is tested in
 * RedshiftDialectTest).
 */
class SqlTranslatorTest {
  private static Translation one(String sql) {
    List<Translation> t = SqlTranslator.translate(sql, Catalog.EMPTY);
    assertThat(t).hasSize(1);
    return t.get(0);
  }

  @Test
  void createTableDropsStorageAttributesAndMapsTypes() {
    Translation t =
        one(
            "CREATE TABLE IF NOT EXISTS \"Public\".\"Events\" (\"ID\" BIGINT NOT NULL ENCODE az64 DISTKEY, "
                + "name VARCHAR(MAX) ENCODE zstd, tag VARCHAR, body SUPER, raw VARBYTE(16), amount DECIMAL, txt TEXT, "
                + "c CHAR(MAX), PRIMARY KEY (id)) DISTSTYLE KEY COMPOUND SORTKEY (id, name) ENCODE AUTO BACKUP NO");
    assertThat(t.kind()).isEqualTo(Translation.Kind.EXECUTE);
    assertThat(t.sql())
        .isEqualTo(
            "CREATE TABLE IF NOT EXISTS \"public\".\"events\" (\"id\" bigint NOT NULL, "
                + "name varchar(65535) CONSTRAINT rsvb_65535_"
                + Identifiers.columnHash("name")
                + " CHECK (octet_length(name) <= 65535), "
                + "tag varchar(256) CONSTRAINT rsvb_256_"
                + Identifiers.columnHash("tag")
                + " CHECK (octet_length(tag) <= 256), "
                + "body jsonb, raw bytea CONSTRAINT rsvy_16_"
                + Identifiers.columnHash("raw")
                + " CHECK (octet_length(raw) <= 16), "
                + "amount numeric(18,0), "
                + "txt varchar(256) CONSTRAINT rsvb_256_"
                + Identifiers.columnHash("txt")
                + " CHECK (octet_length(txt) <= 256), "
                + "c char(4096))");
  }

  @Test
  void identityBecomesAnIdentityColumnAndDefaultsKeepTheirExpression() {
    Translation t =
        one("CREATE TABLE t (id BIGINT IDENTITY(1, 1), at TIMESTAMP DEFAULT SYSDATE NOT NULL)");
    assertThat(t.sql())
        .isEqualTo(
            "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY (START WITH 1 INCREMENT BY 1), "
                + "at timestamp DEFAULT redstage_sys.sysdate() NOT NULL)");
  }

  @Test
  void createTempTableLikeCopiesTheByteChecks() {
    assertThat(one("CREATE TEMP TABLE stage (LIKE public.t)").sql())
        .isEqualTo("CREATE TEMP TABLE stage (LIKE public.t INCLUDING CONSTRAINTS)");
  }

  @Test
  void hashPrefixedTableIsATempTable() {
    assertThat(one("CREATE TABLE #stage (a INT)").sql())
        .isEqualTo("CREATE TEMP TABLE stage (a int)");
    assertThat(one("SELECT * FROM #stage").sql()).isEqualTo("SELECT * FROM stage");
  }

  @Test
  void createTableAsKeepsTheQuery() {
    assertThat(one("CREATE TABLE t2 DISTSTYLE EVEN SORTKEY AUTO AS SELECT * FROM t").sql())
        .isEqualTo("CREATE TABLE t2 AS SELECT * FROM t");
  }

  @Test
  void lockAndDeleteGetTheirPostgresKeywords() {
    assertThat(one("LOCK \"public\".\"_redstage_load_markers\";").sql())
        .isEqualTo("LOCK TABLE \"public\".\"_redstage_load_markers\"");
    assertThat(one("DELETE t USING s WHERE t.id = s.id").sql())
        .isEqualTo("DELETE FROM t USING s WHERE t.id = s.id");
  }

  @Test
  void alterTableAddColumnMapsTheTypeAndDropsEncode() {
    assertThat(
            one("ALTER TABLE \"public\".\"t\" ADD COLUMN \"X\" VARCHAR(256) ENCODE lzo DEFAULT 'a'")
                .sql())
        .isEqualTo(
            "ALTER TABLE \"public\".\"t\" ADD COLUMN \"x\" varchar(256) DEFAULT 'a' CONSTRAINT rsvb_256_"
                + Identifiers.columnHash("x")
                + " CHECK (octet_length(\"x\") <= 256)");
  }

  @Test
  void alterColumnTypeIsRefusedInTransactionsAndMovesTheByteCheck() {
    Translation t = one("ALTER TABLE t ALTER COLUMN s TYPE VARCHAR(512)");
    assertThat(t.sql()).isEqualTo("ALTER TABLE t ALTER COLUMN s TYPE varchar(512)");
    assertThat(t.after())
        .containsExactly("SELECT redstage_sys.set_byte_limit('t'::regclass, 's', 512)");
    assertThat(t.forbiddenInTransaction())
        .isEqualTo("ALTER TABLE ALTER COLUMN cannot run inside a transaction block");
  }

  @Test
  void storageOnlyAlterStatementsDoNothing() {
    assertThat(one("ALTER TABLE t ALTER DISTKEY id").kind()).isEqualTo(Translation.Kind.NOOP);
    assertThat(one("ALTER TABLE t ALTER SORTKEY (a, b)").kind()).isEqualTo(Translation.Kind.NOOP);
  }

  @Test
  void castsToRedshiftTypesAreMapped() {
    assertThat(one("SELECT x::SUPER, CAST(y AS VARCHAR(MAX)), z::varbyte FROM t").sql())
        .isEqualTo("SELECT x::jsonb, CAST(y AS varchar(65535)), z::bytea FROM t");
  }

  @Test
  void systemViewsAndInformationSchemaColumnsGoToTheCompatibilitySchema() {
    assertThat(
            one("SELECT * FROM pg_catalog.stl_load_errors WHERE query = pg_last_copy_id()").sql())
        .isEqualTo("SELECT * FROM redstage_sys.stl_load_errors WHERE query = pg_last_copy_id()");
    assertThat(
            one("SELECT column_name FROM information_schema.columns WHERE table_name = 't'").sql())
        .isEqualTo(
            "SELECT column_name FROM redstage_sys.information_schema_columns WHERE table_name = 't'");
    assertThat(one("select * from SVV_COLUMNS c join sys_load_history h on true").sql())
        .isEqualTo(
            "select * from redstage_sys.svv_columns c join redstage_sys.sys_load_history h on true");
  }

  @Test
  void dateaddDatePartsBecomeStrings() {
    assertThat(one("SELECT DATEADD(day, 1, ts), datediff(hours, a, b) FROM t").sql())
        .isEqualTo("SELECT DATEADD('day', 1, ts), datediff('hours', a, b) FROM t");
  }

  @Test
  void transactionVerbsAndCopyAreRecognized() {
    assertThat(one("BEGIN").kind()).isEqualTo(Translation.Kind.BEGIN);
    assertThat(one("END TRANSACTION").kind()).isEqualTo(Translation.Kind.COMMIT);
    assertThat(one("abort").kind()).isEqualTo(Translation.Kind.ROLLBACK);
    assertThat(one("COPY t FROM 's3://b/k' IAM_ROLE 'arn' FORMAT AS PARQUET").kind())
        .isEqualTo(Translation.Kind.COPY);
    assertThat(one("SET enable_case_sensitive_identifier TO false").kind())
        .isEqualTo(Translation.Kind.NOOP);
  }

  @Test
  void severalStatementsInOneTextAreSplitOutsideLiterals() {
    List<Translation> t = SqlTranslator.translate("SELECT 'a;b'; -- c;\nSELECT 2;", Catalog.EMPTY);
    assertThat(t).extracting(Translation::sql).containsExactly("SELECT 'a;b'", "-- c;\nSELECT 2");
  }

  @Test
  void identifiersLongerThanPostgresAllowsAreRefusedClearly() {
    String name = "a".repeat(100);
    assertThatThrownBy(() -> one("CREATE TABLE " + name + " (x int)"))
        .isInstanceOf(SqlTranslationException.class)
        .hasMessageContaining("100 bytes long")
        .hasMessageContaining("at most 63");
    assertThat(one("CREATE TABLE " + "b".repeat(63) + " (x int)").sql()).contains("b".repeat(63));
  }

  @Test
  void varcharLongerThanRedshiftsMaximumIsRefused() {
    assertThatThrownBy(() -> one("CREATE TABLE t (s VARCHAR(65536))"))
        .hasMessage("ERROR: length for type varchar cannot exceed 65535");
  }

  @Test
  void mergeFromASubqueryIsRefused() {
    assertThatThrownBy(
            () ->
                one(
                    "MERGE INTO t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE"))
        .hasMessageContaining("USING source must be a table");
  }

  @Test
  void mergeUpdateSetTargetsLoseTheirQualifier() {
    assertThat(
            one("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.v = s.v, t.w = s.w "
                    + "WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)")
                .sql())
        .isEqualTo(
            "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v, w = s.w "
                + "WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)");
  }
}
