package io.redstage.loader.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.ColumnRole;
import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.contract.MarkerKeys;
import io.redstage.loader.TestUnits;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.TableRef;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {
  static final TableRef T = TableRef.of("public", "t");

  @Test
  void boundsByFilesAndBytesInOffsetOrder() {
    BatchPlanner p = new BatchPlanner(2500, 1000, 8, 2000, UUID::randomUUID);
    List<Unit> units =
        List.of(
            TestUnits.simple("t", 0, 200, 299),
            TestUnits.simple("t", 0, 0, 99),
            TestUnits.simple("t", 0, 100, 199),
            TestUnits.simple("t", 1, 0, 9));
    List<Batch> batches = p.plan(T, units, Set.of());
    assertThat(batches).hasSize(2);
    assertThat(batches.get(0).units()).extracting(Unit::start).containsExactly(0L, 100L);
    assertThat(batches.get(1).units())
        .extracting(Unit::id)
        .containsExactly("t+0+200+299", "t+1+0+9");
    assertThat(batches.get(0).id()).isNotEqualTo(batches.get(1).id());

    BatchPlanner byFiles = new BatchPlanner(1L << 40, 3, 8, 2000, UUID::randomUUID);
    assertThat(byFiles.plan(T, units, Set.of()))
        .extracting(b -> b.units().size())
        .containsExactly(3, 1);
    BatchPlanner byUnits = new BatchPlanner(1L << 40, 1000, 8, 2, UUID::randomUUID);
    assertThat(byUnits.plan(T, units, Set.of()))
        .extracting(b -> b.units().size())
        .containsExactly(2, 2);
  }

  @Test
  void groupsFilesBySchemaAndCapsSchemas() {
    var v2 =
        TestUnits.file(
            "v2.parquet",
            10,
            5,
            FileFormat.PARQUET,
            TestUnits.columns(TestUnits.col("id", Kind.INT64)));
    Unit a = TestUnits.simple("t", 0, 0, 9);
    Unit b = TestUnits.unit("t", 0, 10, 19, List.of(v2));
    Unit c = TestUnits.simple("t", 0, 20, 29);
    Batch one =
        new BatchPlanner(1L << 40, 1000, 8, 2000, UUID::randomUUID)
            .plan(T, List.of(a, b, c), Set.of())
            .get(0);
    assertThat(one.groups()).hasSize(2);
    assertThat(one.groups().get(0).files()).hasSize(2);
    assertThat(
            new BatchPlanner(1L << 40, 1000, 1, 2000, UUID::randomUUID)
                .plan(T, List.of(a, b, c), Set.of()))
        .hasSize(3);
  }

  /**
   * Schemaless JSON Lines partitioned by a field: one file per value, each with its own fields in
   * its own order. COPY maps JSON keys by name, so they share one staging table with every column;
   * a column typed differently in two files, another compression, or Parquet's by-position mapping
   * each still need their own.
   */
  @Test
  void jsonLinesFilesShareAStagingTableWhenTheirCommonColumnsAgree() {
    List<io.redstage.contract.MarkerFile> files = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      files.add(
          TestUnits.file(
              "f" + i + ".jsonl",
              10,
              1,
              FileFormat.JSONL,
              i % 2 == 0
                  ? TestUnits.columns(
                      TestUnits.col("id", Kind.INT64), TestUnits.col("field_" + i, Kind.STRING))
                  : TestUnits.columns(
                      TestUnits.col("field_" + i, Kind.BOOLEAN),
                      io.redstage.contract.MarkerColumn.ofNulls("note"),
                      TestUnits.col("id", Kind.INT64))));
    }
    // "note" holds only nulls above and text here: one column, typed as text
    files.add(
        TestUnits.file(
            "typed-note.jsonl",
            10,
            1,
            FileFormat.JSONL,
            TestUnits.columns(TestUnits.col("note", Kind.STRING))));
    // "id" as text cannot share the BIGINT staging column
    files.add(
        TestUnits.file(
            "text-id.jsonl",
            10,
            1,
            FileFormat.JSONL,
            TestUnits.columns(TestUnits.col("id", Kind.STRING))));
    Unit unit = TestUnits.unit("t", 0, 0, 21, files);
    BatchPlanner planner = new BatchPlanner(1L << 40, 1000, 2, 2000, UUID::randomUUID);

    List<Batch> batches = planner.plan(T, List.of(unit), Set.of());

    assertThat(batches).hasSize(1);
    List<StagingGroup> groups = batches.get(0).groups();
    assertThat(groups).hasSize(2);
    assertThat(groups.get(0).files()).hasSize(21);
    List<FileSchema.Column> merged = groups.get(0).schema().columns();
    assertThat(merged).extracting(FileSchema.Column::name).contains("id", "field_0", "field_19");
    assertThat(merged)
        .filteredOn(c -> c.name().equals("note"))
        .singleElement()
        .satisfies(c -> assertThat(c.nullsOnly()).isFalse())
        .satisfies(c -> assertThat(c.type().kind()).isEqualTo(Kind.STRING));
    assertThat(merged).extracting(FileSchema.Column::name).doesNotHaveDuplicates();
    assertThat(groups.get(1).files())
        .extracting(StagingGroup.FileRef::key)
        .containsExactly("text-id.jsonl");

    // one staging table per schema for Parquet, and for JSON Lines of another compression
    Unit parquet =
        TestUnits.unit(
            "t",
            1,
            0,
            1,
            List.of(
                TestUnits.file(
                    "a.parquet",
                    10,
                    1,
                    FileFormat.PARQUET,
                    TestUnits.columns(TestUnits.col("id", Kind.INT64))),
                TestUnits.file(
                    "b.parquet",
                    10,
                    1,
                    FileFormat.PARQUET,
                    TestUnits.columns(
                        TestUnits.col("id", Kind.INT64), TestUnits.col("x", Kind.STRING)))));
    assertThat(planner.build(T, List.of(parquet)).groups()).hasSize(2);
    io.redstage.contract.MarkerFile gz =
        new io.redstage.contract.MarkerFile(
            "g.jsonl.gz",
            10,
            1,
            FileFormat.JSONL,
            "gzip",
            null,
            TestUnits.columns(TestUnits.col("id", Kind.INT64)));
    io.redstage.contract.MarkerFile plain =
        TestUnits.file(
            "p.jsonl", 10, 1, FileFormat.JSONL, TestUnits.columns(TestUnits.col("id", Kind.INT64)));
    assertThat(planner.build(T, List.of(TestUnits.unit("t", 2, 0, 1, List.of(gz, plain)))).groups())
        .hasSize(2);

    // a name Redshift cannot take fails its batch's statements later (quarantined there): planning
    // goes on
    io.redstage.contract.MarkerFile badName =
        TestUnits.file(
            "bad.jsonl",
            10,
            1,
            FileFormat.JSONL,
            TestUnits.columns(
                TestUnits.col("id", Kind.INT64), TestUnits.col("x\u0001", Kind.STRING)));
    assertThat(
            planner.plan(
                T, List.of(TestUnits.unit("t", 3, 0, 1, List.of(badName, plain))), Set.of()))
        .singleElement()
        .satisfies(b -> assertThat(b.groups()).hasSize(1));
  }

  /**
   * With MAXERROR a JSON Lines staging column takes the target's type whatever the file says, so
   * files whose value column differs in type share a staging table (the group holds the wider type,
   * the batch still lists each file's own schema); metadata columns, columns of version-1 markers
   * without roles, and every column without MAXERROR keep one type per staging table.
   */
  @Test
  void underMaxErrorJsonLinesFilesShareAStagingTableWhenOnlyAValueColumnDiffersInType() {
    MarkerFile asNumber = jsonl("n.jsonl", TestUnits.col("x", Kind.INT64));
    MarkerFile asText = jsonl("s.jsonl", TestUnits.col("x", Kind.STRING));
    Unit unit = TestUnits.unit("t", 0, 0, 1, List.of(asNumber, asText));

    Batch rowRejects = planner(true).plan(T, List.of(unit), Set.of()).get(0);

    assertThat(rowRejects.groups())
        .singleElement()
        .satisfies(g -> assertThat(g.files()).hasSize(2));
    assertThat(rowRejects.groups().get(0).schema().columns())
        .filteredOn(c -> c.name().equals("x"))
        .singleElement()
        .satisfies(c -> assertThat(c.type().kind()).isEqualTo(Kind.INT64));
    assertThat(rowRejects.fileSchemas())
        .containsExactly(FileSchema.of(asNumber), FileSchema.of(asText));
    assertThat(planner(false).plan(T, List.of(unit), Set.of()).get(0).groups())
        .as("load.json.max-errors=0: COPY stages each file's own type")
        .hasSize(2);

    // a metadata column (the key) that differs in type: staged as the file holds it
    MarkerFile textKey = jsonl("k1.jsonl", keyColumn(Kind.STRING));
    MarkerFile numberKey = jsonl("k2.jsonl", keyColumn(Kind.INT64));
    assertThat(
            planner(true)
                .build(T, List.of(TestUnits.unit("t", 1, 0, 1, List.of(textKey, numberKey))))
                .groups())
        .hasSize(2);

    // a version-1 marker's column says nothing of its role; it does not join a column whose
    // files differ in type either
    MarkerFile noRole = jsonl("v1.jsonl", TestUnits.col("x", Kind.STRING));
    Batch withV1 =
        planner(true)
            .build(
                T, List.of(TestUnits.unit("t", 2, 0, 0, List.of(asNumber)), v1Unit(2, 1, noRole)));
    assertThat(withV1.groups()).hasSize(2);
    Batch mixedThenV1 =
        planner(true)
            .build(
                T,
                List.of(
                    TestUnits.unit("t", 3, 0, 1, List.of(asNumber, asText)),
                    v1Unit(3, 2, jsonl("v1n.jsonl", TestUnits.col("x", Kind.INT64)))));
    assertThat(mixedThenV1.groups()).extracting(g -> g.files().size()).containsExactly(2, 1);
    assertThat(mixedThenV1.fileSchemas()).hasSize(3);
  }

  /** Parquet files of one schema share a staging table whether their markers state roles or not. */
  @Test
  void parquetFilesOfVersionOneAndTwoMarkersWithOneSchemaShareAStagingTable() {
    MarkerFile v2 =
        TestUnits.file(
            "v2.parquet",
            10,
            1,
            FileFormat.PARQUET,
            TestUnits.columns(TestUnits.col("id", Kind.INT64)));
    MarkerFile v1 =
        TestUnits.file(
            "v1.parquet",
            10,
            1,
            FileFormat.PARQUET,
            TestUnits.columns(TestUnits.col("id", Kind.INT64)));
    List<Unit> units = List.of(v1Unit(0, 0, v1), TestUnits.unit("t", 0, 1, 1, List.of(v2)));
    for (boolean rowRejects : List.of(false, true)) {
      Batch b = planner(rowRejects).build(T, units);
      assertThat(b.groups()).singleElement().satisfies(g -> assertThat(g.files()).hasSize(2));
      assertThat(b.fileSchemas()).hasSize(2);
    }
  }

  private static BatchPlanner planner(boolean jsonRowRejects) {
    return new BatchPlanner(1L << 40, 1000, 8, 2000, jsonRowRejects, UUID::randomUUID);
  }

  /** A unit of offset {@code offset} and this file, its marker of version 1: no column roles. */
  private static Unit v1Unit(int partition, long offset, MarkerFile file) {
    MarkerFile v1 =
        TestUnits.file(
            file.key(),
            file.bytes(),
            file.records(),
            file.format(),
            file.columns().stream()
                .map(c -> new MarkerColumn(c.name(), c.type(), c.nullable(), null))
                .toList());
    CommitMarker m =
        new CommitMarker(
            1, "t", partition, offset, offset, 1, "b", 1_000L, "flush.size", List.of(v1));
    return new Unit(MarkerKeys.markerKey("m", "t", partition, offset, offset), m);
  }

  private static MarkerFile jsonl(String key, MarkerColumn... values) {
    return TestUnits.file(key, 10, 1, FileFormat.JSONL, TestUnits.columns(values));
  }

  private static MarkerColumn keyColumn(Kind kind) {
    return new MarkerColumn("kafka_key", ColumnType.of(kind), true, ColumnRole.KEY);
  }

  @Test
  void isolatedUnitsGoAloneWithoutReordering() {
    BatchPlanner p = new BatchPlanner(1L << 40, 1000, 8, 2000, UUID::randomUUID);
    List<Unit> units =
        List.of(
            TestUnits.simple("t", 0, 0, 9),
            TestUnits.simple("t", 0, 10, 19),
            TestUnits.simple("t", 0, 20, 29));
    List<Batch> batches = p.plan(T, units, Set.of(units.get(1).markerKey()));
    assertThat(batches).extracting(x -> x.units().get(0).start()).containsExactly(0L, 10L, 20L);
  }

  @Test
  void identicalFileListedByTwoUnitsAppearsOnceInTheManifest() {
    Unit a = TestUnits.simple("t", 0, 0, 9);
    Unit same = new Unit(a.markerKey() + ".copy", a.marker());
    Batch b =
        new BatchPlanner(1L << 40, 1000, 8, 2000, UUID::randomUUID).build(T, List.of(a, same));
    assertThat(b.fileCount()).isEqualTo(1);
    String json = new String(io.redstage.loader.manifest.CopyManifest.json(b.groups().get(0)));
    assertThat(json)
        .contains("\"url\" : \"s3://staging/topics/t/partition=0/")
        .contains("\"mandatory\" : true")
        .contains("\"content_length\" : 1000");
  }
}
