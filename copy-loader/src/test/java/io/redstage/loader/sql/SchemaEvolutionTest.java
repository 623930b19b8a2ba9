package io.redstage.loader.sql;

import static io.redstage.loader.TestUnits.col;
import static io.redstage.loader.TestUnits.columns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.TestUnits;
import io.redstage.loader.batch.FileSchema;
import io.redstage.loader.sql.RedshiftType.Family;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {
  static final TableRef T = TableRef.of("public", "orders");
  static final MetadataColumns META = TestUnits.defaultMetadata(Set.of("kafka_offset"));
  static final TableSettings APPEND =
      new TableSettings(TableSettings.Mode.APPEND, List.of(), List.of(), List.of(), META);
  private final SchemaEvolution evolution = new SchemaEvolution(new TypeMapping(256), true, true);

  static FileSchema schema(MarkerColumn... values) {
    return FileSchema.of(TestUnits.file("k", 1, 1, FileFormat.PARQUET, columns(values)));
  }

  static FileSchema json(MarkerColumn... values) {
    return FileSchema.of(TestUnits.file("k", 1, 1, FileFormat.JSONL, columns(values)));
  }

  /** A table of an id, a column "coupon" of this family and nullability, and the offset. */
  static TableSchema couponTable(Family coupon, boolean nullable) {
    return new TableSchema()
        .add("id", RedshiftType.of(Family.BIGINT), true)
        .add("coupon", RedshiftType.of(coupon), nullable)
        .add("kafka_offset", RedshiftType.of(Family.BIGINT), true);
  }

  /** A file of an id and a column "coupon" it holds only nulls of. */
  static FileSchema couponOfNulls(FileFormat format) {
    return FileSchema.of(
        TestUnits.file(
            "k", 1, 1, format, columns(col("id", Kind.INT64), MarkerColumn.ofNulls("coupon"))));
  }

  /**
   * CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists: a table
   * is created in a schema read to exist without it, in one not read (or read missing) after it.
   */
  @Test
  void aTableIsCreatedWithoutCreateSchemaInASchemaReadToExist() {
    ExistingSchemas existing = new ExistingSchemas();
    SchemaEvolution creating =
        new SchemaEvolution(new TypeMapping(256), true, true, false, existing);
    TableRef inOps = TableRef.of("ops", "orders");
    FileSchema files = schema(col("id", Kind.INT64));
    assertThat(creating.plan(inOps, null, List.of(files), APPEND).ddl())
        .hasSize(2)
        .first()
        .isEqualTo("CREATE SCHEMA IF NOT EXISTS \"ops\"");
    existing.read(List.of("ops", "gone"), List.of("ops"));
    assertThat(creating.plan(inOps, null, List.of(files), APPEND).ddl())
        .singleElement()
        .asString()
        .startsWith("CREATE TABLE IF NOT EXISTS \"ops\".\"orders\"");
    assertThat(creating.plan(TableRef.of("gone", "orders"), null, List.of(files), APPEND).ddl())
        .first()
        .isEqualTo("CREATE SCHEMA IF NOT EXISTS \"gone\"");
    assertThat(creating.plan(T, null, List.of(files), APPEND).ddl())
        .as("public always exists")
        .singleElement()
        .asString()
        .startsWith("CREATE TABLE");
  }

  /**
   * Rows are matched by the upsert key: a key column the files hold only nulls of (a unit of null
   * Kafka keys) is still created, with its marker type, when nothing else types it; a table's
   * column of another type keeps it.
   */
  @Test
  void anUpsertKeyColumnOfOnlyNullsIsCreatedWhenNothingElseTypesIt() {
    TableSettings upsertByCoupon =
        new TableSettings(TableSettings.Mode.UPSERT, List.of("coupon"), List.of(), List.of(), META);
    FileSchema nulls = couponOfNulls(FileFormat.PARQUET);
    assertThat(evolution.plan(T, null, List.of(nulls), upsertByCoupon).targetColumns())
        .containsKey("coupon");
    TableSchema existing = couponTable(Family.SUPER, true);
    TablePlan p = evolution.plan(T, existing, List.of(nulls), upsertByCoupon);
    assertThat(p.ddl()).isEmpty();
    assertThat(p.targetColumns().get("coupon")).isEqualTo(RedshiftType.of(Family.SUPER));
  }

  @Test
  void aColumnOfOnlyNullsTakesTheTypeOfTheTableOrOfTheFilesWithValues() {
    FileSchema nulls = couponOfNulls(FileFormat.JSONL);
    FileSchema values = json(col("id", Kind.INT64), col("coupon", Kind.INT64));
    // no column from nulls alone
    assertThat(evolution.plan(T, null, List.of(nulls), APPEND).targetColumns())
        .doesNotContainKey("coupon");
    // the other files' type, in either order
    assertThat(
            evolution.plan(T, null, List.of(nulls, values), APPEND).targetColumns().get("coupon"))
        .isEqualTo(RedshiftType.of(Family.BIGINT));
    assertThat(
            evolution.plan(T, null, List.of(values, nulls), APPEND).targetColumns().get("coupon"))
        .isEqualTo(RedshiftType.of(Family.BIGINT));
    // a table's column of any type takes them, and is not widened or refused
    TableSchema existing = couponTable(Family.SUPER, true);
    TablePlan p = evolution.plan(T, existing, List.of(nulls), APPEND);
    assertThat(p.ddl()).isEmpty();
    assertThat(p.targetColumns().get("coupon")).isEqualTo(RedshiftType.of(Family.SUPER));
    // a NOT NULL column cannot take them, and the error says why
    TableSchema required = couponTable(Family.BIGINT, false);
    assertThatThrownBy(() -> evolution.plan(T, required, List.of(nulls), APPEND))
        .hasMessageContaining(
            "column coupon is NOT NULL but the files hold only nulls in field coupon");
  }

  @Test
  void newColumnsBeyondRedshiftsColumnLimitAreRefusedNamingThem() {
    TableSchema wide = new TableSchema().add("kafka_offset", RedshiftType.of(Family.BIGINT), true);
    for (int i = 1; i < 1599; i++) {
      wide.add("c" + i, RedshiftType.of(Family.BIGINT), true);
    }
    // 1,599 columns: one more fits, two do not
    assertThat(evolution.plan(T, wide, List.of(schema(col("n1", Kind.INT64))), APPEND).ddl())
        .hasSize(1);
    assertThatThrownBy(
            () ->
                evolution.plan(
                    T, wide, List.of(schema(col("n1", Kind.INT64), col("n2", Kind.INT64))), APPEND))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessage(
            "Cannot add 2 column(s) to public.orders: it has 1599 and a Redshift table holds at most 1600 "
                + "(new fields: n1, n2). Nest rarely used fields in a struct (one SUPER column) or drop them "
                + "with an SMT, then release the batch.");
  }

  @Test
  void jsonRowRejectsStillRefuseTypesCopyWouldRoundWithoutAnError() {
    SchemaEvolution rowLevel = new SchemaEvolution(new TypeMapping(256), true, true, true);
    MarkerColumn cents = new MarkerColumn("price", ColumnType.decimal(10, 2), true);
    MarkerColumn tenThousandths = new MarkerColumn("price", ColumnType.decimal(10, 4), true);
    TableSchema existing =
        new TableSchema()
            .add("price", RedshiftType.decimal(10, 2), true)
            .add("ratio", RedshiftType.of(Family.REAL), true)
            .add("share", RedshiftType.of(Family.DOUBLE_PRECISION), true)
            .add("kafka_offset", RedshiftType.of(Family.BIGINT), true);
    assertThatThrownBy(() -> rowLevel.plan(T, existing, List.of(json(tenThousandths)), APPEND))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessage(
            "Cannot load into public.orders: field price is decimal(10,4) in some files, and COPY would "
                + "store its values changed (rounded, cut or read as other text) in the column's "
                + "DECIMAL(10,2) without an error. Make the source "
                + "type consistent, or migrate the column (or write the field under a new name), then "
                + "release the batch.");
    for (Kind lossy : List.of(Kind.FLOAT64, Kind.INT32, Kind.INT64)) {
      assertThatThrownBy(
              () -> rowLevel.plan(T, existing, List.of(json(col("ratio", lossy))), APPEND))
          .isInstanceOf(IncompatibleSchemaException.class)
          .hasMessageContaining("in the column's REAL");
    }
    assertThatThrownBy(
            () ->
                rowLevel.plan(
                    T,
                    existing,
                    List.of(json(new MarkerColumn("share", ColumnType.decimal(20, 2), true))),
                    APPEND))
        .hasMessageContaining("in the column's DOUBLE PRECISION");
    // a timestamp cut to its date or time, a string read as hex, hex text kept as text
    TableSchema changing =
        new TableSchema()
            .add("day", RedshiftType.of(Family.DATE), true)
            .add("at", RedshiftType.of(Family.TIME), true)
            .add("blob", RedshiftType.of(Family.VARBYTE), true)
            .add("label", RedshiftType.varchar(100), true)
            .add("kafka_offset", RedshiftType.of(Family.BIGINT), true);
    for (MarkerColumn c :
        List.of(
            col("day", Kind.TIMESTAMP_MILLIS),
            col("at", Kind.TIMESTAMP_MICROS),
            col("blob", Kind.STRING),
            col("label", Kind.BYTES))) {
      assertThatThrownBy(() -> rowLevel.plan(T, changing, List.of(json(c)), APPEND))
          .as(c.name())
          .isInstanceOf(IncompatibleSchemaException.class)
          .hasMessageContaining("field " + c.name() + " is " + c.type() + " in some files");
    }
    assertThat(rowLevel.plan(T, changing, List.of(json(col("day", Kind.DATE))), APPEND).ddl())
        .isEmpty();
    assertThat(rowLevel.plan(T, changing, List.of(json(col("label", Kind.INT64))), APPEND).ddl())
        .as("a number's text in a VARCHAR column is the number")
        .isEmpty();
    // one batch creating the column: the first file's scale would round the second's values
    assertThatThrownBy(
            () -> rowLevel.plan(T, null, List.of(json(cents), json(tenThousandths)), APPEND))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("field price is decimal(10,4) in some files");
    // what COPY checks value by value, or stores unchanged, still loads
    assertThat(rowLevel.plan(T, existing, List.of(json(col("price", Kind.STRING))), APPEND).ddl())
        .isEmpty();
    assertThat(rowLevel.plan(T, existing, List.of(json(col("price", Kind.FLOAT64))), APPEND).ddl())
        .isEmpty();
    assertThat(rowLevel.plan(T, existing, List.of(json(col("ratio", Kind.INT16))), APPEND).ddl())
        .isEmpty();
    assertThat(
            rowLevel
                .plan(T, null, List.of(json(tenThousandths), json(cents)), APPEND)
                .targetColumns()
                .get("price")
                .ddl())
        .isEqualTo("DECIMAL(10,4)");
    // a table column of the larger scale takes both, in either order
    TableSchema wide =
        new TableSchema()
            .add("price", RedshiftType.decimal(10, 4), true)
            .add("kafka_offset", RedshiftType.of(Family.BIGINT), true);
    assertThat(rowLevel.plan(T, wide, List.of(json(cents), json(tenThousandths)), APPEND).ddl())
        .isEmpty();
  }

  @Test
  void createsMissingTableWithValueAndKeptMetadataColumns() {
    TablePlan p =
        evolution.plan(
            T, null, List.of(schema(col("id", Kind.INT64), col("Name", Kind.STRING))), APPEND);
    assertThat(p.ddl())
        .containsExactly(
            "CREATE TABLE IF NOT EXISTS \"public\".\"orders\" (\"id\" BIGINT, \"name\" VARCHAR(256), \"kafka_offset\" BIGINT) DISTSTYLE AUTO ENCODE AUTO");
    assertThat(p.createsTable()).isTrue();
  }

  private static TableSettings designed(Set<String> keep, String sortKey, TableDesign base) {
    MetadataColumns m = TestUnits.defaultMetadata(keep);
    return new TableSettings(
        TableSettings.Mode.APPEND,
        List.of(),
        List.of(),
        List.of(),
        m,
        TableSettings.UpsertStrategy.DELETE_INSERT,
        TableDesign.withSortKey(sortKey, base));
  }

  @Test
  void createdTableIsSortedByRecordTimeWhenItKeepsItAndSizesVarcharsPerTableAndColumn() {
    TableDesign base =
        new TableDesign(
            TableDesign.SortKey.NONE,
            List.of(),
            64,
            TableDesign.columnLengths(List.of("Comment:4000")),
            true);
    List<FileSchema> files =
        List.of(
            schema(col("id", Kind.INT64), col("name", Kind.STRING), col("comment", Kind.STRING)));
    TablePlan p =
        evolution.plan(
            T,
            null,
            files,
            designed(Set.of("kafka_offset", "kafka_timestamp"), "record-time", base));
    assertThat(p.ddl())
        .containsExactly(
            "CREATE TABLE IF NOT EXISTS \"public\".\"orders\" (\"id\" BIGINT, \"name\" VARCHAR(64), "
                + "\"comment\" VARCHAR(4000), \"kafka_offset\" BIGINT, \"kafka_timestamp\" TIMESTAMP) "
                + "DISTSTYLE AUTO SORTKEY (\"kafka_timestamp\") ENCODE AUTO");
    assertThat(
            evolution
                .plan(T, null, files, designed(Set.of("kafka_offset"), "record-time", base))
                .ddl()
                .get(0))
        .as("without the record-time column there is no sort key")
        .endsWith("\"kafka_offset\" BIGINT) DISTSTYLE AUTO ENCODE AUTO");
    assertThat(evolution.plan(T, null, files, designed(Set.of(), "Name, id", base)).ddl().get(0))
        .endsWith(" DISTSTYLE AUTO SORTKEY (\"name\", \"id\") ENCODE AUTO");
    assertThat(evolution.plan(T, null, files, designed(Set.of(), "auto", base)).ddl().get(0))
        .endsWith(" DISTSTYLE AUTO SORTKEY AUTO ENCODE AUTO");
    assertThatThrownBy(() -> evolution.plan(T, null, files, designed(Set.of(), "created_at", base)))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessage(
            "Cannot create public.orders: sort key column created_at is not among the columns of its files "
                + "[id, name, comment]. Fix table.public.orders.sort-key (or tables.sort-key).");
  }

  @Test
  void designSettingsRejectBadValuesByName() {
    assertThatThrownBy(() -> TableDesign.columnLengths(List.of("body:70000")))
        .hasMessageContaining("'body:70000' is not column:length with a length of 1..65535 bytes");
    assertThatThrownBy(() -> TableDesign.columnLengths(List.of("body")))
        .hasMessageContaining("'body' is not column:length");
    assertThatThrownBy(() -> TableDesign.withSortKey("a,,b", TableDesign.PLAIN))
        .hasMessageContaining("empty column name");
  }

  @Test
  void addsNewOptionalFieldAsColumn() {
    TableSchema existing =
        new TableSchema()
            .add("id", RedshiftType.of(Family.BIGINT), true)
            .add("kafka_offset", RedshiftType.of(Family.BIGINT), true);
    TablePlan p =
        evolution.plan(
            T, existing, List.of(schema(col("id", Kind.INT64), col("email", Kind.STRING))), APPEND);
    assertThat(p.ddl())
        .containsExactly("ALTER TABLE \"public\".\"orders\" ADD COLUMN \"email\" VARCHAR(256)");
    assertThat(p.targetColumns()).containsKeys("id", "kafka_offset", "email");
    assertThat(p.createsTable()).isFalse();
    assertThat(p.addedColumns()).containsExactly("email");
  }

  @Test
  void changedTypeFailsWithClearError() {
    TableSchema existing = new TableSchema().add("id", RedshiftType.of(Family.INTEGER), true);
    assertThatThrownBy(
            () -> evolution.plan(T, existing, List.of(schema(col("id", Kind.STRING))), APPEND))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining(
            "Cannot load into public.orders: column id is INTEGER but the files now hold string");
  }

  @Test
  void integerAndFloatFilesOfOneBatchCreateAFloatColumnInEitherOrder() {
    for (List<FileSchema> files :
        List.of(
            List.of(schema(col("price", Kind.INT64)), schema(col("price", Kind.FLOAT64))),
            List.of(schema(col("price", Kind.FLOAT64)), schema(col("price", Kind.INT64))))) {
      TablePlan p = evolution.plan(T, null, files, APPEND);
      assertThat(p.targetColumns().get("price").ddl()).isEqualTo("DOUBLE PRECISION");
    }
  }

  @Test
  void int64AndFloat32FilesCreateADoublePrecisionColumnSoNoIntegerLosesDigits() {
    for (List<FileSchema> files :
        List.of(
            List.of(schema(col("x", Kind.INT64)), schema(col("x", Kind.FLOAT32))),
            List.of(schema(col("x", Kind.FLOAT32)), schema(col("x", Kind.INT64))))) {
      assertThat(evolution.plan(T, null, files, APPEND).targetColumns().get("x").ddl())
          .isEqualTo("DOUBLE PRECISION");
    }
    assertThat(
            evolution
                .plan(
                    T,
                    null,
                    List.of(schema(col("x", Kind.INT16)), schema(col("x", Kind.FLOAT32))),
                    APPEND)
                .targetColumns()
                .get("x")
                .ddl())
        .isEqualTo("REAL");
  }

  @Test
  void integerFilesLoadIntoAnExistingFloatColumnButNotTheOtherWay() {
    TableSchema doubles =
        new TableSchema()
            .add("price", RedshiftType.of(Family.DOUBLE_PRECISION), true)
            .add("kafka_offset", RedshiftType.of(Family.BIGINT), true);
    assertThat(evolution.plan(T, doubles, List.of(schema(col("price", Kind.INT64))), APPEND).ddl())
        .isEmpty();
    TableSchema bigints =
        new TableSchema()
            .add("price", RedshiftType.of(Family.BIGINT), true)
            .add("kafka_offset", RedshiftType.of(Family.BIGINT), true);
    assertThatThrownBy(
            () -> evolution.plan(T, bigints, List.of(schema(col("price", Kind.FLOAT64))), APPEND))
        .isInstanceOf(IncompatibleSchemaException.class)
        .hasMessageContaining("column price is BIGINT");
  }

  @Test
  void wideningIsAccepted() {
    TableSchema existing =
        new TableSchema()
            .add("id", RedshiftType.of(Family.BIGINT), true)
            .add("kafka_offset", RedshiftType.of(Family.BIGINT), true);
    assertThat(evolution.plan(T, existing, List.of(schema(col("id", Kind.INT32))), APPEND).ddl())
        .isEmpty();
  }

  @Test
  void refusesFilesWithoutOffsetMetadata() {
    FileSchema noMeta =
        FileSchema.of(
            TestUnits.file("k", 1, 1, FileFormat.PARQUET, List.of(col("id", Kind.INT64))));
    assertThatThrownBy(() -> evolution.plan(T, null, List.of(noMeta), APPEND))
        .hasMessageContaining("lack the metadata column kafka_topic");
  }

  @Test
  void refusesFieldsThatFoldToTheSameColumn() {
    assertThatThrownBy(
            () ->
                evolution.plan(
                    T, null, List.of(schema(col("Id", Kind.INT64), col("ID", Kind.INT64))), APPEND))
        .hasMessageContaining("both fold to column id");
  }

  @Test
  void evolutionOffFailsOnNewField() {
    SchemaEvolution strict = new SchemaEvolution(new TypeMapping(256), false, false);
    TableSchema existing = new TableSchema().add("id", RedshiftType.of(Family.BIGINT), true);
    assertThatThrownBy(
            () ->
                strict.plan(
                    T,
                    existing,
                    List.of(schema(col("id", Kind.INT64), col("x", Kind.INT32))),
                    APPEND))
        .hasMessageContaining("tables.auto-evolve is false");
    assertThatThrownBy(() -> strict.plan(T, null, List.of(schema(col("id", Kind.INT64))), APPEND))
        .hasMessageContaining("tables.auto-create is false");
  }
}
