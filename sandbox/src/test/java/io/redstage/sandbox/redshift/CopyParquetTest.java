package io.redstage.sandbox.redshift;

import static io.redstage.sandbox.redshift.SandboxStack.BUCKET;
import static io.redstage.sandbox.redshift.SandboxStack.IAM_ROLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;

/**
 * COPY ... FORMAT AS PARQUET with Redshift's columnar rules, from files written by parquet-java.
 */
class CopyParquetTest {
  private static SandboxStack stack;

  private static final Schema EVENT =
      TestFiles.avroSchema(
          """
      {"type":"record","name":"Event","fields":[
        {"name":"id","type":"long"},
        {"name":"name","type":["null","string"],"default":null},
        {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":18,"scale":2}},
        {"name":"created_at","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"day","type":{"type":"int","logicalType":"date"}},
        {"name":"flag","type":"boolean"},
        {"name":"score","type":"double"}
      ]}""");

  private static final String EVENT_DDL =
      "(id BIGINT NOT NULL, name VARCHAR(10), amount DECIMAL(18,2), "
          + "created_at TIMESTAMP, day DATE, flag BOOLEAN, score FLOAT8)";

  @BeforeAll
  static void start() {
    stack = SandboxStack.start();
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  private static GenericRecord event(long id, String name, String amount, long createdMillis) {
    GenericRecord r =
        TestFiles.record(
            EVENT,
            Map.of(
                "id",
                id,
                "amount",
                ByteBuffer.wrap(new BigDecimal(amount).unscaledValue().toByteArray()),
                "created_at",
                createdMillis,
                "day",
                19723,
                "flag",
                id % 2 == 0,
                "score",
                id * 1.5));
    r.put("name", name);
    return r;
  }

  /** Uploads files and a manifest with exact content lengths; returns the manifest URL. */
  private static String upload(String prefix, List<byte[]> files) {
    List<String> urls = new ArrayList<>();
    List<Long> lengths = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String key = prefix + "/part-" + i + ".parquet";
      stack.put(key, files.get(i));
      urls.add("s3://" + BUCKET + "/" + key);
      lengths.add((long) files.get(i).length);
    }
    stack.put(prefix + "/batch.manifest", TestFiles.manifest(urls, lengths, null));
    return "s3://" + BUCKET + "/" + prefix + "/batch.manifest";
  }

  private static String copy(String table, String manifestUrl) {
    return "COPY "
        + table
        + " FROM '"
        + manifestUrl
        + "' IAM_ROLE '"
        + IAM_ROLE
        + "' MANIFEST FORMAT AS PARQUET";
  }

  @Test
  void loadsEveryRowOfEveryFileByPosition() {
    stack.ok("CREATE TABLE pq_events " + EVENT_DDL);
    String manifest =
        upload(
            "pq-basic",
            List.of(
                TestFiles.parquet(
                    EVENT,
                    List.of(
                        event(1, "a", "12.34", 1_700_000_000_123L), event(2, null, "-0.50", 0))),
                TestFiles.parquet(EVENT, List.of(event(3, "ü", "99999.99", 1_000)))));
    DescribeStatementResponse d = stack.ok(copy("pq_events", manifest));
    assertThat(d.resultRows()).isEqualTo(3);
    List<List<Field>> rows =
        stack.rows(
            "SELECT id, name, amount, created_at, day, flag, score FROM pq_events ORDER BY id");
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0))
        .extracting(SandboxStack::text)
        .containsExactly(
            "1", "a", "12.34", "2023-11-14 22:13:20.123", "2024-01-01", "false", "1.5");
    assertThat(rows.get(1).get(1).isNull()).isTrue();
    assertThat(SandboxStack.text(rows.get(1).get(2))).isEqualTo("-0.50");
    assertThat(SandboxStack.text(rows.get(1).get(3))).isEqualTo("1970-01-01 00:00:00");
    assertThat(SandboxStack.text(rows.get(2).get(1))).isEqualTo("ü");
  }

  @Test
  void columnsMapByPositionNotByName() {
    Schema swapped =
        TestFiles.avroSchema(
            """
        {"type":"record","name":"S","fields":[{"name":"b","type":"string"},{"name":"a","type":"long"}]}""");
    stack.ok("CREATE TABLE pq_position (a VARCHAR(10), b BIGINT)");
    String manifest =
        upload(
            "pq-position",
            List.of(
                TestFiles.parquet(
                    swapped, List.of(TestFiles.record(swapped, Map.of("b", "text", "a", 7L))))));
    stack.ok(copy("pq_position", manifest));
    assertThat(stack.rows("SELECT a, b FROM pq_position").get(0))
        .extracting(SandboxStack::text)
        .containsExactly("text", "7");
  }

  @Test
  void fileAndTableMustHaveTheSameColumnCount() {
    stack.ok("CREATE TABLE pq_count (id BIGINT, name VARCHAR(10), extra INT)");
    Schema two =
        TestFiles.avroSchema(
            """
        {"type":"record","name":"T","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}""");
    String manifest =
        upload(
            "pq-count",
            List.of(
                TestFiles.parquet(
                    two, List.of(TestFiles.record(two, Map.of("id", 1L, "name", "x"))))));
    String error = stack.error(copy("pq_count", manifest));
    assertThat(error)
        .startsWith("ERROR: Spectrum Scan Error.")
        .contains(
            "Unmatched number of columns between table and file. Table columns: 3, Data columns: 2");
    assertThat(stack.scalar("SELECT count(*) FROM pq_count")).isEqualTo("0");
  }

  @Test
  void aColumnListSelectsTheColumnsTheFileFills() {
    stack.ok(
        "CREATE TABLE pq_collist (id BIGINT, name VARCHAR(10), loaded_at VARCHAR(10) DEFAULT 'dflt')");
    Schema two =
        TestFiles.avroSchema(
            """
        {"type":"record","name":"T","fields":[{"name":"id","type":"long"},{"name":"name","type":"string"}]}""");
    String manifest =
        upload(
            "pq-collist",
            List.of(
                TestFiles.parquet(
                    two, List.of(TestFiles.record(two, Map.of("id", 1L, "name", "x"))))));
    stack.ok(
        "COPY pq_collist (id, name) FROM '"
            + manifest
            + "' IAM_ROLE '"
            + IAM_ROLE
            + "' MANIFEST FORMAT AS PARQUET");
    assertThat(stack.rows("SELECT id, name, loaded_at FROM pq_collist").get(0))
        .extracting(SandboxStack::text)
        .containsExactly("1", "x", "dflt");
  }

  @Test
  void anIncompatibleParquetTypeFailsWithSpectrumsError() {
    stack.ok("CREATE TABLE pq_incompatible (id INTEGER)");
    Schema longs =
        TestFiles.avroSchema(
            """
        {"type":"record","name":"T","fields":[{"name":"id","type":"long"}]}""");
    String manifest =
        upload(
            "pq-incompatible",
            List.of(TestFiles.parquet(longs, List.of(TestFiles.record(longs, Map.of("id", 1L))))));
    assertThat(stack.error(copy("pq_incompatible", manifest)))
        .contains("has an incompatible Parquet schema for column")
        .contains("Column type: INT4, Parquet schema: required int64 id");
  }

  @Test
  void aConversionFailureFailsTheWholeCopyAndIsRecordedInTheErrorViews() {
    stack.ok("CREATE TABLE pq_too_long " + EVENT_DDL);
    String manifest =
        upload(
            "pq-too-long",
            List.of(
                TestFiles.parquet(EVENT, List.of(event(1, "ok", "1.00", 0))),
                TestFiles.parquet(
                    EVENT,
                    List.of(event(2, "fine", "1.00", 0), event(3, "much too long", "1.00", 0)))));
    DescribeStatementResponse d = stack.run(copy("pq_too_long", manifest));
    assertThat(d.status()).isEqualTo(StatusString.FAILED);
    assertThat(d.error())
        .isEqualTo(
            "ERROR: Load into table 'pq_too_long' failed. "
                + "Check 'sys_load_error_detail' system view for details.");
    assertThat(stack.scalar("SELECT count(*) FROM pq_too_long"))
        .as("a COPY is atomic")
        .isEqualTo("0");
    List<Field> err =
        stack
            .rows(
                "SELECT file_name, line_number, column_name, column_type, column_length, error_code, "
                    + "error_message FROM sys_load_error_detail WHERE query_id = "
                    + d.redshiftQueryId())
            .get(0);
    assertThat(err)
        .extracting(SandboxStack::text)
        .containsExactly(
            "s3://" + BUCKET + "/pq-too-long/part-1.parquet",
            "2",
            "name",
            "varchar",
            "10",
            "1204",
            "String length exceeds DDL length");
    assertThat(
            stack.scalar(
                "SELECT err_code FROM stl_load_errors WHERE query = " + d.redshiftQueryId()))
        .isEqualTo("1204");
  }

  @Test
  void aNullInANotNullColumnFails() {
    stack.ok("CREATE TABLE pq_not_null (name VARCHAR(10) NOT NULL)");
    Schema opt =
        TestFiles.avroSchema(
            """
        {"type":"record","name":"T","fields":[{"name":"name","type":["null","string"],"default":null}]}""");
    String manifest =
        upload(
            "pq-not-null",
            List.of(TestFiles.parquet(opt, List.of(TestFiles.record(opt, Map.of())))));
    DescribeStatementResponse d = stack.run(copy("pq_not_null", manifest));
    assertThat(d.error()).contains("Load into table 'pq_not_null' failed");
    assertThat(
            stack.scalar(
                "SELECT error_code || ' ' || error_message FROM sys_load_error_detail WHERE query_id = "
                    + d.redshiftQueryId()))
        .isEqualTo("1213 Missing data for not-null field");
  }

  @Test
  void aDecimalThatDoesNotFitOverflows() {
    stack.ok(
        "CREATE TABLE pq_decimal (id BIGINT NOT NULL, name VARCHAR(10), amount DECIMAL(4,2), created_at TIMESTAMP, "
            + "day DATE, flag BOOLEAN, score FLOAT8)");
    String manifest =
        upload(
            "pq-decimal", List.of(TestFiles.parquet(EVENT, List.of(event(1, "x", "123.45", 0)))));
    DescribeStatementResponse d = stack.run(copy("pq_decimal", manifest));
    assertThat(d.status()).isEqualTo(StatusString.FAILED);
    assertThat(
            stack.scalar(
                "SELECT error_code || ' ' || error_message FROM sys_load_error_detail WHERE query_id = "
                    + d.redshiftQueryId()))
        .isEqualTo("1204 Numeric data overflow (result precision)");
  }

  @Test
  void nestedColumnsIntoSuperNeedSerializeToJson() {
    Schema nested =
        TestFiles.avroSchema(
            """
        {"type":"record","name":"N","fields":[{"name":"id","type":"long"},
         {"name":"attrs","type":{"type":"record","name":"A","fields":[{"name":"k","type":"string"},
           {"name":"tags","type":{"type":"array","items":"string"}}]}}]}""");
    Schema attrs = nested.getField("attrs").schema();
    GenericRecord a = TestFiles.record(attrs, Map.of("k", "v", "tags", List.of("x", "y")));
    stack.ok("CREATE TABLE pq_nested (id BIGINT, attrs SUPER)");
    String manifest =
        upload(
            "pq-nested",
            List.of(
                TestFiles.parquet(
                    nested, List.of(TestFiles.record(nested, Map.of("id", 1L, "attrs", a))))));
    assertThat(stack.error(copy("pq_nested", manifest)))
        .contains("Invalid type")
        .contains("SERIALIZETOJSON");
    stack.ok(copy("pq_nested", manifest) + " SERIALIZETOJSON");
    assertThat(stack.scalar("SELECT attrs FROM pq_nested"))
        .isEqualTo("{\"k\":\"v\",\"tags\":[\"x\",\"y\"]}");
  }

  @Test
  void physicalAndLogicalTypesConvert() {
    MessageType schema =
        Types.buildMessage()
            .required(PrimitiveTypeName.INT32)
            .as(LogicalTypeAnnotation.intType(16, true))
            .named("small")
            .required(PrimitiveTypeName.INT32)
            .as(LogicalTypeAnnotation.decimalType(2, 9))
            .named("dec32")
            .required(PrimitiveTypeName.INT64)
            .as(LogicalTypeAnnotation.decimalType(3, 18))
            .named("dec64")
            .required(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY)
            .length(16)
            .as(LogicalTypeAnnotation.decimalType(4, 38))
            .named("decfixed")
            .required(PrimitiveTypeName.INT64)
            .as(LogicalTypeAnnotation.timestampType(false, LogicalTypeAnnotation.TimeUnit.MICROS))
            .named("ts_local")
            .required(PrimitiveTypeName.INT64)
            .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
            .named("ts_utc")
            .required(PrimitiveTypeName.INT96)
            .named("ts96")
            .required(PrimitiveTypeName.INT64)
            .as(LogicalTypeAnnotation.timeType(false, LogicalTypeAnnotation.TimeUnit.MICROS))
            .named("t")
            .required(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY)
            .length(16)
            .as(LogicalTypeAnnotation.uuidType())
            .named("u")
            .required(PrimitiveTypeName.BINARY)
            .named("raw")
            .required(PrimitiveTypeName.FLOAT)
            .named("f")
            .named("exotic");
    UUID uuid = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
    long micros =
        Instant.parse("2024-03-04T05:06:07.123456Z").getEpochSecond() * 1_000_000 + 123456;
    byte[] file =
        TestFiles.parquet(
            schema,
            w -> {
              Group g = w.newGroup();
              g.add("small", -123);
              g.add("dec32", 12345);
              g.add("dec64", -987654L);
              g.add(
                  "decfixed",
                  Binary.fromConstantByteArray(
                      fixed16(new BigDecimal("1234.5678").unscaledValue().toByteArray())));
              g.add("ts_local", micros);
              g.add("ts_utc", micros);
              g.add("ts96", int96(LocalDate.of(2001, 2, 3), 3_600_000_000_001L));
              g.add("t", 45_296_000_001L);
              g.add(
                  "u",
                  Binary.fromConstantByteArray(
                      ByteBuffer.allocate(16)
                          .putLong(uuid.getMostSignificantBits())
                          .putLong(uuid.getLeastSignificantBits())
                          .array()));
              g.add("raw", Binary.fromConstantByteArray(new byte[] {1, 2, (byte) 0xff}));
              g.add("f", 0.25f);
              w.write(g);
            });
    stack.ok(
        "CREATE TABLE pq_exotic (small SMALLINT, dec32 DECIMAL(9,2), dec64 DECIMAL(18,3), decfixed DECIMAL(38,4), "
            + "ts_local TIMESTAMP, ts_utc TIMESTAMPTZ, ts96 TIMESTAMP, t TIME, u VARCHAR(36), raw VARBYTE(8), f REAL)");
    stack.ok(copy("pq_exotic", upload("pq-exotic", List.of(file))));
    List<Field> row = stack.rows("SELECT * FROM pq_exotic").get(0);
    assertThat(row.subList(0, 10))
        .extracting(SandboxStack::text)
        .containsExactly(
            "-123",
            "123.45",
            "-987.654",
            "1234.5678",
            "2024-03-04 05:06:07.123456",
            "2024-03-04 05:06:07.123456+00",
            "2001-02-03 01:00:00",
            "12:34:56.000001",
            uuid.toString(),
            null);
    assertThat(row.get(9).blobValue().asByteArray()).containsExactly(1, 2, 0xff);
    assertThat(row.get(10).doubleValue()).isEqualTo(0.25);
  }

  @Test
  void invalidUtf8FailsTheLoadWithError1220() {
    MessageType schema =
        Types.buildMessage()
            .required(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType())
            .named("s")
            .named("bad");
    byte[] file =
        TestFiles.parquet(
            schema,
            w -> {
              Group g = w.newGroup();
              g.add("s", Binary.fromConstantByteArray(new byte[] {'a', (byte) 0xc3, 'b'}));
              w.write(g);
            });
    stack.ok("CREATE TABLE pq_utf8 (s VARCHAR(10))");
    String manifest = upload("pq-utf8", List.of(file));
    DescribeStatementResponse d = stack.run(copy("pq_utf8", manifest));
    assertThat(d.status()).isEqualTo(StatusString.FAILED);
    assertThat(
            stack.scalar(
                "SELECT error_code FROM sys_load_error_detail WHERE query_id = "
                    + d.redshiftQueryId()))
        .isEqualTo("1220");
  }

  @Test
  void regionAndMaxErrorAreRejectedForParquet() {
    stack.ok("CREATE TABLE pq_params (id BIGINT)");
    String base =
        "COPY pq_params FROM 's3://"
            + BUCKET
            + "/x.manifest' IAM_ROLE '"
            + IAM_ROLE
            + "' MANIFEST FORMAT AS PARQUET";
    assertThat(stack.error(base + " REGION 'us-west-2'"))
        .isEqualTo("ERROR: REGION argument is not supported for PARQUET based COPY");
    assertThat(stack.error(base + " MAXERROR 10"))
        .isEqualTo("ERROR: MAXERROR argument is not supported for PARQUET based COPY");
    assertThat(stack.error(base + " TIMEFORMAT 'auto'"))
        .isEqualTo("ERROR: TIMEFORMAT argument is not supported for PARQUET based COPY");
    assertThat(stack.error(base + " ROUNDEC"))
        .isEqualTo("ERROR: ROUNDEC argument is not supported for PARQUET based COPY");
  }

  @Test
  void theLoaderBatchLoadsThroughATempStageInOneTransaction() {
    stack.ok(
        "CREATE TABLE pq_target (id BIGINT NOT NULL, name VARCHAR(10), amount DECIMAL(18,2), created_at TIMESTAMP, "
            + "day DATE, flag BOOLEAN, score FLOAT8) DISTSTYLE AUTO");
    stack.ok("CREATE TABLE pq_markers (batch VARCHAR(64))");
    String manifest =
        upload(
            "pq-loader",
            List.of(
                TestFiles.parquet(
                    EVENT,
                    List.of(
                        event(1, "a", "1.00", 0),
                        event(1, "a", "1.00", 0),
                        event(2, "b", "2.00", 0)))));
    DescribeStatementResponse d =
        stack.runBatch(
            "LOCK pq_markers",
            "CREATE TEMP TABLE \"stage_x\" (\"id\" BIGINT, \"name\" VARCHAR(65535), \"amount\" DECIMAL(18,2), "
                + "\"created_at\" TIMESTAMP, \"day\" DATE, \"flag\" BOOL, \"score\" FLOAT8)",
            "COPY \"stage_x\" FROM '"
                + manifest
                + "' IAM_ROLE '"
                + IAM_ROLE
                + "' MANIFEST FORMAT AS PARQUET",
            "INSERT INTO pq_target SELECT id, name, amount, created_at, day, flag, score FROM "
                + "(SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY id) AS rn FROM stage_x) s WHERE rn = 1",
            "INSERT INTO pq_markers VALUES ('b-1')");
    assertThat(d.status()).isEqualTo(StatusString.FINISHED);
    assertThat(d.subStatements().get(2).resultRows()).isEqualTo(3);
    assertThat(d.subStatements().get(3).resultRows()).isEqualTo(2);
    assertThat(stack.scalar("SELECT count(*) FROM pq_target")).isEqualTo("2");
  }

  @Test
  void aCopyInABatchRollsBackWhenALaterStatementFails() {
    stack.ok("CREATE TABLE pq_rollback " + EVENT_DDL);
    String manifest =
        upload("pq-rollback", List.of(TestFiles.parquet(EVENT, List.of(event(1, "a", "1.00", 0)))));
    DescribeStatementResponse d =
        stack.runBatch(copy("pq_rollback", manifest), "SELECT * FROM no_table_here");
    assertThat(d.status()).isEqualTo(StatusString.FAILED);
    assertThat(stack.scalar("SELECT count(*) FROM pq_rollback")).isEqualTo("0");
    assertThat(
            stack.scalar(
                "SELECT status FROM sys_load_history WHERE query_id = "
                    + d.subStatements().get(0).redshiftQueryId()))
        .as("the load history keeps the COPY's own outcome")
        .isEqualTo("completed");
  }

  private static byte[] fixed16(byte[] twosComplement) {
    byte[] out = new byte[16];
    byte pad = (byte) (twosComplement[0] < 0 ? 0xff : 0);
    java.util.Arrays.fill(out, pad);
    System.arraycopy(twosComplement, 0, out, 16 - twosComplement.length, twosComplement.length);
    return out;
  }

  private static Binary int96(LocalDate day, long nanosOfDay) {
    ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(nanosOfDay);
    b.putInt((int) (day.toEpochDay() + 2440588));
    return Binary.fromConstantByteArray(b.array());
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
