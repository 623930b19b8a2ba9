package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.redstage.connector.format.FileReaders;
import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import io.redstage.sandbox.s3.LocalS3;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
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
 * schema.compatibility through the task's commit path on S3Proxy, with value schemas shaped as
 * Confluent's AvroConverter builds them from Schema Registry subjects: the Avro full name as schema
 * name, the registry version, field defaults (a required field with a default, an optional field
 * from a ["null", ...] union without one).
 */
class SchemaCompatibilityUnitsTest {
  static final String BUCKET = "schema-compat";
  static final String TOPIC = "customers";

  /** v1 of com.example.Customer. */
  static final Schema V1 =
      SchemaBuilder.struct()
          .name("com.example.Customer")
          .version(1)
          .field("id", Schema.INT64_SCHEMA)
          .field("name", Schema.STRING_SCHEMA)
          .build();

  /**
   * v2 adds {"name":"tier","type":"string","default":"basic"} and
   * {"name":"email","type":["null","string"],"default":null}.
   */
  static final Schema V2 =
      SchemaBuilder.struct()
          .name("com.example.Customer")
          .version(2)
          .field("id", Schema.INT64_SCHEMA)
          .field("name", Schema.STRING_SCHEMA)
          .field("tier", SchemaBuilder.string().defaultValue("basic").build())
          .field("email", Schema.OPTIONAL_STRING_SCHEMA)
          .build();

  /** v3 changes the type of id: incompatible with v2 either way. */
  static final Schema V3 =
      SchemaBuilder.struct()
          .name("com.example.Customer")
          .version(3)
          .field("id", Schema.STRING_SCHEMA)
          .field("name", Schema.STRING_SCHEMA)
          .build();

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

  static SinkRecord record(Schema schema, long offset) {
    Struct v = new Struct(schema).put("name", "n" + offset);
    v.put(
        "id",
        schema.field("id").schema().type() == Schema.Type.STRING ? "c" + offset : (Object) offset);
    if (schema.field("email") != null) {
      v.put("tier", "gold").put("email", offset + "@example.com");
    }
    return new SinkRecord(TOPIC, 0, null, null, schema, v, offset);
  }

  /** Records of partition 0 with the given schemas in offset order. */
  static List<SinkRecord> records(Schema... schemas) {
    List<SinkRecord> out = new ArrayList<>();
    for (int i = 0; i < schemas.length; i++) {
      out.add(record(schemas[i], i));
    }
    return out;
  }

  /**
   * Puts the records through a task's committer as Parquet; returns the markers of the committed
   * units.
   */
  static List<CommitMarker> write(String compatibility, int flushSize, List<SinkRecord> records) {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("format.class", "parquet");
    props.put("schema.compatibility", compatibility);
    props.put("flush.size", Integer.toString(flushSize));
    LocalS3Tasks.putAndCommit(
        props, new NoRewindSinkTaskContext(), Set.of(new TopicPartition(TOPIC, 0)), records);
    return S3Objects.markers(s3.client(), BUCKET, "_redstage/markers/");
  }

  static List<String> valueColumns(MarkerFile f) {
    List<String> out = new ArrayList<>();
    for (MarkerColumn c : f.columns()) {
      if (!c.name().startsWith("kafka_")) {
        out.add(c.name() + " " + c.type() + (c.nullable() ? " null" : ""));
      }
    }
    return out;
  }

  /** The rows of all files, by offset, as "id name tier email" (absent columns left out). */
  static Map<Long, String> rows(List<CommitMarker> markers) {
    Map<Long, String> rows = new LinkedHashMap<>();
    for (CommitMarker m : markers) {
      for (MarkerFile f : m.files()) {
        for (GenericRecord r : FileReaders.parquet(S3Objects.get(s3.client(), BUCKET, f.key()))) {
          StringBuilder b = new StringBuilder(r.get("id") + " " + r.get("name"));
          if (r.getSchema().getField("tier") != null) {
            b.append(' ').append(r.get("tier")).append(' ').append(r.get("email"));
          }
          rows.put((Long) r.get("kafka_offset"), b.toString());
        }
      }
    }
    return rows;
  }

  @Test
  void backwardPutsInterleavedVersionsIntoTheNewestSchemaWithDefaultsForOlderRecords() {
    List<CommitMarker> markers = write("BACKWARD", 6, records(V2, V1, V2, V1, V2, V1));

    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(tuple(0L, 5L, "flush.size"));
    assertThat(valueColumns(markers.get(0).files().get(0)))
        .containsExactly("id int64", "name string", "tier string", "email string null");
    assertThat(rows(markers))
        .containsExactly(
            Map.entry(0L, "0 n0 gold 0@example.com"),
            Map.entry(1L, "1 n1 basic null"),
            Map.entry(2L, "2 n2 gold 2@example.com"),
            Map.entry(3L, "3 n3 basic null"),
            Map.entry(4L, "4 n4 gold 4@example.com"),
            Map.entry(5L, "5 n5 basic null"));
  }

  @Test
  void backwardClosesTheUnitOnceWhenANewerVersionArrivesNotOnEveryFlip() {
    List<CommitMarker> markers = write("BACKWARD", 5, records(V1, V2, V1, V2, V1, V2));

    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(tuple(0L, 0L, "schema change"), tuple(1L, 5L, "flush.size"));
    assertThat(valueColumns(markers.get(0).files().get(0)))
        .containsExactly("id int64", "name string");
    assertThat(rows(markers))
        .hasSize(6)
        .containsEntry(0L, "0 n0")
        .containsEntry(2L, "2 n2 basic null")
        .containsEntry(5L, "5 n5 gold 5@example.com");
  }

  @Test
  void noneStillStartsAUnitOnEverySchemaChange() {
    List<CommitMarker> markers = write("NONE", 2, records(V2, V1, V2, V1, V2, V2));

    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(
            tuple(0L, 0L, "schema change"),
            tuple(1L, 1L, "schema change"),
            tuple(2L, 2L, "schema change"),
            tuple(3L, 3L, "schema change"),
            tuple(4L, 5L, "flush.size"));
    assertThat(valueColumns(markers.get(1).files().get(0)))
        .containsExactly("id int64", "name string");
    assertThat(rows(markers))
        .containsEntry(1L, "1 n1")
        .containsEntry(2L, "2 n2 gold 2@example.com");
  }

  @Test
  void forwardKeepsTheFileSchemaAndDropsFieldsOfNewerVersions() {
    List<CommitMarker> markers = write("FORWARD", 4, records(V1, V2, V1, V2, V2, V1, V2));

    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .as("a unit opened by v2 closes when an older v1 arrives")
        .containsExactly(tuple(0L, 3L, "flush.size"), tuple(4L, 4L, "schema change"));
    assertThat(valueColumns(markers.get(0).files().get(0)))
        .containsExactly("id int64", "name string");
    assertThat(rows(markers))
        .containsExactly(
            Map.entry(0L, "0 n0"),
            Map.entry(1L, "1 n1"),
            Map.entry(2L, "2 n2"),
            Map.entry(3L, "3 n3"),
            Map.entry(4L, "4 n4 gold 4@example.com"));
  }

  @Test
  void anIncompatibleChangeStillStartsAUnitEachTime() {
    List<CommitMarker> markers = write("BACKWARD", 2, records(V2, V3, V2, V3, V3));

    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(
            tuple(0L, 0L, "schema change"),
            tuple(1L, 1L, "schema change"),
            tuple(2L, 2L, "schema change"),
            tuple(3L, 4L, "flush.size"));
    assertThat(valueColumns(markers.get(1).files().get(0)))
        .containsExactly("id string", "name string");
    assertThat(valueColumns(markers.get(2).files().get(0))).contains("id int64");
  }

  @Test
  void recordsWithoutSchemaVersionsRotateAsUnderNone() {
    Schema unversioned1 =
        SchemaBuilder.struct()
            .name("com.example.Customer")
            .field("id", Schema.INT64_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .build();
    List<SinkRecord> records =
        List.of(record(V1, 0), record(unversioned1, 1), record(V1, 2), record(V1, 3));
    List<CommitMarker> markers = write("FULL", 2, records);

    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(
            tuple(0L, 0L, "schema change"),
            tuple(1L, 1L, "schema change"),
            tuple(2L, 3L, "flush.size"));
  }

  @Test
  void aReplayWithTheSameBoundariesWritesTheSameBytes() {
    List<SinkRecord> records = records(V2, V1, V1, V2, V1, V2);
    List<CommitMarker> first = write("BACKWARD", 3, records);
    Map<String, byte[]> firstFiles = files(first);
    clean();
    List<CommitMarker> replay = write("BACKWARD", 3, records);

    assertThat(replay).hasSize(2);
    Map<String, byte[]> replayFiles = files(replay);
    assertThat(replayFiles.keySet()).isEqualTo(firstFiles.keySet());
    replayFiles.forEach((key, bytes) -> assertThat(bytes).as(key).isEqualTo(firstFiles.get(key)));
  }

  /**
   * A value that does not match its own (older) schema fails inside Connect's SchemaProjector with
   * a ClassCastException or a DataException of its own: that record goes to the dead letter queue,
   * naming itself, and the records around it stay in the unit.
   */
  @Test
  void aValueThatDoesNotMatchItsOwnSchemaGoesToTheDeadLetterQueueAndTheUnitGoesOn() {
    Schema idOnly = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
    List<SinkRecord> records =
        List.of(
            record(V2, 0),
            new SinkRecord(TOPIC, 0, null, null, V1, "not a struct", 1),
            new SinkRecord(TOPIC, 0, null, null, V1, new Struct(idOnly).put("id", 2L), 2),
            record(V1, 3),
            record(V2, 4));
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("format.class", "parquet");
    props.put("schema.compatibility", "BACKWARD");
    props.put("flush.size", "3"); // the three good records
    BadRecordsTest.DlqContext context = new BadRecordsTest.DlqContext();

    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(props, context, Set.of(new TopicPartition(TOPIC, 0)), records);

    assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L, 2L);
    assertThat(context.errors)
        .containsExactly(
            "Cannot write record customers/0/1: its value does not match its value schema "
                + "com.example.Customer version 1 (ClassCastException while projecting it to "
                + "version 2 for schema.compatibility=BACKWARD). Fix the producer or converter so "
                + "that values match their schema.",
            "Cannot write record customers/0/2: its value does not match its value schema "
                + "com.example.Customer version 1 (DataException while projecting it to version 2 "
                + "for schema.compatibility=BACKWARD). Fix the producer or converter so that values "
                + "match their schema.");
    assertThat(committed.get(new TopicPartition(TOPIC, 0)).offset()).isEqualTo(5L);
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, "_redstage/markers/");
    assertThat(markers)
        .extracting(CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::recordCount)
        .containsExactly(tuple(0L, 4L, 3L));
    assertThat(rows(markers))
        .containsExactly(
            Map.entry(0L, "0 n0 gold 0@example.com"),
            Map.entry(3L, "3 n3 basic null"),
            Map.entry(4L, "4 n4 gold 4@example.com"));
  }

  /**
   * v2 of an account widens balance from int64 to float64, which Connect's projector reaches with
   * doubleValue(): an older record's 9007199254740993 was written into the v2 unit as
   * 9007199254740992.0 without a word. It now closes that unit and opens one of version 1, whose
   * file holds the number as the producer sent it; a v1 record whose balance a double holds exactly
   * would still have been projected.
   */
  @Test
  void backwardNeverRoundsANumberItWouldProjectItOpensAUnitOfTheRecordsOwnVersion() {
    Schema v1 =
        SchemaBuilder.struct()
            .name("com.example.Account")
            .version(1)
            .field("id", Schema.INT64_SCHEMA)
            .field("balance", Schema.INT64_SCHEMA)
            .build();
    Schema v2 =
        SchemaBuilder.struct()
            .name("com.example.Account")
            .version(2)
            .field("id", Schema.INT64_SCHEMA)
            .field("balance", Schema.FLOAT64_SCHEMA)
            .build();
    List<SinkRecord> records =
        List.of(
            new SinkRecord(
                TOPIC, 0, null, null, v2, new Struct(v2).put("id", 0L).put("balance", 1.5), 0),
            new SinkRecord(
                TOPIC, 0, null, null, v1, new Struct(v1).put("id", 1L).put("balance", 3L), 1),
            new SinkRecord(
                TOPIC,
                0,
                null,
                null,
                v1,
                new Struct(v1).put("id", 2L).put("balance", 9_007_199_254_740_993L),
                2),
            new SinkRecord(
                TOPIC, 0, null, null, v1, new Struct(v1).put("id", 3L).put("balance", 4L), 3),
            new SinkRecord(
                TOPIC, 0, null, null, v1, new Struct(v1).put("id", 4L).put("balance", 5L), 4));

    List<CommitMarker> markers = write("BACKWARD", 3, records);

    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(tuple(0L, 1L, "schema change"), tuple(2L, 4L, "flush.size"));
    assertThat(valueColumns(markers.get(0).files().get(0)))
        .containsExactly("id int64", "balance float64");
    assertThat(valueColumns(markers.get(1).files().get(0)))
        .containsExactly("id int64", "balance int64");
    Map<Long, Object> balances = new LinkedHashMap<>();
    for (CommitMarker m : markers) {
      for (MarkerFile f : m.files()) {
        for (GenericRecord r : FileReaders.parquet(S3Objects.get(s3.client(), BUCKET, f.key()))) {
          balances.put((Long) r.get("kafka_offset"), r.get("balance"));
        }
      }
    }
    assertThat(balances)
        .containsExactly(
            Map.entry(0L, 1.5),
            Map.entry(1L, 3.0),
            Map.entry(2L, 9_007_199_254_740_993L),
            Map.entry(3L, 4L),
            Map.entry(4L, 5L));
  }

  /**
   * v2 of an order adds region with the default "eu", and the files are partitioned by region (or
   * by day of a time field v2 adds). An older v1 record is written projected, with the default; its
   * path was read before the projection, from its own value, which has no region: it went to the
   * dead letter queue. It now goes to the default's path when a v2 unit is open; with no unit open
   * (nothing to project it to) it is a bad record as before.
   */
  @Test
  void backwardPlacesAnOlderRecordByTheDefaultOfAFieldTheNewerVersionAdded() {
    Schema v1 =
        SchemaBuilder.struct()
            .name("com.example.Order")
            .version(1)
            .field("id", Schema.INT64_SCHEMA)
            .build();
    Schema v2 =
        SchemaBuilder.struct()
            .name("com.example.Order")
            .version(2)
            .field("id", Schema.INT64_SCHEMA)
            .field("region", SchemaBuilder.string().defaultValue("eu").build())
            .field(
                "at",
                org.apache.kafka.connect.data.Timestamp.builder()
                    .defaultValue(new java.util.Date(86_400_000L * 366)) // 1971-01-02
                    .build())
            .build();
    List<SinkRecord> records = new ArrayList<>();
    records.add(new SinkRecord(TOPIC, 0, null, null, v1, new Struct(v1).put("id", 0L), 0));
    for (long o = 1; o <= 4; o++) {
      records.add(
          o % 2 == 1
              ? new SinkRecord(
                  TOPIC,
                  0,
                  null,
                  null,
                  v2,
                  new Struct(v2).put("id", o).put("region", "us").put("at", new java.util.Date(0)),
                  o)
              : new SinkRecord(TOPIC, 0, null, null, v1, new Struct(v1).put("id", o), o));
    }
    Map<String, String> byRegion = LocalS3Tasks.props(s3, BUCKET);
    byRegion.put("partitioner.class", "field");
    byRegion.put("partition.field.name", "region");
    Map<String, String> byDay = LocalS3Tasks.props(s3, BUCKET);
    byDay.put("partitioner.class", "daily");
    byDay.put("timestamp.extractor", "RecordField");
    byDay.put("timestamp.field", "at");
    for (Map<String, String> props : List.of(byRegion, byDay)) {
      props.put("format.class", "parquet");
      props.put("schema.compatibility", "BACKWARD");
      props.put("flush.size", "4");
      BadRecordsTest.DlqContext context = new BadRecordsTest.DlqContext();

      LocalS3Tasks.putAndCommit(props, context, Set.of(new TopicPartition(TOPIC, 0)), records);

      assertThat(context.reported)
          .as("v1 with no unit open")
          .extracting(SinkRecord::kafkaOffset)
          .containsExactly(0L);
      List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, "_redstage/markers/");
      Map<Long, String> paths = new LinkedHashMap<>();
      for (CommitMarker m : markers) {
        for (MarkerFile f : m.files()) {
          String path = f.key().substring(0, f.key().lastIndexOf('/'));
          for (GenericRecord r : FileReaders.parquet(S3Objects.get(s3.client(), BUCKET, f.key()))) {
            paths.put(
                (Long) r.get("kafka_offset"),
                path.substring(path.lastIndexOf('/') + 1) + " " + r.get("region"));
          }
        }
      }
      boolean regions = props == byRegion;
      assertThat(paths)
          .as(props.get("partitioner.class"))
          .containsOnly(
              Map.entry(1L, (regions ? "region=us" : "day=01") + " us"),
              Map.entry(2L, (regions ? "region=eu" : "day=02") + " eu"),
              Map.entry(3L, (regions ? "region=us" : "day=01") + " us"),
              Map.entry(4L, (regions ? "region=eu" : "day=02") + " eu"));
      clean();
    }

    // rotate.interval.ms on that time: the v1 records' default time (a day after the v2 records')
    // closes the v2 unit before them, and the unit one would open has no such field: bad records,
    // as with no unit open, so that a replay starting at one of them does the same
    Map<String, String> byInterval = LocalS3Tasks.props(s3, BUCKET);
    byInterval.put("format.class", "parquet");
    byInterval.put("schema.compatibility", "BACKWARD");
    byInterval.put("timestamp.extractor", "RecordField");
    byInterval.put("timestamp.field", "at");
    byInterval.put("rotate.interval.ms", "3600000");
    BadRecordsTest.DlqContext context = new BadRecordsTest.DlqContext();
    LocalS3Tasks.putAndCommit(byInterval, context, Set.of(new TopicPartition(TOPIC, 0)), records);
    assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(0L, 2L, 4L);
    assertThat(context.errors.get(1)).isEqualTo(context.errors.get(0).replace("/0:", "/2:"));
  }

  private static Map<String, byte[]> files(List<CommitMarker> markers) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (CommitMarker m : markers) {
      for (MarkerFile f : m.files()) {
        out.put(f.key(), S3Objects.get(s3.client(), BUCKET, f.key()));
      }
    }
    return out;
  }
}
