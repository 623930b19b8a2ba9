package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.contract.FileFormat;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema.Type;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AvroRecordFileWriterTest {
  private final RecordFormat avro = RecordFormats.create(options(FileFormat.AVRO).build());

  @Test
  void writesEveryConnectTypeWithItsLogicalTypeAndValue() throws Exception {
    byte[] file = write(avro, allTypesRecords(2), "k");

    List<GenericRecord> rows = FileReaders.avro(file);
    assertThat(rows).hasSize(2);
    assertScalarsOfAllTypesRows(rows);
    GenericRecord r = rows.get(1);
    assertThat(((GenericRecord) r.get("address")).get("street").toString()).isEqualTo("Main St 1");
    assertThat(r.get("maybe_address")).isNull();
    assertThat((List<?>) r.get("tags")).extracting(Object::toString).containsExactly("x", "y");
    assertThat(((Map<?, ?>) r.get("scores")).get(new org.apache.avro.util.Utf8("b"))).isEqualTo(1L);
    assertThat(((GenericRecord) ((List<?>) r.get("by_id")).get(0)).get("key")).isEqualTo(7);
    assertThat(new ArrayList<Object>((List<?>) r.get("opt_list"))).containsExactly(1, null, 3);
    assertThat(r.get("kafka_topic").toString()).isEqualTo(TOPIC);
    assertThat(r.get("kafka_partition")).isEqualTo(PARTITION);
    assertThat(r.get("kafka_offset")).isEqualTo(101L);
    assertThat(r.get("kafka_timestamp")).isEqualTo(TS.plusMillis(101));

    org.apache.avro.Schema schema = rows.get(0).getSchema();
    assertThat(schema.getField("price").schema().getLogicalType())
        .isEqualTo(LogicalTypes.decimal(10, 2));
    assertThat(schema.getField("big").schema().getLogicalType())
        .isEqualTo(LogicalTypes.decimal(38, 4));
    assertThat(schema.getField("day").schema().getLogicalType()).isEqualTo(LogicalTypes.date());
    assertThat(schema.getField("at").schema().getLogicalType())
        .isEqualTo(LogicalTypes.timeMillis());
    assertThat(schema.getField("ts").schema().getLogicalType())
        .isEqualTo(LogicalTypes.timestampMillis());
    assertThat(schema.getField("note").schema().getType()).isEqualTo(Type.UNION);
    assertThat(schema.getField("kafka_timestamp").schema().getTypes().get(1).getLogicalType())
        .isEqualTo(LogicalTypes.timestampMillis());
  }

  @Test
  void microsecondTimestamps() throws Exception {
    RecordFormat micros =
        RecordFormats.create(options(FileFormat.AVRO).timestampUnit(TimestampUnit.MICROS).build());
    GenericRecord r = FileReaders.avro(write(micros, allTypesRecords(1), "k")).get(0);
    assertThat(r.getSchema().getField("ts").schema().getLogicalType())
        .isEqualTo(LogicalTypes.timestampMicros());
    assertThat(r.get("ts")).isEqualTo(TS);
    assertThat(r.get("kafka_timestamp")).isEqualTo(TS.plusMillis(100));
  }

  @ParameterizedTest
  @CsvSource({
    "null,null,none",
    "deflate,deflate,deflate",
    "snappy,snappy,snappy",
    "zstd,zstandard,zstd"
  })
  void writesEachCodec(String codec, String fileCodec, String markerCompression) throws Exception {
    RecordFormat format = RecordFormats.create(options(FileFormat.AVRO).avroCodec(codec).build());
    byte[] file = write(format, allTypesRecords(30), "k");

    try (DataFileReader<GenericRecord> reader = FileReaders.avroReader(file)) {
      assertThat(reader.getMetaString("avro.codec")).isEqualTo(fileCodec);
    }
    assertThat(FileReaders.avro(file)).hasSize(30);
    assertThat(format.compression()).isEqualTo(markerCompression);
    assertThat(format.extension()).isEqualTo(".avro");
  }

  @Test
  void sameRecordsAndKeyWriteIdenticalBytesAndTheSyncMarkerComesFromTheKey() throws Exception {
    String key = "topics/orders/3/00000000000000000100-00000000000000000149.avro";
    byte[] first = write(avro, allTypesRecords(50), key);
    byte[] again =
        write(RecordFormats.create(options(FileFormat.AVRO).build()), allTypesRecords(50), key);
    byte[] otherKey = write(avro, allTypesRecords(50), key + "x");

    assertThat(again).isEqualTo(first);
    assertThat(otherKey).isNotEqualTo(first).hasSameSizeAs(first);
    // the container ends with the 16-byte sync marker, SHA-256(key)[0..16)
    byte[] tail = java.util.Arrays.copyOfRange(first, first.length - 16, first.length);
    assertThat(tail).isEqualTo(AvroRecordFileWriter.syncMarker(key));
  }

  @Test
  void badRecordThrowsAndTheFileKeepsTheGoodRecords() throws Exception {
    BytesOutput out = new BytesOutput();
    List<SinkRecord> good = allTypesRecords(3);
    RecordFileWriter w = avro.open(out, good.get(0), "k");
    w.write(good.get(0));
    assertThatThrownBy(
            () ->
                w.write(record(ALL_TYPES, allTypes(5).put("big", new BigDecimal("0.00001")), 700)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/700")
        .hasMessageContaining("as Avro")
        .hasMessageContaining("'big'");
    assertThatThrownBy(() -> w.write(record(null, "schemaless", 701)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/701")
        .hasMessageContaining("no schema");
    Schema other = SchemaBuilder.struct().name("Other").field("x", Schema.INT32_SCHEMA).build();
    assertThatThrownBy(() -> w.write(record(other, new Struct(other).put("x", 1), 702)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/702")
        .hasMessageContaining("differs");
    w.write(good.get(1));
    w.write(good.get(2));
    w.finish();

    assertThat(FileReaders.avro(out.toByteArray()))
        .extracting(r -> r.get("kafka_offset"))
        .containsExactly(100L, 101L, 102L);
  }

  @Test
  void estimatedBytesCountTheOpenBlock() throws Exception {
    BytesOutput out = new BytesOutput();
    List<SinkRecord> records = allTypesRecords(2000);
    // Streaming from the first row (nothing held): blocks reach the stream as they fill.
    RecordFileWriter w =
        RecordFormats.create(options(FileFormat.AVRO).build(), ColumnNames.unmapped(), 0)
            .open(out, records.get(0), "k");
    long headerOnly = w.estimatedBytes();
    w.write(records.get(0));
    assertThat(w.bufferedBytes()).isPositive();
    assertThat(w.estimatedBytes()).isGreaterThan(headerOnly);
    for (SinkRecord r : records.subList(1, records.size())) {
      w.write(r);
    }
    long estimate = w.estimatedBytes();
    w.finish();
    assertThat(w.bufferedBytes()).isZero();
    assertThat(w.estimatedBytes()).isEqualTo(out.position());
    assertThat((double) estimate).isBetween(0.9 * out.position(), 1.1 * out.position());
  }

  @Test
  void tombstonesBecomeDeleteRowsCarryingTheKeyFields() throws Exception {
    RecordFormat format =
        RecordFormats.create(options(FileFormat.AVRO).deleteMarkers(true).build());
    byte[] file = write(format, List.of(user(1, "ann", 10), tombstone(1, 11)), "k");

    List<GenericRecord> rows = FileReaders.avro(file);
    assertThat(rows.get(0).get("kafka_deleted")).isEqualTo(false);
    assertThat(rows.get(1).get("id")).isEqualTo(1L);
    assertThat(rows.get(1).get("name")).isNull();
    assertThat(rows.get(1).get("kafka_deleted")).isEqualTo(true);
    assertThat(rows.get(1).get("kafka_offset")).isEqualTo(11L);
  }

  @Test
  void heldRowsBuildTheSameBytesAsAFileStreamedFromItsFirstRow() throws Exception {
    FormatOptions options = options(FileFormat.AVRO).avroCodec("snappy").build();
    List<SinkRecord> records = allTypesRecords(3_000);
    byte[] streamed = write(RecordFormats.create(options, ColumnNames.unmapped(), 0), records, "k");
    byte[] held =
        write(RecordFormats.create(options, ColumnNames.unmapped(), Long.MAX_VALUE), records, "k");
    // held at first, then streaming once the held rows pass 4 KB
    byte[] switched =
        write(RecordFormats.create(options, ColumnNames.unmapped(), 4 * 1024), records, "k");

    assertThat(held).isEqualTo(streamed);
    assertThat(switched).isEqualTo(streamed);
  }
}
