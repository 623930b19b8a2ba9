package io.redstage.connector.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.contract.ColumnType;
import io.redstage.contract.CommitMarker;
import io.redstage.contract.MarkerFile;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged connector in a real Connect worker, configured by JSON posted to /connectors,
 * writing to S3Proxy. Every assertion reads the objects back with independent readers.
 */
class SinkPipelineIT {
  private static final String BUCKET = "staging";
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static PipelineFixture fx;

  @BeforeAll
  static void start() {
    fx = new PipelineFixture(BUCKET);
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  private static Map<String, String> schemaJson(Map<String, String> c) {
    c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    c.put("value.converter.schemas.enable", "true");
    return c;
  }

  @Test
  void parquetFilesHoldEveryRecordWithTypesAndMetadata() throws Exception {
    String topic = "ads";
    fx.connect.createTopic(topic, 3);
    for (long id = 0; id < 600; id++) {
      fx.send(topic, (int) (id % 3), "k" + id, Records.adEvent(id, false));
    }
    fx.producer.flush();
    Map<String, String> c = schemaJson(fx.baseConfig(topic, BUCKET));
    c.put("flush.size", "50");
    c.put("parquet.dictionary.excluded.columns", "event_date,geo");
    assertThat(fx.connect.createConnector("ads-parquet", c)).isEqualTo(201);
    TreeMap<String, CommitMarker> markers =
        fx.awaitCovered(BUCKET, topic, Map.of(0, 200L, 1, 200L, 2, 200L), WAIT);

    Map<Integer, Set<Long>> seen = new HashMap<>();
    for (CommitMarker m : markers.values()) {
      assertThat(m.endOffset() - m.startOffset() + 1).isEqualTo(50);
      assertThat(m.rotationReason()).isEqualTo("flush.size");
      assertThat(m.writer())
          .startsWith("redstage-connector " + System.getProperty("redstage.version"));
      assertThat(m.recordCount()).isEqualTo(50);
      assertThat(m.files()).hasSize(1);
      MarkerFile f = m.files().get(0);
      assertThat(f.key())
          .matches(
              "topics/ads/partition="
                  + m.partition()
                  + "/ads\\+"
                  + m.partition()
                  + "\\+\\d{10}\\+\\d{10}\\.snappy\\.parquet");
      assertThat(f.key()).contains(String.format("+%010d+%010d", m.startOffset(), m.endOffset()));
      byte[] bytes = fx.get(BUCKET, f.key());
      assertThat(bytes.length).as("marker size of " + f.key()).isEqualTo(f.bytes());
      assertThat(f.columns())
          .extracting(col -> col.name())
          .containsSubsequence(
              "id",
              "price",
              "event_time",
              "kafka_topic",
              "kafka_partition",
              "kafka_offset",
              "kafka_timestamp");
      assertThat(f.columns())
          .filteredOn(col -> col.name().equals("price"))
          .first()
          .satisfies(col -> assertThat(col.type()).isEqualTo(ColumnType.decimal(12, 2)));

      // campaign, event_date and geo.city repeat a few values, so each would have a dictionary;
      // the config excludes event_date and geo's fields.
      assertThat(FileReaders.parquetDictionaryColumns(bytes))
          .contains("campaign")
          .doesNotContain("event_date", "geo.city", "geo.lat", "kafka_offset");
      MessageType schema = FileReaders.parquetSchema(bytes);
      assertThat(schema.getType("price").getLogicalTypeAnnotation())
          .isEqualTo(LogicalTypeAnnotation.decimalType(2, 12));
      assertThat(schema.getType("event_time").getLogicalTypeAnnotation())
          .isEqualTo(
              LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MILLIS));
      assertThat(schema.getType("event_date").getLogicalTypeAnnotation())
          .isEqualTo(LogicalTypeAnnotation.dateType());

      List<GenericRecord> rows = FileReaders.parquet(bytes);
      assertThat(rows).hasSize(50);
      for (GenericRecord r : rows) {
        long offset = (Long) r.get("kafka_offset");
        long id = (Long) r.get("id");
        assertThat(offset).isBetween(m.startOffset(), m.endOffset());
        assertThat(id % 3).isEqualTo(m.partition());
        assertThat(offset).isEqualTo(id / 3); // produced in order per partition
        assertThat(r.get("kafka_topic").toString()).isEqualTo(topic);
        assertThat(r.get("kafka_partition")).isEqualTo(m.partition());
        assertThat(r.get("campaign").toString()).isEqualTo("c-" + (id % 7));
        assertThat(decimal(r.get("price"), 2))
            .isEqualByComparingTo(new BigDecimal(id).movePointLeft(2));
        assertThat(millis(r.get("event_time"))).isEqualTo(Records.BASE_TIME + id * 1000);
        assertThat(epochDay(r.get("event_date")))
            .isEqualTo((Records.BASE_TIME + id * 1000) / 86_400_000L);
        assertThat(r.get("billable")).isEqualTo(id % 2 == 0);
        if (id % 5 == 0) {
          assertThat(r.get("geo")).isNull();
          assertThat(r.get("note")).isNull();
        } else {
          assertThat(((GenericRecord) r.get("geo")).get("city").toString())
              .isEqualTo("city-" + (id % 11));
        }
        assertThat(seen.computeIfAbsent(m.partition(), p -> new HashSet<>()).add(offset))
            .as("offset once")
            .isTrue();
      }
    }
    for (int p = 0; p < 3; p++) {
      assertThat(seen.get(p)).hasSize(200);
    }
    fx.connect.deleteConnector("ads-parquet");
  }

  @Test
  void jsonLinesSchemalessWithFieldPartitionsAndGzip() throws Exception {
    String topic = "pageviews";
    fx.connect.createTopic(topic, 1);
    String[] countries = {"DE", "FR", "US/CA"};
    for (int i = 0; i < 90; i++) {
      fx.send(
          topic,
          0,
          null,
          "{\"user\":\"u" + i + "\",\"country\":\"" + countries[i % 3] + "\",\"ms\":" + i + "}");
    }
    fx.producer.flush();
    Map<String, String> c = fx.baseConfig(topic, BUCKET);
    c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    c.put("value.converter.schemas.enable", "false");
    c.put("format.class", "io.confluent.connect.s3.format.json.JsonFormat");
    c.put("s3.compression.type", "gzip");
    c.put("partitioner.class", "io.confluent.connect.storage.partitioner.FieldPartitioner");
    c.put("partition.field.name", "country");
    c.put("flush.size", "30");
    assertThat(fx.connect.createConnector("pv-json", c)).isEqualTo(201);
    TreeMap<String, CommitMarker> markers = fx.awaitCovered(BUCKET, topic, Map.of(0, 90L), WAIT);

    Set<String> users = new HashSet<>();
    for (CommitMarker m : markers.values()) {
      assertThat(m.files()).hasSize(3); // one file per country in each unit
      for (MarkerFile f : m.files()) {
        assertThat(f.key()).startsWith("topics/pageviews/country=").endsWith(".jsonl.gz");
        assertThat(f.key().split("/")).as("a / in a value adds no path level").hasSize(4);
        for (JsonNode row : FileReaders.jsonLines(fx.get(BUCKET, f.key()), true)) {
          assertThat(f.key())
              .contains("country=" + row.get("country").asText().replace("/", "%2F"));
          assertThat(row.get("kafka_topic").asText()).isEqualTo(topic);
          assertThat(row.get("kafka_offset").asLong()).isBetween(m.startOffset(), m.endOffset());
          assertThat(row.get("ms").asLong()).isEqualTo(row.get("kafka_offset").asLong());
          users.add(row.get("user").asText());
        }
      }
    }
    assertThat(users).hasSize(90);
    fx.connect.deleteConnector("pv-json");
  }

  @Test
  void avroWithHourlyPathsFromARecordField() throws Exception {
    String topic = "clicks";
    fx.connect.createTopic(topic, 1);
    for (long id = 0; id < 40; id++) {
      fx.send(
          topic,
          0,
          null,
          Records.adEvent(id * 200, false)); // event_time steps of 200 s: crosses hours
    }
    fx.producer.flush();
    Map<String, String> c = schemaJson(fx.baseConfig(topic, BUCKET));
    c.put("format.class", "avro");
    c.put("avro.codec", "snappy");
    c.put("partitioner.class", "io.confluent.connect.storage.partitioner.TimeBasedPartitioner");
    c.put("path.format", "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH");
    c.put("partition.duration.ms", "3600000");
    c.put("timestamp.extractor", "RecordField");
    c.put("timestamp.field", "event_time");
    c.put("flush.size", "40");
    assertThat(fx.connect.createConnector("clicks-avro", c)).isEqualTo(201);
    TreeMap<String, CommitMarker> markers = fx.awaitCovered(BUCKET, topic, Map.of(0, 40L), WAIT);
    DateTimeFormatter hourPath =
        DateTimeFormatter.ofPattern("'year'=yyyy/'month'=MM/'day'=dd/'hour'=HH")
            .withZone(ZoneOffset.UTC);
    int rows = 0;
    for (CommitMarker m : markers.values()) {
      for (MarkerFile f : m.files()) {
        assertThat(f.key()).endsWith(".avro");
        List<GenericRecord> records = FileReaders.avro(fx.get(BUCKET, f.key()));
        assertThat(records).hasSize((int) f.records());
        for (GenericRecord r : records) {
          long eventTime = millis(r.get("event_time"));
          assertThat(f.key())
              .startsWith(
                  "topics/clicks/" + hourPath.format(Instant.ofEpochMilli(eventTime)) + "/");
          assertThat(r.getSchema().getField("event_time").schema().getLogicalType())
              .isEqualTo(LogicalTypes.timestampMillis());
          rows++;
        }
      }
    }
    assertThat(rows).isEqualTo(40);
    fx.connect.deleteConnector("clicks-avro");
  }

  @Test
  void badRecordsGoToTheDeadLetterQueueAndGoodOnesKeepFlowing() throws Exception {
    String topic = "notes";
    fx.connect.createTopic(topic, 1);
    fx.connect.createTopic("notes-dlq", 1);
    for (long id = 0; id < 50; id++) {
      fx.send(topic, 0, null, Records.adEvent(id, false)); // note is null for id % 5 == 0
    }
    fx.producer.flush();
    Map<String, String> c = schemaJson(fx.baseConfig(topic, BUCKET));
    c.put("partitioner.class", "field");
    c.put("partition.field.name", "note");
    c.put("flush.size", "25");
    c.put("rotate.idle.ms", "1000"); // the last unit holds fewer than 25 written records
    c.put("errors.tolerance", "all");
    c.put("errors.deadletterqueue.topic.name", "notes-dlq");
    c.put("errors.deadletterqueue.topic.replication.factor", "1");
    assertThat(fx.connect.createConnector("notes-field", c)).isEqualTo(201);
    TreeMap<String, CommitMarker> markers = fx.awaitCovered(BUCKET, topic, Map.of(0, 50L), WAIT);
    long written = markers.values().stream().mapToLong(CommitMarker::recordCount).sum();
    assertThat(written).isEqualTo(40);
    ConsumerRecords<byte[], byte[]> dlq =
        fx.connect.cluster().kafka().consume(10, 30_000, "notes-dlq");
    List<Long> dlqIds = new ArrayList<>();
    for (var r : dlq) {
      dlqIds.add(
          PipelineFixture.JSON.readTree(new String(r.value())).path("payload").path("id").asLong());
    }
    assertThat(dlqIds).containsExactlyInAnyOrder(0L, 5L, 10L, 15L, 20L, 25L, 30L, 35L, 40L, 45L);
    fx.connect.deleteConnector("notes-field");
  }

  @Test
  void valuesRedshiftWouldRejectAndTombstonesGoToTheDeadLetterQueueWithTheirReason()
      throws Exception {
    String topic = "poison";
    fx.connect.createTopic(topic, 1);
    fx.connect.createTopic("poison-dlq", 1);
    String schema =
        "{\"type\":\"struct\",\"optional\":false,\"fields\":[{\"field\":\"id\",\"type\":\"int64\","
            + "\"optional\":false},{\"field\":\"note\",\"type\":\"string\",\"optional\":true}]}";
    Map<Long, String> notes = new HashMap<>();
    for (long id = 0; id < 12; id++) {
      notes.put(id, "fine " + id);
    }
    notes.put(2L, "x".repeat(70_000)); // over VARCHAR(65535)
    notes.put(5L, "nul\\u0000inside"); // JSON escape: the string holds U+0000
    notes.put(7L, "lone \\ud83d surrogate"); // JSON escape: an unpaired high surrogate
    for (long id = 0; id < 12; id++) {
      fx.send(
          topic,
          0,
          null,
          id == 9
              ? null
              : "{\"schema\":"
                  + schema
                  + ",\"payload\":{\"id\":"
                  + id
                  + ",\"note\":\""
                  + notes.get(id)
                  + "\"}}");
    }
    fx.producer.flush();
    Map<String, String> c = schemaJson(fx.baseConfig(topic, BUCKET));
    c.put("flush.size", "8");
    PipelineFixture.deadLetterQueue(c, "poison-dlq");
    assertThat(fx.connect.createConnector("poison-parquet", c)).isEqualTo(201);

    TreeMap<String, CommitMarker> markers = fx.awaitCovered(BUCKET, topic, Map.of(0, 12L), WAIT);
    List<Long> ids = new ArrayList<>();
    for (CommitMarker m : markers.values()) {
      for (MarkerFile f : m.files()) {
        for (GenericRecord r : FileReaders.parquet(fx.get(BUCKET, f.key()))) {
          ids.add((Long) r.get("id"));
          assertThat(r.get("note").toString()).isEqualTo(notes.get((Long) r.get("id")));
        }
      }
    }
    assertThat(ids).containsExactly(0L, 1L, 3L, 4L, 6L, 8L, 10L, 11L);
    Map<Long, String> reasons = fx.deadLetterReasons("poison-dlq", 4, Duration.ofSeconds(30));
    assertThat(reasons).containsOnlyKeys(2L, 5L, 7L, 9L);
    assertThat(reasons.get(2L))
        .startsWith(
            "Cannot write record poison/0/2 as Parquet: value field 'note' is a string "
                + "of 70,000 UTF-8 bytes, over varchar.max.bytes=65535");
    assertThat(reasons.get(5L))
        .startsWith(
            "Cannot write record poison/0/5 as Parquet: value field 'note' contains "
                + "U+0000 (NUL)");
    assertThat(reasons.get(7L))
        .startsWith(
            "Cannot write record poison/0/7 as Parquet: value field 'note' contains "
                + "an unpaired UTF-16 surrogate U+D83D");
    assertThat(reasons.get(9L))
        .startsWith("Cannot write record poison/0/9: its value is null (a tombstone)");

    // The task's metrics, over JMX in the worker's JVM (docs/connector-metrics.md).
    MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
    ObjectName metrics =
        new ObjectName(
            "io.redstage.connector:type=sink-task-metrics,connector=poison-parquet,task=0");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(((Number) jmx.getAttribute(metrics, "records-written-total")).longValue())
                  .isEqualTo(ids.size());
              assertThat(((Number) jmx.getAttribute(metrics, "units-committed-total")).longValue())
                  .isEqualTo(markers.size());
            });
    assertThat(((Number) jmx.getAttribute(metrics, "dlq-records-total")).longValue())
        .isEqualTo(reasons.size());
    fx.connect.deleteConnector("poison-parquet");
    await().atMost(WAIT).until(() -> !jmx.isRegistered(metrics));
  }

  /**
   * Through a real worker's empty puts: once the task has caught up, every partition's open unit
   * commits after rotate.task.idle.ms, long before the partitions' own idle time or flush.size.
   */
  @Test
  void aTaskThatCaughtUpCommitsEveryOpenUnit() throws Exception {
    String topic = "caught-up";
    fx.connect.createTopic(topic, 3);
    for (long id = 0; id < 30; id++) {
      fx.send(topic, (int) (id % 3), null, Records.adEvent(id, false));
    }
    fx.producer.flush();
    Map<String, String> c = schemaJson(fx.baseConfig(topic, BUCKET));
    c.put("flush.size", "100000");
    c.put("rotate.idle.ms", "600000");
    c.put("rotate.task.idle.ms", "500");
    assertThat(fx.connect.createConnector("caught-up", c)).isEqualTo(201);
    TreeMap<String, CommitMarker> markers =
        fx.awaitCovered(BUCKET, topic, Map.of(0, 10L, 1, 10L, 2, 10L), WAIT);
    assertThat(markers.values())
        .extracting(CommitMarker::rotationReason, CommitMarker::recordCount)
        .containsOnly(tuple("rotate.task.idle.ms", 10L));
  }

  @Test
  void idleFlushCommitsAQuietPartitionAndSchemaChangeStartsANewUnit() throws Exception {
    String topic = "quiet";
    fx.connect.createTopic(topic, 1);
    Map<String, String> c = schemaJson(fx.baseConfig(topic, BUCKET));
    c.put("flush.size", "100000");
    c.put("rotate.idle.ms", "1500");
    c.put("rotate.task.idle.ms", "-1"); // this test is about the partition's own idle time
    assertThat(fx.connect.createConnector("quiet-idle", c)).isEqualTo(201);
    fx.connect.awaitRunning("quiet-idle", 1, WAIT);
    for (long id = 0; id < 5; id++) {
      fx.send(topic, 0, null, Records.adEvent(id, false));
    }
    for (long id = 5; id < 8; id++) {
      fx.send(topic, 0, null, Records.adEvent(id, true)); // a new optional field: new schema
    }
    fx.producer.flush();
    TreeMap<String, CommitMarker> markers = fx.awaitCovered(BUCKET, topic, Map.of(0, 8L), WAIT);
    assertThat(markers.values())
        .extracting(CommitMarker::rotationReason)
        .containsExactly("schema change", "rotate.idle.ms");
    CommitMarker second = markers.lastEntry().getValue();
    assertThat(second.startOffset()).isEqualTo(5);
    assertThat(second.files().get(0).columns()).extracting(col -> col.name()).contains("country");
    assertThat(markers.firstEntry().getValue().files().get(0).columns())
        .extracting(col -> col.name())
        .doesNotContain("country");
    fx.connect.deleteConnector("quiet-idle");
  }

  @Test
  void tombstonesBecomeDeleteRowsWithTheKeyFields() throws Exception {
    String topic = "customers";
    fx.connect.createTopic(topic, 1);
    String keySchema =
        "{\"type\":\"struct\",\"optional\":false,\"fields\":[{\"field\":\"id\",\"type\":\"int64\",\"optional\":false}]}";
    String valueSchema =
        "{\"type\":\"struct\",\"optional\":true,\"fields\":[{\"field\":\"id\",\"type\":\"int64\",\"optional\":true},"
            + "{\"field\":\"name\",\"type\":\"string\",\"optional\":true}]}";
    for (long id = 1; id <= 3; id++) {
      fx.send(
          topic,
          0,
          "{\"schema\":" + keySchema + ",\"payload\":{\"id\":" + id + "}}",
          "{\"schema\":"
              + valueSchema
              + ",\"payload\":{\"id\":"
              + id
              + ",\"name\":\"n"
              + id
              + "\"}}");
    }
    fx.send(
        topic,
        0,
        "{\"schema\":" + keySchema + ",\"payload\":{\"id\":2}}",
        null); // tombstone for id 2
    fx.producer.flush();
    Map<String, String> c = schemaJson(fx.baseConfig(topic, BUCKET));
    c.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
    c.put("key.converter.schemas.enable", "true");
    c.put("behavior.on.null.values", "write");
    c.put("flush.size", "4");
    assertThat(fx.connect.createConnector("customers-cdc", c)).isEqualTo(201);
    CommitMarker m = fx.awaitCovered(BUCKET, topic, Map.of(0, 4L), WAIT).firstEntry().getValue();
    List<GenericRecord> rows = FileReaders.parquet(fx.get(BUCKET, m.files().get(0).key()));
    assertThat(rows).hasSize(4);
    GenericRecord delete = rows.get(3);
    assertThat(delete.get("kafka_deleted")).isEqualTo(true);
    assertThat(delete.get("id")).isEqualTo(2L);
    assertThat(delete.get("name")).isNull();
    assertThat(rows.subList(0, 3))
        .allSatisfy(r -> assertThat(r.get("kafka_deleted")).isEqualTo(false));
    fx.connect.deleteConnector("customers-cdc");
  }

  @Test
  void stringConverterValuesLandInAValueColumn() throws Exception {
    String topic = "lines";
    fx.connect.createTopic(topic, 1);
    for (int i = 0; i < 10; i++) {
      fx.send(topic, 0, null, "line " + i);
    }
    fx.producer.flush();
    Map<String, String> c = fx.baseConfig(topic, BUCKET);
    c.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    c.put("format.class", "jsonl");
    c.put("flush.size", "10");
    assertThat(fx.connect.createConnector("lines-string", c)).isEqualTo(201);
    CommitMarker m = fx.awaitCovered(BUCKET, topic, Map.of(0, 10L), WAIT).firstEntry().getValue();
    List<JsonNode> rows = FileReaders.jsonLines(fx.get(BUCKET, m.files().get(0).key()), false);
    assertThat(rows)
        .extracting(r -> r.get("value").asText())
        .containsExactly(
            "line 0", "line 1", "line 2", "line 3", "line 4", "line 5", "line 6", "line 7",
            "line 8", "line 9");
    fx.connect.deleteConnector("lines-string");
  }

  @Test
  void connectorPluginsReportsTheBuiltVersion() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(fx.connect.restUrl() + "connector-plugins"))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    List<String> versions = new ArrayList<>();
    for (JsonNode plugin : PipelineFixture.JSON.readTree(r.body())) {
      if (plugin.path("class").asText().equals(PipelineFixture.CONNECTOR_CLASS)) {
        versions.add(plugin.path("version").asText());
      }
    }
    // the Maven version, and the commit of a build from a git checkout as build metadata
    assertThat(versions)
        .as("versions of %s in %s", PipelineFixture.CONNECTOR_CLASS, r.body())
        .singleElement()
        .asString()
        .matches(
            java.util.regex.Pattern.quote(System.getProperty("redstage.version"))
                + "(\\+[0-9a-f]{7,}(\\.dirty)?)?");
    assertThat(versions.get(0)).doesNotContain("${").isNotEqualTo("unknown");
  }

  @Test
  void validateEndpointShowsCrossFieldErrorsOnEachKey() {
    Map<String, String> c = fx.baseConfig("x", BUCKET);
    c.put("s3.sse.kms.key.id", "arn:aws:kms:us-east-1:111122223333:key/k");
    JsonNode result = fx.connect.validate(PipelineFixture.CONNECTOR_CLASS, c);
    assertThat(result.path("error_count").asInt()).isGreaterThanOrEqualTo(2);
    List<String> keysWithErrors = new ArrayList<>();
    for (JsonNode v : result.path("configs")) {
      if (v.path("value").path("errors").size() > 0) {
        keysWithErrors.add(v.path("value").path("name").asText());
        assertThat(v.path("value").path("visible").asBoolean())
            .as("%s has an error: shown", v.path("value").path("name").asText())
            .isTrue();
      }
    }
    assertThat(keysWithErrors).contains("s3.sse.kms.key.id", "s3.ssea.name");
  }

  @Test
  void validateEndpointOffersChoicesAndShowsOnlyTheKeysThatApply() {
    Map<String, String> c = fx.baseConfig("x", BUCKET);
    c.put("format.class", "io.confluent.connect.s3.format.avro.AvroFormat");
    JsonNode result = fx.connect.validate(PipelineFixture.CONNECTOR_CLASS, c);
    Map<String, JsonNode> byKey = new TreeMap<>();
    for (JsonNode v : result.path("configs")) {
      byKey.put(v.path("value").path("name").asText(), v.path("value"));
    }
    assertThat(byKey.get("parquet.codec").path("visible").asBoolean()).isFalse();
    assertThat(byKey.get("avro.codec").path("visible").asBoolean()).isTrue();
    List<String> codecs = new ArrayList<>();
    byKey.get("avro.codec").path("recommended_values").forEach(n -> codecs.add(n.asText()));
    assertThat(codecs).containsExactly("null", "deflate", "snappy", "zstd");
    List<String> formats = new ArrayList<>();
    byKey.get("format.class").path("recommended_values").forEach(n -> formats.add(n.asText()));
    assertThat(formats).containsExactly("parquet", "avro", "jsonl");
  }

  @Test
  void validateEndpointRejectsEachUnsupportedConfluentKeyOnThatKey() {
    Map<String, String> unsupported =
        new TreeMap<>(
            Map.ofEntries(
                Map.entry("s3.sse.customer.key", "c2VjcmV0LWtleS0zMi1ieXRlcy1sb25nLi4uLi4="),
                Map.entry("s3.wan.mode", "true"),
                Map.entry("s3.object.tagging", "true"),
                Map.entry("s3.object.tagging.key.value.pairs", "team:data"),
                Map.entry("keys.format.class", "io.confluent.connect.s3.format.avro.AvroFormat"),
                Map.entry("headers.format.class", "io.confluent.connect.s3.format.avro.AvroFormat"),
                Map.entry("report.null.values.to.dlq", "true"),
                Map.entry("s3.schema.partition.affix.type", "SUFFIX"),
                Map.entry("append.late.data", "true"),
                Map.entry("tombstone.encoded.partition", "deleted"),
                Map.entry(
                    "s3.credentials.provider.sts.role.arn", "arn:aws:iam::111122223333:role/r")));
    Map<String, String> c = fx.baseConfig("x", BUCKET);
    c.put("name", "confluent-keys");
    c.putAll(unsupported);
    JsonNode result = fx.connect.validate(PipelineFixture.CONNECTOR_CLASS, c);
    Map<String, String> errorByKey = new TreeMap<>();
    for (JsonNode v : result.path("configs")) {
      JsonNode errors = v.path("value").path("errors");
      if (errors.size() > 0) {
        errorByKey.put(v.path("value").path("name").asText(), errors.get(0).asText());
      }
    }
    assertThat(errorByKey).containsOnlyKeys(unsupported.keySet());
    errorByKey.forEach((key, error) -> assertThat(error).startsWith("Cannot use " + key + ": "));
    assertThat(result.path("error_count").asInt()).isEqualTo(unsupported.size());
    assertThat(result.toString())
        .as("the SSE-C key is a secret")
        .doesNotContain(unsupported.get("s3.sse.customer.key"));
    // the same config with the keys at Confluent's "off" values, or harmless ones, validates
    // cleanly
    Map<String, String> off = fx.baseConfig("x", BUCKET);
    off.put("name", "confluent-keys");
    off.putAll(
        Map.of(
            "s3.wan.mode",
            "false",
            "s3.object.tagging",
            "false",
            "report.null.values.to.dlq",
            "false",
            "s3.compression.level",
            "9",
            "s3.credentials.provider.class",
            "com.amazonaws.auth.DefaultAWSCredentialsProviderChain",
            "storage.class",
            "io.confluent.connect.s3.storage.S3Storage"));
    assertThat(
            fx.connect.validate(PipelineFixture.CONNECTOR_CLASS, off).path("error_count").asInt())
        .isZero();
  }

  static BigDecimal decimal(Object v, int scale) {
    if (v instanceof BigDecimal) {
      return (BigDecimal) v;
    }
    if (v instanceof org.apache.avro.generic.GenericFixed) {
      return new BigDecimal(
          new java.math.BigInteger(((org.apache.avro.generic.GenericFixed) v).bytes()), scale);
    }
    if (v instanceof Long || v instanceof Integer) {
      return BigDecimal.valueOf(((Number) v).longValue(), scale);
    }
    ByteBuffer b = (ByteBuffer) v;
    return new Conversions.DecimalConversion().fromBytes(b, null, LogicalTypes.decimal(38, scale));
  }

  static long millis(Object v) {
    return v instanceof Instant ? ((Instant) v).toEpochMilli() : (Long) v;
  }

  static long epochDay(Object v) {
    return v instanceof LocalDate ? ((LocalDate) v).toEpochDay() : ((Integer) v).longValue();
  }

  static void awaitNoConnectors() {
    await().atMost(WAIT).until(() -> fx.connect.cluster().connectors().isEmpty());
  }
}
