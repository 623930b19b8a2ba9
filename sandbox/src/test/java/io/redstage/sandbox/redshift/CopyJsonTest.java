package io.redstage.sandbox.redshift;

import static io.redstage.sandbox.redshift.CopyAvroTest.map;
import static io.redstage.sandbox.redshift.SandboxStack.BUCKET;
import static io.redstage.sandbox.redshift.SandboxStack.IAM_ROLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;

/** COPY ... JSON 'auto' | 'auto ignorecase', from JSON written by Jackson. */
class CopyJsonTest {
  private static SandboxStack stack;

  @BeforeAll
  static void start() {
    stack = SandboxStack.start();
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  private static String put(String key, byte[] data) {
    stack.put(key, data);
    return "s3://" + BUCKET + "/" + key;
  }

  private static String copy(String table, String url, String extra) {
    return "COPY "
        + table
        + " FROM '"
        + url
        + "' IAM_ROLE '"
        + IAM_ROLE
        + "' FORMAT AS JSON 'auto' "
        + extra;
  }

  private static String describeError(DescribeStatementResponse d) {
    return stack.scalar(
        "SELECT line_number || '|' || column_name || '|' || error_code || '|' || error_message "
            + "FROM sys_load_error_detail WHERE query_id = "
            + d.redshiftQueryId());
  }

  @Test
  void autoMapsLowercaseKeysIgnoresOthersAndDefaultsMissingColumns() {
    stack.ok(
        "CREATE TABLE js_auto (id BIGINT, name VARCHAR(20), status VARCHAR(10) DEFAULT 'new', note VARCHAR(10))");
    String url =
        put(
            "js/auto.json",
            TestFiles.jsonLines(
                List.of(
                    map("id", 1, "name", "ann", "unknown", true, "Note", "ignored: uppercase key"),
                    map("name", "bob", "id", 2, "status", "old"))));
    stack.ok(copy("js_auto", url, ""));
    assertThat(stack.rows("SELECT id, name, status, note FROM js_auto ORDER BY id"))
        .extracting(r -> r.stream().map(SandboxStack::text).toList())
        .containsExactly(
            java.util.Arrays.asList("1", "ann", "new", null),
            java.util.Arrays.asList("2", "bob", "old", null));
  }

  @Test
  void autoIgnorecaseMatchesKeysInAnyCase() {
    stack.ok("CREATE TABLE js_ic (id BIGINT, note VARCHAR(20))");
    String url = put("js/ic.json", TestFiles.jsonLines(List.of(map("ID", 1, "Note", "kept"))));
    stack.ok(
        "COPY js_ic FROM '"
            + url
            + "' IAM_ROLE '"
            + IAM_ROLE
            + "' FORMAT AS JSON 'auto ignorecase'");
    assertThat(stack.rows("SELECT id, note FROM js_ic").get(0))
        .extracting(SandboxStack::text)
        .containsExactly("1", "kept");
  }

  @Test
  void nestedValuesLoadIntoSuperAndAsJsonTextIntoVarchar() {
    stack.ok("CREATE TABLE js_nested (payload SUPER, payload_text VARCHAR(100), scalar SUPER)");
    String url =
        put(
            "js/nested.json",
            ("{\"payload\": {\"a\": [1, 2.50, null]}, \"payload_text\": {\"b\": true}, "
                    + "\"scalar\": \"s\"}\n")
                .getBytes(StandardCharsets.UTF_8));
    stack.ok(copy("js_nested", url, ""));
    assertThat(stack.rows("SELECT payload, payload_text, scalar FROM js_nested").get(0))
        .extracting(SandboxStack::text)
        .containsExactly("{\"a\":[1,2.50,null]}", "{\"b\":true}", "\"s\"");
  }

  @Test
  void gzipInputIsDecompressed() throws IOException {
    stack.ok("CREATE TABLE js_compressed (id BIGINT)");
    byte[] plain = TestFiles.jsonLines(List.of(map("id", 1), map("id", 2)));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(plain);
    }
    stack.ok(copy("js_compressed", put("js/data.json.gz", gz.toByteArray()), "GZIP"));
    assertThat(stack.scalar("SELECT count(*) FROM js_compressed")).isEqualTo("2");
    assertThat(stack.error(copy("js_compressed", put("js/data.json.zst", plain), "ZSTD")))
        .contains("the Redshift sandbox decompresses GZIP only");
  }

  @Test
  void timeformatAutoAcceptsIsoTimestampsTheDefaultDoesNot() {
    stack.ok("CREATE TABLE js_time (ts TIMESTAMP, tstz TIMESTAMPTZ)");
    String url =
        put(
            "js/time.json",
            TestFiles.jsonLines(
                List.of(map("ts", "2024-05-06T07:08:09.5", "tstz", "2024-05-06T07:08:09Z"))));
    DescribeStatementResponse d = stack.run(copy("js_time", url, ""));
    assertThat(d.status()).isEqualTo(StatusString.FAILED);
    assertThat(describeError(d))
        .isEqualTo("1|ts|1206|Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS]");
    stack.ok(copy("js_time", url, "TIMEFORMAT 'auto'"));
    assertThat(stack.rows("SELECT ts, tstz FROM js_time").get(0))
        .extracting(SandboxStack::text)
        .containsExactly("2024-05-06 07:08:09.5", "2024-05-06 07:08:09+00");
  }

  @Test
  void dateformatAutoReadsCommonLayoutsTheDefaultOnlyIso() {
    stack.ok("CREATE TABLE js_date (d DATE)");
    String url = put("js/date.json", TestFiles.jsonLines(List.of(map("d", "06/05/2024"))));
    assertThat(stack.run(copy("js_date", url, "")).status()).isEqualTo(StatusString.FAILED);
    stack.ok(copy("js_date", url, "DATEFORMAT 'auto'"));
    assertThat(stack.scalar("SELECT d FROM js_date")).isEqualTo("2024-06-05");
  }

  @Test
  void explicitAndEpochFormatsAreRefusedByName() {
    stack.ok("CREATE TABLE js_formats (ts TIMESTAMP, d DATE)");
    String url = put("js/formats.json", TestFiles.jsonLines(List.of(map("ts", 1))));
    assertThat(stack.error(copy("js_formats", url, "TIMEFORMAT 'epochmillisecs'")))
        .isEqualTo(
            "ERROR: Cannot use TIMEFORMAT 'epochmillisecs': the Redshift sandbox reads the default "
                + "format and 'auto' only (its scope is in docs/redshift-sandbox.md). Use "
                + "TIMEFORMAT 'auto' or leave it out.");
    assertThat(stack.error(copy("js_formats", url, "DATEFORMAT 'MM/DD/YYYY'")))
        .startsWith("ERROR: Cannot use DATEFORMAT 'MM/DD/YYYY'");
  }

  @Test
  void emptyValuesAreNullInNonCharacterColumnsOnly() {
    stack.ok("CREATE TABLE js_blank (a VARCHAR(5), b VARCHAR(5), n INT)");
    String url =
        put("js/blank.json", TestFiles.jsonLines(List.of(map("a", "", "b", "  ", "n", ""))));
    stack.ok(copy("js_blank", url, ""));
    assertThat(stack.rows("SELECT a, b, n IS NULL FROM js_blank").get(0))
        .extracting(SandboxStack::text)
        .containsExactly("", "  ", "true");
  }

  @Test
  void aStringLongerThanTheColumnInBytesFailsTheLoad() {
    stack.ok("CREATE TABLE js_long (s VARCHAR(4))");
    // three characters, five bytes
    String url = put("js/long.json", TestFiles.jsonLines(List.of(map("s", "aéé"))));
    DescribeStatementResponse d = stack.run(copy("js_long", url, ""));
    assertThat(describeError(d)).isEqualTo("1|s|1204|String length exceeds DDL length");
    assertThat(stack.scalar("SELECT count(*) FROM js_long")).isEqualTo("0");
  }

  @Test
  void invalidUtf8FailsTheLoadWithError1220() {
    stack.ok("CREATE TABLE js_utf8 (s VARCHAR(10))");
    byte[] bad = "{\"s\": \"a_b\"}\n".getBytes(StandardCharsets.UTF_8);
    bad[8] = (byte) 0xff;
    String url = put("js/utf8.json", bad);
    DescribeStatementResponse d = stack.run(copy("js_utf8", url, ""));
    assertThat(d.status()).isEqualTo(StatusString.FAILED);
    assertThat(describeError(d)).startsWith("1||1220|");
  }

  @Test
  void parametersOutsideTheScopeAreRefusedByName() {
    stack.ok("CREATE TABLE js_scope (s VARCHAR(10))");
    String url = put("js/scope.json", TestFiles.jsonLines(List.of(map("s", "a"))));
    for (String parameter :
        List.of("TRUNCATECOLUMNS", "ACCEPTINVCHARS", "EMPTYASNULL", "BLANKSASNULL")) {
      assertThat(stack.error(copy("js_scope", url, parameter)))
          .as(parameter)
          .isEqualTo(
              "ERROR: Cannot use COPY parameter "
                  + parameter
                  + ": the Redshift sandbox does not implement it (its scope is in "
                  + "docs/redshift-sandbox.md). Remove it from the COPY.");
    }
  }

  @Test
  void maxErrorSkipsBadLinesRecordsThemWithTheRawLineAndLoadsTheRest() {
    // the loader's load.json.max-errors: rejects are read back from the error views
    stack.ok("CREATE TABLE js_maxerror (id BIGINT, n INT)");
    String url =
        put(
            "js/maxerror.json",
            TestFiles.jsonLines(
                List.of(
                    map("id", 1, "n", 1),
                    map("id", 2, "n", "x"),
                    map("id", 3, "n", 3),
                    map("id", 4, "n", 3000000000L))));
    DescribeStatementResponse tooMany = stack.run(copy("js_maxerror", url, "MAXERROR 1"));
    assertThat(tooMany.status()).isEqualTo(StatusString.FAILED);
    assertThat(stack.scalar("SELECT count(*) FROM js_maxerror")).isEqualTo("0");

    DescribeStatementResponse d = stack.ok(copy("js_maxerror", url, "MAXERROR 2"));
    assertThat(d.resultRows()).isEqualTo(2);
    assertThat(stack.scalar("SELECT string_agg(id::varchar, ',' ORDER BY id) FROM js_maxerror"))
        .isEqualTo("1,3");
    assertThat(
            stack.rows(
                "SELECT line_number, colname, err_code, raw_line FROM stl_load_errors WHERE query = "
                    + d.redshiftQueryId()
                    + " ORDER BY line_number"))
        .extracting(r -> r.stream().map(SandboxStack::text).map(String::trim).toList())
        .containsExactly(
            List.of("2", "n", "1207", "{\"id\":2,\"n\":\"x\"}"),
            List.of("4", "n", "1204", "{\"id\":4,\"n\":3000000000}"));
  }

  /**
   * Whether Redshift fills ResultRows for a COPY is not documented (an SDK issue reported 0): with
   * the switch the sandbox answers 0 or -1 for a COPY, alone or in a batch, while the rows still
   * load and other statements keep their counts, so a client can be tested against that reading.
   */
  @Test
  void withTheSwitchACopyReportsTheConfiguredResultRows() {
    stack.ok("CREATE TABLE js_rows (id BIGINT)");
    stack.put(
        "js/rows.json", TestFiles.jsonLines(List.of(map("id", 1), map("id", 2), map("id", 3))));
    String url = "s3://" + BUCKET + "/js/rows.json";
    try {
      for (long reported : new long[] {0, -1}) {
        stack.redshift.faults().copyResultRows(reported);
        assertThat(stack.ok(copy("js_rows", url, "")).resultRows()).isEqualTo(reported);
        DescribeStatementResponse batch =
            stack.okBatch(copy("js_rows", url, ""), "INSERT INTO js_rows VALUES (4)");
        assertThat(batch.subStatements().get(0).resultRows()).isEqualTo(reported);
        assertThat(batch.subStatements().get(1).resultRows()).isEqualTo(1);
      }
      assertThat(stack.scalar("SELECT count(*) FROM js_rows")).isEqualTo("14");
    } finally {
      stack.redshift.faults().clear();
    }
    assertThat(stack.ok(copy("js_rows", url, "")).resultRows())
        .as("cleared: the rows loaded")
        .isEqualTo(3);
    assertThatThrownBy(() -> stack.redshift.faults().copyResultRows(5L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Cannot report 5 as the ResultRows of every COPY");
  }

  /**
   * Redshift loads VARBYTE from CSV, Parquet and ORC only (DG "Loading VARBYTE data"): a JSON COPY
   * into a VARBYTE column fails, while hex text staged as VARCHAR converts with FROM_HEX.
   */
  @Test
  void jsonIntoVarbyteIsRefusedAndHexConvertsWithFromHex() {
    stack.ok("CREATE TABLE js_varbyte (id BIGINT, b VARBYTE)");
    String url =
        put(
            "js/varbyte.json",
            TestFiles.jsonLines(List.of(map("id", 1, "b", "ca00ff"), map("id", 2, "b", null))));
    DescribeStatementResponse refused = stack.run(copy("js_varbyte", url, ""));
    assertThat(refused.status()).isEqualTo(StatusString.FAILED);
    assertThat(refused.error())
        .isEqualTo(
            "ERROR: Unsupported data type \"varbyte\" for column \"b\" in COPY from JSON. VARBYTE"
                + " loads only from CSV, Parquet and ORC: load the value as hex into a VARCHAR column"
                + " and convert it with FROM_HEX.");
    assertThat(stack.run(copy("js_varbyte (id)", url, "")).status())
        .as("a column list without the VARBYTE column loads")
        .isEqualTo(StatusString.FINISHED);

    stack.okBatch(
        "CREATE TEMP TABLE js_hex (id BIGINT, b VARCHAR(65535))",
        copy("js_hex", url, ""),
        "INSERT INTO js_varbyte SELECT id, FROM_HEX(b) FROM js_hex");
    assertThat(
            stack.scalar(
                "SELECT string_agg(id || ':' || coalesce(encode(b, 'hex'), 'null'), ',' ORDER BY id)"
                    + " FROM js_varbyte WHERE b IS NOT NULL OR id = 2"))
        .isEqualTo("1:ca00ff,2:null,2:null");
    assertThat(stack.run("SELECT FROM_HEX('xyz')").error()).contains("invalid hexadecimal");
  }

  @Test
  void nullOrMissingForANotNullColumnFails() {
    stack.ok("CREATE TABLE js_not_null (id BIGINT NOT NULL, v INT)");
    DescribeStatementResponse explicitNull =
        stack.run(
            copy(
                "js_not_null",
                put("js/nn1.json", "{\"id\": null}".getBytes(StandardCharsets.UTF_8)),
                ""));
    assertThat(describeError(explicitNull)).isEqualTo("1|id|1213|Missing data for not-null field");
    DescribeStatementResponse missing =
        stack.run(
            copy(
                "js_not_null",
                put("js/nn2.json", "{\"v\": 1}\n\n{\"v\": 2}".getBytes(StandardCharsets.UTF_8)),
                ""));
    assertThat(describeError(missing)).isEqualTo("1|id|1213|Missing data for not-null field");
  }

  @Test
  void invalidJsonFailsWithTheLineNumber() {
    stack.ok("CREATE TABLE js_invalid (id BIGINT)");
    DescribeStatementResponse d =
        stack.run(
            copy(
                "js_invalid",
                put(
                    "js/invalid.json",
                    "{\"id\": 1}\n{\"id\": 2}\n{\"id\": oops}\n".getBytes(StandardCharsets.UTF_8)),
                "MAXERROR 5"));
    assertThat(d.error()).contains("Load into table 'js_invalid' failed");
    assertThat(describeError(d)).startsWith("3||1216|Invalid JSON:");
    assertThat(stack.scalar("SELECT count(*) FROM js_invalid")).isEqualTo("0");
  }

  @Test
  void typeConversionFailuresAreRecordedWithColumnAndValue() {
    stack.ok("CREATE TABLE js_types (n INT, b BOOLEAN, f FLOAT8)");
    DescribeStatementResponse d =
        stack.run(
            copy(
                "js_types",
                put(
                    "js/types.json",
                    TestFiles.jsonLines(
                        List.of(map("n", 1, "b", "yes", "f", 1.5), map("n", 3000000000L)))),
                ""));
    assertThat(describeError(d))
        .isEqualTo("2|n|1204|Overflow, 3000000000 (Integer valid range -2147483648 to 2147483647)");
    assertThat(
            stack.scalar(
                "SELECT raw_field_value FROM stl_load_errors WHERE query = " + d.redshiftQueryId()))
        .isEqualTo("3000000000");
  }

  /**
   * DG copy-parameters-data-conversion: COPY truncates a value to the column's scale (20.259 into
   * DECIMAL(8,2) is 20.25) and rounds it only with ROUNDEC (20.26).
   */
  @Test
  void decimalsAreTruncatedToTheColumnsScaleAndRoundedOnlyWithRoundec() {
    stack.ok("CREATE TABLE js_scale (id BIGINT, amount DECIMAL(8,2))");
    String url =
        put(
            "js/scale.json",
            ("{\"id\": 1, \"amount\": 20.259}\n"
                    + "{\"id\": 2, \"amount\": 20.251}\n"
                    + "{\"id\": 3, \"amount\": -20.259}\n"
                    + "{\"id\": 4, \"amount\": \"20.255\"}\n")
                .getBytes(StandardCharsets.UTF_8));
    stack.ok(copy("js_scale", url, ""));
    assertThat(amounts("js_scale")).containsExactly("20.25", "20.25", "-20.25", "20.25");
    stack.ok("TRUNCATE js_scale");
    stack.ok(copy("js_scale", url, "ROUNDEC"));
    assertThat(amounts("js_scale")).containsExactly("20.26", "20.25", "-20.26", "20.26");
  }

  private static List<String> amounts(String table) {
    return stack.rows("SELECT amount FROM " + table + " ORDER BY id").stream()
        .map(r -> SandboxStack.text(r.get(0)))
        .toList();
  }

  @Test
  void statupdateAndCompupdateAreAccepted() {
    stack.ok("CREATE TABLE js_flags (id BIGINT)");
    DescribeStatementResponse d =
        stack.ok(
            copy(
                "js_flags",
                put("js/flags.json", TestFiles.jsonLines(List.of(map("id", 1)))),
                "STATUPDATE OFF COMPUPDATE OFF"));
    assertThat(d.resultRows()).isEqualTo(1);
  }

  @Test
  void aManifestWithoutMetaIsFineForJson() {
    stack.ok("CREATE TABLE js_manifest (id BIGINT)");
    String a = put("js-m/a.json", TestFiles.jsonLines(List.of(map("id", 1))));
    stack.put("js-m/m.manifest", TestFiles.manifest(List.of(a, a), null, null));
    stack.ok(
        "COPY js_manifest FROM 's3://"
            + BUCKET
            + "/js-m/m.manifest' IAM_ROLE '"
            + IAM_ROLE
            + "' MANIFEST JSON 'auto'");
    assertThat(stack.scalar("SELECT count(*) FROM js_manifest"))
        .as("a file listed twice loads twice")
        .isEqualTo("2");
  }

  static List<Field> row(String sql) {
    return stack.rows(sql).get(0);
  }
}
