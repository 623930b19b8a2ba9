package io.redstage.sandbox.redshift;

import static io.redstage.sandbox.redshift.SandboxStack.BUCKET;
import static io.redstage.sandbox.redshift.SandboxStack.IAM_ROLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;

/** COPY ... FORMAT AS AVRO 'auto' | 'auto ignorecase', from container files written by Avro. */
class CopyAvroTest {
  private static SandboxStack stack;

  private static final Schema USER =
      TestFiles.avroSchema(
          """
      {"type":"record","name":"User","fields":[
        {"name":"extra","type":"string"},
        {"name":"name","type":"string"},
        {"name":"id","type":"long"},
        {"name":"Country","type":["null","string"],"default":null}
      ]}""");

  @BeforeAll
  static void start() {
    stack = SandboxStack.start();
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  private static GenericRecord user(long id, String name, String country) {
    GenericRecord r = TestFiles.record(USER, Map.of("extra", "ignored", "name", name, "id", id));
    r.put("Country", country);
    return r;
  }

  private static String put(String key, byte[] avro) {
    stack.put(key, avro);
    return "s3://" + BUCKET + "/" + key;
  }

  private static String copy(String table, String url, String option) {
    return "COPY "
        + table
        + " FROM '"
        + url
        + "' IAM_ROLE '"
        + IAM_ROLE
        + "' FORMAT AS AVRO '"
        + option
        + "'";
  }

  @Test
  void autoMapsFieldsByNameInAnyOrderAndIgnoresExtraFields() {
    stack.ok(
        "CREATE TABLE av_users (id BIGINT, name VARCHAR(20), country VARCHAR(2), note VARCHAR(10) DEFAULT 'none', "
            + "missing_col INT)");
    String url =
        put(
            "av/users.avro",
            TestFiles.avro(
                USER,
                List.of(user(1, "ann", "DE"), user(2, "bob", null)),
                CodecFactory.nullCodec()));
    stack.ok(copy("av_users", url, "auto"));
    List<List<Field>> rows =
        stack.rows("SELECT id, name, country, note, missing_col FROM av_users ORDER BY id");
    assertThat(rows.get(0))
        .extracting(SandboxStack::text)
        .as("'auto' is case-sensitive: field Country does not match column country")
        .containsExactly("1", "ann", null, "none", null);
  }

  @Test
  void autoIgnorecaseMatchesFieldsInAnyCase() {
    stack.ok("CREATE TABLE av_users_ic (id BIGINT, name VARCHAR(20), country VARCHAR(2))");
    String url =
        put(
            "av/users-ic.avro",
            TestFiles.avro(USER, List.of(user(1, "ann", "DE")), CodecFactory.nullCodec()));
    stack.ok(copy("av_users_ic", url, "auto ignorecase"));
    assertThat(stack.rows("SELECT id, name, country FROM av_users_ic").get(0))
        .extracting(SandboxStack::text)
        .containsExactly("1", "ann", "DE");
  }

  @Test
  void aMissingFieldForANotNullColumnWithoutDefaultFails() {
    stack.ok("CREATE TABLE av_not_null (id BIGINT, required_col VARCHAR(5) NOT NULL)");
    String url =
        put(
            "av/not-null.avro",
            TestFiles.avro(USER, List.of(user(1, "ann", "DE")), CodecFactory.nullCodec()));
    DescribeStatementResponse d = stack.run(copy("av_not_null", url, "auto"));
    assertThat(d.error())
        .isEqualTo(
            "ERROR: Load into table 'av_not_null' failed. Check 'sys_load_error_detail' system view for details.");
    assertThat(
            stack
                .rows(
                    "SELECT line_number, column_name, error_code, error_message FROM sys_load_error_detail "
                        + "WHERE query_id = "
                        + d.redshiftQueryId())
                .get(0))
        .extracting(SandboxStack::text)
        .containsExactly("1", "required_col", "1213", "Missing data for not-null field");
  }

  @Test
  void complexTypesLoadAsJsonAndEnumsAsSymbols() {
    Schema schema =
        TestFiles.avroSchema(
            """
        {"type":"record","name":"C","fields":[
          {"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}},
          {"name":"tags","type":{"type":"array","items":"string"}},
          {"name":"props","type":{"type":"map","values":"long"}},
          {"name":"inner_rec","type":{"type":"record","name":"In","fields":[{"name":"x","type":"int"}]}}
        ]}""");
    GenericRecord inner = TestFiles.record(schema.getField("inner_rec").schema(), Map.of("x", 5));
    GenericRecord r =
        TestFiles.record(
            schema,
            Map.of(
                "color",
                new GenericData.EnumSymbol(schema.getField("color").schema(), "GREEN"),
                "tags",
                List.of("a", "b"),
                "props",
                Map.of("k", 1L),
                "inner_rec",
                inner));
    stack.ok(
        "CREATE TABLE av_complex (color VARCHAR(10), tags VARCHAR(100), props SUPER, inner_rec SUPER)");
    stack.ok(
        copy(
            "av_complex",
            put("av/complex.avro", TestFiles.avro(schema, List.of(r), CodecFactory.nullCodec())),
            "auto"));
    assertThat(stack.rows("SELECT color, tags, props, inner_rec FROM av_complex").get(0))
        .extracting(SandboxStack::text)
        .containsExactly("GREEN", "[\"a\",\"b\"]", "{\"k\":1}", "{\"x\":5}");
  }

  @Test
  void logicalTypesLoadAsDatesTimestampsAndDecimals() {
    Schema schema =
        TestFiles.avroSchema(
            """
        {"type":"record","name":"L","fields":[
          {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"ts_micros","type":{"type":"long","logicalType":"timestamp-micros"}},
          {"name":"d","type":{"type":"int","logicalType":"date"}},
          {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":3}}
        ]}""");
    GenericRecord r =
        TestFiles.record(
            schema,
            Map.of(
                "ts",
                86_400_000L + 1,
                "ts_micros",
                1_000_001L,
                "d",
                1,
                "amount",
                ByteBuffer.wrap(new BigDecimal("-12.345").unscaledValue().toByteArray())));
    stack.ok(
        "CREATE TABLE av_logical (ts TIMESTAMP, ts_micros TIMESTAMPTZ, d DATE, amount DECIMAL(10,3))");
    stack.ok(
        copy(
            "av_logical",
            put("av/logical.avro", TestFiles.avro(schema, List.of(r), CodecFactory.nullCodec())),
            "auto"));
    assertThat(stack.rows("SELECT ts, ts_micros, d, amount FROM av_logical").get(0))
        .extracting(SandboxStack::text)
        .containsExactly(
            "1970-01-02 00:00:00.001", "1970-01-01 00:00:01.000001+00", "1970-01-02", "-12.345");
  }

  @Test
  void deflateAndSnappyCodecsLoadOtherCodecsAreRejected() {
    stack.ok("CREATE TABLE av_codecs (id BIGINT, name VARCHAR(20))");
    stack.ok(
        copy(
            "av_codecs",
            put(
                "av/deflate.avro",
                TestFiles.avro(USER, List.of(user(1, "d", null)), CodecFactory.deflateCodec(6))),
            "auto"));
    stack.ok(
        copy(
            "av_codecs",
            put(
                "av/snappy.avro",
                TestFiles.avro(USER, List.of(user(2, "s", null)), CodecFactory.snappyCodec())),
            "auto"));
    assertThat(stack.scalar("SELECT count(*) FROM av_codecs")).isEqualTo("2");
    assertThat(
            stack.error(
                copy(
                    "av_codecs",
                    put(
                        "av/zstd.avro",
                        TestFiles.avro(
                            USER, List.of(user(3, "z", null)), CodecFactory.zstandardCodec(3))),
                    "auto")))
        .contains("Unsupported codec 'zstandard'");
  }

  @Test
  void maxErrorSkipsBadRowsAndRecordsThem() {
    Schema schema =
        TestFiles.avroSchema(
            """
        {"type":"record","name":"M","fields":[{"name":"code","type":"string"}]}""");
    stack.ok("CREATE TABLE av_maxerror (code INT)");
    String url =
        put(
            "av/maxerror.avro",
            TestFiles.avro(
                schema,
                List.of(
                    TestFiles.record(schema, Map.of("code", "1")),
                    TestFiles.record(schema, Map.of("code", "x2")),
                    TestFiles.record(schema, Map.of("code", "3"))),
                CodecFactory.nullCodec()));
    assertThat(stack.run(copy("av_maxerror", url, "auto")).status()).isEqualTo(StatusString.FAILED);
    DescribeStatementResponse d = stack.ok(copy("av_maxerror", url, "auto") + " MAXERROR 1");
    assertThat(d.resultRows()).isEqualTo(2);
    assertThat(stack.scalar("SELECT string_agg(code::varchar, ',' ORDER BY code) FROM av_maxerror"))
        .isEqualTo("1,3");
    assertThat(
            stack
                .rows(
                    "SELECT line_number, error_code, error_message FROM sys_load_error_detail WHERE query_id = "
                        + d.redshiftQueryId())
                .get(0))
        .extracting(SandboxStack::text)
        .containsExactly("2", "1207", "Invalid digit, Value 'x', Pos 0, Type: Integer");
    assertThat(
            stack.scalar(
                "SELECT error_count FROM sys_load_history WHERE query_id = " + d.redshiftQueryId()))
        .isEqualTo("1");
  }

  @Test
  void copyFromAPrefixLoadsEveryObjectUnderIt() {
    stack.ok("CREATE TABLE av_prefix (id BIGINT, name VARCHAR(20))");
    put(
        "av-prefix/a.avro",
        TestFiles.avro(USER, List.of(user(1, "a", null)), CodecFactory.nullCodec()));
    put(
        "av-prefix/b.avro",
        TestFiles.avro(USER, List.of(user(2, "b", null)), CodecFactory.nullCodec()));
    put(
        "av-prefixed-too.avro",
        TestFiles.avro(USER, List.of(user(3, "c", null)), CodecFactory.nullCodec()));
    stack.ok(copy("av_prefix", "s3://" + BUCKET + "/av-prefix", "auto"));
    assertThat(stack.scalar("SELECT count(*) FROM av_prefix"))
        .as("keys starting with the prefix")
        .isEqualTo("3");
    assertThat(stack.error(copy("av_prefix", "s3://" + BUCKET + "/no-such-prefix/", "auto")))
        .isEqualTo("ERROR: The specified S3 prefix 'no-such-prefix/' does not exist");
  }

  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
