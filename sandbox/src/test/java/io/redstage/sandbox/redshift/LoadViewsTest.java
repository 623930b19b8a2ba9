package io.redstage.sandbox.redshift;

import static io.redstage.sandbox.redshift.CopyAvroTest.map;
import static io.redstage.sandbox.redshift.SandboxStack.BUCKET;
import static io.redstage.sandbox.redshift.SandboxStack.IAM_ROLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;

/**
 * SYS_LOAD_HISTORY, SYS_LOAD_ERROR_DETAIL, STL_LOAD_ERRORS, STL_LOAD_COMMITS and pg_last_copy_id().
 */
class LoadViewsTest {
  private static SandboxStack stack;

  @BeforeAll
  static void start() {
    stack = SandboxStack.start();
    stack.put("views/good.json", TestFiles.jsonLines(List.of(map("id", 1), map("id", 2))));
    stack.put("views/bad.json", TestFiles.jsonLines(List.of(map("id", 1), map("id", "two"))));
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  private static String copy(String table, String key) {
    return "COPY "
        + table
        + " FROM 's3://"
        + BUCKET
        + "/"
        + key
        + "' IAM_ROLE '"
        + IAM_ROLE
        + "' FORMAT AS JSON 'auto'";
  }

  @Test
  void everyCopyWritesOneLoadHistoryRow() {
    stack.ok("CREATE TABLE views_history (id BIGINT)");
    DescribeStatementResponse ok = stack.ok(copy("views_history", "views/good.json"));
    DescribeStatementResponse bad = stack.run(copy("views_history", "views/bad.json"));
    List<Field> done =
        stack
            .rows(
                "SELECT status, table_name, data_source, file_format, loaded_rows, source_file_count, "
                    + "error_count, duration >= 0 FROM sys_load_history WHERE query_id = "
                    + ok.redshiftQueryId())
            .get(0);
    assertThat(done)
        .extracting(SandboxStack::text)
        .containsExactly(
            "completed",
            "views_history",
            "s3://" + BUCKET + "/views/good.json",
            "json",
            "2",
            "1",
            "0",
            "true");
    List<Field> failed =
        stack
            .rows(
                "SELECT status, loaded_rows, error_count FROM sys_load_history WHERE query_id = "
                    + bad.redshiftQueryId())
            .get(0);
    assertThat(failed).extracting(SandboxStack::text).containsExactly("aborted", "0", "1");
  }

  @Test
  void loadErrorsSurviveTheRollbackAndShowFileLineColumnCodeAndMessage() {
    stack.ok("CREATE TABLE views_errors (id BIGINT)");
    DescribeStatementResponse bad = stack.run(copy("views_errors", "views/bad.json"));
    assertThat(bad.status()).isEqualTo(StatusString.FAILED);
    List<Field> detail =
        stack
            .rows(
                "SELECT file_name, line_number, column_name, column_type, error_code, error_message "
                    + "FROM sys_load_error_detail WHERE query_id = "
                    + bad.redshiftQueryId())
            .get(0);
    assertThat(detail)
        .extracting(SandboxStack::text)
        .containsExactly(
            "s3://" + BUCKET + "/views/bad.json",
            "2",
            "id",
            "int8",
            "1207",
            "Invalid digit, Value 't', Pos 0, Type: Long");
    List<Field> stl =
        stack
            .rows(
                "SELECT filename, line_number, colname, type, err_code, err_reason, raw_field_value, "
                    + "tbl > 0 FROM pg_catalog.stl_load_errors WHERE query = "
                    + bad.redshiftQueryId())
            .get(0);
    assertThat(stl)
        .extracting(SandboxStack::text)
        .containsExactly(
            "s3://" + BUCKET + "/views/bad.json",
            "2",
            "id",
            "int8",
            "1207",
            "Invalid digit, Value 't', Pos 0, Type: Long",
            "two",
            "true");
  }

  @Test
  void loadErrorsKeepTheFirst256CharactersOfAFileName() {
    // filename and file_name are character(256) in Redshift: a long key is cut, its end lost
    String key = "views/" + "long-topic-name.".repeat(20) + "/bad+0+00000000000000000000.json";
    stack.put(key, TestFiles.jsonLines(List.of(map("id", 1), map("id", "two"))));
    stack.ok("CREATE TABLE views_long_names (id BIGINT)");
    DescribeStatementResponse bad = stack.run(copy("views_long_names", key));
    assertThat(bad.status()).isEqualTo(StatusString.FAILED);
    String url = "s3://" + BUCKET + "/" + key;
    assertThat(url.length()).isGreaterThan(256);
    for (String sql :
        List.of(
            "SELECT file_name FROM sys_load_error_detail WHERE query_id = ",
            "SELECT filename FROM pg_catalog.stl_load_errors WHERE query = ")) {
      assertThat(stack.scalar(sql + bad.redshiftQueryId())).isEqualTo(url.substring(0, 256));
    }
  }

  @Test
  void pgLastCopyIdNamesTheBatchsCopy() {
    stack.ok("CREATE TABLE views_last (id BIGINT)");
    DescribeStatementResponse batch =
        stack.okBatch(copy("views_last", "views/good.json"), "SELECT pg_last_copy_id()");
    long copyQueryId = batch.subStatements().get(0).redshiftQueryId();
    List<Field> row = stack.rowsOf(batch.subStatements().get(1).id()).get(0);
    assertThat(row.get(0).longValue()).isEqualTo(copyQueryId);
  }

  @Test
  void loadCommitsListEachFileOfACommittedCopyOnly() {
    stack.ok("CREATE TABLE views_commits (id BIGINT)");
    DescribeStatementResponse committed = stack.ok(copy("views_commits", "views/good.json"));
    DescribeStatementResponse rolledBack =
        stack.runBatch(copy("views_commits", "views/good.json"), "SELECT 1/0");
    assertThat(rolledBack.status()).isEqualTo(StatusString.FAILED);
    assertThat(
            stack.rows(
                "SELECT filename, lines_scanned FROM stl_load_commits WHERE query = "
                    + committed.redshiftQueryId()))
        .extracting(r -> SandboxStack.text(r.get(0)) + "/" + SandboxStack.text(r.get(1)))
        .containsExactly("s3://" + BUCKET + "/views/good.json/2");
    assertThat(
            stack.scalar(
                "SELECT count(*) FROM stl_load_commits WHERE query = "
                    + rolledBack.subStatements().get(0).redshiftQueryId()))
        .isEqualTo("0");
  }
}
