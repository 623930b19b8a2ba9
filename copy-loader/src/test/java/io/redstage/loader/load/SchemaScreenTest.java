package io.redstage.loader.load;

import static io.redstage.loader.TestUnits.col;
import static io.redstage.loader.TestUnits.columns;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import io.redstage.loader.TestUnits;
import io.redstage.loader.discovery.Unit;
import io.redstage.loader.sql.MetadataColumns;
import io.redstage.loader.sql.RedshiftType;
import io.redstage.loader.sql.SchemaEvolution;
import io.redstage.loader.sql.TableRef;
import io.redstage.loader.sql.TableSchema;
import io.redstage.loader.sql.TableSettings;
import io.redstage.loader.sql.TypeMapping;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchemaScreenTest {
  static final TableRef T = TableRef.of("public", "orders");
  static final MetadataColumns META = TestUnits.defaultMetadata(Set.of());
  private final SchemaScreen screen =
      new SchemaScreen(new SchemaEvolution(new TypeMapping(256), true, true));

  static Unit unit(int partition, long start, MarkerColumn... values) {
    return TestUnits.unit(
        "orders",
        partition,
        start,
        start + 9,
        List.of(
            TestUnits.file(
                "f" + partition + "-" + start, 100, 10, FileFormat.PARQUET, columns(values))));
  }

  static TableSettings settings(TableSettings.Mode mode) {
    return new TableSettings(
        mode,
        mode == TableSettings.Mode.UPSERT ? List.of("id") : List.of(),
        List.of(),
        List.of(),
        META);
  }

  /** Screens {@code units} in order, nothing blocked after a conflict. */
  private SchemaScreen.Verdict screen(TableSchema table, TableSettings.Mode mode, Unit... units) {
    return screen.screen(T, table, List.of(units), settings(mode), SchemaScreen.OnConflict.NONE);
  }

  @Test
  void onlyTheConflictingUnitIsSetAsideWithTheTableReason() {
    TableSchema table =
        new TableSchema()
            .add("id", RedshiftType.of(RedshiftType.Family.BIGINT), true)
            .add("v", RedshiftType.of(RedshiftType.Family.INTEGER), true);
    Unit ok1 = unit(0, 0, col("id", Kind.INT64), col("v", Kind.INT32));
    Unit bad = unit(0, 10, col("id", Kind.INT64), col("v", Kind.STRING));
    Unit ok2 = unit(0, 20, col("id", Kind.INT64), col("v", Kind.INT32));
    Unit other = unit(1, 0, col("id", Kind.INT64));
    SchemaScreen.Verdict v = screen(table, TableSettings.Mode.APPEND, ok1, bad, ok2, other);
    assertThat(v.accepted()).containsExactly(ok1, ok2, other);
    assertThat(v.conflicts()).containsOnlyKeys(bad);
    assertThat(v.conflicts().get(bad))
        .startsWith("Unit orders/0 offsets 10..19 (")
        .contains("column v is INTEGER but the files now hold string");
  }

  @Test
  void anAvroUnitCompressedWithZstdIsSetAsideWithTheFix() {
    Unit ok = unit(0, 0, col("id", Kind.INT64));
    Unit zstd =
        TestUnits.unit(
            "orders",
            0,
            10,
            19,
            List.of(
                new io.redstage.contract.MarkerFile(
                    "f0-10.avro",
                    100,
                    10,
                    FileFormat.AVRO,
                    "zstd",
                    null,
                    columns(col("id", Kind.INT64)))));
    SchemaScreen.Verdict v = screen(null, TableSettings.Mode.APPEND, ok, zstd);
    assertThat(v.accepted()).containsExactly(ok);
    assertThat(v.deferred()).isEmpty();
    assertThat(v.conflicts().get(zstd))
        .startsWith("Unit orders/0 offsets 10..19 (")
        .contains("Cannot load Avro file f0-10.avro: it is compressed with zstd")
        .contains("Set avro.codec=snappy in the connector");
  }

  @Test
  void aUnitThatFitsTheTableAloneButNotBesideEarlierUnitsWaitsForALaterBatch() {
    Unit first = unit(0, 0, col("id", Kind.INT64), col("v", Kind.INT32));
    Unit second = unit(0, 10, col("id", Kind.INT64), col("v", Kind.STRING));
    SchemaScreen.Verdict v = screen(null, TableSettings.Mode.APPEND, first, second);
    assertThat(v.accepted()).containsExactly(first);
    assertThat(v.conflicts()).isEmpty();
    assertThat(v.deferred()).containsExactly(second);
    // once the first unit has created the table, the second conflicts with the table itself and is
    // set aside
    TableSchema created =
        new TableSchema()
            .add("id", RedshiftType.of(RedshiftType.Family.BIGINT), true)
            .add("v", RedshiftType.of(RedshiftType.Family.INTEGER), true);
    SchemaScreen.Verdict later = screen(created, TableSettings.Mode.APPEND, second);
    assertThat(later.conflicts().get(second))
        .contains("column v is INTEGER but the files now hold string");
  }

  /**
   * In upsert mode a unit whose file lacks the key is set aside alone, whatever it is batched with:
   * beside units that have the key its rows would get NULL keys and be appended, its deletes lost.
   */
  @Test
  void anUpsertUnitWithoutTheKeyColumnIsSetAsideAlone() {
    Unit keyed = unit(0, 0, col("id", Kind.INT64), col("v", Kind.INT32));
    Unit keyless = unit(1, 0, col("v", Kind.INT32));
    SchemaScreen.Verdict v = screen(null, TableSettings.Mode.UPSERT, keyed, keyless);
    assertThat(v.accepted()).containsExactly(keyed);
    assertThat(v.deferred()).isEmpty();
    assertThat(v.conflicts().get(keyless))
        .startsWith("Unit orders/1 offsets 0..9 (")
        .contains("Cannot upsert file f1-0: it has no key column id (upsert.key)");
    assertThat(screen(null, TableSettings.Mode.APPEND, keyless).accepted())
        .as("append mode has no key")
        .containsExactly(keyless);
  }

  /** A column name Redshift cannot take escaped the upsert-key check and stopped the table. */
  @Test
  void anUpsertUnitWithAColumnNameRedshiftCannotTakeIsSetAsideAlone() {
    Unit keyed = unit(0, 0, col("id", Kind.INT64), col("v", Kind.INT32));
    Unit longName = unit(1, 0, col("id", Kind.INT64), col("n".repeat(200), Kind.INT32));
    SchemaScreen.Verdict v = screen(null, TableSettings.Mode.UPSERT, keyed, longName);
    assertThat(v.accepted()).containsExactly(keyed);
    assertThat(v.conflicts().get(longName)).startsWith("Unit orders/1 offsets 0..9 (");
  }

  @Test
  void upsertSkipsTheRestOfAConflictingUnitsPartition() {
    Unit bad = unit(0, 0, col("id", Kind.INT64), col("id", Kind.STRING));
    Unit after = unit(0, 10, col("id", Kind.INT64));
    Unit otherPartition = unit(1, 0, col("id", Kind.INT64));
    Set<Integer> blocked = new HashSet<>();
    SchemaScreen.Verdict v =
        screen.screen(
            T,
            null,
            List.of(bad, after, otherPartition),
            settings(TableSettings.Mode.UPSERT),
            new SchemaScreen.OnConflict() {
              @Override
              public boolean skipped(Unit u) {
                return blocked.contains(u.partition());
              }

              @Override
              public void conflicted(Unit u) {
                blocked.add(u.partition());
              }
            });
    assertThat(v.conflicts()).containsOnlyKeys(bad);
    assertThat(v.accepted()).containsExactly(otherPartition);
  }

  @Test
  void splitBudgetGrowsWithLog2OfTheUnits() {
    assertThat(TableLoad.splitBudget(1)).isZero();
    assertThat(TableLoad.splitBudget(2)).isEqualTo(4);
    assertThat(TableLoad.splitBudget(8)).isEqualTo(12);
    assertThat(TableLoad.splitBudget(2000)).isEqualTo(44);
  }
}
