package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.contract.FileFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The row encoder writes, row by row, the bytes Avro's GenericDatumWriter writes. */
class AvroRowEncoderTest {

  @ParameterizedTest
  @EnumSource(
      value = FileFormat.class,
      names = {"PARQUET", "AVRO"})
  void everyConnectTypeIsEncodedAsGenericDatumWriterEncodesIt(FileFormat format) throws Exception {
    FormatOptions options =
        options(format).keyColumnEnabled(true).headersColumnEnabled(true).build();
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Struct value = allTypes(i);
      if (i % 3 == 0) {
        value.put("maybe_address", new Struct(OPTIONAL_ADDRESS).put("street", "").put("zip", null));
        value.put("opt_list", null);
        value.put("name", i % 2 == 0 ? "" : "naïve ☃ \uD83D\uDE00 " + i);
        value.put("blob", new byte[0]);
      }
      ConnectHeaders headers = new ConnectHeaders();
      if (i % 2 == 0) {
        headers.addString("trace", "t" + i);
        headers.addDecimal("amount", new BigDecimal("-1.50"));
      }
      records.add(
          new SinkRecord(
              TOPIC,
              PARTITION,
              org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA,
              i % 4 == 0 ? null : "k" + i,
              ALL_TYPES,
              value,
              i,
              i % 5 == 0 ? null : TS.toEpochMilli() - i,
              TimestampType.CREATE_TIME,
              headers));
    }
    AvroRows rows = rows(options, records.get(0));

    for (SinkRecord r : records) {
      GenericRecord row = rows.build(r);
      assertThat(encode(rows.layout().rowEncoder(), row))
          .as("record at offset %d", r.kafkaOffset())
          .isEqualTo(throughGenericDatumWriter(row));
    }
  }

  @Test
  void primitivesOptionalsInEitherOrderAndAvroValueClassesMatchGenericDatumWriter()
      throws Exception {
    org.apache.avro.Schema schema =
        SchemaBuilder.record("r")
            .fields()
            .requiredBoolean("b")
            .requiredInt("i")
            .requiredLong("l")
            .requiredFloat("f")
            .requiredDouble("d")
            .requiredString("s")
            .requiredBytes("y")
            .optionalLong("ol")
            .name("nullLast")
            .type()
            .unionOf()
            .stringType()
            .and()
            .nullType()
            .endUnion()
            .noDefault()
            .optionalBytes("oy")
            .endRecord();
    AvroRowEncoder encoder = new AvroRowEncoder(schema);
    assertThat(encoder.writesNested()).isFalse();
    Random random = new Random(11);
    for (int n = 0; n < 2_000; n++) {
      GenericData.Record row = new GenericData.Record(schema);
      row.put("b", random.nextBoolean());
      row.put("i", n % 7 == 0 ? Integer.MIN_VALUE : random.nextInt());
      row.put("l", n % 7 == 1 ? Long.MAX_VALUE : random.nextLong() >> random.nextInt(64));
      row.put("f", n % 7 == 2 ? Float.NaN : random.nextFloat() - 0.5f);
      row.put("d", n % 7 == 3 ? Double.NEGATIVE_INFINITY : random.nextGaussian());
      String text = "v" + random.nextInt(1_000) + (n % 3 == 0 ? "é€" : "");
      row.put("s", n % 2 == 0 ? text : new Utf8(text));
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
      // a heap buffer whose content starts past its array's first byte
      ByteBuffer sliced = ByteBuffer.wrap(("xx" + text).getBytes(StandardCharsets.UTF_8));
      sliced.position(2);
      row.put("y", n % 3 == 0 ? direct : n % 3 == 1 ? sliced.slice() : sliced);
      row.put("ol", n % 2 == 0 ? null : (long) n);
      row.put("nullLast", n % 3 == 0 ? null : text);
      row.put("oy", n % 4 == 0 ? null : ByteBuffer.wrap(bytes));

      assertThat(encode(encoder, row)).as("row %d", n).isEqualTo(throughGenericDatumWriter(row));
    }
  }

  @Test
  void aValueThatDoesNotFitItsColumnThrowsAndTheNextRowIsEncodedWhole() throws Exception {
    org.apache.avro.Schema schema =
        SchemaBuilder.record("r").fields().requiredLong("id").requiredString("s").endRecord();
    AvroRowEncoder encoder = new AvroRowEncoder(schema);
    GenericData.Record bad = new GenericData.Record(schema);
    bad.put("id", 1L);
    bad.put("s", null);
    RowBuffer out = new RowBuffer();
    assertThatThrownBy(() -> encoder.write(bad, out, null))
        .isInstanceOf(NullPointerException.class);

    GenericData.Record good = new GenericData.Record(schema);
    good.put("id", 300L);
    good.put("s", "ok");
    assertThat(encode(encoder, good)).isEqualTo(throughGenericDatumWriter(good));
  }

  private static AvroRows rows(FormatOptions options, SinkRecord first) {
    WarehouseLimits limits =
        new WarehouseLimits(options.varcharMaxBytes(), options.truncateOversizeStrings());
    MetadataColumns metadata =
        new MetadataColumns(options, new ConnectJson(options.timestampUnit(), limits));
    ConnectAvroSchemas schemas =
        new ConnectAvroSchemas(options.format(), metadata, ColumnNames.unmapped());
    return new AvroRows(
        options.format(),
        schemas.layout(first),
        metadata,
        new ConnectAvroValues(options.timestampUnit(), limits, false));
  }

  /** Encodes as AvroRowsFileWriter does: into a cleared buffer, with a direct encoder over it. */
  private static byte[] encode(AvroRowEncoder encoder, GenericRecord row) throws IOException {
    RowBuffer out = new RowBuffer();
    BinaryEncoder nested = EncoderFactory.get().directBinaryEncoder(out, null);
    encoder.write(row, out, nested);
    return out.toByteArray();
  }

  private static byte[] throughGenericDatumWriter(GenericRecord row) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(row.getSchema(), GenericData.get()).write(row, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
