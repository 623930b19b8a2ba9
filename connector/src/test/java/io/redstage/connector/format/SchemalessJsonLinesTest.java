package io.redstage.connector.format;

import static io.redstage.connector.format.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/**
 * Schemaless JSON Lines files: columns are every top-level field of their records, types unified.
 */
class SchemalessJsonLinesTest {
  private final RecordFormat jsonl = RecordFormats.create(options(FileFormat.JSONL).build());
  private final RecordFormat deletes =
      RecordFormats.create(options(FileFormat.JSONL).deleteMarkers(true).build());

  /** An ordered map of alternating keys and values. */
  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static SinkRecord value(Object v, long offset) {
    return record(null, v, offset);
  }

  /**
   * Writes the records into one file, asserting each is compatible with it first, as
   * PartitionWriter does.
   */
  private static Written writeChecked(RecordFormat format, List<SinkRecord> records)
      throws Exception {
    BytesOutput out = new BytesOutput();
    RecordFileWriter w = format.open(out, records.get(0), "k");
    for (SinkRecord r : records) {
      assertThat(format.compatible(w, r)).as("record at offset %d fits", r.kafkaOffset()).isTrue();
      w.write(r);
    }
    w.finish();
    return new Written(w, out.toByteArray());
  }

  private static List<String> described(List<MarkerColumn> columns) {
    List<String> out = new ArrayList<>();
    for (MarkerColumn c : columns) {
      if (!List.of("kafka_topic", "kafka_partition", "kafka_offset", "kafka_timestamp")
          .contains(c.name())) {
        out.add(
            c.name()
                + " "
                + c.type()
                + (c.nullable() ? "" : " not null")
                + (c.nullsOnly() ? " (nulls only)" : ""));
      }
    }
    return out;
  }

  @Test
  void aRecordOverRedshiftsColumnLimitIsRejectedAndOneThatWouldTakeAFileOverItStartsANewOne()
      throws Exception {
    Map<String, Object> widest = new LinkedHashMap<>();
    for (int i = 0; i < 1_596; i++) {
      widest.put("f" + i, (long) i);
    }
    Written file = writeChecked(jsonl, List.of(value(widest, 1)));
    assertThat(file.writer.columns()).as("with the four metadata columns").hasSize(1_600);

    Map<String, Object> tooWide = new LinkedHashMap<>(widest);
    tooWide.put("f1596", 0L);
    RecordFileWriter w = jsonl.open(new BytesOutput(), value(map("id", 1L), 2), "k");
    assertThatThrownBy(() -> w.write(value(tooWide, 3)))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith("Cannot write record orders/3/3 as JSON Lines")
        .hasMessageContaining("its row would have 1601 columns");

    Map<String, Object> half = new LinkedHashMap<>();
    Map<String, Object> otherHalf = new LinkedHashMap<>();
    for (int i = 0; i < 900; i++) {
      half.put("a" + i, 1L);
      otherHalf.put("b" + i, 1L);
    }
    RecordFileWriter first = jsonl.open(new BytesOutput(), value(half, 4), "k");
    first.write(value(half, 4));
    assertThat(jsonl.compatible(first, value(otherHalf, 5)))
        .as("1,800 value columns together: the record starts a new file")
        .isFalse();
    assertThat(writeChecked(jsonl, List.of(value(otherHalf, 5))).writer.columns()).hasSize(904);
  }

  @Test
  void laterRecordsWithNewKeysAddColumnsAndEveryValueIsInTheFile() throws Exception {
    List<SinkRecord> records =
        List.of(
            value(map("id", 1L, "tag", "a"), 10),
            value(map("id", 2L, "tag", "b", "note", "later", "score", 7L), 11),
            value(map("amount", 12.5d, "id", 3L), 12));
    Written file = writeChecked(jsonl, records);

    assertThat(described(file.writer.columns()))
        .containsExactly("id int64", "tag string", "note string", "score int64", "amount float64");
    assertThat(file.writer.columns())
        .extracting(MarkerColumn::name)
        .endsWith("kafka_topic", "kafka_partition", "kafka_offset", "kafka_timestamp");
    List<JsonNode> rows = FileReaders.jsonLines(file.bytes, false);
    List<String> columnNames = new ArrayList<>();
    file.writer.columns().forEach(c -> columnNames.add(c.name()));
    for (int i = 0; i < records.size(); i++) {
      @SuppressWarnings("unchecked")
      Map<String, Object> v = (Map<String, Object>) records.get(i).value();
      for (Map.Entry<String, Object> e : v.entrySet()) {
        assertThat(columnNames).as("marker column for %s", e.getKey()).contains(e.getKey());
        assertThat(
                FileReaders.JSON.convertValue(rows.get(i).get(e.getKey()), Object.class).toString())
            .isEqualTo(e.getValue().toString());
      }
      rows.get(i)
          .fieldNames()
          .forEachRemaining(n -> assertThat(columnNames).as("every key is a column").contains(n));
    }
  }

  @Test
  void integersAndFloatsUnifyToFloat64AndNullOnlyColumnsTakeTheFirstTypeOrSayTheyHaveNone()
      throws Exception {
    Written file =
        writeChecked(
            jsonl,
            List.of(
                value(map("x", 1L, "later", null, "gone", null), 1),
                value(map("x", 2.5d, "later", 7L), 2),
                value(map("x", 3, "later", null), 3)));
    assertThat(described(file.writer.columns()))
        .containsExactly("x float64", "later int64", "gone string (nulls only)");
    assertThat(FileReaders.jsonLines(file.bytes, false))
        .extracting(r -> r.get("x").toString())
        .containsExactly("1", "2.5", "3");
  }

  @Test
  void nestedValuesStayStructsAndArrays() throws Exception {
    Written file =
        writeChecked(
            jsonl,
            List.of(
                value(map("s", map("a", 1L), "l", List.of(1L)), 1),
                value(map("s", map("b", "x"), "l", List.of("y", "z")), 2)));
    assertThat(described(file.writer.columns())).containsExactly("s struct", "l array");
  }

  @Test
  void aTypeConflictNeedsANewFileAndLeavesTheFirstFileRight() throws Exception {
    BytesOutput out = new BytesOutput();
    SinkRecord first = value(map("x", 1L, "name", "a"), 1);
    RecordFileWriter w = jsonl.open(out, first, "k");
    w.write(first);
    SinkRecord text = value(map("x", "one"), 2);
    SinkRecord struct = value(map("name", map("first", "b")), 3);

    assertThat(jsonl.compatible(w, text)).isFalse();
    assertThat(jsonl.compatible(w, struct)).isFalse();
    assertThat(jsonl.compatible(w, value(map("x", 2L, "extra", true), 4))).isTrue();
    assertThatThrownBy(() -> w.write(text))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/2")
        .hasMessageContaining("'x'")
        .hasMessageContaining("int64");
    w.finish();

    assertThat(described(w.columns())).containsExactly("x int64", "name string");
    assertThat(FileReaders.jsonLines(out.toByteArray(), false)).hasSize(1);
    Written next = writeChecked(jsonl, List.of(text));
    assertThat(described(next.writer.columns())).containsExactly("x string");
  }

  @Test
  void valuesThatAreNotObjectsGoToTheValueColumn() throws Exception {
    Written number =
        writeChecked(jsonl, List.of(value(42L, 1), value(7.5d, 2), value(map("value", 3L), 3)));
    assertThat(described(number.writer.columns())).containsExactly("value float64");
    assertThat(FileReaders.jsonLines(number.bytes, false))
        .extracting(r -> r.get("value").toString())
        .containsExactly("42", "7.5", "3");

    Written array =
        writeChecked(jsonl, List.of(value(new ArrayList<>(), 1), value(Arrays.asList(1L, 2L), 2)));
    assertThat(described(array.writer.columns())).containsExactly("value array");
    assertThat(FileReaders.jsonLines(array.bytes, false).get(0).get("value").toString())
        .isEqualTo("[]");

    RecordFileWriter w = jsonl.open(new BytesOutput(), value(42L, 1), "k");
    w.write(value(42L, 1));
    assertThat(jsonl.compatible(w, value(List.of(), 2))).isFalse();
    assertThat(jsonl.compatible(w, value("text", 3))).isFalse();
    w.abort();
  }

  @Test
  void sameRecordsGiveTheSameColumnsAndBytes() throws Exception {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      records.add(
          value(
              i % 3 == 0 ? map("id", (long) i, "b", "x" + i) : map("id", (long) i, "a", i * 0.5d),
              i));
    }
    Written one = writeChecked(jsonl, records);
    Written two = writeChecked(RecordFormats.create(options(FileFormat.JSONL).build()), records);
    assertThat(two.bytes).isEqualTo(one.bytes);
    assertThat(two.writer.columns()).isEqualTo(one.writer.columns());
    assertThat(described(one.writer.columns()))
        .containsExactly("id int64", "b string", "a float64");
  }

  @Test
  void schemalessTombstonesWriteTheKeyFieldsAsColumns() throws Exception {
    SinkRecord row = value(map("id", 1L, "name", "ann"), 1);
    SinkRecord tomb = record(null, map("id", 2L), null, null, 2);
    Written file = writeChecked(deletes, List.of(row, tomb));
    assertThat(described(file.writer.columns()))
        .containsExactly("id int64", "name string", "kafka_deleted boolean not null");
    JsonNode deleted = FileReaders.jsonLines(file.bytes, false).get(1);
    assertThat(deleted.get("id").longValue()).isEqualTo(2L);
    assertThat(deleted.get("kafka_deleted").booleanValue()).isTrue();

    RecordFileWriter w = deletes.open(new BytesOutput(), row, "k");
    w.write(row);
    assertThat(deletes.compatible(w, record(null, map("id", "two"), null, null, 3)))
        .as("key field type")
        .isFalse();
    w.abort();

    Written structKeyed =
        writeChecked(deletes, List.of(tombstone(5, 1), value(map("id", 6L, "name", "bo"), 2)));
    assertThat(described(structKeyed.writer.columns()))
        .containsExactly("id int64", "name string", "kafka_deleted boolean not null");
    assertThat(FileReaders.jsonLines(structKeyed.bytes, false).get(0).get("id").longValue())
        .isEqualTo(5L);
  }

  @Test
  void aRecordThatFailsAddsNoColumns() throws Exception {
    BytesOutput out = new BytesOutput();
    RecordFileWriter w = jsonl.open(out, value(map("a", 1L), 1), "k");
    w.write(value(map("a", 1L), 1));
    assertThatThrownBy(() -> w.write(value(map("b", 2L, "c", new Object()), 2)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/2")
        .hasMessageContaining("'c'");
    assertThatThrownBy(() -> w.write(value(map("d", 1L, "Kafka Offset", 2L), 3)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/3")
        .hasMessageContaining("kafka_offset");
    w.write(value(map("a", 3L), 4));
    w.finish();
    assertThat(described(w.columns())).containsExactly("a int64");
    assertThat(FileReaders.jsonLines(out.toByteArray(), false)).hasSize(2);
  }

  /** A map from a converter other than JsonConverter, whose keys can be any Java object. */
  private static Map<Object, Object> anyKeys(Object... keysAndValues) {
    Map<Object, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  @Test
  void mapKeysThatAreNotStringsAreNamedByTheirTextUnlessItIsNoNameOrTaken() throws Exception {
    BytesOutput out = new BytesOutput();
    RecordFileWriter w = jsonl.open(out, value(map("a", 1L), 1), "k");
    w.write(
        value(
            map("a", 1L, "m", anyKeys(1, "x", true, "y", new java.math.BigDecimal("1E+2"), "z")),
            1));
    w.write(value(anyKeys("a", 2L, 7, "seven"), 2));

    assertThatThrownBy(() -> w.write(value(map("a", 3L, "m", anyKeys("k", 1L, null, 2L)), 3)))
        .isInstanceOf(DataException.class)
        .hasMessageStartingWith(
            "Cannot write record orders/3/3 as JSON Lines: value field 'm[entry 1]'")
        .hasMessageContaining("has a null map key")
        .hasMessageContaining("strings, numbers or booleans");
    assertThatThrownBy(() -> w.write(value(map("a", 4L, "m", anyKeys(new byte[] {1}, 1L)), 4)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/4")
        .hasMessageContaining("'m[entry 0]'")
        .hasMessageContaining("has a map key of the Java type [B");
    assertThatThrownBy(() -> w.write(value(map("a", 5L, "m", anyKeys("1", "one", 1, "uno")), 5)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/5")
        .hasMessageContaining("value field 'm.1'")
        .hasMessageContaining("same name as an earlier key");
    assertThatThrownBy(() -> w.write(value(anyKeys("a", 6L, null, 1L), 6)))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("orders/3/6")
        .hasMessageContaining("'[entry 1]' has a null map key");
    w.finish();

    List<JsonNode> rows = FileReaders.jsonLines(out.toByteArray(), false);
    assertThat(rows).hasSize(2);
    JsonNode m = rows.get(0).get("m");
    assertThat(m.get("1").asText()).isEqualTo("x");
    assertThat(m.get("true").asText()).isEqualTo("y");
    assertThat(m.get("100").asText()).isEqualTo("z");
    assertThat(rows.get(1).get("_7").asText()).isEqualTo("seven"); // a column name as Avro's rule
  }

  @Test
  void fieldsThatDifferOnlyInCaseAcrossRecordsNeedANewFile() throws Exception {
    RecordFileWriter w = jsonl.open(new BytesOutput(), value(map("Id", 1L), 1), "k");
    w.write(value(map("Id", 1L), 1));
    assertThat(jsonl.compatible(w, value(map("id", 2L), 2))).isFalse();
    assertThat(jsonl.compatible(w, value(map("Id", 2L), 3))).isTrue();
    w.abort();
  }

  @Test
  void typedFilesStillTakeOnlyTheirSchema() {
    RecordFileWriter w = jsonl.open(new BytesOutput(), user(1, "a", 1), "k");
    assertThat(jsonl.compatible(w, user(2, "b", 2))).isTrue();
    assertThat(jsonl.compatible(w, value(map("id", 1L), 3))).isFalse();
    Schema s = USER;
    assertThat(jsonl.compatible(w, record(s, new Struct(s).put("id", 3L), 4))).isTrue();
    w.abort();
  }

  private static final class Written {
    final RecordFileWriter writer;
    final byte[] bytes;

    Written(RecordFileWriter writer, byte[] bytes) {
      this.writer = writer;
      this.bytes = bytes;
    }
  }
}
