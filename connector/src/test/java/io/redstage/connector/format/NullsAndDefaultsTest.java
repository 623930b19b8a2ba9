package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.options;
import static io.redstage.connector.format.Fixtures.record;
import static io.redstage.connector.format.Fixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.contract.FileFormat;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An explicit null in an optional field with a default is written as null, at the top level and
 * nested: Connect's Struct.get hands out the default instead, which turned the nulls a converter
 * keeps on purpose (replace.null.with.default=false) into the default in every format. A required
 * field left unset still takes its default.
 */
class NullsAndDefaultsTest {
  static final Schema ADDRESS =
      SchemaBuilder.struct()
          .name("Address")
          .optional()
          .field("city", SchemaBuilder.string().optional().defaultValue("unknown").build())
          .build();
  static final Schema ORDER =
      SchemaBuilder.struct()
          .name("Order")
          .field("id", Schema.INT64_SCHEMA)
          .field("status", SchemaBuilder.string().optional().defaultValue("new").build())
          .field("priority", SchemaBuilder.int32().defaultValue(3).build())
          .field("address", ADDRESS)
          .build();

  static List<SinkRecord> records() {
    Struct explicitNulls =
        new Struct(ORDER)
            .put("id", 1L)
            .put("status", null)
            .put("address", new Struct(ADDRESS).put("city", null));
    Struct values =
        new Struct(ORDER)
            .put("id", 2L)
            .put("status", "paid")
            .put("priority", 1)
            .put("address", new Struct(ADDRESS).put("city", "Oslo"));
    return List.of(record(ORDER, explicitNulls, 10), record(ORDER, values, 11));
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void anExplicitNullIsWrittenAsNullAndAnUnsetRequiredFieldAsItsDefault(FileFormat format)
      throws Exception {
    byte[] file = write(RecordFormats.create(options(format).build()), records(), "k");

    if (format == FileFormat.JSONL) {
      List<JsonNode> rows = FileReaders.jsonLines(file, false);
      assertThat(rows.get(0).get("status").isNull()).as(rows.get(0).toString()).isTrue();
      assertThat(rows.get(0).get("priority").asInt()).isEqualTo(3);
      assertThat(rows.get(0).get("address").get("city").isNull()).isTrue();
      assertThat(rows.get(1).get("status").asText()).isEqualTo("paid");
      assertThat(rows.get(1).get("priority").asInt()).isEqualTo(1);
      assertThat(rows.get(1).get("address").get("city").asText()).isEqualTo("Oslo");
      return;
    }
    List<GenericRecord> rows =
        format == FileFormat.PARQUET ? FileReaders.parquet(file) : FileReaders.avro(file);
    assertThat(rows.get(0).get("status")).as(rows.get(0).toString()).isNull();
    assertThat(rows.get(0).get("priority")).isEqualTo(3);
    assertThat(((GenericRecord) rows.get(0).get("address")).get("city")).isNull();
    assertThat(rows.get(1).get("status").toString()).isEqualTo("paid");
    assertThat(rows.get(1).get("priority")).isEqualTo(1);
    assertThat(((GenericRecord) rows.get(1).get("address")).get("city").toString())
        .isEqualTo("Oslo");
  }
}
