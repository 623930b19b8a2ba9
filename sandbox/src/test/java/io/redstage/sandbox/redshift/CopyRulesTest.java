package io.redstage.sandbox.redshift;

import static io.redstage.sandbox.redshift.CopyAvroTest.map;
import static io.redstage.sandbox.redshift.SandboxStack.BUCKET;
import static io.redstage.sandbox.redshift.SandboxStack.IAM_ROLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Manifest, S3 and command rules of COPY, each with Redshift's error text. */
class CopyRulesTest {
  private static SandboxStack stack;
  private static final Schema ONE =
      TestFiles.avroSchema(
          """
      {"type":"record","name":"One","fields":[{"name":"id","type":"long"}]}""");
  private static byte[] parquetFile;

  @BeforeAll
  static void start() {
    stack = SandboxStack.start();
    stack.ok("CREATE TABLE rules_t (id BIGINT)");
    parquetFile = TestFiles.parquet(ONE, List.of(TestFiles.record(ONE, Map.of("id", 1L))));
    stack.put("rules/one.parquet", parquetFile);
    stack.put("rules/one.json", TestFiles.jsonLines(List.of(map("id", 1))));
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  private static final String ONE_PARQUET = "s3://" + BUCKET + "/rules/one.parquet";
  private static final String ONE_JSON = "s3://" + BUCKET + "/rules/one.json";

  private static String manifest(String name, byte[] content) {
    stack.put("rules/" + name, content);
    return "s3://" + BUCKET + "/rules/" + name;
  }

  private static String parquetCopy(String manifestUrl) {
    return "COPY rules_t FROM '"
        + manifestUrl
        + "' IAM_ROLE '"
        + IAM_ROLE
        + "' MANIFEST FORMAT AS PARQUET";
  }

  private static String jsonCopy(String manifestUrl) {
    return "COPY rules_t FROM '"
        + manifestUrl
        + "' IAM_ROLE '"
        + IAM_ROLE
        + "' MANIFEST FORMAT AS JSON 'auto'";
  }

  @Test
  void theManifestMustBeValidJson() {
    String url = manifest("broken.manifest", "{\"entries\": [".getBytes(StandardCharsets.UTF_8));
    assertThat(stack.error(jsonCopy(url)))
        .startsWith("ERROR: Manifest file is not in correct json format");
  }

  @Test
  void theManifestMustExist() {
    assertThat(stack.error(jsonCopy("s3://" + BUCKET + "/rules/nothing.manifest")))
        .isEqualTo(
            "ERROR: Problem reading manifest file - S3ServiceException:The specified key does not exist.,Status 404,Error NoSuchKey");
  }

  @Test
  void aMandatoryEntryMustExist() {
    String missing = "s3://" + BUCKET + "/rules/missing.json";
    String url =
        manifest(
            "mandatory.manifest",
            TestFiles.manifest(List.of(ONE_JSON, missing), null, List.of(true, true)));
    assertThat(stack.error(jsonCopy(url)))
        .startsWith(
            "ERROR: S3ServiceException:The specified key does not exist.,Status 404,Error NoSuchKey")
        .contains("mandatory manifest entry " + missing);
  }

  @Test
  void aMissingOptionalEntryIsSkipped() {
    stack.ok("CREATE TABLE rules_optional (id BIGINT)");
    String url =
        manifest(
            "optional.manifest",
            TestFiles.manifest(
                List.of(ONE_JSON, "s3://" + BUCKET + "/rules/gone.json"),
                null,
                List.of(true, false)));
    stack.ok(
        "COPY rules_optional FROM '" + url + "' IAM_ROLE '" + IAM_ROLE + "' MANIFEST JSON 'auto'");
    assertThat(stack.scalar("SELECT count(*) FROM rules_optional")).isEqualTo("1");
  }

  @Test
  void copyFailsWhenNoFileIsFound() {
    String url =
        manifest(
            "none.manifest",
            TestFiles.manifest(
                List.of("s3://" + BUCKET + "/rules/gone.json"), null, List.of(false)));
    assertThat(stack.error(jsonCopy(url))).contains("lists no file that exists");
  }

  @Test
  void parquetEntriesNeedMetaContentLength() {
    String url = manifest("no-meta.manifest", TestFiles.manifest(List.of(ONE_PARQUET), null, null));
    assertThat(stack.error(parquetCopy(url)))
        .startsWith("ERROR: File entry does not have 'meta' key.")
        .contains("15003");
  }

  @Test
  void aContentLengthLargerThanTheObjectFailsWith416() {
    String url =
        manifest(
            "long.manifest",
            TestFiles.manifest(List.of(ONE_PARQUET), List.of(parquetFile.length + 100L), null));
    assertThat(stack.error(parquetCopy(url))).contains("416").contains("InvalidRange");
  }

  @Test
  void aContentLengthSmallerThanTheObjectBreaksTheParquetFooter() {
    String url =
        manifest(
            "short.manifest",
            TestFiles.manifest(List.of(ONE_PARQUET), List.of(parquetFile.length - 10L), null));
    assertThat(stack.error(parquetCopy(url)))
        .startsWith("ERROR: Spectrum Scan Error.")
        .contains("is not a valid Parquet file");
  }

  @Test
  void theExactContentLengthLoads() {
    stack.ok("CREATE TABLE rules_exact (id BIGINT)");
    String url =
        manifest(
            "exact.manifest",
            TestFiles.manifest(List.of(ONE_PARQUET), List.of((long) parquetFile.length), null));
    stack.ok(
        "COPY rules_exact FROM '"
            + url
            + "' IAM_ROLE '"
            + IAM_ROLE
            + "' MANIFEST FORMAT AS PARQUET");
    assertThat(stack.scalar("SELECT id FROM rules_exact")).isEqualTo("1");
  }

  @Test
  void manifestEntriesNeedAFullObjectPath() {
    String url =
        manifest(
            "prefix.manifest",
            TestFiles.manifest(List.of("s3://" + BUCKET + "/rules/"), null, null));
    assertThat(stack.error(jsonCopy(url)))
        .startsWith("ERROR: COPY with MANIFEST parameter requires full path of an S3 object")
        .contains("8001");
  }

  @Test
  void credentialsAreRequired() {
    assertThat(stack.error("COPY rules_t FROM '" + ONE_JSON + "' FORMAT AS JSON 'auto'"))
        .isEqualTo(
            "ERROR: Invalid credentials. Must be of the format: credentials 'aws_iam_role=...' or "
                + "'aws_access_key_id=...;aws_secret_access_key=...[;token=...]'");
  }

  @Test
  void credentialsStringAndAccessKeysAreAccepted() {
    stack.ok("CREATE TABLE rules_creds (id BIGINT)");
    stack.ok(
        "COPY rules_creds FROM '"
            + ONE_JSON
            + "' CREDENTIALS 'aws_iam_role="
            + IAM_ROLE
            + "' JSON 'auto'");
    stack.ok(
        "COPY rules_creds FROM '"
            + ONE_JSON
            + "' ACCESS_KEY_ID 'AKID' SECRET_ACCESS_KEY 'secret' JSON 'auto'");
    assertThat(stack.scalar("SELECT count(*) FROM rules_creds")).isEqualTo("2");
  }

  @Test
  void copyIntoAMissingTableFails() {
    assertThat(
            stack.error(
                "COPY no_table FROM '" + ONE_JSON + "' IAM_ROLE '" + IAM_ROLE + "' JSON 'auto'"))
        .isEqualTo("ERROR: Cannot COPY into nonexistent table no_table");
  }

  @Test
  void unsupportedFormatsAreRefusedClearly() {
    assertThat(stack.error("COPY rules_t FROM '" + ONE_JSON + "' IAM_ROLE '" + IAM_ROLE + "' CSV"))
        .contains("Cannot COPY in CSV format");
    assertThat(stack.error("COPY rules_t FROM '" + ONE_JSON + "' IAM_ROLE '" + IAM_ROLE + "'"))
        .contains("delimited text");
    assertThat(
            stack.error(
                "COPY rules_t FROM '"
                    + ONE_JSON
                    + "' IAM_ROLE '"
                    + IAM_ROLE
                    + "' JSON 's3://b/paths.json'"))
        .contains("'noshred' and JSONPaths files are outside it");
  }

  @Test
  void aMissingBucketIsReportedAsS3Does() {
    assertThat(
            stack.error(
                "COPY rules_t FROM 's3://no-such-bucket-here/x.json' IAM_ROLE '"
                    + IAM_ROLE
                    + "' JSON 'auto'"))
        .startsWith(
            "ERROR: S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket");
  }
}
