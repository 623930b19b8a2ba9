package io.redstage.loader.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The Avro file {@code check} copies holds, read by Avro itself, the logical types and values the
 * check compares against: a changed resource or constant fails here, not on a cluster. The file is
 * written by {@link #writeTheProbeFile}, run on demand (the resource is committed).
 */
class AvroTypesProbeFileTest {
  static final Schema SCHEMA =
      SchemaBuilder.record("Probe")
          .namespace("io.redstage.check")
          .fields()
          .name("probe")
          .type()
          .longType()
          .noDefault()
          .name("ts_millis")
          .type(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)))
          .noDefault()
          .name("ts_micros")
          .type(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG)))
          .noDefault()
          .name("day")
          .type(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT)))
          .noDefault()
          .name("bin")
          .type()
          .bytesType()
          .noDefault()
          .endRecord();

  /**
   * Writes the probe resource with Avro's own writer: {@code mvn -pl copy-loader test
   * -Dtest=AvroTypesProbeFileTest -Davro.probe.write=true}, then commit the file.
   */
  @Test
  @EnabledIfSystemProperty(named = "avro.probe.write", matches = "true")
  void writeTheProbeFile() throws Exception {
    GenericRecord r = new GenericData.Record(SCHEMA);
    r.put("probe", 1L);
    r.put("ts_millis", utc(AvroTypesCheck.TS_MILLIS).toEpochMilli());
    Instant micros = utc(AvroTypesCheck.TS_MICROS);
    r.put("ts_micros", micros.getEpochSecond() * 1_000_000L + micros.getNano() / 1_000);
    r.put("day", (int) LocalDate.parse(AvroTypesCheck.DAY).toEpochDay());
    r.put("bin", ByteBuffer.wrap(HexFormat.of().parseHex(AvroTypesCheck.BYTES_HEX)));
    Path out = Path.of("src/main/resources/io/redstage/loader/check/" + AvroTypesCheck.RESOURCE);
    try (DataFileWriter<GenericRecord> w =
        new DataFileWriter<>(new GenericDatumWriter<GenericRecord>(SCHEMA))) {
      w.create(SCHEMA, out.toFile());
      w.append(r);
    }
  }

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
    assertThat(r.getSchema().getField("bin").schema().getType()).isEqualTo(Schema.Type.BYTES);
    ByteBuffer bin = ((ByteBuffer) r.get("bin")).duplicate();
    byte[] bytes = new byte[bin.remaining()];
    bin.get(bytes);
    assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(AvroTypesCheck.BYTES_HEX);
  }

  private static Instant utc(String redshiftLiteral) {
    return java.time.LocalDateTime.parse(redshiftLiteral.replace(' ', 'T'))
        .toInstant(ZoneOffset.UTC);
  }
}
