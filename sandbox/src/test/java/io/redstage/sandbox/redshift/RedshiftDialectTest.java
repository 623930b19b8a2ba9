package io.redstage.sandbox.redshift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.StatementStatusString;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;
import software.amazon.awssdk.services.redshiftdata.model.SubStatementData;

/** The Redshift SQL the loader and users send, run through the Data API on PostgreSQL. */
class RedshiftDialectTest {
  private static SandboxStack stack;

  @BeforeAll
  static void start() {
    stack = SandboxStack.start();
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  private static List<String> columnTypes(String table) {
    return stack
        .rows(
            "SELECT column_name || ':' || data_type || ':' || coalesce(character_maximum_length::varchar, '') "
                + "|| ':' || coalesce(numeric_precision::varchar, '') || ':' || coalesce(numeric_scale::varchar, '') "
                + "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '"
                + table
                + "' "
                + "ORDER BY ordinal_position")
        .stream()
        .map(r -> r.get(0).stringValue())
        .toList();
  }

  @Test
  void createTableAcceptsRedshiftAttributesAndTypes() {
    stack.ok(
        "CREATE TABLE IF NOT EXISTS public.dialect_types (id BIGINT NOT NULL ENCODE az64, name VARCHAR(MAX) ENCODE zstd, "
            + "tag VARCHAR, body SUPER, ts TIMESTAMPTZ, raw VARBYTE(16), flag BOOL, amount DECIMAL(18,2), txt TEXT, "
            + "c CHAR(MAX), f FLOAT, r REAL, n NUMERIC, PRIMARY KEY (id)) "
            + "DISTSTYLE KEY DISTKEY(id) COMPOUND SORTKEY(id, ts) ENCODE AUTO BACKUP NO");
    assertThat(columnTypes("dialect_types"))
        .containsExactly(
            "id:bigint::64:0",
            "name:character varying:65535::",
            "tag:character varying:256::",
            "body:super:::",
            "ts:timestamp with time zone:::",
            "raw:binary varying:::",
            "flag:boolean:::",
            "amount:numeric::18:2",
            "txt:character varying:256::",
            "c:character:4096::",
            "f:double precision::53:",
            "r:real::24:",
            "n:numeric::18:0");
  }

  @Test
  void createTableIfNotExistsTwiceIsFine() {
    stack.ok("CREATE TABLE IF NOT EXISTS twice_t (a INT) DISTSTYLE AUTO SORTKEY AUTO");
    stack.ok("CREATE TABLE IF NOT EXISTS twice_t (a INT) DISTSTYLE AUTO SORTKEY AUTO");
  }

  @Test
  void primaryKeysAreInformationalAsInRedshift() {
    stack.ok("CREATE TABLE pk_t (id INT PRIMARY KEY, v VARCHAR(10), UNIQUE (v))");
    stack.ok("INSERT INTO pk_t VALUES (1, 'a'), (1, 'a')");
    assertThat(stack.scalar("SELECT count(*) FROM pk_t")).isEqualTo("2");
  }

  @Test
  void varcharLengthCountsBytesLikeRedshift() {
    stack.ok("CREATE TABLE bytes_t (s VARCHAR(3))");
    stack.ok("INSERT INTO bytes_t VALUES ('abc')");
    assertThat(stack.error("INSERT INTO bytes_t VALUES ('éé')"))
        .isEqualTo("ERROR: value too long for type character varying(3)");
    assertThat(stack.error("INSERT INTO bytes_t VALUES ('abcd')"))
        .isEqualTo("ERROR: value too long for type character varying(3)");
  }

  @Test
  void tempTableLikeKeepsTypesAndByteSemanticsForTheBatch() {
    stack.ok(
        "CREATE TABLE like_src (id BIGINT NOT NULL, s VARCHAR(2), d DECIMAL(10,2) DEFAULT 1.5)");
    DescribeStatementResponse d =
        stack.runBatch(
            "CREATE TEMP TABLE like_stage (LIKE like_src)",
            "INSERT INTO like_stage (id, s) VALUES (1, 'ab')",
            "SELECT count(*) AS n, max(d) AS d FROM like_stage");
    assertThat(d.status()).isEqualTo(StatusString.FINISHED);
    List<Field> row = stack.rowsOf(d.id() + ":3").get(0);
    assertThat(row.get(0).longValue()).isEqualTo(1L);
    assertThat(row.get(1).isNull()).as("LIKE does not copy defaults").isTrue();
    assertThat(
            stack
                .runBatch(
                    "CREATE TEMP TABLE like_stage2 (LIKE like_src)",
                    "INSERT INTO like_stage2 (id, s) VALUES (1, 'é!')")
                .error())
        .isEqualTo("ERROR: value too long for type character varying(2)");
  }

  @Test
  void lockWorksInABatchAndAlone() {
    stack.ok("CREATE TABLE \"public\".\"_redstage_load_markers\" (topic VARCHAR(256), p INT)");
    stack.okBatch(
        "LOCK \"public\".\"_redstage_load_markers\";",
        "INSERT INTO \"public\".\"_redstage_load_markers\" VALUES ('t', 0)");
    stack.ok("LOCK TABLE \"public\".\"_redstage_load_markers\"");
    assertThat(stack.scalar("SELECT count(*) FROM _redstage_load_markers")).isEqualTo("1");
  }

  @Test
  void loaderDedupInsertPatternRuns() {
    stack.ok(
        "CREATE TABLE dedup_t (\"topic\" VARCHAR(256), \"partition\" INT, \"offset\" BIGINT, v VARCHAR(10))");
    stack.ok(
        "CREATE TABLE dedup_markers (topic VARCHAR(256), p INT, start_offset BIGINT, end_offset BIGINT)");
    stack.ok("INSERT INTO dedup_markers VALUES ('t', 0, 0, 1)");
    DescribeStatementResponse d =
        stack.runBatch(
            "CREATE TEMP TABLE \"stage_x\" (\"topic\" VARCHAR(65535), \"partition\" INT, \"offset\" BIGINT, \"v\" VARCHAR(10))",
            "INSERT INTO stage_x VALUES ('t', 0, 0, 'old'), ('t', 0, 2, 'a'), ('t', 0, 2, 'a'), ('t', 0, 3, 'b')",
            "INSERT INTO \"public\".\"dedup_t\" (\"topic\",\"partition\",\"offset\",\"v\") SELECT \"topic\",\"partition\",\"offset\",\"v\" "
                + "FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY \"topic\", \"partition\", \"offset\" ORDER BY \"offset\") AS rn "
                + "FROM \"stage_x\") s WHERE rn = 1 AND NOT EXISTS (SELECT 1 FROM \"public\".\"dedup_markers\" m "
                + "WHERE m.topic = s.\"topic\" AND m.p = s.\"partition\" AND s.\"offset\" BETWEEN m.start_offset AND m.end_offset)");
    assertThat(d.status()).isEqualTo(StatusString.FINISHED);
    assertThat(d.subStatements().get(2).resultRows()).isEqualTo(2);
    assertThat(
            stack.scalar(
                "SELECT listagg_check FROM (SELECT string_agg(v, ',' ORDER BY \"offset\") AS listagg_check FROM dedup_t) x"))
        .isEqualTo("a,b");
  }

  @Test
  void mergeUpdatesAndInserts() {
    stack.ok("CREATE TABLE merge_t (id INT, v VARCHAR(10))");
    stack.ok("INSERT INTO merge_t VALUES (1, 'old'), (2, 'keep')");
    DescribeStatementResponse d =
        stack.runBatch(
            "CREATE TEMP TABLE merge_s (id INT, v VARCHAR(10))",
            "INSERT INTO merge_s VALUES (1, 'new'), (3, 'ins')",
            "MERGE INTO merge_t USING merge_s ON merge_t.id = merge_s.id WHEN MATCHED THEN UPDATE SET v = merge_s.v "
                + "WHEN NOT MATCHED THEN INSERT (id, v) VALUES (merge_s.id, merge_s.v)");
    assertThat(d.status()).isEqualTo(StatusString.FINISHED);
    assertThat(stack.scalar("SELECT string_agg(id || '=' || v, ',' ORDER BY id) FROM merge_t"))
        .isEqualTo("1=new,2=keep,3=ins");
  }

  @Test
  void mergeWithDuplicateSourceKeysFailsWithRedshiftsError() {
    stack.ok("CREATE TABLE merge_dup_t (id INT, v VARCHAR(10))");
    stack.ok("INSERT INTO merge_dup_t VALUES (1, 'old')");
    DescribeStatementResponse d =
        stack.runBatch(
            "CREATE TEMP TABLE merge_dup_s (id INT, v VARCHAR(10))",
            "INSERT INTO merge_dup_s VALUES (1, 'a'), (1, 'b')",
            "MERGE INTO merge_dup_t USING merge_dup_s s ON merge_dup_t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v "
                + "WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)");
    assertThat(d.error()).isEqualTo("ERROR: Found multiple matches to update the same tuple.");
  }

  @Test
  void mergeRemoveDuplicatesIsOutsideTheScopeAndRefused() {
    stack.ok("CREATE TABLE merge_rd_t (id INT, v VARCHAR(10))");
    stack.ok("CREATE TABLE merge_rd_s (id INT, v VARCHAR(10))");
    assertThat(
            stack.error(
                "MERGE INTO merge_rd_t USING merge_rd_s ON merge_rd_t.id = merge_rd_s.id REMOVE DUPLICATES"))
        .startsWith("ERROR: Cannot run MERGE ... REMOVE DUPLICATES: the Redshift sandbox does not");
  }

  @Test
  void mergeFromAViewIsRefused() {
    stack.ok("CREATE TABLE merge_v_t (id INT)");
    stack.ok("CREATE VIEW merge_v AS SELECT 1 AS id");
    assertThat(
            stack.error(
                "MERGE INTO merge_v_t USING merge_v ON merge_v_t.id = merge_v.id WHEN MATCHED THEN DELETE"))
        .contains("USING source must be a table");
  }

  @Test
  void deleteUsingAndDeleteWithoutFrom() {
    stack.ok("CREATE TABLE del_t (id INT)");
    stack.ok("INSERT INTO del_t VALUES (1), (2), (3)");
    stack.ok("CREATE TABLE del_s (id INT)");
    stack.ok("INSERT INTO del_s VALUES (2)");
    assertThat(stack.ok("DELETE FROM del_t USING del_s WHERE del_t.id = del_s.id").resultRows())
        .isEqualTo(1);
    stack.ok("DELETE del_t WHERE id = 3");
    assertThat(stack.scalar("SELECT string_agg(id::varchar, ',') FROM del_t")).isEqualTo("1");
  }

  @Test
  void alterTableAddColumnOnePerStatement() {
    stack.ok("CREATE TABLE alter_t (a INT)");
    stack.ok("ALTER TABLE \"public\".\"alter_t\" ADD COLUMN \"X\" VARCHAR(256) ENCODE lzo");
    stack.ok("ALTER TABLE alter_t ADD body SUPER");
    assertThat(columnTypes("alter_t"))
        .containsExactly("a:integer::32:0", "x:character varying:256::", "body:super:::");
    assertThat(stack.error("ALTER TABLE alter_t ADD COLUMN p INT, ADD COLUMN q INT"))
        .contains("one column per statement");
    assertThat(stack.error("INSERT INTO alter_t (x) VALUES ('" + "é".repeat(129) + "')"))
        .isEqualTo("ERROR: value too long for type character varying(256)");
  }

  @Test
  void alterColumnTypeIsRefusedInATransactionAndMovesTheByteLimitOutside() {
    stack.ok("CREATE TABLE alter_type_t (s VARCHAR(2))");
    DescribeStatementResponse batch =
        stack.runBatch("ALTER TABLE alter_type_t ALTER COLUMN s TYPE VARCHAR(4)");
    assertThat(batch.error())
        .isEqualTo("ERROR: ALTER TABLE ALTER COLUMN cannot run inside a transaction block");
    stack.ok("ALTER TABLE alter_type_t ALTER COLUMN s TYPE VARCHAR(4)");
    stack.ok("INSERT INTO alter_type_t VALUES ('éé')");
    assertThat(stack.error("INSERT INTO alter_type_t VALUES ('ééé')"))
        .isEqualTo("ERROR: value too long for type character varying(4)");
  }

  @Test
  void identifiersFoldToLowercaseEvenWhenQuoted() {
    stack.ok("CREATE TABLE \"MixedCase\" (\"ColA\" INT)");
    stack.ok("INSERT INTO MIXEDCASE (cola) VALUES (1)");
    assertThat(stack.scalar("SELECT \"COLA\" FROM \"mixedcase\"")).isEqualTo("1");
    assertThat(columnTypes("mixedcase")).containsExactly("cola:integer::32:0");
  }

  @Test
  void theDocumentedDelimitedIdentifierExampleRunsEndToEnd() {
    // Redshift DG "Names and identifiers", Examples: a table "group" with a column this "is it"
    stack.ok("CREATE TABLE \"group\" (\"This \"\"IS IT\"\"\" CHAR(10))");
    stack.ok("INSERT INTO \"group\" VALUES ('x')");
    assertThat(stack.scalar("SELECT \"this \"\"is it\"\"\" FROM \"GROUP\""))
        .isEqualTo("x         ");
    assertThat(
            stack.scalar(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'group'"))
        .isEqualTo("this \"is it\"");
  }

  @Test
  void identifiersBeyondPostgresLimitAreRefusedClearly() {
    String name = "t".repeat(100);
    assertThat(stack.error("CREATE TABLE " + name + " (a INT)"))
        .contains("100 bytes long")
        .contains("Redshift allows 127")
        .contains("at most 63");
    stack.ok("CREATE TABLE " + "u".repeat(63) + " (a INT)");
    // bytes, not characters: 22 three-byte characters are 66 bytes
    assertThat(stack.error("CREATE TABLE " + "表".repeat(22) + " (a INT)"))
        .contains("66 bytes long");
    stack.ok("CREATE TABLE " + "表".repeat(21) + " (a INT)");
  }

  @Test
  void svvColumnsAndPgTableDefReportRedshiftTypes() {
    stack.ok("CREATE TABLE catalog_t (id BIGINT NOT NULL, s VARCHAR(20), j SUPER)");
    List<List<Field>> svv =
        stack.rows(
            "SELECT column_name, data_type, character_maximum_length FROM SVV_COLUMNS "
                + "WHERE table_schema = 'public' AND table_name = 'catalog_t' ORDER BY ordinal_position");
    assertThat(svv)
        .extracting(r -> r.get(0).stringValue() + "/" + r.get(1).stringValue())
        .containsExactly("id/bigint", "s/character varying", "j/super");
    List<List<Field>> def =
        stack.rows(
            "SELECT \"column\", type, notnull FROM pg_table_def WHERE tablename = 'catalog_t'");
    assertThat(def)
        .extracting(
            r ->
                r.get(0).stringValue()
                    + "/"
                    + r.get(1).stringValue()
                    + "/"
                    + r.get(2).booleanValue())
        .containsExactly("id/bigint/true", "s/character varying(20)/false", "j/super/false");
  }

  @Test
  void superAndRedshiftFunctionsWork() {
    stack.ok(
        "CREATE TABLE super_t (id INT IDENTITY(1,1), j SUPER, at TIMESTAMP DEFAULT GETDATE())");
    stack.ok("INSERT INTO super_t (j) VALUES (JSON_PARSE('{\"k\": [1, 2, {\"x\": null}]}'))");
    assertThat(stack.scalar("SELECT j FROM super_t")).isEqualTo("{\"k\":[1,2,{\"x\":null}]}");
    assertThat(stack.scalar("SELECT id FROM super_t")).isEqualTo("1");
    assertThat(stack.scalar("SELECT CAN_JSON_PARSE('{oops') ")).isEqualTo("false");
    assertThat(stack.scalar("SELECT NVL(NULL::int, 5)")).isEqualTo("5");
    assertThat(stack.scalar("SELECT DATEADD(day, 1, '2024-01-31'::timestamp)"))
        .isEqualTo("2024-02-01 00:00:00");
    assertThat(
            stack.scalar(
                "SELECT DATEDIFF(hour, '2024-01-01 00:59'::timestamp, '2024-01-01 02:01'::timestamp)"))
        .isEqualTo("2");
    assertThat(stack.scalar("SELECT SYSDATE <= GETDATE() + interval '1 second'")).isEqualTo("true");
    assertThat(
            stack.scalar(
                "SELECT JSON_EXTRACT_PATH_TEXT('{\"a\":{\"b\":\"c\"}}'::varchar, 'a', 'b')"))
        .isEqualTo("c");
  }

  @Test
  void hashTempTablesLiveForTheBatch() {
    DescribeStatementResponse d =
        stack.runBatch(
            "CREATE TABLE #hash_t (a INT)",
            "INSERT INTO #hash_t VALUES (7)",
            "SELECT a FROM #hash_t");
    assertThat(d.status()).isEqualTo(StatusString.FINISHED);
    assertThat(stack.rowsOf(d.id() + ":3").get(0).get(0).longValue()).isEqualTo(7L);
  }

  @Test
  void truncateCommitsTheOpenTransactionAsInRedshift() {
    stack.ok("CREATE TABLE trunc_a (a INT)");
    stack.ok("CREATE TABLE trunc_b (a INT)");
    DescribeStatementResponse d =
        stack.runBatch(
            "INSERT INTO trunc_a VALUES (1)",
            "TRUNCATE trunc_b",
            "INSERT INTO trunc_a VALUES (2)",
            "SELECT * FROM missing_for_trunc");
    assertThat(d.status()).isEqualTo(StatusString.FAILED);
    assertThat(stack.scalar("SELECT string_agg(a::varchar, ',') FROM trunc_a")).isEqualTo("1");
  }

  @Test
  void vacuumIsRefusedInsideATransactionBlock() {
    stack.ok("VACUUM");
    DescribeStatementResponse d = stack.runBatch("SELECT 1", "VACUUM DELETE ONLY trunc_a");
    assertThat(d.error()).isEqualTo("ERROR: VACUUM cannot run inside a transaction block");
    assertThat(d.subStatements())
        .extracting(SubStatementData::status)
        .containsExactly(StatementStatusString.FINISHED, StatementStatusString.FAILED);
  }

  @Test
  void beginAndEndInsideABatchAreAccepted() {
    stack.ok("CREATE TABLE begin_end_t (a INT)");
    stack.okBatch("BEGIN", "INSERT INTO begin_end_t VALUES (1)", "END");
    assertThat(stack.scalar("SELECT count(*) FROM begin_end_t")).isEqualTo("1");
  }

  @Test
  void aTransactionLeftOpenEndsWithItsStatementAndRollsBack() {
    stack.ok("CREATE TABLE begin_open_t (a INT)");
    stack.ok("BEGIN; INSERT INTO begin_open_t VALUES (1)");
    assertThat(stack.scalar("SELECT count(*) FROM begin_open_t")).isEqualTo("0");
    stack.ok("BEGIN; INSERT INTO begin_open_t VALUES (2); COMMIT");
    assertThat(stack.scalar("SELECT count(*) FROM begin_open_t")).isEqualTo("1");
  }

  @Test
  void redshiftOnlySettingsAreAccepted() {
    stack.ok("SET enable_case_sensitive_identifier TO false");
    stack.ok("SET query_group TO 'loader'");
  }

  @Test
  void caseSensitiveIdentifiersCannotBeTurnedOn() {
    assertThat(stack.error("SET enable_case_sensitive_identifier TO true"))
        .startsWith("ERROR: Cannot turn on enable_case_sensitive_identifier");
  }

  @Test
  void createSchemaIfNotExistsAndQualifiedTables() {
    stack.ok("CREATE SCHEMA IF NOT EXISTS analytics");
    stack.ok(
        "CREATE TABLE IF NOT EXISTS \"analytics\".\"page_views\" (\"ts\" TIMESTAMP, \"url\" VARCHAR(2048)) DISTSTYLE AUTO");
    stack.ok(
        "INSERT INTO analytics.page_views VALUES ('2024-05-06 07:08:09', 'https://example.com')");
    assertThat(stack.scalar("SELECT ts FROM analytics.page_views"))
        .isEqualTo("2024-05-06 07:08:09");
  }
}
