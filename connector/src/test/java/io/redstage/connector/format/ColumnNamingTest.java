package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One naming rule for top-level columns in Parquet, Avro and JSON Lines (typed and schemaless). */
class ColumnNamingTest {
  /** The ways a topic can be written: the three formats, and JSON Lines also without a schema. */
  enum Writing {
    PARQUET(FileFormat.PARQUET),
    AVRO(FileFormat.AVRO),
    JSONL(FileFormat.JSONL),
    JSONL_SCHEMALESS(FileFormat.JSONL);

    final FileFormat format;

    Writing(FileFormat format) {
      this.format = format;
    }

    /** A record with these top-level fields (all int64), typed or schemaless. */
    SinkRecord record(long offset, String... fields) {
      if (this == JSONL_SCHEMALESS) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String f : fields) {
          m.put(f, offset);
        }
        return Fixtures.record(null, m, offset);
      }
      SchemaBuilder b = SchemaBuilder.struct().name("Order");
      for (String f : fields) {
        b.field(f, Schema.INT64_SCHEMA);
      }
      Schema s = b.build();
      Struct v = new Struct(s);
      for (String f : fields) {
        v.put(f, offset);
      }
      return Fixtures.record(s, v, offset);
    }

    /** The value column names as the file itself holds them (not the marker). */
    List<String> namesInFile(byte[] file) {
      List<String> names = new ArrayList<>();
      if (format == FileFormat.JSONL) {
        JsonNode row = FileReaders.jsonLines(file, false).get(0);
        row.fieldNames().forEachRemaining(names::add);
      } else {
        List<GenericRecord> rows =
            format == FileFormat.PARQUET ? FileReaders.parquet(file) : FileReaders.avro(file);
        rows.get(0).getSchema().getFields().forEach(f -> names.add(f.name()));
      }
      names.removeIf(n -> n.startsWith("kafka_"));
      return names;
    }
  }

  private static List<String> valueColumns(RecordFileWriter w) {
    List<String> names = new ArrayList<>();
    for (MarkerColumn c : w.columns()) {
      if (!c.name().startsWith("kafka_")) {
        names.add(c.name());
      }
    }
    return names;
  }

  private static RecordFormat format(Writing writing, String... mapping) {
    return RecordFormats.create(
        options(writing.format).build(), ColumnNames.mapped(List.of(mapping)));
  }

  /**
   * Writes one record; returns the value columns of the marker and of the file, which must agree.
   */
  private static List<String> written(Writing writing, RecordFormat format, SinkRecord r) {
    BytesOutput out = new BytesOutput();
    RecordFileWriter w = format.open(out, r, "k");
    w.write(r);
    try {
      w.finish();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<String> marker = valueColumns(w);
    assertThat(writing.namesInFile(out.toByteArray()))
        .as("file and marker agree")
        .isEqualTo(marker);
    return marker;
  }

  @ParameterizedTest
  @EnumSource(Writing.class)
  void everyFormatWritesTheSameColumnNames(Writing writing) {
    assertThat(
            written(
                writing,
                format(writing),
                writing.record(1, "Order Id", "9lives", "user-name", "ok_Name")))
        .containsExactly("Order_Id", "_9lives", "user_name", "ok_Name");
  }

  @ParameterizedTest
  @EnumSource(Writing.class)
  void theMappingIsAppliedBeforeTheRule(Writing writing) {
    RecordFormat format = format(writing, "Order Id:order_ref", "id:order_key", "a:b:c");
    assertThat(written(writing, format, writing.record(1, "Order Id", "id", "a:b", "other field")))
        .containsExactly("order_ref", "order_key", "c", "other_field");
  }

  @ParameterizedTest
  @EnumSource(Writing.class)
  void aNameLongerThan127BytesIsRejectedWithTheMappingAdvice(Writing writing) {
    String longest = "a".repeat(127);
    assertThat(written(writing, format(writing), writing.record(1, longest)))
        .containsExactly(longest);

    String tooLong = "b".repeat(128);
    assertThatThrownBy(() -> written(writing, format(writing), writing.record(2, "id", tooLong)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/2")
        .hasMessageContaining("'" + tooLong + "'")
        .hasMessageContaining("127")
        .hasMessageContaining("column.name.map=" + tooLong + ":<shorter name>");
    assertThat(
            written(writing, format(writing, tooLong + ":short"), writing.record(3, "id", tooLong)))
        .containsExactly("id", "short");

    // quoted whole three times, a name this long made a dead letter record larger than a producer
    // may send, and the task failed on the record it meant to set aside
    String huge = "c".repeat(150_000);
    assertThatThrownBy(() -> written(writing, format(writing), writing.record(4, "id", huge)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/4")
        .hasMessageContaining("(150000 characters)")
        .hasMessageContaining("column.name.map=<the field>:<shorter name>")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(2_000));
  }

  @ParameterizedTest
  @EnumSource(Writing.class)
  void twoFieldsThatFoldToOneColumnAreRejected(Writing writing) {
    assertThatThrownBy(() -> written(writing, format(writing), writing.record(4, "Id", "id")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/4")
        .hasMessageContaining("'Id' and 'id'")
        .hasMessageContaining("column.name.map=id:");
    assertThatThrownBy(
            () -> written(writing, format(writing), writing.record(5, "order id", "order-id")))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("'order id' and 'order-id'")
        .hasMessageContaining("order_id");
    assertThat(written(writing, format(writing, "id:id_lower"), writing.record(6, "Id", "id")))
        .containsExactly("Id", "id_lower");
  }

  @Test
  void theMappingIsValidated() {
    assertThatThrownBy(() -> ColumnNames.mapped(List.of("no-colon")))
        .hasMessageContaining("'no-colon'")
        .hasMessageContaining("field:column");
    assertThatThrownBy(() -> ColumnNames.mapped(List.of("a:")))
        .hasMessageContaining("field:column");
    assertThatThrownBy(() -> ColumnNames.mapped(List.of("a:bad-name")))
        .hasMessageContaining("'bad-name'")
        .hasMessageContaining("not a valid column name");
    assertThatThrownBy(() -> ColumnNames.mapped(List.of("a:" + "x".repeat(128))))
        .hasMessageContaining("127");
    assertThatThrownBy(() -> ColumnNames.mapped(List.of("a:x", "a:y")))
        .hasMessageContaining("'a' is mapped twice");
    assertThatThrownBy(() -> ColumnNames.mapped(List.of("a:x", "b:X")))
        .hasMessageContaining("'a' and 'b'")
        .hasMessageContaining("column x");
  }

  @ParameterizedTest
  @EnumSource(Writing.class)
  void aRenameIsLoggedOncePerTopicAndField(Writing writing) {
    ColumnNames names = ColumnNames.mapped(List.of("Mapped:m"));
    RecordFormat format = RecordFormats.create(options(writing.format).build(), names);
    for (int i = 0; i < 3; i++) {
      written(writing, format, writing.record(i, "Order Id", "Mapped", "plain"));
    }
    assertThat(names.loggedRenames()).isEqualTo(2);
    SinkRecord r = writing.record(9, "Order Id");
    written(
        writing, format, r.newRecord("payments", 0, null, null, r.valueSchema(), r.value(), 9L));
    assertThat(names.loggedRenames()).as("another topic").isEqualTo(3);
  }

  @Test
  void nestedNamesAreNotRenamedInJsonLines() throws Exception {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("Top Level", Map.of("inner key", 1L));
    BytesOutput out = new BytesOutput();
    RecordFileWriter w = format(Writing.JSONL_SCHEMALESS).open(out, record(null, v, 1), "k");
    w.write(record(null, v, 1));
    w.finish();
    Iterator<String> names = FileReaders.jsonLines(out.toByteArray(), false).get(0).fieldNames();
    assertThat(names.next()).isEqualTo("Top_Level");
    assertThat(FileReaders.text(out.toByteArray(), false)).contains("{\"inner key\":1}");
  }
}
