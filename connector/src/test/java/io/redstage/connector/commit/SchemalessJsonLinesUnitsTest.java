package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import io.redstage.sandbox.s3.LocalS3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Schemaless JSON Lines through the task's commit path on S3Proxy: every value of every record is
 * in a file whose marker lists its column, and a type conflict starts a new unit instead of losing
 * or rejecting a record.
 */
class SchemalessJsonLinesUnitsTest {
  static final String BUCKET = "schemaless-jsonl";
  static final String TOPIC = "events";
  static final ObjectMapper JSON = new ObjectMapper();
  static LocalS3 s3;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @AfterEach
  void clean() {
    S3Objects.deleteAll(s3.client(), BUCKET, "");
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static List<CommitMarker> write(
      Map<String, String> extra, List<Map<String, Object>> values) {
    List<SinkRecord> records = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      records.add(new SinkRecord(TOPIC, 0, null, null, null, values.get(i), i));
    }
    return writeRecords(extra, records);
  }

  /**
   * Puts the records of partition 0 through a task's committer; all must be committed at the end.
   */
  private static List<CommitMarker> writeRecords(
      Map<String, String> extra, List<SinkRecord> records) {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("format.class", "jsonl");
    props.putAll(extra);
    TopicPartition tp = new TopicPartition(TOPIC, 0);
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(props, new NoRewindSinkTaskContext(), Set.of(tp), records);
    assertThat(committed.get(tp).offset()).isEqualTo(records.size());
    return S3Objects.markers(s3.client(), BUCKET, "_redstage/markers/");
  }

  /**
   * Every top-level key of every row is a column of its file's marker; returns the rows by offset.
   */
  private static Map<Long, JsonNode> rowsCheckedAgainstMarkers(List<CommitMarker> markers) {
    Map<Long, JsonNode> rows = new LinkedHashMap<>();
    for (CommitMarker m : markers) {
      for (MarkerFile f : m.files()) {
        List<String> columns = new ArrayList<>();
        f.columns().forEach(c -> columns.add(c.name()));
        String text =
            new String(S3Objects.get(s3.client(), BUCKET, f.key()), StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
          JsonNode row = read(line);
          for (Iterator<String> names = row.fieldNames(); names.hasNext(); ) {
            assertThat(columns).as("marker columns of %s", f.key()).contains(names.next());
          }
          rows.put(row.get("kafka_offset").longValue(), row);
        }
      }
    }
    return rows;
  }

  private static JsonNode read(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> valueColumns(MarkerFile f) {
    List<String> out = new ArrayList<>();
    for (MarkerColumn c : f.columns()) {
      if (!c.name().startsWith("kafka_")) {
        out.add(c.name() + " " + c.type());
      }
    }
    return out;
  }

  @Test
  void filesOfOtherFieldPartitionsDoNotCloseTheUnitOverTheirColumnTypes() {
    List<Map<String, Object>> values = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      values.add(
          i % 2 == 0 ? map("region", "eu", "x", (long) i) : map("region", "us", "x", "s" + i));
    }
    List<CommitMarker> markers =
        write(
            Map.of(
                "flush.size", "6", "partitioner.class", "field", "partition.field.name", "region"),
            values);
    // one unit of two files (x int64 in one, string in the other), not one unit per record
    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(tuple(0L, 5L, "flush.size"));
    assertThat(markers.get(0).files()).hasSize(2);
    assertThat(rowsCheckedAgainstMarkers(markers)).hasSize(6);
  }

  @Test
  void laterKeysAreColumnsAndATypeConflictStartsANewUnit() {
    List<Map<String, Object>> values =
        List.of(
            map("id", 1L, "tag", "a"),
            map("id", 2L, "tag", "b", "note", "n", "score", 3.5d),
            map("id", "x-3"),
            map("id", "x-4", "Order Id", 4L),
            map("id", "x-5"));
    List<CommitMarker> markers = write(Map.of("flush.size", "3"), values);

    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(tuple(0L, 1L, "schema change"), tuple(2L, 4L, "flush.size"));
    assertThat(valueColumns(markers.get(0).files().get(0)))
        .containsExactly("id int64", "tag string", "note string", "score float64");
    assertThat(valueColumns(markers.get(1).files().get(0)))
        .containsExactly("id string", "Order_Id int64");
    Map<Long, JsonNode> rows = rowsCheckedAgainstMarkers(markers);
    assertThat(rows).hasSize(5);
    assertThat(rows.get(1L).get("score").doubleValue()).isEqualTo(3.5d);
    assertThat(rows.get(3L).get("Order_Id").longValue()).isEqualTo(4L);
  }

  @Test
  void eachFileOfAUnitIsCheckedAgainstItsOwnColumns() {
    // Two files per unit (field partitioner): the conflict in the "us" file must rotate even though
    // the
    // "eu" file, opened first, has no column "y".
    List<Map<String, Object>> values =
        List.of(
            map("region", "eu", "x", 1L),
            map("region", "us", "y", "a"),
            map("region", "us", "y", 5L),
            map("region", "eu", "x", 2L),
            map("region", "us", "y", 6L));
    List<CommitMarker> markers =
        write(
            Map.of(
                "partitioner.class", "field", "partition.field.name", "region", "flush.size", "3"),
            values);

    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(tuple(0L, 1L, "schema change"), tuple(2L, 4L, "flush.size"));
    assertThat(markers.get(1).files())
        .extracting(MarkerFile::encodedPartition, f -> valueColumns(f))
        .containsExactlyInAnyOrder(
            tuple("region=us", List.of("region string", "y int64")),
            tuple("region=eu", List.of("region string", "x int64")));
    assertThat(rowsCheckedAgainstMarkers(markers)).hasSize(5);
  }

  @Test
  void aSchemalessRecordBesideATypedFileStartsANewUnitLikeTheReverse() {
    Schema typed =
        SchemaBuilder.struct().name("Event").field("region", Schema.STRING_SCHEMA).build();
    List<SinkRecord> records =
        List.of(
            new SinkRecord(TOPIC, 0, null, null, typed, new Struct(typed).put("region", "eu"), 0),
            new SinkRecord(TOPIC, 0, null, null, null, map("region", "us"), 1),
            new SinkRecord(TOPIC, 0, null, null, typed, new Struct(typed).put("region", "eu"), 2),
            new SinkRecord(TOPIC, 0, null, null, typed, new Struct(typed).put("region", "us"), 3));
    List<CommitMarker> markers =
        writeRecords(
            Map.of(
                "partitioner.class", "field", "partition.field.name", "region", "flush.size", "2"),
            records);

    // the files of one unit share the unit's schema, whichever kind of record opened the unit
    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(
            tuple(0L, 0L, "schema change"),
            tuple(1L, 1L, "schema change"),
            tuple(2L, 3L, "flush.size"));
    assertThat(rowsCheckedAgainstMarkers(markers)).hasSize(4);
  }

  @Test
  void aTombstoneWhoseKeyConflictsStartsANewUnit() {
    List<SinkRecord> records =
        List.of(
            new SinkRecord(TOPIC, 0, null, null, null, map("id", 1L), 0),
            new SinkRecord(TOPIC, 0, null, map("id", "x"), null, null, 1),
            new SinkRecord(TOPIC, 0, null, null, null, map("id", "y", "name", "n"), 2));
    List<CommitMarker> markers =
        writeRecords(Map.of("behavior.on.null.values", "write", "flush.size", "2"), records);

    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(tuple(0L, 0L, "schema change"), tuple(1L, 2L, "flush.size"));
    assertThat(valueColumns(markers.get(1).files().get(0)))
        .containsExactly("id string", "name string");
    Map<Long, JsonNode> rows = rowsCheckedAgainstMarkers(markers);
    assertThat(rows.get(1L).get("id").textValue()).isEqualTo("x");
    assertThat(rows.get(1L).get("kafka_deleted").booleanValue()).isTrue();
  }

  @Test
  void theColumnNameMapOfTheConfigNamesTheColumns() {
    List<CommitMarker> markers =
        write(
            Map.of("column.name.map", "Order Id:order_ref", "flush.size", "1"),
            List.of(map("Order Id", 1L, "user-name", "ann")));
    assertThat(valueColumns(markers.get(0).files().get(0)))
        .containsExactly("order_ref int64", "user_name string");
    assertThat(rowsCheckedAgainstMarkers(markers).get(0L).get("order_ref").longValue())
        .isEqualTo(1L);
  }
}
