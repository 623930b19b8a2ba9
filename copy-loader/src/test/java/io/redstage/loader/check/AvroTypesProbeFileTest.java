package io.redstage.loader.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Conversions;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

/**
 * The Avro file {@code check} copies holds, read by Avro itself, the logical types and values the
 * check compares against: a changed resource or constant fails here, not on a cluster.
 */
class AvroTypesProbeFileTest {
  @Test
  void theProbeFileHoldsOneRowOfTheValuesTheCheckCompares() throws Exception {
    GenericData model = new GenericData();
    model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
    model.addLogicalTypeConversion(new TimeConversions.DateConversion());
    model.addLogicalTypeConversion(new Conversions.DecimalConversion());
    List<GenericRecord> rows = new ArrayList<>();
    try (DataFileReader<GenericRecord> in =
        new DataFileReader<>(
            new SeekableByteArrayInput(AvroTypesCheck.probeFile()),
            new GenericDatumReader<>(null, null, model))) {
      in.forEach(rows::add);
    }

    assertThat(rows).hasSize(1);
    GenericRecord r = rows.get(0);
    assertThat(r.getSchema().getField("ts_millis").schema().getLogicalType().getName())
        .isEqualTo("timestamp-millis");
    assertThat(r.getSchema().getField("ts_micros").schema().getLogicalType().getName())
        .isEqualTo("timestamp-micros");
    assertThat(r.getSchema().getField("day").schema().getLogicalType().getName()).isEqualTo("date");
    assertThat(r.get("probe")).isEqualTo(1L);
    assertThat(r.get("ts_millis")).isEqualTo(utc(AvroTypesCheck.TS_MILLIS));
    assertThat(r.get("ts_micros")).isEqualTo(utc(AvroTypesCheck.TS_MICROS));
    assertThat(r.get("day")).isEqualTo(LocalDate.parse(AvroTypesCheck.DAY));
  }

  private static Instant utc(String redshiftLiteral) {
    return java.time.LocalDateTime.parse(redshiftLiteral.replace(' ', 'T'))
        .toInstant(ZoneOffset.UTC);
  }
}
