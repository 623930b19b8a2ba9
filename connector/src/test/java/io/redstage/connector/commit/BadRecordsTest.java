package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.redstage.connector.config.SinkConfig;
import io.redstage.connector.testing.S3Objects;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.FileFormat;
import io.redstage.contract.MarkerFile;
import io.redstage.sandbox.kafka.NoRewindSinkTaskContext;
import io.redstage.sandbox.parquet.BytesInputFile;
import io.redstage.sandbox.s3.LocalS3;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.SeekableByteArrayInput;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Through the task's committer against S3Proxy: tombstones and values Redshift would reject go to
 * the worker's ErrantRecordReporter (errors.tolerance=all with a dead letter queue) while the good
 * records of the same unit commit; without a reporter the task fails with the record's own message.
 */
class BadRecordsTest {
  static final String BUCKET = "bad-records";
  static final TopicPartition TP = new TopicPartition("orders", 0);
  static final Schema ORDER =
      SchemaBuilder.struct()
          .name("Order")
          .field("id", Schema.INT64_SCHEMA)
          .field("note", Schema.OPTIONAL_STRING_SCHEMA)
          .build();
  static LocalS3 s3;
  int run;

  @BeforeAll
  static void start() {
    s3 = LocalS3.start(LocalS3.Options.inMemory().buckets(BUCKET));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @Test
  void tombstonesAndPoisonValuesGoToTheReporterAndTheRecordsAroundThemCommit() throws Exception {
    String prefix = "dlq-" + (++run);
    DlqContext context = new DlqContext();
    // 10 records, 2 of them bad: the unit closes after its 8th row, at offset 9.
    List<SinkRecord> records = new ArrayList<>();
    for (long offset = 0; offset < 10; offset++) {
      if (offset == 3) {
        records.add(
            record(offset, null)); // a tombstone under behavior.on.null.values=fail (the default)
      } else {
        records.add(record(offset, order(offset, offset == 6 ? "a\u0000b" : "ok")));
      }
    }
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(props(prefix, 8), context, Set.of(TP), records);

    assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(3L, 6L);
    assertThat(context.errors.get(0))
        .isEqualTo(
            "Cannot write record orders/0/3: its value is null (a tombstone) "
                + "and behavior.on.null.values=fail. Set behavior.on.null.values=ignore to skip tombstones or =write to "
                + "store delete rows for upsert loads, or let errors.tolerance=all send them to the dead letter queue.");
    assertThat(context.errors.get(1))
        .startsWith(
            "Cannot write record orders/0/6 as Parquet: value field 'note' "
                + "contains U+0000 (NUL) at character 1");
    assertThat(committed).containsEntry(TP, new OffsetAndMetadata(10));
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(markers).hasSize(1);
    CommitMarker m = markers.get(0);
    assertThat(m.startOffset()).isZero();
    assertThat(m.endOffset()).as("the unit covers the rejected offsets too").isEqualTo(9);
    assertThat(m.recordCount()).isEqualTo(8);
    assertThat(rows(m))
        .extracting(r -> r.get("id"))
        .containsExactly(0L, 1L, 2L, 4L, 5L, 7L, 8L, 9L);
  }

  /**
   * With both wall-clock rules off, a stream of only records set aside still commits: they close
   * the unit at flush.size like rows. Before, no rule closed such a unit, the partition's offsets
   * never committed and every restart sent the same records to the dead letter queue again.
   */
  @Test
  void recordsSetAsideCloseTheirUnitAtFlushSizeWithTheWallClockRulesOff() throws Exception {
    String prefix = "all-bad-" + (++run);
    Map<String, String> props = props(prefix, 3);
    props.put("rotate.schedule.interval.ms", "-1");
    props.put("rotate.idle.ms", "-1");
    DlqContext context = new DlqContext();
    List<SinkRecord> records = new ArrayList<>();
    for (long offset = 0; offset < 7; offset++) {
      records.add(record(offset, null)); // tombstones under behavior.on.null.values=fail
    }
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(props, context, Set.of(TP), records);

    assertThat(context.reported).hasSize(7);
    assertThat(committed).containsEntry(TP, new OffsetAndMetadata(6));
    assertThat(S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/"))
        .extracting(CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::recordCount)
        .containsExactly(tuple(0L, 2L, 0L), tuple(3L, 5L, 0L));
  }

  /** A record set aside does not start its unit's rotate.interval.ms: only rows' times do. */
  @Test
  void aBadRecordsTimeDoesNotStartTheUnitsRecordTimeInterval() throws Exception {
    String prefix = "interval-" + (++run);
    Map<String, String> props = tenMinuteUnits(prefix, 100);
    long t = T0;
    DlqContext context = new DlqContext();
    LocalS3Tasks.putAndCommit(
        props,
        context,
        Set.of(TP),
        List.of(
            // year 10000: the metadata timestamp column cannot hold it
            timed(0, 253_402_300_800_000L),
            timed(1, t),
            timed(2, t + 60_000),
            // in the middle of the unit: it must not close it before being set aside
            timed(3, 253_402_300_800_000L),
            timed(4, t + 11 * 60_000)));

    assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(0L, 3L);
    assertThat(context.errors.get(1))
        .isEqualTo(
            "Cannot write record orders/0/3: its time (timestamp.extractor) is 253402300800000 ms since "
                + "1970, outside years 1 to 9999, which rotate.interval.ms cannot place among the unit's "
                + "records. Fix the producer's timestamps, or convert the field with a TimestampConverter SMT.");
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(markers)
        .as("offset 4 comes 11 minutes after the unit's first row, at offset 1")
        .extracting(CommitMarker::startOffset, CommitMarker::endOffset)
        .startsWith(tuple(0L, 3L));
  }

  private static SinkRecord timed(long offset, long timestamp) {
    return new SinkRecord(
        TP.topic(),
        TP.partition(),
        null,
        null,
        ORDER,
        order(offset, "ok"),
        offset,
        timestamp,
        TimestampType.CREATE_TIME);
  }

  /**
   * A field value so long that its file's S3 key would pass S3's 1,024-byte limit would fail the
   * unit's upload on every retry, and with it the good records beside it; it goes to the reporter
   * instead, without its value, and the records around it commit.
   */
  @Test
  void aPartitionPathTooLongForAnS3KeyIsABadRecordAndTheRecordsAroundItCommit() throws Exception {
    String prefix = "long-key-" + (++run);
    Map<String, String> props = byNote(prefix, 2);
    DlqContext context = new DlqContext();
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(
            props,
            context,
            Set.of(TP),
            List.of(
                record(0, order(0L, "a")),
                record(1, order(1L, "x/".repeat(400))),
                record(2, order(2L, "a"))));

    assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L);
    assertThat(context.errors.get(0))
        .startsWith("Cannot write record orders/0/1: its partition path (")
        .contains("over S3's limit of 1024")
        .doesNotContain("x/x");
    assertThat(committed).containsEntry(TP, new OffsetAndMetadata(3));
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(markers).singleElement().satisfies(m -> assertThat(m.recordCount()).isEqualTo(2));
    assertThat(rows(markers.get(0))).extracting(r -> r.get("id")).containsExactly(0L, 2L);
  }

  /**
   * Under behavior.on.null.values=write a tombstone is a delete row without value fields: a field
   * partitioner (or a time partitioner on a value field) cannot place it, so it goes to the
   * 'tombstone' path instead of the dead letter queue, in the same unit.
   */
  @Test
  void deleteRowsGoToTheTombstonePathWhenThePartitionerReadsValueFields() throws Exception {
    String prefix = "delete-rows-" + (++run);
    Map<String, String> props = byNote(prefix, 3);
    props.put("behavior.on.null.values", "write");
    DlqContext context = new DlqContext();
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(
            props,
            context,
            Set.of(TP),
            List.of(keyed(0, order(0L, "a")), keyed(1, null), keyed(2, order(2L, "b"))));

    assertThat(context.errors).isEmpty();
    assertThat(committed).containsEntry(TP, new OffsetAndMetadata(3));
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(markers).singleElement().satisfies(m -> assertThat(m.recordCount()).isEqualTo(3));
    assertThat(markers.get(0).files())
        .extracting(f -> f.key().substring(0, f.key().lastIndexOf('/')))
        .containsExactlyInAnyOrder(
            prefix + "/topics/orders/note=a",
            prefix + "/topics/orders/tombstone",
            prefix + "/topics/orders/note=b");
  }

  /**
   * A task that starts on tombstones (after a restart) has seen no value schema: their delete rows
   * take the Struct key's schema instead of going to the dead letter queue, in a unit of their own.
   */
  @Test
  void tombstonesBeforeAnyValueSchemaBecomeDeleteRowsOfTheKeysColumns() throws Exception {
    String prefix = "key-deletes-" + (++run);
    Map<String, String> props = props(prefix, 3);
    props.put("behavior.on.null.values", "write");
    DlqContext context = new DlqContext();
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(
            props,
            context,
            Set.of(TP),
            List.of(
                keyed(0, null),
                keyed(1, null),
                keyed(2, order(2L, "a")),
                keyed(3, order(3L, "b")),
                keyed(4, order(4L, "c"))));

    assertThat(context.errors).isEmpty();
    assertThat(committed).containsEntry(TP, new OffsetAndMetadata(5));
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(tuple(0L, 1L, "schema change"), tuple(2L, 4L, "flush.size"));
    assertThat(markers.get(0).files().get(0).columns())
        .extracting(col -> col.name())
        .contains("id", "kafka_deleted")
        .doesNotContain("note");
    assertThat(rows(markers.get(0)))
        .extracting(r -> r.get("id"), r -> r.get("kafka_deleted"))
        .containsExactly(tuple(0L, true), tuple(1L, true));
  }

  /**
   * A delete row names the row it deletes by its key's fields or the key column: a tombstone whose
   * key is null, or is a string while store.kafka.keys=false, would be a row of nulls that an
   * upsert drops without a word, so it is a bad record naming what to set; the records around it
   * commit.
   */
  @Test
  void aTombstoneWhoseDeleteRowWouldNameNoRowIsABadRecord() throws Exception {
    String prefix = "nameless-deletes-" + (++run);
    Map<String, String> props = props(prefix, 2);
    props.put("behavior.on.null.values", "write");
    DlqContext context = new DlqContext();
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(
            props,
            context,
            Set.of(TP),
            List.of(
                keyed(0, order(0L, "a")),
                tpRecord(1, null, null, null, null),
                tpRecord(2, Schema.STRING_SCHEMA, "k2", null, null),
                keyed(3, order(3L, "b"))));

    assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L, 2L);
    assertThat(context.errors.get(0))
        .isEqualTo(
            "Cannot write a delete row for record orders/0/1: its key is null, so the row would not say "
                + "which row it deletes, and an upsert would drop it. Produce tombstones with the key of the "
                + "row they delete, or set behavior.on.null.values=ignore; errors.tolerance=all sends such "
                + "records to the dead letter queue.");
    assertThat(context.errors.get(1))
        .startsWith(
            "Cannot write a delete row for record orders/0/2: its key is a STRING, not a struct whose "
                + "fields the row could hold, and store.kafka.keys=false")
        .contains("Set store.kafka.keys=true");
    assertThat(S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/"))
        .extracting(CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::recordCount)
        .as("the two tombstones set aside are no rows of the unit")
        .containsExactly(tuple(0L, 2L, 1L));
    assertThat(committed).containsEntry(TP, new OffsetAndMetadata(3));
  }

  /** With store.kafka.keys=true a string key is the key column the delete row is named by. */
  @Test
  void aTombstoneWithAStringKeyIsADeleteRowWhenTheKeyColumnIsWritten() throws Exception {
    String prefix = "key-column-deletes-" + (++run);
    Map<String, String> props = props(prefix, 2);
    props.put("behavior.on.null.values", "write");
    props.put("store.kafka.keys", "true");
    DlqContext context = new DlqContext();
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(
            props,
            context,
            Set.of(TP),
            List.of(
                tpRecord(0, Schema.STRING_SCHEMA, "k0", null, null),
                tpRecord(1, null, null, null, null),
                tpRecord(2, Schema.STRING_SCHEMA, "k2", null, null)));

    assertThat(context.reported)
        .as("a null key names no row, key column or not")
        .extracting(SinkRecord::kafkaOffset)
        .containsExactly(1L);
    assertThat(committed).containsEntry(TP, new OffsetAndMetadata(3));
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(rows(markers.get(0)))
        .extracting(r -> String.valueOf(r.get("kafka_key")), r -> r.get("kafka_deleted"))
        .containsExactly(tuple("k0", true), tuple("k2", true));
  }

  /** Optional value fields, none named like the key's: a delete row of them would be all nulls. */
  static final Schema NOTE =
      SchemaBuilder.struct().name("Note").field("note", Schema.OPTIONAL_STRING_SCHEMA).build();

  /**
   * A tombstone whose Struct key fills no field of the open unit's schema (all optional, none named
   * like a key field) would be a row of nulls there: it closes the unit and opens one with the
   * key's columns, as when a required field is missing.
   */
  @Test
  void aTombstoneWhoseKeyFillsNoFieldOfTheUnitOpensAUnitOfItsOwn() throws Exception {
    String prefix = "unmatched-key-deletes-" + (++run);
    Map<String, String> props = deleteProps(prefix, "parquet");
    List<SinkRecord> records = new ArrayList<>();
    for (long o = 0; o < 3; o++) {
      boolean delete = o == 1;
      records.add(
          tpRecord(
              o,
              CUSTOMER_KEY,
              new Struct(CUSTOMER_KEY).put("id", o),
              delete ? null : NOTE,
              delete ? null : new Struct(NOTE).put("note", "n" + o)));
    }
    DlqContext context = new DlqContext();
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(props, context, Set.of(TP), records);

    assertThat(context.errors).isEmpty();
    assertThat(committed).containsEntry(TP, new OffsetAndMetadata(2));
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(tuple(0L, 0L, "schema change"), tuple(1L, 1L, "schema change"));
    assertThat(rows(markers.get(1)))
        .extracting(r -> r.get("id"), r -> r.get("kafka_deleted"))
        .containsExactly(tuple(1L, true));
  }

  /** A value schema with a required field its key does not hold (a NOT NULL column in CDC). */
  static final Schema CUSTOMER =
      SchemaBuilder.struct()
          .name("Customer")
          .field("id", Schema.INT64_SCHEMA)
          .field("email", Schema.STRING_SCHEMA)
          .build();

  static final Schema CUSTOMER_KEY =
      SchemaBuilder.struct().name("CustomerKey").field("id", Schema.INT64_SCHEMA).build();

  /**
   * A tombstone after updates whose value schema has a required field the key does not hold (a NOT
   * NULL column in CDC): its delete row cannot take the unit's schema, so it closes the unit and
   * opens one with the key's columns, as it would had it opened a unit. It went to the dead letter
   * queue, so whether a delete reached the warehouse depended on where the unit boundaries fell.
   */
  @Test
  void aTombstoneAfterUpdatesWithRequiredFieldsIsWrittenAsADeleteRowInAUnitOfItsOwn()
      throws Exception {
    String prefix = "required-deletes-" + (++run);
    Map<String, String> props = deleteProps(prefix, "parquet");
    List<SinkRecord> records = new ArrayList<>();
    for (long o = 0; o < 5; o++) {
      boolean delete = o == 2 || o == 3;
      records.add(
          tpRecord(
              o,
              CUSTOMER_KEY,
              new Struct(CUSTOMER_KEY).put("id", o % 2),
              delete ? null : CUSTOMER,
              delete ? null : new Struct(CUSTOMER).put("id", o % 2).put("email", o + "@x")));
    }
    DlqContext context = new DlqContext();
    Map<TopicPartition, OffsetAndMetadata> committed =
        LocalS3Tasks.putAndCommit(props, context, Set.of(TP), records);

    assertThat(context.errors).isEmpty();
    assertThat(committed)
        .as("the update at 4 closed the unit of deletes and opened one still open")
        .containsEntry(TP, new OffsetAndMetadata(4));
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(tuple(0L, 1L, "schema change"), tuple(2L, 3L, "schema change"));
    assertThat(rows(markers.get(1)))
        .extracting(r -> r.get("id"), r -> r.get("kafka_deleted"))
        .containsExactly(tuple(0L, true), tuple(1L, true));
  }

  /** A value schema whose fields are all optional: a delete row of it can leave every one NULL. */
  static final Schema PROFILE =
      SchemaBuilder.struct()
          .name("Profile")
          .field("id", Schema.OPTIONAL_INT64_SCHEMA)
          .field("name", Schema.OPTIONAL_STRING_SCHEMA)
          .build();

  static final List<String> FORMATS = List.of("parquet", "avro", "jsonl");

  /**
   * A schemaless key (a Map, as JsonConverter gives with schemas.enable=false) fills no field of a
   * unit with a value schema: a tombstone after an update of all optional fields was written there
   * as a row of NULLs with only its deleted flag, the key's id gone, and an upsert deleted nothing.
   * It now opens a unit of its own whose columns are the key's entries, as when it opens one.
   */
  @Test
  void aTombstoneWithAMapKeyAfterAnUpdateOpensAUnitOfTheKeysEntries() throws Exception {
    String prefix = "map-key-deletes-" + (++run);
    Map<String, String> props = deleteProps(prefix, "jsonl");
    Map<String, Object> key = new HashMap<>();
    key.put("id", 5L);
    List<SinkRecord> records =
        List.of(
            tpRecord(0, null, key, PROFILE, new Struct(PROFILE).put("id", 5L).put("name", "a")),
            tpRecord(1, null, key, null, null),
            tpRecord(2, null, key, PROFILE, new Struct(PROFILE).put("id", 5L).put("name", "b")));
    DlqContext context = new DlqContext();
    LocalS3Tasks.putAndCommit(props, context, Set.of(TP), records);

    assertThat(context.errors).isEmpty();
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(markers)
        .extracting(
            CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::rotationReason)
        .containsExactly(tuple(0L, 0L, "schema change"), tuple(1L, 1L, "schema change"));
    assertThat(cells(markers.get(1)))
        .extracting(r -> r.get("id"), r -> r.get("kafka_deleted"))
        .containsExactly(tuple("5", "true"));
  }

  /**
   * A tombstone that carries a value schema of its own must not become the layout the next
   * tombstones are checked against while their rows still go into the open unit's file: the second
   * tombstone below, whose key fills no field of that file, was written into it with all its key
   * columns NULL (JSON Lines). And with store.kafka.keys=true a key with fields fills them wherever
   * the tombstone falls: after an update it was written as a row of NULLs beside its key column,
   * which an upsert by the value's key columns matches to nothing. In every format, no delete row
   * is all NULL where its key has a value.
   */
  @Test
  void aDeleteRowAfterUpdatesAndOtherTombstonesHoldsItsKeysValues() throws Exception {
    Schema key =
        SchemaBuilder.struct()
            .name("ProfileKey")
            .field("id", Schema.OPTIONAL_INT64_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    Schema own =
        SchemaBuilder.struct()
            .name("Contact")
            .field("id", Schema.OPTIONAL_INT64_SCHEMA)
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    for (String format : FORMATS) {
      for (String keys : List.of("false", "true")) {
        String prefix = "key-values-" + format + "-" + keys + "-" + (++run);
        Map<String, String> props = deleteProps(prefix, format);
        props.put("store.kafka.keys", keys);
        List<SinkRecord> records =
            List.of(
                tpRecord(
                    0,
                    key,
                    new Struct(key).put("id", 1L),
                    PROFILE,
                    new Struct(PROFILE).put("id", 1L).put("name", "a")),
                tpRecord(1, key, new Struct(key).put("id", 1L), own, null),
                tpRecord(2, key, new Struct(key).put("email", "x@y"), null, null),
                tpRecord(
                    3,
                    key,
                    new Struct(key).put("id", 2L),
                    PROFILE,
                    new Struct(PROFILE).put("id", 2L).put("name", "b")));
        DlqContext context = new DlqContext();
        LocalS3Tasks.putAndCommit(props, context, Set.of(TP), records);

        assertThat(context.errors).as(format + " " + keys).isEmpty();
        List<Map<String, String>> deletes = new ArrayList<>();
        for (CommitMarker m : S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/")) {
          for (Map<String, String> row : cells(m)) {
            if ("true".equals(row.get("kafka_deleted"))) {
              deletes.add(row);
            }
          }
        }
        assertThat(deletes)
            .as(format + ", store.kafka.keys=" + keys)
            .extracting(r -> r.get("kafka_offset"), r -> r.get("id"), r -> r.get("email"))
            // a NULL cell reads as "null" or is missing, by format
            .map(t -> t.toList().stream().map(v -> "null".equals(v) ? null : v).toList())
            .containsExactlyInAnyOrder(
                java.util.Arrays.asList("1", "1", null), java.util.Arrays.asList("2", null, "x@y"));
      }
    }
  }

  /**
   * A key whose fields or entries are all null (an empty map included) gives a delete row whose key
   * columns are all NULL, wherever it falls: it names no row, so it is a bad record saying what to
   * do, never a row an upsert matches to nothing. It was written (JSON Lines: into the open unit;
   * every format: as a unit of the key's columns holding NULL).
   */
  @Test
  void aTombstoneWhoseKeyHoldsNoValueIsABadRecordInEveryFormat() throws Exception {
    Schema optionalKey =
        SchemaBuilder.struct().name("ProfileKey").field("id", Schema.OPTIONAL_INT64_SCHEMA).build();
    for (String format : FORMATS) {
      String prefix = "null-key-deletes-" + format + "-" + (++run);
      Map<String, String> props = deleteProps(prefix, format);
      Struct nullId = new Struct(optionalKey).put("id", null);
      List<SinkRecord> records =
          List.of(
              tpRecord(0, optionalKey, nullId, null, null),
              tpRecord(
                  1,
                  optionalKey,
                  new Struct(optionalKey).put("id", 1L),
                  PROFILE,
                  new Struct(PROFILE).put("id", 1L).put("name", "a")),
              tpRecord(2, optionalKey, nullId, null, null),
              tpRecord(
                  3,
                  optionalKey,
                  new Struct(optionalKey).put("id", 3L),
                  PROFILE,
                  new Struct(PROFILE).put("id", 3L).put("name", "b")));
      DlqContext context = new DlqContext();
      LocalS3Tasks.putAndCommitBatches(
          props, context, Set.of(TP), List.of(records, List.of(closer(4))));

      assertThat(context.reported)
          .as(format)
          .extracting(SinkRecord::kafkaOffset)
          .containsExactly(0L, 2L);
      assertThat(context.errors.get(1))
          .as(format)
          .isEqualTo(
              "Cannot write a delete row for record orders/0/2: its key has no field with a value "
                  + "(['id'] is null), and store.kafka.keys=false, so every key column of the row would be "
                  + "NULL: it would name no row, and an upsert would drop the delete. Produce tombstones "
                  + "whose key holds the values of the row they delete, or set store.kafka.keys=true (an "
                  + "upsert on the key column deletes by it); errors.tolerance=all sends such records to "
                  + "the dead letter queue.");
      assertThat(allCells(prefix))
          .as(format + ": the updates only")
          .extracting(r -> r.get("id"), r -> r.get("kafka_deleted"))
          .containsExactly(tuple("1", "false"), tuple("3", "false"));
    }
  }

  /**
   * A key whose only value is a nested struct of nulls (or an empty list) names no row either: it
   * was written as a delete row whose key column held {"a":null}.
   */
  @Test
  void aTombstoneWhoseKeyHoldsOnlyEmptyNestedValuesIsABadRecordInEveryFormat() throws Exception {
    Schema inner =
        SchemaBuilder.struct()
            .name("Pk")
            .optional()
            .field("a", Schema.OPTIONAL_INT64_SCHEMA)
            .build();
    Schema nestedKey =
        SchemaBuilder.struct()
            .name("NestedKey")
            .field("pk", inner)
            .field("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build())
            .build();
    for (String format : FORMATS) {
      String prefix = "nested-null-key-deletes-" + format + "-" + (++run);
      Map<String, String> props = deleteProps(prefix, format);
      Struct empty =
          new Struct(nestedKey)
              .put("pk", new Struct(inner).put("a", null))
              .put("tags", java.util.Arrays.asList((String) null));
      DlqContext context = new DlqContext();
      LocalS3Tasks.putAndCommitBatches(
          props,
          context,
          Set.of(TP),
          List.of(List.of(tpRecord(0, nestedKey, empty, null, null)), List.of(closer(1))));

      assertThat(context.reported)
          .as(format)
          .extracting(SinkRecord::kafkaOffset)
          .containsExactly(0L);
      assertThat(context.errors.get(0))
          .as(format)
          .contains("its key has no field with a value (['pk', 'tags'] are null)");
    }
  }

  /** The same for schemaless keys in JSON Lines: an empty map, a map of nulls. */
  @Test
  void aTombstoneWhoseMapKeyHoldsNoValueIsABadRecord() throws Exception {
    String prefix = "empty-map-key-deletes-" + (++run);
    Map<String, String> props = deleteProps(prefix, "jsonl");
    Map<String, Object> nullId = new HashMap<>();
    nullId.put("id", null);
    List<SinkRecord> records =
        List.of(
            tpRecord(
                0,
                null,
                Map.of("id", 0L),
                PROFILE,
                new Struct(PROFILE).put("id", 0L).put("name", "a")),
            tpRecord(1, null, new HashMap<>(), null, null),
            tpRecord(2, null, nullId, null, null),
            tpRecord(3, null, new HashMap<>(), null, null));
    DlqContext context = new DlqContext();
    LocalS3Tasks.putAndCommitBatches(
        props, context, Set.of(TP), List.of(records, List.of(closer(4))));

    assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L, 2L, 3L);
    assertThat(context.errors.get(0))
        .startsWith(
            "Cannot write a delete row for record orders/0/1: its key is an empty map, and "
                + "store.kafka.keys=false, so every key column of the row would be NULL");
    assertThat(context.errors.get(1))
        .startsWith(
            "Cannot write a delete row for record orders/0/2: its key is a map without an entry "
                + "with a value (['id'] is null)");
    assertThat(allCells(prefix))
        .extracting(r -> r.get("id"), r -> r.get("kafka_deleted"))
        .containsExactly(tuple("0", "false"));
  }

  /**
   * A key field of another type than the unit's field of its name (key id INT32, value id INT64):
   * the writers take no Integer for a Long, so the delete row opens a unit of its own, as it is
   * written when it opens one. It went to the dead letter queue only when an update came before it
   * in its unit.
   */
  @Test
  void aTombstoneWhoseKeyTypeDiffersFromTheUnitsIsWrittenInAUnitOfItsOwnInEveryFormat()
      throws Exception {
    Schema intKey = SchemaBuilder.struct().name("IntKey").field("id", Schema.INT32_SCHEMA).build();
    for (String format : FORMATS) {
      String prefix = "int-key-deletes-" + format + "-" + (++run);
      Map<String, String> props = deleteProps(prefix, format);
      List<SinkRecord> records = new ArrayList<>();
      for (int o = 0; o < 4; o++) {
        boolean delete = o % 2 == 0; // opening a unit, and after an update
        records.add(
            tpRecord(
                o,
                intKey,
                new Struct(intKey).put("id", o / 2),
                delete ? null : ORDER,
                delete ? null : new Struct(ORDER).put("id", (long) (o / 2)).put("note", "n")));
      }
      DlqContext context = new DlqContext();
      LocalS3Tasks.putAndCommitBatches(
          props, context, Set.of(TP), List.of(records, List.of(closer(4))));

      assertThat(context.errors).as(format).isEmpty();
      List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
      assertThat(markers)
          .as(format)
          .extracting(CommitMarker::startOffset, CommitMarker::endOffset)
          .containsExactly(tuple(0L, 0L), tuple(1L, 1L), tuple(2L, 2L), tuple(3L, 3L));
      assertThat(allCells(prefix))
          .as(format)
          .extracting(r -> r.get("id"), r -> r.get("kafka_deleted"))
          .containsExactly(
              tuple("0", "true"), tuple("0", "false"), tuple("1", "true"), tuple("1", "false"));
    }
  }

  /**
   * A unit whose value schema is not a struct has one value column, which a delete row leaves NULL:
   * without a key column such a row named nothing, yet it was written into the unit. It now opens a
   * unit of the key's columns.
   */
  @Test
  void aTombstoneAfterUpdatesOfAPrimitiveValueOpensAUnitOfTheKeysColumns() throws Exception {
    for (String format : FORMATS) {
      String prefix = "primitive-deletes-" + format + "-" + (++run);
      Map<String, String> props = deleteProps(prefix, format);
      List<SinkRecord> records = new ArrayList<>();
      for (long o = 0; o < 3; o++) {
        boolean delete = o == 1;
        records.add(
            tpRecord(
                o,
                CUSTOMER_KEY,
                new Struct(CUSTOMER_KEY).put("id", o),
                delete ? null : Schema.OPTIONAL_STRING_SCHEMA,
                delete ? null : "v" + o));
      }
      DlqContext context = new DlqContext();
      LocalS3Tasks.putAndCommit(props, context, Set.of(TP), records);

      assertThat(context.errors).as(format).isEmpty();
      List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
      assertThat(markers)
          .as(format)
          .extracting(CommitMarker::startOffset, CommitMarker::endOffset)
          .containsExactly(tuple(0L, 0L), tuple(1L, 1L));
      assertThat(cells(markers.get(1)))
          .as(format)
          .extracting(r -> r.get("id"), r -> r.get("kafka_deleted"))
          .containsExactly(tuple("1", "true"));
    }
  }

  /**
   * A tombstone that carries a value schema its key fills no field of (an SMT set one) opened its
   * unit with that schema and wrote a row of NULLs; it now takes its key's columns.
   */
  @Test
  void aTombstoneWithAValueSchemaItsKeyLeavesEmptyOpensWithTheKeysColumns() throws Exception {
    for (String format : FORMATS) {
      String prefix = "schema-tombstone-deletes-" + format + "-" + (++run);
      Map<String, String> props = deleteProps(prefix, format);
      List<SinkRecord> records =
          List.of(tpRecord(0, CUSTOMER_KEY, new Struct(CUSTOMER_KEY).put("id", 7L), NOTE, null));
      DlqContext context = new DlqContext();
      LocalS3Tasks.putAndCommitBatches(
          props, context, Set.of(TP), List.of(records, List.of(closer(1))));

      assertThat(context.errors).as(format).isEmpty();
      List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
      assertThat(cells(markers.get(0)))
          .as(format)
          .extracting(r -> r.get("id"), r -> r.get("kafka_deleted"))
          .containsExactly(tuple("7", "true"));
    }
  }

  /**
   * A value schema nested 260 optional structs deep, as JsonConverter builds it from an envelope
   * (its parser takes 1,000 levels of JSON, this schema needs about 520): its Avro schema text
   * would nest over 1,000 levels, which Avro's writer refuses with an AvroRuntimeException that
   * escaped the bad-record handling and stopped the task on every restart, a dead letter queue set
   * or not. In Parquet and Avro it is a bad record saying what to do; JSON Lines writes it.
   */
  @Test
  void aValueSchemaNestedTooDeepForAnAvroSchemaIsABadRecordInParquetAndAvro() throws Exception {
    String inner =
        "{\"type\":\"struct\",\"optional\":true,\"field\":\"c\",\"fields\":"
            + "[{\"type\":\"int32\",\"optional\":true,\"field\":\"x\"}]}";
    for (int i = 0; i < 260; i++) {
      inner = "{\"type\":\"struct\",\"optional\":true,\"field\":\"c\",\"fields\":[" + inner + "]}";
    }
    String envelope =
        "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"field\":\"id\"},"
            + inner
            + "]},\"payload\":{\"id\":1,\"c\":null}}";
    org.apache.kafka.connect.json.JsonConverter converter =
        new org.apache.kafka.connect.json.JsonConverter();
    converter.configure(Map.of("schemas.enable", "true"), false);
    org.apache.kafka.connect.data.SchemaAndValue deep =
        converter.toConnectData(TP.topic(), envelope.getBytes(StandardCharsets.UTF_8));
    for (String format : FORMATS) {
      String prefix = "deep-schema-" + format + "-" + (++run);
      DlqContext context = betweenTwoGoodRecords(prefix, format, deep.schema(), deep.value());

      if (format.equals("jsonl")) {
        assertThat(context.reported).as(format).isEmpty();
        assertThat(allCells(prefix)).extracting(r -> r.get("id")).contains("0", "1", "2");
        continue;
      }
      assertThat(context.reported)
          .as(format)
          .extracting(SinkRecord::kafkaOffset)
          .containsExactly(1L);
      assertThat(context.errors.get(0))
          .as(format)
          .isEqualTo(
              "Cannot write record orders/0/1 as "
                  + (format.equals("avro") ? "Avro" : "Parquet")
                  + ": value schema field 'c' is nested too deep for an Avro or Parquet schema (its"
                  + " Avro schema text would nest more than 1000 levels of JSON). Flatten it at the"
                  + " source or with an SMT (Flatten, ReplaceField), or use format.class=jsonl.");
      assertThat(allCells(prefix))
          .as(format + ": the records around it")
          .extracting(r -> r.get("id"))
          .containsExactly("0", "2");
    }
  }

  /**
   * Lists nested 300 deep fit an Avro schema's text, but not a Parquet reader: parquet-java cannot
   * read a column past 255 repetition or definition levels, and about 990 such lists overflowed the
   * commit thread's stack when the file was built, at every replay (the task stopped for good). In
   * Parquet such a record is bad, named with its column; Avro and JSON Lines write it.
   */
  @Test
  void listsNestedDeeperThanAParquetReaderTakesAreABadRecordInParquet() throws Exception {
    Schema lists = Schema.INT32_SCHEMA;
    Object value = 7;
    for (int i = 0; i < 300; i++) {
      lists = SchemaBuilder.array(lists).build();
      value = List.of(value);
    }
    Schema schema =
        SchemaBuilder.struct()
            .name("DeepLists")
            .field("id", Schema.INT64_SCHEMA)
            .field("c", lists)
            .build();
    Struct deep = new Struct(schema).put("id", 1L).put("c", value);
    for (String format : FORMATS) {
      String prefix = "deep-lists-" + format + "-" + (++run);
      DlqContext context = betweenTwoGoodRecords(prefix, format, schema, deep);
      if (!format.equals("parquet")) {
        assertThat(context.reported).as(format).isEmpty();
        assertThat(allCells(prefix)).extracting(r -> r.get("id")).contains("0", "1", "2");
        continue;
      }
      assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L);
      assertThat(context.errors.get(0))
          .startsWith("Cannot write record orders/0/1 as Parquet: column 'c.list.element.list.")
          .contains("nests 300 Parquet levels (lists and optional fields), more than the 255")
          .endsWith("or use format.class=jsonl.");
      assertThat(allCells(prefix))
          .as("the records around it")
          .extracting(r -> r.get("id"))
          .containsExactly("0", "2");
    }
  }

  /**
   * Puts orders 0 and 2 around a record of {@code schema} at offset 1 into a task writing {@code
   * format} under {@code prefix}, then a record of another schema that closes the unit; returns
   * what the task reported.
   */
  private static DlqContext betweenTwoGoodRecords(
      String prefix, String format, Schema schema, Object value) throws Exception {
    Map<String, String> props = props(prefix, 10);
    props.put("format.class", format);
    DlqContext context = new DlqContext();
    LocalS3Tasks.putAndCommitBatches(
        props,
        context,
        Set.of(TP),
        List.of(
            List.of(
                record(0, order(0L, "a")),
                tpRecord(1, null, null, schema, value),
                record(2, order(2L, "b"))),
            List.of(closer(3))));
    return context;
  }

  /** An update of another schema than the tests' units: it closes the unit open before it. */
  private static SinkRecord closer(long offset) {
    Schema other = SchemaBuilder.struct().name("Other").field("x", Schema.INT64_SCHEMA).build();
    return tpRecord(offset, null, null, other, new Struct(other).put("x", 0L));
  }

  /**
   * The rows of every file of {@code m}, in any format, each column's value as text ("null" for
   * NULL or a missing column).
   */
  private static List<Map<String, String>> cells(CommitMarker m) throws Exception {
    List<Map<String, String>> rows = new ArrayList<>();
    for (MarkerFile f : m.files()) {
      byte[] bytes = S3Objects.get(s3.client(), BUCKET, f.key());
      if (f.format() == FileFormat.JSONL) {
        ObjectMapper json = new ObjectMapper();
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
          Map<String, String> row = new HashMap<>();
          json.readTree(line)
              .fields()
              .forEachRemaining(e -> row.put(e.getKey(), e.getValue().asText()));
          rows.add(withNulls(row));
        }
        continue;
      }
      List<GenericRecord> records = new ArrayList<>();
      if (f.format() == FileFormat.AVRO) {
        try (DataFileReader<GenericRecord> reader =
            new DataFileReader<>(
                new SeekableByteArrayInput(bytes), new GenericDatumReader<GenericRecord>())) {
          reader.forEach(records::add);
        }
      } else {
        records.addAll(io.redstage.connector.format.FileReaders.parquet(bytes));
      }
      for (GenericRecord r : records) {
        Map<String, String> row = new HashMap<>();
        r.getSchema()
            .getFields()
            .forEach(field -> row.put(field.name(), String.valueOf(r.get(field.name()))));
        rows.add(withNulls(row));
      }
    }
    return rows;
  }

  /** A row whose missing columns read as "null". */
  private static Map<String, String> withNulls(Map<String, String> row) {
    return new HashMap<>(row) {
      @Override
      public String get(Object key) {
        return containsKey(key) ? super.get(key) : "null";
      }
    };
  }

  /** The rows of every unit under {@code prefix}, in offset order. */
  private List<Map<String, String>> allCells(String prefix) throws Exception {
    List<Map<String, String>> rows = new ArrayList<>();
    for (CommitMarker m : S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/")) {
      rows.addAll(cells(m));
    }
    return rows;
  }

  /**
   * The same tombstone after an update that went to the dead letter queue (its row failed): the
   * update's file is open with its schema, so the delete row cannot fit it either and opens a unit
   * of its own. It went to the dead letter queue as well (only the last row written decided), and
   * the delete never reached the warehouse.
   */
  @Test
  void aTombstoneAfterARejectedUpdateIsWrittenAsADeleteRowInAUnitOfItsOwn() throws Exception {
    String prefix = "required-deletes-after-bad-" + (++run);
    Map<String, String> props = deleteProps(prefix, "parquet");
    Struct key = new Struct(CUSTOMER_KEY).put("id", 7L);
    List<SinkRecord> records =
        List.of(
            tpRecord(
                0,
                CUSTOMER_KEY,
                key,
                CUSTOMER,
                new Struct(CUSTOMER).put("id", 7L).put("email", "a\u0000b")),
            tpRecord(1, CUSTOMER_KEY, key, null, null),
            // closes the unit of the delete (another schema)
            tpRecord(
                2,
                CUSTOMER_KEY,
                key,
                CUSTOMER,
                new Struct(CUSTOMER).put("id", 7L).put("email", "ok")));
    DlqContext context = new DlqContext();
    LocalS3Tasks.putAndCommit(props, context, Set.of(TP), records);

    assertThat(context.reported)
        .as("only the update with a NUL")
        .extracting(SinkRecord::kafkaOffset)
        .containsExactly(0L);
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(markers)
        .extracting(CommitMarker::startOffset, CommitMarker::endOffset)
        .containsExactly(tuple(0L, 0L), tuple(1L, 1L));
    assertThat(markers.get(0).recordCount()).isZero();
    assertThat(rows(markers.get(1)))
        .extracting(r -> r.get("id"), r -> r.get("kafka_deleted"))
        .containsExactly(tuple(7L, true));
  }

  /**
   * A unit that opens with tombstones takes its file schema from its own records only: a new task
   * replaying it after a restart (which has not seen the records before it) writes the same bytes
   * under the same key as the task that saw them.
   */
  @Test
  void aUnitOpeningWithTombstonesIsWrittenTheSameByATaskThatStartsThere() throws Exception {
    String prefix = "key-deletes-replay-" + (++run);
    Map<String, String> props = props(prefix, 3);
    props.put("behavior.on.null.values", "write");
    List<SinkRecord> records = new ArrayList<>();
    for (long o = 0; o < 3; o++) {
      records.add(keyed(o, order(o, "n")));
    }
    records.add(keyed(3, null));
    records.add(keyed(4, null));
    records.add(keyed(5, order(5L, "n")));
    LocalS3Tasks.putAndCommit(props, new DlqContext(), Set.of(TP), records);
    CommitMarker deletes =
        S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/").stream()
            .filter(m -> m.startOffset() == 3)
            .findFirst()
            .orElseThrow();
    assertThat(deletes.endOffset()).isEqualTo(4);
    assertAReplayWritesTheSameBytes(
        props, deletes.files().get(0).key(), records.subList(3, records.size()));
  }

  /**
   * The same when rotate.interval.ms closes the unit before a tombstone: the delete row opens the
   * next unit with the key's columns, not with the schema of the unit just closed.
   */
  @Test
  void aTombstoneThatClosesAUnitByRecordTimeOpensTheNextOneWithItsOwnSchema() throws Exception {
    String prefix = "key-deletes-interval-" + (++run);
    Map<String, String> props = tenMinuteUnits(prefix, 3);
    props.put("behavior.on.null.values", "write");
    long t = T0;
    List<SinkRecord> records = new ArrayList<>();
    records.add(keyedAt(0, order(0L, "n"), t));
    records.add(keyedAt(1, order(1L, "n"), t + 60_000));
    for (long o = 2; o < 5; o++) {
      records.add(keyedAt(o, null, t + 11 * 60_000)); // the first one closes [0, 1] by record time
    }
    LocalS3Tasks.putAndCommit(props, new DlqContext(), Set.of(TP), records);
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(markers)
        .extracting(CommitMarker::startOffset, CommitMarker::endOffset)
        .containsExactly(tuple(0L, 1L), tuple(2L, 4L));
    assertThat(markers.get(1).files().get(0).columns())
        .extracting(col -> col.name())
        .contains("id", "kafka_deleted")
        .doesNotContain("note");
    assertAReplayWritesTheSameBytes(
        props, markers.get(1).files().get(0).key(), records.subList(2, records.size()));
  }

  /**
   * A new task that starts at {@code replay}'s first record (it has seen none before it) writes the
   * object under {@code key} again with the same bytes, and sets nothing aside.
   */
  private static void assertAReplayWritesTheSameBytes(
      Map<String, String> props, String key, List<SinkRecord> replay) throws Exception {
    byte[] first = S3Objects.get(s3.client(), BUCKET, key);
    DlqContext context = new DlqContext();
    LocalS3Tasks.putAndCommit(props, context, Set.of(TP), replay);
    assertThat(context.errors).isEmpty();
    assertThat(S3Objects.get(s3.client(), BUCKET, key)).isEqualTo(first);
  }

  /**
   * A tombstone's time is checked like a row's: out of years 1 to 9999 it is a bad record, instead
   * of closing the open unit early or holding a far-future time that keeps rotate.interval.ms from
   * ever closing the next.
   */
  @Test
  void aTombstoneWithATimeOutsideYears1To9999IsABadRecordAndTheUnitGoesOn() throws Exception {
    String prefix = "tombstone-time-" + (++run);
    Map<String, String> props = tenMinuteUnits(prefix, 100);
    props.put("behavior.on.null.values", "write");
    long t = T0;
    DlqContext context = new DlqContext();
    LocalS3Tasks.putAndCommit(
        props,
        context,
        Set.of(TP),
        List.of(
            keyedAt(0, order(0L, "n"), t),
            keyedAt(1, null, 253_402_300_800_000L), // year 10000
            keyedAt(2, null, t + 60_000),
            keyedAt(3, order(3L, "n"), t + 2 * 60_000),
            keyedAt(4, order(4L, "n"), t + 11 * 60_000))); // closes the unit by record time

    assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L);
    assertThat(context.errors.get(0))
        .startsWith(
            "Cannot write record orders/0/1: its time (timestamp.extractor) is 253402300800000");
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(markers)
        .as("the tombstone set aside did not close the unit [0, 3]")
        .extracting(CommitMarker::startOffset, CommitMarker::endOffset, CommitMarker::recordCount)
        .startsWith(tuple(0L, 3L, 3L));
  }

  private static SinkRecord keyedAt(long offset, Struct value, long timestamp) {
    SinkRecord r = keyed(offset, value);
    return r.newRecord(
        r.topic(),
        r.kafkaPartition(),
        r.keySchema(),
        r.key(),
        r.valueSchema(),
        r.value(),
        timestamp);
  }

  /**
   * With a dead letter queue topic but errors.tolerance=none, Connect's reporter throws its own
   * "Tolerance exceeded": the task's failure still names the record and the reason first, and
   * nothing claims the record went to the queue.
   */
  @Test
  void aReporterThatRefusesTheRecordFailsTheTaskWithTheRecordsOwnMessage() {
    String prefix = "tolerance-none-" + (++run);
    NoRewindSinkTaskContext context =
        new NoRewindSinkTaskContext() {
          @Override
          public ErrantRecordReporter errantRecordReporter() {
            return (record, error) -> {
              throw new ConnectException("Tolerance exceeded in error handler", error);
            };
          }
        };
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props(prefix, 100)), context);
    try {
      committer.open(Set.of(TP));
      assertThatThrownBy(() -> committer.put(List.of(record(0, null))))
          .isInstanceOf(ConnectException.class)
          .hasMessage(
              "Cannot write record orders/0/0: its value is null (a tombstone) and "
                  + "behavior.on.null.values=fail. Set behavior.on.null.values=ignore to skip tombstones or =write to "
                  + "store delete rows for upsert loads, or let errors.tolerance=all send them to the dead letter queue."
                  + " (The task stops here: errors.tolerance=none. Set errors.tolerance=all to send such records to"
                  + " the dead letter queue (errors.deadletterqueue.topic.name) and go on.)")
          .hasRootCauseMessage(
              "Cannot write record orders/0/0: its value is null (a tombstone) and "
                  + "behavior.on.null.values=fail. Set behavior.on.null.values=ignore to skip tombstones or =write to "
                  + "store delete rows for upsert loads, or let errors.tolerance=all send them to the dead letter queue.");
    } finally {
      committer.stop();
    }
  }

  /**
   * The first record of a unit that fails the task (no dead letter queue) left its unit open,
   * claiming the record's offset: a rule closing it in the preCommit Connect still makes wrote a
   * marker of no rows over that offset, and the loader dropped the record once it was written after
   * the fix. A unit that handled no record closes without a marker.
   */
  @Test
  void aUnitOpenedForARecordThatFailsTheTaskWritesNoMarker() {
    String prefix = "no-dlq-first-" + (++run);
    Map<String, String> props = props(prefix, 100);
    props.put("rotate.idle.ms", "50");
    TopicPartition other = new TopicPartition(TP.topic(), 1);
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props), new NoRewindSinkTaskContext());
    try {
      committer.open(Set.of(TP, other));
      assertThatThrownBy(() -> committer.put(List.of(record(0, order(0L, "x".repeat(70_000))))))
          .isInstanceOf(ConnectException.class)
          .hasMessageStartingWith("Cannot write record orders/0/0 as Parquet");
      committer.put(
          List.of(new SinkRecord(other.topic(), 1, null, null, ORDER, order(1L, "ok"), 0)));
      // both units idle past rotate.idle.ms; the good one commits
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> committer.committedOffsets().containsKey(other));
      assertThat(committer.committedOffsets()).doesNotContainKey(TP);
    } finally {
      committer.stop();
    }
    assertThat(S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/"))
        .extracting(CommitMarker::partition)
        .containsExactly(1);
  }

  @Test
  void withoutADeadLetterQueueABadRecordFailsTheTaskWithItsOwnMessage() {
    String prefix = "no-dlq-" + (++run);
    StagingCommitter committer =
        StagingCommitter.create(new SinkConfig(props(prefix, 100)), new NoRewindSinkTaskContext());
    try {
      committer.open(Set.of(TP));
      assertThatThrownBy(
              () ->
                  committer.put(
                      List.of(record(0, new Struct(ORDER).put("id", 0L)), record(1, null))))
          .isInstanceOf(ConnectException.class)
          .hasMessageStartingWith("Cannot write record orders/0/1: its value is null (a tombstone)")
          .hasMessageEndingWith(
              "(This task has no dead letter queue: to send such records there and go on, set "
                  + "errors.tolerance=all and errors.deadletterqueue.topic.name.)")
          .satisfies(
              e ->
                  assertThat(e.getMessage().split("Cannot write record", -1))
                      .as("said once")
                      .hasSize(2));
      assertThatThrownBy(() -> committer.put(List.of(record(2, order(2L, "x".repeat(70_000))))))
          .isInstanceOf(ConnectException.class)
          .hasMessageStartingWith(
              "Cannot write record orders/0/2 as Parquet: value field 'note' is a string of "
                  + "70,000 UTF-8 bytes, over varchar.max.bytes=65535")
          .satisfies(
              e ->
                  assertThat(e.getMessage().split("Cannot write record", -1))
                      .as("said once")
                      .hasSize(2));
      Schema geo = SchemaBuilder.struct().name("Geo").optional().build();
      Schema address = SchemaBuilder.struct().name("Address").optional().field("geo", geo).build();
      Schema customer =
          SchemaBuilder.struct()
              .name("Customer")
              .field("id", Schema.INT64_SCHEMA)
              .field("address", address)
              .build();
      assertThatThrownBy(
              () ->
                  committer.put(
                      List.of(
                          tpRecord(3, null, null, customer, new Struct(customer).put("id", 3L)))))
          .isInstanceOf(ConnectException.class)
          .hasMessage(
              "Cannot write record orders/0/3 as Parquet: value schema field 'address.geo' is a struct without fields, "
                  + "which Parquet cannot store. Give the struct a field in the producer's schema, drop the field with a "
                  + "ReplaceField SMT, or use format.class=avro or jsonl."
                  + BadRecordHandler.NO_REPORTER);
    } finally {
      committer.stop();
    }
  }

  @Test
  void truncationFromTheTaskConfigCutsStringsAndKeepsTheRecord() throws Exception {
    String prefix = "truncate-" + (++run);
    Map<String, String> props = props(prefix, 2);
    props.put("varchar.max.bytes", "5");
    props.put("behavior.on.oversize.string", "truncate");
    DlqContext context = new DlqContext();
    StagingCommitter committer = StagingCommitter.create(new SinkConfig(props), context);
    try {
      committer.open(Set.of(TP));
      committer.put(List.of(record(0, order(0L, "abcdefgh")), record(1, order(1L, "abc"))));
      assertThat(SettledCommits.offsets(committer)).containsEntry(TP, new OffsetAndMetadata(2));
    } finally {
      committer.stop();
    }

    assertThat(context.reported).isEmpty();
    List<CommitMarker> markers = S3Objects.markers(s3.client(), BUCKET, prefix + "/markers/");
    assertThat(markers).hasSize(1);
    assertThat(rows(markers.get(0)))
        .extracting(r -> r.get("note").toString())
        .containsExactly("abcde", "abc");
  }

  private static List<GenericRecord> rows(CommitMarker m) throws Exception {
    List<GenericRecord> rows = new ArrayList<>();
    try (ParquetReader<GenericRecord> reader =
        AvroParquetReader.<GenericRecord>builder(
                new BytesInputFile(S3Objects.get(s3.client(), BUCKET, m.files().get(0).key())),
                new PlainParquetConfiguration())
            .build()) {
      for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
        rows.add(r);
      }
    }
    return rows;
  }

  /** A record keyed by a Struct holding its id, which a delete row fills the value's id from. */
  private static Struct order(long id, String note) {
    return new Struct(ORDER).put("id", id).put("note", note);
  }

  private static SinkRecord keyed(long offset, Struct value) {
    Schema keySchema =
        SchemaBuilder.struct().name("OrderKey").field("id", Schema.INT64_SCHEMA).build();
    return tpRecord(
        offset,
        keySchema,
        new Struct(keySchema).put("id", offset),
        value == null ? null : ORDER,
        value);
  }

  private static SinkRecord record(long offset, Struct value) {
    return tpRecord(offset, null, null, value == null ? null : ORDER, value);
  }

  /** {@link #props} with the field partitioner on 'note'. */
  private static Map<String, String> byNote(String prefix, int flushSize) {
    Map<String, String> props = props(prefix, flushSize);
    props.put("partitioner.class", "field");
    props.put("partition.field.name", "note");
    return props;
  }

  /** A record time of the tests of rotate.interval.ms. */
  static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

  /**
   * Units of at most {@code flushSize} records and 10 minutes of record time (Kafka timestamps).
   */
  private static Map<String, String> tenMinuteUnits(String prefix, int flushSize) {
    Map<String, String> props = props(prefix, flushSize);
    props.put("rotate.interval.ms", "600000");
    props.put("rotate.schedule.interval.ms", "-1");
    props.put("timestamp.extractor", "Record");
    return props;
  }

  /** {@link #props} of flush.size 10 writing tombstones as delete rows in {@code format}. */
  private static Map<String, String> deleteProps(String prefix, String format) {
    Map<String, String> props = props(prefix, 10);
    props.put("format.class", format);
    props.put("behavior.on.null.values", "write");
    return props;
  }

  private static Map<String, String> props(String prefix, int flushSize) {
    Map<String, String> props = LocalS3Tasks.props(s3, BUCKET);
    props.put("topics.dir", prefix + "/topics");
    props.put("markers.dir", prefix + "/markers");
    props.put("flush.size", Integer.toString(flushSize));
    return props;
  }

  /** A worker context whose dead letter queue records what it is sent. */
  static final class DlqContext extends NoRewindSinkTaskContext {
    final List<SinkRecord> reported = new ArrayList<>();
    final List<String> errors = new ArrayList<>();

    @Override
    public ErrantRecordReporter errantRecordReporter() {
      return new ErrantRecordReporter() {
        @Override
        public Future<Void> report(SinkRecord record, Throwable error) {
          reported.add(record);
          errors.add(error.getMessage());
          return CompletableFuture.completedFuture(null);
        }
      };
    }
  }

  /** A record of {@link #TP} at {@code offset}. */
  private static SinkRecord tpRecord(
      long offset, Schema keySchema, Object key, Schema valueSchema, Object value) {
    return new SinkRecord(TP.topic(), TP.partition(), keySchema, key, valueSchema, value, offset);
  }
}
