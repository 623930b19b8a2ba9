package io.redstage.loader.sql;

import static io.redstage.loader.TestUnits.col;
import static io.redstage.loader.TestUnits.columns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerFile;
import io.redstage.loader.TestUnits;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.BatchPlanner;
import io.redstage.loader.batch.FileSchema;
import io.redstage.loader.discovery.Unit;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LoadSqlBuilderTest {
  static final UUID ID = UUID.fromString("00000000-0000-0000-0000-000000000001");
  static final TableRef T = TableRef.of("public", "orders");
  static final MetadataColumns META = TestUnits.defaultMetadata(Set.of());
  static final TableSettings APPEND =
      new TableSettings(TableSettings.Mode.APPEND, List.of(), List.of(), List.of(), META);
  private final ControlTables control =
      new ControlTables(
          TableRef.of("public", "_redstage_load_markers"),
          TableRef.of("public", "_redstage_quarantine"),
          TableRef.of("public", "_redstage_load_failures"));
  private final String loaded = control.loadedIntervals(T).table().sql();
  private final TypeMapping types = new TypeMapping(65535);
  private final LoadSqlBuilder builder =
      new LoadSqlBuilder(control, new CopySql("arn:aws:iam::123456789012:role/loader", 0), types);
  private final SchemaEvolution evolution = new SchemaEvolution(types, true, true);

  private List<String> sql(Batch b, TableSettings s) {
    TablePlan plan =
        evolution.plan(b.table(), null, b.groups().stream().map(g -> g.schema()).toList(), s);
    return builder
        .statements(
            b,
            plan,
            s,
            g -> "s3://bucket/m/" + g.index() + ".json",
            Instant.parse("2026-01-02T03:04:05.678Z"))
        .statements();
  }

  private LoadTransaction transaction(Batch b, TableSettings s) {
    TablePlan plan =
        evolution.plan(b.table(), null, b.groups().stream().map(g -> g.schema()).toList(), s);
    return builder.statements(
        b, plan, s, g -> "s3://bucket/m/" + g.index() + ".json", Instant.EPOCH);
  }

  private static Batch batch(Unit... units) {
    return batch(T, units);
  }

  private static Batch batch(TableRef table, Unit... units) {
    return new BatchPlanner(1L << 40, 1000, 8, 2000, () -> ID).build(table, List.of(units));
  }

  @Test
  void appendTransactionLocksStagesCopiesDedupesAndRecordsMarkers() {
    TableSettings s = APPEND;
    List<String> sql =
        sql(batch(TestUnits.simple("orders", 0, 0, 99), TestUnits.simple("orders", 0, 50, 120)), s);
    assertThat(sql.get(0)).isEqualTo("LOCK " + loaded);
    assertThat(sql.get(1))
        .startsWith(
            "CREATE TABLE IF NOT EXISTS \"public\".\"orders\" (\"id\" BIGINT, \"name\" VARCHAR(65535))");
    assertThat(sql.get(2))
        .isEqualTo(
            "CREATE TEMP TABLE \"rs_stage_1\" (\"id\" BIGINT, \"name\" VARCHAR(65535), \"kafka_topic\" VARCHAR(65535), "
                + "\"kafka_partition\" INTEGER, \"kafka_offset\" BIGINT, \"kafka_timestamp\" TIMESTAMP)");
    assertThat(sql.get(3))
        .isEqualTo(
            "COPY \"rs_stage_1\" FROM 's3://bucket/m/1.json' IAM_ROLE 'arn:aws:iam::123456789012:role/loader' "
                + "FORMAT AS PARQUET MANIFEST STATUPDATE OFF");
    assertThat(sql.get(4))
        .startsWith(
            "CREATE TEMP TABLE \"rs_rows\" AS SELECT \"id\", \"name\", \"kafka_topic\", \"kafka_partition\", \"kafka_offset\" FROM")
        .contains(
            "ROW_NUMBER() OVER (PARTITION BY \"u\".\"kafka_topic\", \"u\".\"kafka_partition\", \"u\".\"kafka_offset\"")
        .contains(
            "WHERE NOT EXISTS (SELECT 1 FROM "
                + loaded
                + " \"m\" WHERE "
                + "\"m\".topic = \"u\".\"kafka_topic\" AND \"m\".kafka_partition = \"u\".\"kafka_partition\" AND \"u\".\"kafka_offset\" "
                + "BETWEEN \"m\".start_offset AND \"m\".end_offset)")
        .endsWith("WHERE \"rs_rn\" = 1");
    assertThat(sql.get(5))
        .isEqualTo(
            "INSERT INTO \"public\".\"orders\" (\"id\", \"name\") SELECT \"id\", \"name\" FROM \"rs_rows\"");
    assertThat(sql.subList(6, 10))
        .first()
        .asString()
        .isEqualTo(
            "INSERT INTO "
                + loaded
                + " (topic, kafka_partition, start_offset, end_offset) VALUES ('orders', 0, 0, 99), ('orders', 0, 50, 120)");
    assertThat(sql.get(10))
        .startsWith("INSERT INTO \"public\".\"_redstage_load_markers\"")
        .contains(
            "('public.orders', 'orders', 0, 0, 99, '_redstage/markers/orders/0000000000/00000000000000000000+00000000000000000099.json', "
                + "'00000000-0000-0000-0000-000000000001', 100, CAST('2026-01-02 03:04:05.678' AS TIMESTAMP))")
        .contains("'orders', 0, 50, 120,");
    assertThat(sql).hasSize(11);
  }

  /**
   * After the COPYs of JSON Lines and Avro files (matched by column name, so a file rewritten with
   * renamed metadata columns stages NULLs), a statement whose cast fails on a row without its
   * topic, partition or offset; none for Parquet files, matched by position.
   */
  @Test
  void theCoordinatesCheckFollowsTheCopiesOfFilesMatchedByName() {
    for (FileFormat format : List.of(FileFormat.JSONL, FileFormat.AVRO)) {
      MarkerFile f =
          TestUnits.file("a." + format.id(), 10, 5, format, columns(col("id", Kind.INT64)));
      LoadTransaction tx =
          transaction(batch(TestUnits.unit("orders", 0, 0, 4, List.of(f))), APPEND);
      assertThat(tx.coordinatesCheck()).as(format.id()).isEqualTo(tx.copies().get(0) + 1);
      assertThat(tx.statements().get(tx.coordinatesCheck()))
          .isEqualTo(
              "SELECT \"g\", SUM(CAST(\"c\" AS INTEGER)), COUNT(*) FROM (SELECT 1 AS \"g\","
                  + " CASE WHEN \"kafka_topic\" IS NULL OR \"kafka_partition\" IS NULL OR"
                  + " \"kafka_offset\" IS NULL THEN 'row without Kafka topic, partition or offset: '"
                  + " || COALESCE(CAST(\"kafka_offset\" AS VARCHAR), '') END AS \"c\" FROM"
                  + " \"rs_stage_1\") \"k\" GROUP BY \"g\"");
    }
    LoadTransaction parquet = transaction(batch(TestUnits.simple("orders", 0, 0, 99)), APPEND);
    assertThat(parquet.coordinatesCheck()).isEqualTo(-1);
    assertThat(parquet.statements()).noneMatch(q -> q.contains("SUM(CAST("));
  }

  /** A unit of one Parquet file of {@code columns} string fields named by {@code nameFormat}. */
  private static Unit wideUnit(int columns, String nameFormat) {
    io.redstage.contract.MarkerColumn[] wide = new io.redstage.contract.MarkerColumn[columns];
    for (int i = 0; i < columns; i++) {
      wide[i] = col(String.format(nameFormat, i), Kind.STRING);
    }
    return TestUnits.unit(
        "orders",
        0,
        0,
        9,
        List.of(TestUnits.file("wide.parquet", 10, 10, FileFormat.PARQUET, columns(wide))));
  }

  /**
   * A statement over the Data API's 100 KB used to reach the service, which refused it as a
   * ValidationException after the batch's S3 work, with advice about the connection settings.
   */
  @Test
  void aStatementOverTheDataApisSizeLimitIsRefusedBeforeItIsSent() {
    Unit u = wideUnit(1200, "a_rather_long_descriptive_field_name_%04d");

    assertThatThrownBy(() -> sql(batch(u), APPEND))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageStartingWith("Cannot load ")
        .hasMessageContaining("bytes, and the Data API takes at most 100000 per statement")
        .hasMessageContaining("give the fields shorter names");
    // a narrower file of the same kind fits
    assertThat(sql(batch(TestUnits.simple("orders", 0, 0, 9)), APPEND))
        .allSatisfy(q -> assertThat(q.length()).isLessThan(LoadSqlBuilder.MAX_STATEMENT_BYTES));
  }

  /**
   * A table of 1,590 columns (Redshift takes 1,600) with names of 24 characters loads: every
   * statement stays within the Data API's 100 KB. The rows table named each column four times per
   * staging group ("u"."c" and "c" AS "c"), twice its size now, and was refused from about 870.
   */
  @Test
  void aTableOfNearlyAllTheColumnsRedshiftTakesFitsTheStatementLimit() {
    Unit u = wideUnit(1590, "a_descriptive_field_%04d");

    assertThat(sql(batch(u), APPEND))
        .allSatisfy(
            q ->
                assertThat(q.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(LoadSqlBuilder.MAX_STATEMENT_BYTES));
  }

  /**
   * Too many statements: a batch of several units can be split, so the loader's batch bounds are
   * the advice; a unit alone never is, so the advice is about the topic's files.
   */
  @Test
  void tooManyStagingTablesNameTheWayOutForABatchAndForAUnitAlone() {
    List<MarkerFile> files = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      files.add(
          TestUnits.file(
              "v" + i + ".parquet",
              10,
              1,
              FileFormat.PARQUET,
              columns(col("id", Kind.INT64), col("f" + i, Kind.STRING))));
    }
    Unit alone = TestUnits.unit("orders", 0, 0, 19, files);
    assertThatThrownBy(() -> sql(batch(alone), APPEND))
        .isInstanceOf(TooManyStatementsException.class)
        .hasMessageContaining("its files need 20 staging tables")
        .hasMessageContaining("lower the connector's flush.size")
        .hasMessageNotContaining("batch.max-schemas");
    Unit other = TestUnits.simple("orders", 1, 0, 9);
    assertThatThrownBy(() -> sql(batch(alone, other), APPEND))
        .isInstanceOf(TooManyStatementsException.class)
        .hasMessageEndingWith("Lower batch.max-schemas or batch.max-files.");
  }

  @Test
  void differentSchemasGetTheirOwnStagingTablesUnionedByName() {
    TableSettings s = APPEND;
    MarkerFile v2 =
        TestUnits.file(
            "f2.parquet",
            10,
            5,
            FileFormat.PARQUET,
            columns(col("id", Kind.INT64), col("name", Kind.STRING), col("email", Kind.STRING)));
    List<String> sql =
        sql(
            batch(
                TestUnits.simple("orders", 0, 0, 4),
                TestUnits.unit("orders", 0, 5, 9, List.of(v2))),
            s);
    assertThat(sql).filteredOn(q -> q.startsWith("COPY ")).hasSize(2);
    String rows =
        sql.stream()
            .filter(q -> q.startsWith("CREATE TEMP TABLE \"rs_rows\""))
            .findFirst()
            .orElseThrow();
    assertThat(rows)
        .as(
            "the first branch names the union's columns; a bare column and later branches need no alias")
        .contains(
            "(SELECT \"id\", \"name\", CAST(NULL AS VARCHAR(65535)) AS \"email\", \"kafka_topic\", "
                + "\"kafka_partition\", \"kafka_offset\" FROM \"rs_stage_1\" UNION ALL SELECT \"id\", \"name\", "
                + "\"email\", \"kafka_topic\", \"kafka_partition\", \"kafka_offset\" FROM \"rs_stage_2\") \"u\"")
        .contains("FROM (SELECT \"u\".*, ROW_NUMBER() OVER (");
  }

  @Test
  void upsertKeepsLatestPerKeyAndDeletes() {
    TableSettings s =
        new TableSettings(
            TableSettings.Mode.UPSERT,
            List.of("id"),
            List.of("kafka_deleted", "__deleted"),
            List.of("__op"),
            META);
    MarkerFile f =
        TestUnits.file(
            "cdc.parquet",
            10,
            5,
            FileFormat.PARQUET,
            List.of(
                col("id", Kind.INT64),
                col("name", Kind.STRING),
                col("__op", Kind.STRING),
                col("__deleted", Kind.STRING),
                col("kafka_topic", Kind.STRING),
                col("kafka_partition", Kind.INT32),
                col("kafka_offset", Kind.INT64)));
    List<String> sql = sql(batch(TestUnits.unit("cdc", 0, 0, 4, List.of(f))), s);
    String rows =
        sql.stream()
            .filter(q -> q.startsWith("CREATE TEMP TABLE \"rs_rows\""))
            .findFirst()
            .orElseThrow();
    assertThat(rows)
        .contains(
            "PARTITION BY \"u\".\"id\", CASE WHEN \"u\".\"id\" IS NULL THEN \"u\".\"kafka_topic\" END, "
                + "CASE WHEN \"u\".\"id\" IS NULL THEN \"u\".\"kafka_partition\" END")
        .contains("ORDER BY \"u\".\"kafka_offset\" DESC")
        .contains(
            "(COALESCE(LOWER(\"u\".\"__deleted\") IN ('true', 't'), FALSE) OR COALESCE(\"u\".\"__op\" = 'd', FALSE)) AS \"rs_deleted\"");
    assertThat(sql)
        .contains(
            "DELETE FROM \"public\".\"orders\" USING \"rs_rows\" WHERE \"public\".\"orders\".\"id\" = \"rs_rows\".\"id\"");
    assertThat(sql)
        .anyMatch(
            q ->
                q.startsWith(
                        "INSERT INTO \"public\".\"orders\" (\"id\", \"name\", \"__op\", \"__deleted\") SELECT")
                    && q.endsWith("WHERE NOT \"rs_deleted\""));
    assertThat(sql)
        .as("without the order at the target there is nothing to keep tombstones against")
        .noneMatch(q -> q.contains(control.deletedKeys(T).table().table()));
  }

  /**
   * A delete flag of an integer type (is_deleted 0/1) was left out of the delete expression without
   * a word, and the key's deletes were upserted as live rows: not 0 is a delete now. A flag of any
   * other type is refused, naming the column, its type and the key, instead of being ignored.
   */
  @Test
  void anIntegerDeleteFlagIsADeleteWhenNotZeroAndAFlagOfAnotherTypeIsRefused() {
    TableSettings s =
        new TableSettings(
            TableSettings.Mode.UPSERT, List.of("id"), List.of("is_deleted"), List.of(), META);
    String rows =
        sql(batch(TestUnits.unit("cdc", 0, 0, 4, List.of(flagFile(Kind.INT32)))), s).stream()
            .filter(q -> q.startsWith("CREATE TEMP TABLE \"rs_rows\""))
            .findFirst()
            .orElseThrow();
    assertThat(rows).contains("(COALESCE(\"u\".\"is_deleted\" <> 0, FALSE)) AS \"rs_deleted\"");
    for (Kind other : List.of(Kind.FLOAT64, Kind.TIMESTAMP_MILLIS)) {
      Batch b = batch(TestUnits.unit("cdc", 0, 0, 4, List.of(flagFile(other))));
      assertThatThrownBy(() -> sql(b, s))
          .isInstanceOf(DeleteFlagTypeException.class)
          .hasMessageStartingWith(
              "Cannot load table public.orders in upsert mode: its delete flag column is_deleted"
                  + " (upsert.delete-flag-columns) is ")
          .hasMessageContaining("leave it out of upsert.delete-flag-columns.");
    }
  }

  private static MarkerFile flagFile(Kind flag) {
    return TestUnits.file(
        "cdc.parquet",
        10,
        5,
        FileFormat.PARQUET,
        columns(col("id", Kind.INT64), col("name", Kind.STRING), col("is_deleted", flag)));
  }

  @Test
  void mergeStrategyDeletesThenMerges() {
    TableSettings s =
        new TableSettings(
            TableSettings.Mode.UPSERT,
            List.of("id"),
            List.of("__deleted"),
            List.of(),
            META,
            TableSettings.UpsertStrategy.MERGE);
    MarkerFile f =
        TestUnits.file(
            "cdc.parquet",
            10,
            5,
            FileFormat.PARQUET,
            List.of(
                col("id", Kind.INT64),
                col("name", Kind.STRING),
                col("__deleted", Kind.STRING),
                col("kafka_topic", Kind.STRING),
                col("kafka_partition", Kind.INT32),
                col("kafka_offset", Kind.INT64)));
    List<String> sql = sql(batch(TestUnits.unit("cdc", 0, 0, 4, List.of(f))), s);
    assertThat(sql)
        .contains(
            "DELETE FROM \"public\".\"orders\" USING \"rs_rows\" WHERE \"public\".\"orders\".\"id\" = \"rs_rows\".\"id\" "
                + "AND \"rs_rows\".\"rs_deleted\"",
            "CREATE TEMP TABLE \"rs_upserts\" AS SELECT \"id\", \"name\", \"__deleted\" FROM \"rs_rows\" WHERE NOT \"rs_deleted\"",
            "MERGE INTO \"public\".\"orders\" USING \"rs_upserts\" ON \"public\".\"orders\".\"id\" = \"rs_upserts\".\"id\" "
                + "WHEN MATCHED THEN UPDATE SET \"name\" = \"rs_upserts\".\"name\", \"__deleted\" = \"rs_upserts\".\"__deleted\" "
                + "WHEN NOT MATCHED THEN INSERT (\"id\", \"name\", \"__deleted\") VALUES (\"rs_upserts\".\"id\", \"rs_upserts\".\"name\", "
                + "\"rs_upserts\".\"__deleted\")");
  }

  @ParameterizedTest
  @EnumSource(TableSettings.UpsertStrategy.class)
  void upsertWithTheOrderAtTheTargetKeepsTombstonesOfDeletedKeys(
      TableSettings.UpsertStrategy strategy) {
    MetadataColumns kept =
        TestUnits.defaultMetadata(Set.of("kafka_partition", "kafka_offset", "kafka_timestamp"));
    TableSettings s =
        new TableSettings(
            TableSettings.Mode.UPSERT,
            List.of("id"),
            List.of("kafka_deleted"),
            List.of(),
            kept,
            strategy);
    List<String> sql = sql(batch(TestUnits.simple("orders", 0, 0, 9)), s);
    String tomb = control.deletedKeys(T).table().sql();
    assertThat(control.deletedKeys(T).table().table())
        .startsWith("_redstage_load_markers__d_orders_")
        .hasSizeLessThanOrEqualTo(63)
        .isNotEqualTo(control.loadedIntervals(T).table().table());
    int create =
        sql.indexOf(
            "CREATE TABLE IF NOT EXISTS "
                + tomb
                + " (\"id\" BIGINT NOT NULL, \"kafka_timestamp\" TIMESTAMP, "
                + "\"kafka_partition\" INTEGER, \"kafka_offset\" BIGINT) DISTSTYLE AUTO SORTKEY (\"id\")");
    String newer =
        "(COALESCE(\"rs_rows\".\"kafka_timestamp\", CAST('0001-01-01 00:00:00' AS TIMESTAMP)) > "
            + "COALESCE("
            + tomb
            + ".\"kafka_timestamp\", CAST('0001-01-01 00:00:00' AS TIMESTAMP))";
    int dropOlder =
        indexOf(
            sql,
            "DELETE FROM "
                + tomb
                + " USING \"rs_rows\" WHERE "
                + tomb
                + ".\"id\" = \"rs_rows\".\"id\" AND "
                + newer);
    int targetDelete = indexOf(sql, "DELETE FROM \"public\".\"orders\" USING \"rs_rows\"");
    int record =
        indexOf(
            sql,
            "INSERT INTO "
                + tomb
                + " (\"id\", \"kafka_timestamp\", \"kafka_partition\", \"kafka_offset\") SELECT "
                + "\"id\", \"kafka_timestamp\", \"kafka_partition\", \"kafka_offset\" FROM \"rs_rows\" "
                + "WHERE \"rs_deleted\" AND \"id\" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                + tomb
                + " WHERE "
                + tomb
                + ".\"id\" = \"rs_rows\".\"id\") AND NOT EXISTS (SELECT 1 FROM \"public\".\"orders\" WHERE ");
    String skip =
        " AND NOT EXISTS (SELECT 1 FROM "
            + tomb
            + " WHERE "
            + tomb
            + ".\"id\" = \"rs_rows\".\"id\")";
    int write =
        strategy == TableSettings.UpsertStrategy.MERGE
            ? indexOf(sql, "CREATE TEMP TABLE \"rs_upserts\"")
            : indexOf(sql, "INSERT INTO \"public\".\"orders\"");
    assertThat(List.of(create, targetDelete, dropOlder, record, write))
        .as("create, target delete, drop older tombstones, record deletes, write rows")
        .isSorted()
        .doesNotContain(-1);
    assertThat(sql.get(write)).endsWith(skip);
  }

  private static int indexOf(List<String> sql, String prefix) {
    for (int i = 0; i < sql.size(); i++) {
      if (sql.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void aFieldNamedLikeTheRowNumberColumnGetsASuffixedRowNumber() {
    TableSettings s = APPEND;
    MarkerFile f =
        TestUnits.file(
            "clash.parquet",
            10,
            5,
            FileFormat.PARQUET,
            columns(col("id", Kind.INT64), col("rs_rn", Kind.STRING), col("RS_RN_1", Kind.STRING)));
    List<String> sql = sql(batch(TestUnits.unit("orders", 0, 0, 4, List.of(f))), s);
    String rows = sql.get(4);
    assertThat(rows)
        .as("rs_rn and rs_rn_1 (folded, as Redshift compares them) are columns: rs_rn_2 numbers")
        .startsWith(
            "CREATE TEMP TABLE \"rs_rows\" AS SELECT \"id\", \"rs_rn\", \"rs_rn_1\", \"kafka_topic\"")
        .contains("FROM (SELECT \"u\".*, ROW_NUMBER() OVER (")
        .contains(" ORDER BY \"u\".\"kafka_offset\") AS \"rs_rn_2\" FROM (")
        .endsWith("WHERE \"rs_rn_2\" = 1");
    assertThat(sql.get(5))
        .isEqualTo(
            "INSERT INTO \"public\".\"orders\" (\"id\", \"rs_rn\", \"rs_rn_1\") "
                + "SELECT \"id\", \"rs_rn\", \"rs_rn_1\" FROM \"rs_rows\"");
  }

  @ParameterizedTest
  @EnumSource(TableSettings.UpsertStrategy.class)
  void aFieldNamedLikeTheDeleteFlagGetsASuffixedDeleteFlag(TableSettings.UpsertStrategy strategy) {
    MetadataColumns kept =
        TestUnits.defaultMetadata(Set.of("kafka_partition", "kafka_offset", "kafka_timestamp"));
    TableSettings s =
        new TableSettings(
            TableSettings.Mode.UPSERT,
            List.of("id"),
            List.of("__deleted"),
            List.of(),
            kept,
            strategy);
    MarkerFile f =
        TestUnits.file(
            "clash.parquet",
            10,
            5,
            FileFormat.PARQUET,
            columns(
                col("id", Kind.INT64),
                col("rs_deleted", Kind.BOOLEAN),
                col("rs_rn", Kind.STRING),
                col("__deleted", Kind.STRING)));
    List<String> sql = sql(batch(TestUnits.unit("orders", 0, 0, 4, List.of(f))), s);
    String joined = String.join("\n", sql);
    assertThat(joined)
        .contains(
            "(COALESCE(LOWER(\"u\".\"__deleted\") IN ('true', 't'), FALSE)) AS \"rs_deleted_1\", ROW_NUMBER()")
        .contains(") AS \"rs_rn_1\" FROM (")
        .contains("WHERE \"rs_deleted_1\" AND \"id\" IS NOT NULL")
        .doesNotContain("FALSE)) AS \"rs_deleted\"")
        .doesNotContain("NOT \"rs_deleted\"")
        .doesNotContain("\"rs_rows\".\"rs_deleted\"");
    String rows =
        sql.stream()
            .filter(q -> q.startsWith("CREATE TEMP TABLE \"rs_rows\""))
            .findFirst()
            .orElseThrow();
    assertThat(rows)
        .as("the field is a column of the rows table once, next to the flag")
        .startsWith(
            "CREATE TEMP TABLE \"rs_rows\" AS SELECT \"id\", \"rs_deleted\", \"rs_rn\", \"__deleted\", "
                + "\"kafka_partition\", \"kafka_offset\", \"kafka_timestamp\", \"kafka_topic\", \"rs_deleted_1\" FROM")
        .endsWith("WHERE \"rs_rn_1\" = 1");
    if (strategy == TableSettings.UpsertStrategy.MERGE) {
      assertThat(sql)
          .anyMatch(
              q ->
                  q.startsWith("DELETE FROM \"public\".\"orders\" USING \"rs_rows\"")
                      && q.contains(" AND \"rs_rows\".\"rs_deleted_1\" AND "))
          .anyMatch(
              q ->
                  q.startsWith(
                      "CREATE TEMP TABLE \"rs_upserts\" AS SELECT \"id\", \"rs_deleted\", \"rs_rn\", "
                          + "\"__deleted\", \"kafka_partition\", \"kafka_offset\", \"kafka_timestamp\" "
                          + "FROM \"rs_rows\" WHERE NOT \"rs_deleted_1\" AND "));
    } else {
      assertThat(sql)
          .anyMatch(
              q ->
                  q.startsWith(
                          "INSERT INTO \"public\".\"orders\" (\"id\", \"rs_deleted\", \"rs_rn\", "
                              + "\"__deleted\", \"kafka_partition\", \"kafka_offset\", \"kafka_timestamp\") SELECT")
                      && q.contains(" FROM \"rs_rows\" WHERE NOT \"rs_deleted_1\" AND "));
    }
  }

  @ParameterizedTest
  @EnumSource(TableSettings.UpsertStrategy.class)
  void aTargetNamedLikeATempTableGetsSuffixedTempTables(TableSettings.UpsertStrategy strategy) {
    TableSettings s =
        new TableSettings(
            TableSettings.Mode.UPSERT, List.of("id"), List.of(), List.of(), META, strategy);
    String name = strategy == TableSettings.UpsertStrategy.MERGE ? "rs_upserts" : "rs_rows";
    TableRef target = TableRef.of("public", name);
    List<String> sql = sql(batch(target, TestUnits.simple(name, 0, 0, 9)), s);
    String renamed = name + "_1";
    assertThat(String.join("\n", sql))
        .as("the target's name is no temp table's")
        .doesNotContain("TEMP TABLE \"" + name + "\"")
        .contains("CREATE TEMP TABLE \"" + renamed + "\" AS SELECT ")
        .contains("\"public\".\"" + name + "\".\"id\" = \"" + renamed + "\".\"id\"");
    if (strategy == TableSettings.UpsertStrategy.MERGE) {
      assertThat(sql)
          .contains(
              "DELETE FROM \"public\".\"rs_upserts\" USING \"rs_rows\" WHERE "
                  + "\"public\".\"rs_upserts\".\"id\" = \"rs_rows\".\"id\" AND \"rs_rows\".\"rs_deleted\"")
          .anyMatch(
              q ->
                  q.startsWith(
                      "MERGE INTO \"public\".\"rs_upserts\" USING \"rs_upserts_1\" ON "
                          + "\"public\".\"rs_upserts\".\"id\" = \"rs_upserts_1\".\"id\""));
    } else {
      assertThat(sql)
          .contains(
              "DELETE FROM \"public\".\"rs_rows\" USING \"rs_rows_1\" WHERE "
                  + "\"public\".\"rs_rows\".\"id\" = \"rs_rows_1\".\"id\"")
          .anyMatch(
              q ->
                  q.startsWith("INSERT INTO \"public\".\"rs_rows\" (")
                      && q.endsWith(" FROM \"rs_rows_1\" WHERE NOT \"rs_deleted\""));
    }
  }

  @Test
  void hostileFieldNamesAreQuotedNeverSpliced() {
    TableSettings s = APPEND;
    MarkerFile f =
        TestUnits.file(
            "evil.parquet",
            10,
            5,
            FileFormat.PARQUET,
            columns(col("a\"); DROP TABLE users; --", Kind.STRING)));
    List<String> sql = sql(batch(TestUnits.unit("evil", 0, 0, 4, List.of(f))), s);
    assertThat(String.join("\n", sql))
        .contains("\"a\"\"); drop table users; --\" VARCHAR(65535)")
        .doesNotContain("\"a\"); drop");
  }

  @Test
  void jsonAndAvroCopyOptions() {
    CopySql copy = new CopySql("default", 0);
    var jsonl =
        FileSchema.of(new MarkerFile("a.json.gz", 1, 1, FileFormat.JSONL, "gzip", null, columns()));
    assertThat(copy.copy("s", "s3://b/m", jsonl))
        .isEqualTo(
            "COPY \"s\" FROM 's3://b/m' IAM_ROLE default FORMAT AS JSON 'auto ignorecase' "
                + "TIMEFORMAT 'auto' DATEFORMAT 'auto' ROUNDEC MANIFEST COMPUPDATE OFF STATUPDATE OFF GZIP");
    var avro =
        FileSchema.of(new MarkerFile("a.avro", 1, 1, FileFormat.AVRO, "snappy", null, columns()));
    assertThat(copy.copy("s", "s3://b/m", avro))
        .contains("FORMAT AS AVRO 'auto ignorecase' MANIFEST")
        .as("ROUNDEC is a text-format conversion parameter")
        .doesNotContain("ROUNDEC");
    CopySql tolerant = new CopySql("default", 1000);
    assertThat(tolerant.copy("s", "s3://b/m", jsonl)).endsWith(" GZIP MAXERROR 1000");
    assertThat(tolerant.copy("s", "s3://b/m", avro)).doesNotContain("MAXERROR");
    var parquet =
        FileSchema.of(
            new MarkerFile("a.parquet", 1, 1, FileFormat.PARQUET, "snappy", null, columns()));
    assertThat(tolerant.copy("s", "s3://b/m", parquet))
        .as("Redshift refuses MAXERROR and ROUNDEC for columnar formats")
        .doesNotContain("MAXERROR")
        .doesNotContain("ROUNDEC");
  }

  @Test
  void unitsWithoutFilesOnlyRecordMarkers() {
    TableSettings s = APPEND;
    Batch b = batch(TestUnits.unit("orders", 0, 0, 9, List.of()));
    List<String> sql =
        builder
            .statements(b, new TablePlan(List.of(), java.util.Map.of()), s, g -> "x", Instant.EPOCH)
            .statements();
    assertThat(sql).hasSize(6);
    assertThat(sql.get(5)).startsWith("INSERT INTO \"public\".\"_redstage_load_markers\"");
  }

  @Test
  void jsonLinesWithMaxErrorsStagesTheTargetsTypesSoCopyRejectsRowsThatDoNotFit() {
    TableSettings s = APPEND;
    Unit json =
        TestUnits.unit(
            "orders",
            0,
            0,
            9,
            List.of(
                TestUnits.file(
                    "topics/orders/0/a.jsonl",
                    100,
                    10,
                    FileFormat.JSONL,
                    columns(
                        col("id", Kind.INT64),
                        col("value", Kind.ARRAY),
                        col("name", Kind.STRING)))));
    Batch b = batch(json);
    TableSchema existing =
        new TableSchema()
            .add("id", RedshiftType.of(RedshiftType.Family.BIGINT), true)
            .add("value", RedshiftType.of(RedshiftType.Family.BIGINT), true)
            .add("name", RedshiftType.varchar(256), true);
    SchemaEvolution rowLevel = new SchemaEvolution(new TypeMapping(256), true, true, true);
    TablePlan plan =
        rowLevel.plan(T, existing, b.groups().stream().map(g -> g.schema()).toList(), s);
    LoadSqlBuilder rejecting =
        new LoadSqlBuilder(
            control, new CopySql("arn:aws:iam::123456789012:role/loader", 1000), types, true);
    List<String> sql =
        rejecting
            .statements(
                b,
                plan,
                s,
                g -> "s3://bucket/m/" + g.index() + ".json",
                Instant.parse("2026-01-02T03:04:05.678Z"))
            .statements();
    assertThat(sql)
        .anySatisfy(
            q ->
                assertThat(q)
                    .startsWith(
                        "CREATE TEMP TABLE \"rs_stage_1\" (\"id\" BIGINT, \"value\" BIGINT, "
                            + "\"name\" VARCHAR(256), \"kafka_topic\" VARCHAR(65535)"));
    assertThat(sql).anySatisfy(q -> assertThat(q).contains("MAXERROR 1000"));
    // the same files with MAXERROR off are a type conflict for the whole unit
    assertThat(rowLevel.rowLevelTypes(b.groups().stream().map(g -> g.schema()).toList())).isTrue();
    assertThatThrownBy(
            () ->
                new SchemaEvolution(new TypeMapping(256), true, true, false)
                    .plan(T, existing, b.groups().stream().map(g -> g.schema()).toList(), s))
        .isInstanceOf(IncompatibleSchemaException.class);
  }

  /**
   * Under MAXERROR, JSON Lines files whose value column differs in type share one staging table,
   * typed as the table's column; the table is planned from each file's own types, so a change COPY
   * would make silently (bytes as hex text into VARCHAR) is still refused, which the staging
   * group's schema (the wider type, string) would hide.
   */
  @Test
  void jsonLinesFilesWhoseValueColumnDiffersInTypeShareOneStagingTableUnderMaxError() {
    Unit u =
        TestUnits.unit(
            "orders",
            0,
            0,
            1,
            List.of(
                TestUnits.file(
                    "topics/orders/n.jsonl",
                    100,
                    1,
                    FileFormat.JSONL,
                    columns(col("id", Kind.INT64), col("x", Kind.INT64))),
                TestUnits.file(
                    "topics/orders/s.jsonl",
                    100,
                    1,
                    FileFormat.JSONL,
                    columns(col("id", Kind.INT64), col("x", Kind.STRING)))));
    Batch b = new BatchPlanner(1L << 40, 1000, 8, 2000, true, () -> ID).build(T, List.of(u));
    SchemaEvolution rowLevel = new SchemaEvolution(types, true, true, true);
    TablePlan plan = rowLevel.plan(T, null, b.fileSchemas(), APPEND);
    List<String> sql =
        new LoadSqlBuilder(
                control, new CopySql("arn:aws:iam::123456789012:role/loader", 1000), types, true)
            .statements(b, plan, APPEND, g -> "s3://bucket/m/1.json", Instant.EPOCH)
            .statements();
    assertThat(sql)
        .filteredOn(q -> q.startsWith("CREATE TEMP TABLE \"rs_stage_"))
        .singleElement()
        .satisfies(
            q ->
                assertThat(q)
                    .startsWith("CREATE TEMP TABLE \"rs_stage_1\" (\"id\" BIGINT, \"x\" BIGINT,"));
    assertThat(sql).filteredOn(q -> q.startsWith("COPY ")).hasSize(1);

    Unit hex =
        TestUnits.unit(
            "orders",
            1,
            0,
            1,
            List.of(
                TestUnits.file(
                    "topics/orders/t.jsonl",
                    100,
                    1,
                    FileFormat.JSONL,
                    columns(col("id", Kind.INT64), col("x", Kind.STRING))),
                TestUnits.file(
                    "topics/orders/b.jsonl",
                    100,
                    1,
                    FileFormat.JSONL,
                    columns(col("id", Kind.INT64), col("x", Kind.BYTES)))));
    Batch mixed = new BatchPlanner(1L << 40, 1000, 8, 2000, true, () -> ID).build(T, List.of(hex));
    assertThat(mixed.groups()).hasSize(1);
    rowLevel.plan(T, null, mixed.groups().stream().map(g -> g.schema()).toList(), APPEND);
    assertThatThrownBy(() -> rowLevel.plan(T, null, mixed.fileSchemas(), APPEND))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("field x is bytes in some files");
  }

  /**
   * COPY from JSON does not load VARBYTE (Redshift documents CSV, Parquet and ORC): a JSON Lines
   * bytes column, which holds hex, stages as VARCHAR and FROM_HEX converts it on insert, with and
   * without MAXERROR (which otherwise stages the target's type); Parquet still stages VARBYTE.
   */
  @Test
  void jsonLinesBytesStageAsHexTextAndConvertWithFromHex() {
    for (boolean maxErrors : new boolean[] {false, true}) {
      for (FileFormat format : List.of(FileFormat.JSONL, FileFormat.PARQUET)) {
        Unit u =
            TestUnits.unit(
                "orders",
                0,
                0,
                9,
                List.of(
                    TestUnits.file(
                        "topics/orders/0/a." + format.id(),
                        100,
                        10,
                        format,
                        columns(col("id", Kind.INT64), col("payload", Kind.BYTES)))));
        Batch b = batch(u);
        TableSchema existing =
            new TableSchema()
                .add("id", RedshiftType.of(RedshiftType.Family.BIGINT), true)
                .add("payload", RedshiftType.of(RedshiftType.Family.VARBYTE), true);
        for (TableSchema table : java.util.Arrays.asList(null, existing)) {
          TablePlan plan =
              new SchemaEvolution(types, true, true, maxErrors)
                  .plan(T, table, b.groups().stream().map(g -> g.schema()).toList(), APPEND);
          List<String> sql =
              new LoadSqlBuilder(
                      control,
                      new CopySql("arn:aws:iam::123456789012:role/loader", maxErrors ? 10 : 0),
                      types,
                      maxErrors)
                  .statements(b, plan, APPEND, g -> "s3://bucket/m/1.json", Instant.EPOCH)
                  .statements();
          String staging =
              sql.stream()
                  .filter(q -> q.startsWith("CREATE TEMP TABLE \"rs_stage_1\""))
                  .findFirst()
                  .orElseThrow();
          String rows =
              sql.stream()
                  .filter(q -> q.startsWith("CREATE TEMP TABLE \"rs_rows\""))
                  .findFirst()
                  .orElseThrow();
          String what =
              format
                  + (maxErrors ? " with MAXERROR" : "")
                  + (table == null ? "" : ", table exists");
          if (format == FileFormat.JSONL) {
            assertThat(staging).as(what).contains("\"payload\" VARCHAR(65535)");
            assertThat(rows)
                .as(what)
                .contains("CAST(FROM_HEX(\"payload\") AS VARBYTE) AS \"payload\"");
          } else {
            assertThat(staging).as(what).contains("\"payload\" VARBYTE");
            assertThat(rows).as(what).doesNotContain("FROM_HEX");
          }
        }
      }
    }
  }

  @Test
  void transactionPointsAtItsCopiesAndAtTheStatementWritingTheTarget() {
    MarkerFile v2 =
        TestUnits.file(
            "f2.parquet",
            10,
            5,
            FileFormat.PARQUET,
            columns(col("id", Kind.INT64), col("name", Kind.STRING), col("email", Kind.STRING)));
    Batch b =
        batch(TestUnits.simple("orders", 0, 0, 4), TestUnits.unit("orders", 0, 5, 9, List.of(v2)));
    TableSettings append =
        new TableSettings(TableSettings.Mode.APPEND, List.of(), List.of(), List.of(), META);
    TableSettings deleteInsert =
        new TableSettings(TableSettings.Mode.UPSERT, List.of("id"), List.of(), List.of(), META);
    TableSettings merge =
        new TableSettings(
            TableSettings.Mode.UPSERT,
            List.of("id"),
            List.of(),
            List.of(),
            META,
            TableSettings.UpsertStrategy.MERGE);
    for (TableSettings s : List.of(append, deleteInsert, merge)) {
      LoadTransaction tx = transaction(b, s);
      assertThat(tx.copies())
          .hasSize(2)
          .allMatch(i -> tx.statements().get(i).startsWith("COPY \"rs_stage_"));
      String writing = tx.statements().get(tx.write());
      assertThat(writing)
          .as(s.strategy() + " " + s.upsert())
          .startsWith(
              s.strategy() == TableSettings.UpsertStrategy.MERGE && s.upsert()
                  ? "MERGE INTO \"public\".\"orders\""
                  : "INSERT INTO \"public\".\"orders\"");
    }
    Batch empty = batch(TestUnits.unit("orders", 0, 0, 9, List.of()));
    LoadTransaction markersOnly =
        builder.statements(
            empty, new TablePlan(List.of(), java.util.Map.of()), append, g -> "x", Instant.EPOCH);
    assertThat(markersOnly.write()).isEqualTo(-1);
    assertThat(markersOnly.copies()).isEmpty();
  }
}
