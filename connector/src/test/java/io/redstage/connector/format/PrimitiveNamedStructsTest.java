package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.options;
import static io.redstage.connector.format.Fixtures.record;
import static io.redstage.connector.format.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.contract.FileFormat;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Struct fields named after Avro's primitive types ({@code bytes}, {@code string}, ...): Avro
 * refuses such record names, and the AvroTypeException escaped put() and failed the task on every
 * restart. Their records are written like any other.
 */
class PrimitiveNamedStructsTest {
  static final Schema INNER =
      SchemaBuilder.struct().name("Inner").field("n", Schema.INT32_SCHEMA).build();

  @ParameterizedTest
  @EnumSource(
      value = FileFormat.class,
      names = {"PARQUET", "AVRO"})
  void structFieldsNamedAfterPrimitivesAreWritten(FileFormat format) throws Exception {
    List<String> names = List.of("bytes", "string", "Int", "long", "null", "boolean");
    SchemaBuilder builder = SchemaBuilder.struct().name("Value");
    for (String name : names) {
      builder.field(name, INNER);
    }
    Schema schema = builder.build();
    Struct value = new Struct(schema);
    for (int i = 0; i < names.size(); i++) {
      value.put(names.get(i), new Struct(INNER).put("n", i));
    }

    byte[] file =
        write(
            RecordFormats.create(options(format).build()), List.of(record(schema, value, 5)), "k");

    List<GenericRecord> rows =
        format == FileFormat.PARQUET ? FileReaders.parquet(file) : FileReaders.avro(file);
    assertThat(rows).hasSize(1);
    assertThat(((GenericRecord) rows.get(0).get("bytes")).get("n")).isEqualTo(0);
    assertThat(((GenericRecord) rows.get(0).get("boolean")).get("n")).isEqualTo(5);
  }
}
