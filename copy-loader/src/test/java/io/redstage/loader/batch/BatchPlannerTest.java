package io.redstage.loader.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
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
        .contains("\"url\" : \"s3://data-bucket/topics/t/partition=0/")
        .contains("\"mandatory\" : true")
        .contains("\"content_length\" : 1000");
  }
}
