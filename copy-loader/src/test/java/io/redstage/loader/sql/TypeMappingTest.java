package io.redstage.loader.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.FileFormat;
import io.redstage.loader.sql.RedshiftType.Family;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TypeMappingTest {
  private final TypeMapping types = new TypeMapping(1024);

  @ParameterizedTest
  @CsvSource({
    "string,VARCHAR(1024)",
    "boolean,BOOLEAN",
    "int8,SMALLINT",
    "int16,SMALLINT",
    "int32,INTEGER",
    "int64,BIGINT",
    "float32,REAL",
    "float64,DOUBLE PRECISION",
    "bytes,VARBYTE",
    "date,DATE",
    "time-millis,TIME",
    "timestamp-millis,TIMESTAMP",
    "timestamp-micros,TIMESTAMP",
    "'decimal(18,2)','DECIMAL(18,2)'",
    // 19 digits are kept in 64 bits, which end at 9223372036854775807: 20 hold every 19-digit value
    "'decimal(19,2)','DECIMAL(20,2)'",
    "'decimal(20,2)','DECIMAL(20,2)'",
    "struct,SUPER",
    "array,SUPER",
    "map,SUPER"
  })
  void mapsEveryContractType(String contract, String redshift) {
    assertThat(types.targetType(ColumnType.parse(contract)).ddl()).isEqualTo(redshift);
  }

  @Test
  void rejectsDecimalAbove38() {
    assertThatThrownBy(() -> types.targetType(ColumnType.decimal(40, 2)))
        .hasMessageContaining("at most 38");
  }

  @Test
  void rejectsDecimalScaleAbove37() {
    assertThat(types.targetType(ColumnType.decimal(38, 37)))
        .isEqualTo(RedshiftType.decimal(38, 37));
    assertThatThrownBy(() -> types.targetType(ColumnType.decimal(38, 38)))
        .hasMessageContaining("DECIMAL scale is at most 37");
  }

  @Test
  void avroNestedStagesAsTextAndStringsStageWide() {
    assertThat(types.stagingType(ColumnType.of(Kind.STRUCT), FileFormat.AVRO).ddl())
        .isEqualTo("VARCHAR(65535)");
    assertThat(types.needsJsonParse(ColumnType.of(Kind.STRUCT), FileFormat.AVRO)).isTrue();
    assertThat(types.stagingType(ColumnType.of(Kind.STRUCT), FileFormat.PARQUET).ddl())
        .isEqualTo("SUPER");
    assertThat(types.stagingType(ColumnType.of(Kind.STRING), FileFormat.PARQUET).ddl())
        .isEqualTo("VARCHAR(65535)");
  }

  @Test
  void insertableAllowsWideningAndCheckedIntegerNarrowingOnly() {
    assertThat(TypeMapping.insertable(ColumnType.of(Kind.INT32), RedshiftType.of(Family.BIGINT)))
        .isTrue();
    // int promoted to long: each value is cast by the INSERT, and one that does not fit fails
    assertThat(TypeMapping.insertable(ColumnType.of(Kind.INT64), RedshiftType.of(Family.INTEGER)))
        .isTrue();
    assertThat(TypeMapping.narrows(ColumnType.of(Kind.INT64), RedshiftType.of(Family.INTEGER)))
        .isTrue();
    assertThat(TypeMapping.narrows(ColumnType.of(Kind.INT32), RedshiftType.of(Family.SMALLINT)))
        .isTrue();
    assertThat(TypeMapping.narrows(ColumnType.of(Kind.INT32), RedshiftType.of(Family.BIGINT)))
        .isFalse();
    assertThat(TypeMapping.narrows(ColumnType.of(Kind.STRING), RedshiftType.of(Family.SMALLINT)))
        .isFalse();
    assertThat(TypeMapping.insertable(ColumnType.of(Kind.INT64), RedshiftType.of(Family.REAL)))
        .as("REAL rounds, without an error")
        .isFalse();
    assertThat(TypeMapping.insertable(ColumnType.of(Kind.STRING), RedshiftType.of(Family.BIGINT)))
        .isFalse();
    assertThat(TypeMapping.insertable(ColumnType.decimal(10, 2), RedshiftType.decimal(12, 2)))
        .isTrue();
    assertThat(TypeMapping.insertable(ColumnType.decimal(10, 2), RedshiftType.decimal(12, 3)))
        .isFalse();
    assertThat(
            TypeMapping.insertable(
                ColumnType.of(Kind.TIMESTAMP_MICROS), RedshiftType.of(Family.TIMESTAMPTZ)))
        .isTrue();
    assertThat(
            TypeMapping.insertable(
                ColumnType.of(Kind.INT64), RedshiftType.of(Family.DOUBLE_PRECISION)))
        .isTrue();
    assertThat(TypeMapping.insertable(ColumnType.of(Kind.INT64), RedshiftType.decimal(19, 0)))
        .isTrue();
    assertThat(TypeMapping.insertable(ColumnType.of(Kind.INT64), RedshiftType.decimal(20, 2)))
        .isFalse();
    assertThat(TypeMapping.insertable(ColumnType.of(Kind.FLOAT64), RedshiftType.of(Family.BIGINT)))
        .isFalse();
  }

  @Test
  void readsCatalogTypesInBothDialects() {
    assertThat(RedshiftType.fromCatalog("character varying", 256, null, null))
        .isEqualTo(RedshiftType.varchar(256));
    assertThat(RedshiftType.fromCatalog("numeric", null, 18, 2))
        .isEqualTo(RedshiftType.decimal(18, 2));
    // CHAR keeps its kind: text for every rule, but its length cannot be altered
    assertThat(RedshiftType.fromCatalog("character", 4, null, null))
        .isEqualTo(RedshiftType.character(4))
        .isNotEqualTo(RedshiftType.varchar(4))
        .satisfies(t -> assertThat(t.family()).isEqualTo(Family.VARCHAR))
        .satisfies(t -> assertThat(t.ddl()).isEqualTo("CHAR(4)"));
    assertThat(RedshiftType.fromCatalog("bpchar", 4, null, null).fixedLength()).isTrue();
    assertThat(RedshiftType.fromCatalog("jsonb", null, null, null).family())
        .isEqualTo(Family.SUPER);
    assertThat(RedshiftType.fromCatalog("super", null, null, null).family())
        .isEqualTo(Family.SUPER);
    assertThat(RedshiftType.fromCatalog("timestamp without time zone", null, null, null).family())
        .isEqualTo(Family.TIMESTAMP);
    assertThat(RedshiftType.fromCatalog("geometry", null, null, null).family())
        .isEqualTo(Family.OTHER);
  }

  /** A new column for files that disagree takes the type every one of them fits. */
  @ParameterizedTest
  @CsvSource({
    "INT32, INT64, INT64",
    "INT64, INT32, INT64",
    "INT8, INT16, INT16",
    "FLOAT32, FLOAT64, FLOAT64",
    "FLOAT64, FLOAT32, FLOAT64",
    "INT64, FLOAT64, FLOAT64",
    "INT16, FLOAT32, FLOAT32",
    "INT32, FLOAT32, FLOAT64"
  })
  void widerIsTheTypeBothFilesFit(Kind a, Kind b, Kind wider) {
    ColumnType w = TypeMapping.wider(ColumnType.of(a), ColumnType.of(b));
    assertThat(w.kind()).isEqualTo(wider);
  }

  @Test
  void decimalsOfOneScaleWidenToTheLargerPrecision() {
    assertThat(TypeMapping.wider(ColumnType.decimal(10, 2), ColumnType.decimal(12, 2)))
        .isEqualTo(ColumnType.decimal(12, 2));
    assertThat(TypeMapping.wider(ColumnType.decimal(12, 2), ColumnType.decimal(10, 2)))
        .isEqualTo(ColumnType.decimal(12, 2));
    assertThat(TypeMapping.wider(ColumnType.decimal(10, 2), ColumnType.decimal(10, 3)))
        .as("scales differ: no DECIMAL holds both as they are")
        .isEqualTo(ColumnType.decimal(10, 2));
  }
}
