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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.params.provider.CsvSource;

/** The row encoder writes, row by row, the bytes Avro's GenericDatumWriter writes. */
class AvroRowEncoderTest {

  @ParameterizedTest
  @CsvSource({"PARQUET, MILLIS", "PARQUET, MICROS", "AVRO, MILLIS"})
  void everyConnectTypeIsEncodedAsGenericDatumWriterEncodesIt(FileFormat format, TimestampUnit unit)
      throws Exception {
    FormatOptions options =
        options(format)
            .keyColumnEnabled(true)
            .headersColumnEnabled(true)
            .deleteMarkers(true)
            .timestampUnit(unit)
            .build();
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

    // One buffer for every row, cleared in between, as a file writer uses it.
    RowBuffer out = new RowBuffer();
    for (SinkRecord r : records) {
      GenericRecord row = rows.build(r);
      assertThat(encode(rows.layout().rowEncoder(), row, out))
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
    RowBuffer out = new RowBuffer();
    for (int n = 0; n < 2_000; n++) {
      GenericData.Record row = new GenericData.Record(schema);
      row.put("b", random.nextBoolean());
      row.put("i", n % 7 == 0 ? Integer.MIN_VALUE : random.nextInt());
      row.put("l", n % 7 == 1 ? Long.MAX_VALUE : random.nextLong() >> random.nextInt(64));
      row.put("f", n % 7 == 2 ? Float.NaN : random.nextFloat() - 0.5f);
      row.put("d", n % 7 == 3 ? Double.NEGATIVE_INFINITY : random.nextGaussian());
      // Strings past the buffer's first size, and one past the size it keeps, grow it mid-row.
      String text =
          "v"
              + random.nextInt(1_000)
              + (n % 3 == 0 ? "é€" : "")
              + (n % 10 == 0 ? "x".repeat(300) : "")
              + (n == 1_000 ? "y".repeat(2 * 1024 * 1024) : "");
      row.put("s", n % 2 == 0 ? text : new Utf8(text));
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
      // a heap buffer whose content starts past its array's first byte
      ByteBuffer sliced = ByteBuffer.wrap(("xx" + text).getBytes(StandardCharsets.UTF_8));
      sliced.position(2);
      ByteBuffer readOnly = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
      row.put(
          "y", n % 4 == 0 ? direct : n % 4 == 1 ? sliced.slice() : n % 4 == 2 ? sliced : readOnly);
      row.put("ol", n % 2 == 0 ? null : (long) n);
      row.put("nullLast", n % 3 == 0 ? null : text);
      row.put("oy", n % 4 == 0 ? null : ByteBuffer.wrap(bytes));

      assertThat(encode(encoder, row, out))
          .as("row %d", n)
          .isEqualTo(throughGenericDatumWriter(row));
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
        .isInstanceOf(AvroRowEncoder.RejectedColumn.class)
        .hasCauseInstanceOf(NullPointerException.class)
        .hasMessageContaining("column s");

    GenericData.Record good = new GenericData.Record(schema);
    good.put("id", 300L);
    good.put("s", "ok");
    assertThat(encode(encoder, good, out)).isEqualTo(throughGenericDatumWriter(good));
  }

  /** Every value GenericDatumWriter refuses is refused too, naming its column. */
  @ParameterizedTest
  @CsvSource({
    "ol, an Integer in a nullable long",
    "oi, a Long in a nullable int",
    "os, an Integer in a nullable string",
    "od, a Float in a nullable double",
    "l, a String in a long",
    "s, an Integer in a string",
    "y, a byte[] in bytes",
    "rec, a string in a record's long"
  })
  void whatGenericDatumWriterRefusesIsRefused(String column, String what) throws Exception {
    org.apache.avro.Schema inner =
        SchemaBuilder.record("inner").fields().requiredLong("n").endRecord();
    org.apache.avro.Schema schema =
        SchemaBuilder.record("r")
            .fields()
            .optionalLong("ol")
            .optionalInt("oi")
            .optionalString("os")
            .optionalDouble("od")
            .requiredLong("l")
            .requiredString("s")
            .requiredBytes("y")
            .name("rec")
            .type(inner)
            .noDefault()
            .endRecord();
    GenericData.Record row = new GenericData.Record(schema);
    row.put("ol", 1L);
    row.put("oi", 1);
    row.put("os", "s");
    row.put("od", 1.0d);
    row.put("l", 1L);
    row.put("s", "s");
    row.put("y", ByteBuffer.wrap(new byte[] {1}));
    GenericData.Record innerRow = new GenericData.Record(inner);
    innerRow.put("n", 1L);
    row.put("rec", innerRow);
    AvroRowEncoder encoder = new AvroRowEncoder(schema);
    assertThat(encode(encoder, row, new RowBuffer())).isEqualTo(throughGenericDatumWriter(row));

    Object wrong =
        Map.<String, Object>of(
                "ol", 1, "oi", 1L, "os", 1, "od", 1.0f, "l", "1", "s", 1, "y", new byte[] {1})
            .get(column);
    if (column.equals("rec")) {
      GenericData.Record wrongInner = new GenericData.Record(inner);
      wrongInner.put("n", "1");
      wrong = wrongInner;
    }
    row.put(column, wrong);

    assertThatThrownBy(() -> throughGenericDatumWriter(row))
        .as(what)
        .isInstanceOf(RuntimeException.class);
    RowBuffer out = new RowBuffer();
    assertThatThrownBy(() -> encoder.write(row, out, directEncoder(out)))
        .as(what)
        .isInstanceOf(AvroRowEncoder.RejectedColumn.class)
        .hasMessageStartingWith("column " + column + " ");
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

  /** Encodes as AvroRowsFileWriter does: into the cleared buffer, with a direct encoder over it. */
  private static byte[] encode(AvroRowEncoder encoder, GenericRecord row, RowBuffer out)
      throws IOException {
    out.clear();
    encoder.write(row, out, directEncoder(out));
    return Arrays.copyOf(out.array(), out.length());
  }

  private static BinaryEncoder directEncoder(RowBuffer out) {
    return EncoderFactory.get().directBinaryEncoder(out, null);
  }

  private static byte[] throughGenericDatumWriter(GenericRecord row) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(row.getSchema(), GenericData.get()).write(row, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
