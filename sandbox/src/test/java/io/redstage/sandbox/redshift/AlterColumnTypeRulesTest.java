package io.redstage.sandbox.redshift;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redshift's limits on ALTER COLUMN TYPE, enforced by the stand-in, and the table design it keeps
 * from CREATE TABLE (DISTSTYLE, SORTKEY, ENCODE) in PG_TABLE_DEF and SVV_TABLE_INFO.
 */
class AlterColumnTypeRulesTest {
  private static SandboxStack stack;

  @BeforeAll
  static void start() {
    stack = SandboxStack.start();
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  @Test
  void wideningWorksOutsideATransactionOnly() {
    stack.ok("CREATE TABLE rules_tx (s VARCHAR(4))");
    assertThat(
            stack
                .runBatch(
                    "INSERT INTO rules_tx VALUES ('ab')",
                    "ALTER TABLE rules_tx ALTER COLUMN s TYPE VARCHAR(8)")
                .error())
        .isEqualTo("ERROR: ALTER TABLE ALTER COLUMN cannot run inside a transaction block");
    assertThat(stack.scalar("SELECT count(*) FROM rules_tx"))
        .as("the batch rolled back")
        .isEqualTo("0");
    stack.ok("ALTER TABLE rules_tx ALTER COLUMN s TYPE VARCHAR(8)");
    stack.ok("INSERT INTO rules_tx VALUES ('abcdefgh')");
    assertThat(stack.scalar("SELECT count(*) FROM rules_tx")).isEqualTo("1");
  }

  @Test
  void shrinkingBelowTheLongestValueIsRefusedAboveItAllowed() {
    stack.ok("CREATE TABLE rules_shrink (s VARCHAR(16))");
    stack.ok("INSERT INTO rules_shrink VALUES ('ééé')");
    assertThat(stack.error("ALTER TABLE rules_shrink ALTER COLUMN s TYPE VARCHAR(5)"))
        .as("6 bytes do not fit 5, although 3 characters would")
        .isEqualTo(
            "ERROR: target column size should be greater or equal to current maximum column size");
    stack.ok("ALTER TABLE rules_shrink ALTER COLUMN s TYPE VARCHAR(6)");
  }

  @Test
  void refusedEncodingsDefaultsAndOtherTypes() {
    stack.ok(
        "CREATE TABLE rules_enc (a VARCHAR(8) ENCODE bytedict, b VARCHAR(8) ENCODE runlength, "
            + "c VARCHAR(8) ENCODE text255, d VARCHAR(8) ENCODE TEXT32K, e VARCHAR(8) ENCODE zstd, "
            + "f VARCHAR(8) DEFAULT 'x', g CHAR(8), h INT)");
    for (String col : new String[] {"a", "b", "c", "d"}) {
      assertThat(stack.error("ALTER TABLE rules_enc ALTER COLUMN " + col + " TYPE VARCHAR(16)"))
          .startsWith("ERROR: ALTER TABLE ALTER COLUMN TYPE is not supported for columns with ")
          .contains("encoding");
    }
    stack.ok("ALTER TABLE rules_enc ALTER COLUMN e TYPE VARCHAR(16)");
    stack.ok("ALTER TABLE rules_enc ALTER COLUMN a ENCODE lzo");
    stack.ok("ALTER TABLE rules_enc ALTER COLUMN a TYPE VARCHAR(16)");
    assertThat(
            stack.scalar(
                "SELECT encoding FROM pg_table_def WHERE tablename = 'rules_enc' AND \"column\" = 'a'"))
        .as("a re-encoded column can be widened")
        .isEqualTo("lzo");
    stack.ok("ALTER TABLE rules_enc ADD COLUMN z VARCHAR(8) ENCODE bytedict");
    assertThat(stack.error("ALTER TABLE rules_enc ALTER COLUMN z TYPE VARCHAR(16)"))
        .contains("BYTEDICT encoding");
    assertThat(stack.error("ALTER TABLE rules_enc ALTER COLUMN f TYPE VARCHAR(16)"))
        .contains("default value");
    assertThat(stack.error("ALTER TABLE rules_enc ALTER COLUMN g TYPE VARCHAR(16)"))
        .contains("only supported for VARCHAR columns");
    assertThat(stack.error("ALTER TABLE rules_enc ALTER COLUMN h TYPE BIGINT"))
        .contains("ALTER COLUMN TYPE only changes the length of a VARCHAR column");
  }

  @Test
  void createTableDesignShowsInPgTableDefAndSvvTableInfo() {
    stack.ok(
        "CREATE TABLE IF NOT EXISTS public.design_t (id BIGINT, name VARCHAR(64), ts TIMESTAMP) "
            + "DISTSTYLE AUTO SORTKEY (ts) ENCODE AUTO");
    assertThat(
            stack.scalar(
                "SELECT diststyle || '|' || sortkey1 || '|' || sortkey_num || '|' || encoded "
                    + "FROM svv_table_info WHERE \"table\" = 'design_t'"))
        .isEqualTo("AUTO(ALL)|ts|1|Y, AUTO(ENCODE)");
    assertThat(
            stack
                .rows(
                    "SELECT \"column\" || ':' || encoding || ':' || sortkey FROM pg_table_def "
                        + "WHERE tablename = 'design_t' ORDER BY \"column\"")
                .stream()
                .map(r -> r.get(0).stringValue())
                .toList())
        .containsExactly("id:az64:0", "name:lzo:0", "ts:none:1");
    stack.ok("CREATE TABLE public.design_none (id BIGINT ENCODE raw) SORTKEY AUTO");
    assertThat(
            stack.scalar(
                "SELECT sortkey1 || '|' || encoded FROM svv_table_info WHERE \"table\" = 'design_none'"))
        .isEqualTo("AUTO(SORTKEY)|Y");
    stack.ok("DROP TABLE public.design_none");
    stack.ok("CREATE TABLE public.design_none (id BIGINT) DISTSTYLE EVEN");
    assertThat(
            stack.scalar(
                "SELECT diststyle || '|' || sortkey_num FROM svv_table_info WHERE \"table\" = 'design_none'"))
        .as("a dropped table's design is forgotten")
        .isEqualTo("EVEN|0");
  }
}
