package io.redstage.loader.sql;

import static io.redstage.loader.TestUnits.col;
import static io.redstage.loader.TestUnits.columns;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.loader.TestUnits;
import io.redstage.loader.batch.Batch;
import io.redstage.loader.batch.BatchPlanner;
import io.redstage.loader.sql.RedshiftType.Family;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ColumnWideningTest {
  static final TableRef T = TableRef.of("public", "orders");

  @Test
  void widensToTheNextPowerOfTwoAndAtMost65535() {
    assertThat(ColumnWidening.widenedLength(1)).isEqualTo(1);
    assertThat(ColumnWidening.widenedLength(256)).isEqualTo(256);
    assertThat(ColumnWidening.widenedLength(257)).isEqualTo(512);
    assertThat(ColumnWidening.widenedLength(300)).isEqualTo(512);
    assertThat(ColumnWidening.widenedLength(32767)).isEqualTo(32768);
    assertThat(ColumnWidening.widenedLength(32768)).isEqualTo(65535);
    assertThat(ColumnWidening.widenedLength(65535)).isEqualTo(65535);
  }

  @Test
  void recognisesOnlyTheTooLongError() {
    assertThat(
            ColumnWidening.valueTooLong(
                "Load transaction failed at statement 6 (INSERT ...): ERROR: value too long for type character varying(256)"))
        .isTrue();
    assertThat(ColumnWidening.valueTooLong("ERROR: value too long for type varbyte(16)")).isFalse();
    assertThat(ColumnWidening.valueTooLong(null)).isFalse();
  }

  @Test
  void probeStagesLikeTheLoadAndMeasuresBoundedVarcharsOfEveryGroup() {
    Batch b =
        new BatchPlanner(1L << 40, 1000, 8, 2000, () -> new UUID(0, 1))
            .build(
                T,
                List.of(
                    TestUnits.unit(
                        "orders",
                        0,
                        0,
                        9,
                        List.of(
                            TestUnits.file(
                                "a",
                                1,
                                10,
                                FileFormat.PARQUET,
                                columns(col("name", Kind.STRING))))),
                    TestUnits.unit(
                        "orders",
                        0,
                        10,
                        19,
                        List.of(
                            TestUnits.file(
                                "b",
                                1,
                                10,
                                FileFormat.PARQUET,
                                columns(col("name", Kind.STRING), col("note", Kind.STRING)))))));
    LoadTransaction load =
        new LoadTransaction(
            List.of(
                "LOCK x",
                "CREATE TEMP TABLE a",
                "COPY a",
                "CREATE TEMP TABLE b",
                "COPY b",
                "SELECT SUM",
                "INSERT"),
            List.of(2, 4),
            6,
            5);
    TableSchema table =
        new TableSchema()
            .add("name", RedshiftType.varchar(256), true)
            .add("note", RedshiftType.varchar(8), true)
            .add("wide", RedshiftType.varchar(65535), true)
            .add("kafka_topic", RedshiftType.varchar(65535), true)
            .add("kafka_offset", RedshiftType.of(Family.BIGINT), true);
    ColumnWidening.Probe p = ColumnWidening.probe(b, load, table);
    assertThat(p.columns()).containsExactly("name", "note");
    assertThat(p.statements())
        .containsExactly(
            "CREATE TEMP TABLE a",
            "COPY a",
            "CREATE TEMP TABLE b",
            "COPY b",
            "SELECT MAX(\"rs_len_0\") AS \"rs_len_0\", MAX(\"rs_len_1\") AS \"rs_len_1\" FROM ("
                + "SELECT OCTET_LENGTH(\"name\") AS \"rs_len_0\", CAST(NULL AS INTEGER) AS \"rs_len_1\" FROM \""
                + LoadSqlBuilder.stagingTable(b.groups().get(0))
                + "\" UNION ALL "
                + "SELECT OCTET_LENGTH(\"name\") AS \"rs_len_0\", OCTET_LENGTH(\"note\") AS \"rs_len_1\" FROM \""
                + LoadSqlBuilder.stagingTable(b.groups().get(1))
                + "\") \"rs_lengths\"");
    assertThat(ColumnWidening.alter(T, "note", 16))
        .isEqualTo("ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"note\" TYPE VARCHAR(16)");
  }
}
