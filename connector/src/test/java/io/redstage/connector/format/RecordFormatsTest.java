package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.redstage.contract.FileFormat;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** compatible(), canOpen() and option validation. */
class RecordFormatsTest {
  @Test
  void filesHoldOnePartOfRowsButNeverMoreThan25MiB() {
    int mib = 1024 * 1024;
    assertThat(RecordFormats.heldRowBytes(5 * mib)).isEqualTo(5L * mib);
    assertThat(RecordFormats.heldRowBytes(25 * mib)).isEqualTo(25L * mib);
    assertThat(RecordFormats.heldRowBytes(64 * mib)).isEqualTo(25L * mib);
  }

  private static Schema userV(int version) {
    return SchemaBuilder.struct()
        .name("User")
        .version(version)
        .field("id", Schema.INT64_SCHEMA)
        .build();
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void sameSchemaIsCompatibleAndAnyChangeIsNot(FileFormat f) {
    RecordFormat format =
        RecordFormats.create(FormatOptions.builder().format(f).deleteMarkers(true).build());
    Schema v1 = userV(1);
    RecordFileWriter w =
        format.open(new BytesOutput(), record(v1, new Struct(v1).put("id", 1L), 1), "k");

    Schema v1Copy = userV(1);
    assertThat(format.compatible(w, record(v1, new Struct(v1).put("id", 2L), 2))).isTrue();
    assertThat(format.compatible(w, record(v1Copy, new Struct(v1Copy).put("id", 2L), 2)))
        .as("equal copy")
        .isTrue();
    Schema v2 = userV(2);
    assertThat(format.compatible(w, record(v2, new Struct(v2).put("id", 2L), 3)))
        .as("other version")
        .isFalse();
    Schema wider =
        SchemaBuilder.struct()
            .name("User")
            .version(1)
            .field("id", Schema.INT64_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    assertThat(format.compatible(w, record(wider, new Struct(wider).put("id", 2L), 4)))
        .as("new field")
        .isFalse();
    assertThat(format.compatible(w, record(null, null, 5))).as("tombstone").isTrue();
    assertThat(format.compatible(w, record(null, Map.of("id", 1L), 6)))
        .as("schemaless")
        .isEqualTo(f != FileFormat.JSONL);
    w.abort();
  }

  @Test
  void emptyNestedStructNamesItsFieldPathOnceWithWhatToDo() {
    RecordFormat format =
        RecordFormats.create(FormatOptions.builder().format(FileFormat.PARQUET).build());
    Schema geo = SchemaBuilder.struct().name("Geo").optional().build();
    Schema address =
        SchemaBuilder.struct()
            .name("Address")
            .optional()
            .field("city", Schema.OPTIONAL_STRING_SCHEMA)
            .field("geo", geo)
            .build();
    Schema value =
        SchemaBuilder.struct()
            .name("Customer")
            .field("id", Schema.INT64_SCHEMA)
            .field("address", address)
            .build();
    assertThatThrownBy(
            () ->
                format.open(
                    new BytesOutput(), record(value, new Struct(value).put("id", 1L), 10), "k"))
        .isInstanceOf(DataException.class)
        .hasMessage(
            "Cannot write record orders/3/10 as Parquet: value schema field 'address.geo' is a struct without "
                + "fields, which Parquet cannot store. Give the struct a field in the producer's schema, drop the field with a "
                + "ReplaceField SMT, or use format.class=avro or jsonl.");
    Schema topLevel =
        SchemaBuilder.struct()
            .name("Customer")
            .field("id", Schema.INT64_SCHEMA)
            .field("geo", geo)
            .build();
    assertThatThrownBy(
            () ->
                format.open(
                    new BytesOutput(),
                    record(topLevel, new Struct(topLevel).put("id", 1L), 11),
                    "k"))
        .hasMessageStartingWith(
            "Cannot write record orders/3/11 as Parquet: value schema field 'geo' is a struct without fields");
  }

  @Test
  void schemalessJsonLinesFilesAcceptEverySchemalessRecordButNoTypedOne() {
    RecordFormat format =
        RecordFormats.create(FormatOptions.builder().format(FileFormat.JSONL).build());
    RecordFileWriter w = format.open(new BytesOutput(), record(null, Map.of("a", 1L), 1), "k");
    assertThat(format.compatible(w, record(null, Map.of("b", "x"), 2))).isTrue();
    assertThat(format.compatible(w, record(null, "text", 3))).isTrue();
    assertThat(format.compatible(w, user(1, "a", 4))).isFalse();
    w.abort();
  }

  @Test
  void keyColumnKindMustMatch() {
    RecordFormat format =
        RecordFormats.create(FormatOptions.builder().keyColumnEnabled(true).build());
    RecordFileWriter structKeyed = format.open(new BytesOutput(), user(1, "a", 1), "k");
    assertThat(format.compatible(structKeyed, user(2, "b", 2))).isTrue();
    assertThat(
            format.compatible(
                structKeyed,
                record(Schema.STRING_SCHEMA, "x", USER, new Struct(USER).put("id", 1L), 3)))
        .isFalse();
    assertThat(
            format.compatible(
                structKeyed, record(null, null, USER, new Struct(USER).put("id", 1L), 4)))
        .isTrue();
    Schema otherKey =
        SchemaBuilder.struct()
            .name("UserKey")
            .field("id", Schema.INT64_SCHEMA)
            .field("region", Schema.STRING_SCHEMA)
            .build();
    assertThat(
            format.compatible(
                structKeyed,
                record(
                    otherKey,
                    new Struct(otherKey).put("id", 1L).put("region", "eu"),
                    USER,
                    new Struct(USER).put("id", 1L),
                    5)))
        .isFalse();
    structKeyed.abort();

    RecordFileWriter textKeyed =
        format.open(
            new BytesOutput(),
            record(Schema.STRING_SCHEMA, "x", USER, new Struct(USER).put("id", 1L), 6),
            "k");
    assertThat(
            format.compatible(
                textKeyed, record(Schema.INT32_SCHEMA, 5, USER, new Struct(USER).put("id", 1L), 7)))
        .isTrue();
    assertThat(format.compatible(textKeyed, user(1, "a", 8))).isFalse();
    textKeyed.abort();
  }

  @Test
  void tombstoneWithoutSchemaCannotOpenParquetOrAvroFiles() {
    SinkRecord tomb = tombstone(1, 1);
    for (FileFormat f : new FileFormat[] {FileFormat.PARQUET, FileFormat.AVRO}) {
      RecordFormat format =
          RecordFormats.create(FormatOptions.builder().format(f).deleteMarkers(true).build());
      assertThat(format.canOpen(tomb)).isFalse();
      assertThat(format.canOpen(user(1, "a", 1))).isTrue();
      assertThatThrownBy(() -> format.open(new BytesOutput(), tomb, "k"))
          .isInstanceOf(DataException.class)
          .hasMessageContaining("tombstone");
    }
  }

  @Test
  void writerNeverClosesTheCallersStream() throws Exception {
    for (FileFormat f : FileFormat.values()) {
      BytesOutput out = new BytesOutput();
      RecordFileWriter w =
          RecordFormats.create(FormatOptions.builder().format(f).jsonCompression("gzip").build())
              .open(out, user(1, "a", 1), "k");
      w.write(user(1, "a", 1));
      w.finish();
      assertThat(out.closed).as(f.id()).isFalse();
      assertThat(w.estimatedBytes()).isEqualTo(out.position());
      assertThatThrownBy(() -> w.write(user(2, "b", 2))).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void optionsHaveTheDocumentedDefaults() {
    FormatOptions o = FormatOptions.builder().build();
    assertThat(o.format()).isEqualTo(FileFormat.PARQUET);
    assertThat(o.parquetCodec()).isEqualTo("snappy");
    assertThat(o.parquetRowGroupBytes()).isEqualTo(8 * 1024 * 1024);
    assertThat(o.parquetPageBytes()).isEqualTo(256 * 1024);
    assertThat(o.avroCodec()).isEqualTo("null");
    assertThat(o.jsonCompression()).isEqualTo("none");
    assertThat(o.timestampUnit()).isEqualTo(TimestampUnit.MILLIS);
    assertThat(o.metadataEnabled()).isTrue();
    assertThat(o.metadataColumnNames())
        .containsExactly("kafka_topic", "kafka_partition", "kafka_offset", "kafka_timestamp");
    assertThat(o.keyColumnEnabled()).isFalse();
    assertThat(o.keyColumn()).isEqualTo("kafka_key");
    assertThat(o.headersColumn()).isEqualTo("kafka_headers");
    assertThat(o.deletedColumn()).isEqualTo("kafka_deleted");
    assertThat(o.toBuilder().build().toString()).isEqualTo(o.toString());
  }

  @Test
  void optionsRejectInvalidValuesWithAClearMessage() {
    assertThatThrownBy(() -> FormatOptions.builder().parquetCodec("lz4").build())
        .hasMessage("Cannot use parquet codec 'lz4': expected one of snappy, zstd, gzip, none.");
    assertThatThrownBy(() -> FormatOptions.builder().parquetRowGroupBytes(1000).build())
        .hasMessageContaining("parquet row group bytes 1000");
    assertThatThrownBy(() -> FormatOptions.builder().parquetPageBytes(32 * 1024 * 1024).build())
        .hasMessageContaining("parquet page bytes");
    assertThatThrownBy(() -> FormatOptions.builder().avroCodec("bzip2").build())
        .hasMessageContaining("avro codec 'bzip2'");
    assertThatThrownBy(() -> FormatOptions.builder().jsonCompression("zstd").build())
        .hasMessageContaining("json compression");
    assertThatThrownBy(() -> FormatOptions.builder().offsetColumn("kafka-offset").build())
        .hasMessageContaining("'kafka-offset'");
    assertThatThrownBy(
            () -> FormatOptions.builder().keyColumnEnabled(true).keyColumn("KAFKA_TOPIC").build())
        .hasMessageContaining("two metadata columns");
    assertThat(FormatOptions.builder().avroCodec("NONE").build().avroCodec()).isEqualTo("null");
    assertThat(FormatOptions.builder().parquetCodec(" ZSTD ").build().parquetCodec())
        .isEqualTo("zstd");
  }
}
