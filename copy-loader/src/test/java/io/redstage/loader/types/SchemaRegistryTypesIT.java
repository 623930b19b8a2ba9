package io.redstage.loader.types;

import static io.redstage.loader.types.TypeCases.CASES;
import static io.redstage.loader.types.TypeCases.INSTANT_MS;
import static io.redstage.loader.types.TypeCases.ROWS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.redstage.contract.FileFormat;
import io.redstage.loader.it.LoaderStack;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import io.redstage.loader.types.TypeCases.Read;
import io.redstage.loader.types.TypeCases.TypeCase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Schema Registry type matrix: every Avro type a user of Confluent's AvroConverter has (shaped
 * as the converter hands it to the task, {@link AvroConverterSchemas}) × Parquet, Avro and JSON
 * Lines, written by the real sink task into S3Proxy and loaded by the real loader into the Redshift
 * stand-in. Each case checks the column type the loader created and the values read back by id (row
 * 2 holds nulls and defaults). One table per format, loaded once; docs/loader-types.md ("Schema
 * Registry (Avro) types") documents the result.
 */
class SchemaRegistryTypesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  static LoaderStack stack;
  static final Map<FileFormat, Map<String, Loaded>> LOADED = new EnumMap<>(FileFormat.class);

  /** A column of a loaded table: its type and the values of rows 0..2 as text. */
  record Loaded(String type, List<String> values) {}

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static Stream<Arguments> matrix() {
    List<Arguments> out = new ArrayList<>();
    for (FileFormat format : FileFormat.values()) {
      for (TypeCase c : CASES) {
        out.add(Arguments.of(format, c));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("matrix")
  void roundTripsToRedshift(FileFormat format, TypeCase c) throws Exception {
    Loaded column = table(format).get(c.column());
    assertThat(column).as("column %s in the %s table", c.column(), format.id()).isNotNull();
    assertThat(column.type()).as("Redshift type of %s", c.column()).isEqualTo(c.redshiftType());
    for (int id = 0; id < ROWS; id++) {
      String expected = c.expected(format).get(id);
      String actual = column.values().get(id);
      if (c.read() == Read.JSON && expected != null && actual != null) {
        assertThat(withoutNulls(JSON.readTree(actual)))
            .as("%s of row %d", c.column(), id)
            .isEqualTo(JSON.readTree(expected));
      } else {
        assertThat(actual).as("%s of row %d", c.column(), id).isEqualTo(expected);
      }
    }
  }

  /**
   * A topic whose registered schema is a union of record types (several event types in one topic):
   * the AvroConverter makes the value a Union struct, and each event type becomes a SUPER column,
   * NULL in the rows of the other types.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(FileFormat.class)
  void aTopLevelUnionOfRecordTypesLoadsOneSuperColumnPerType(FileFormat format) throws Exception {
    Schema created =
        SchemaBuilder.struct()
            .name("com.example.OrderCreated")
            .optional()
            .field("id", Schema.INT64_SCHEMA)
            .field("total", Schema.INT32_SCHEMA)
            .build();
    Schema cancelled =
        SchemaBuilder.struct()
            .name("com.example.OrderCancelled")
            .optional()
            .field("id", Schema.INT64_SCHEMA)
            .field("reason", Schema.STRING_SCHEMA)
            .build();
    Schema event =
        AvroConverterSchemas.union(Map.of())
            .field("OrderCreated", created)
            .field("OrderCancelled", cancelled)
            .build();
    List<Struct> values =
        List.of(
            AvroConverterSchemas.unionValue(
                event, "OrderCreated", new Struct(created).put("id", 1L).put("total", 10)),
            AvroConverterSchemas.unionValue(
                event, "OrderCancelled", new Struct(cancelled).put("id", 1L).put("reason", "dup")),
            AvroConverterSchemas.unionValue(
                event, "OrderCreated", new Struct(created).put("id", 2L).put("total", 20)));
    String topic = "sr_events_" + format.id();
    List<SinkRecord> records = new ArrayList<>();
    for (int o = 0; o < values.size(); o++) {
      records.add(
          new SinkRecord(
              topic,
              0,
              null,
              null,
              event,
              values.get(o),
              o,
              INSTANT_MS,
              TimestampType.CREATE_TIME));
    }
    SinkTaskRun.commit(taskProps(format), records, Duration.ofMinutes(2));
    try (Loader loader = stack.loader(stack.config(topic))) {
      assertThat(loader.runOnce().rowsLoaded()).isEqualTo(values.size());
    }
    assertThat(
            stack.query(
                "SELECT \"column\", type FROM redstage_sys.pg_table_def WHERE tablename = '"
                    + topic
                    + "' AND \"column\" IN ('ordercreated', 'ordercancelled') ORDER BY 1"))
        .containsExactly(List.of("ordercancelled", "super"), List.of("ordercreated", "super"));
    List<List<Object>> rows =
        stack.query(
            "SELECT ordercreated::text, ordercancelled::text FROM public."
                + topic
                + " ORDER BY kafka_offset");
    assertThat(rows).hasSize(3);
    assertThat(JSON.readTree((String) rows.get(0).get(0)))
        .isEqualTo(JSON.readTree("{\"id\":1,\"total\":10}"));
    assertThat(rows.get(0).get(1)).isNull();
    assertThat(rows.get(1).get(0)).isNull();
    assertThat(JSON.readTree((String) rows.get(1).get(1)))
        .isEqualTo(JSON.readTree("{\"id\":1,\"reason\":\"dup\"}"));
    assertThat(JSON.readTree((String) rows.get(2).get(0)))
        .isEqualTo(JSON.readTree("{\"id\":2,\"total\":20}"));
  }

  /** Writes the rows in {@code format} with the real task, loads them, reads every column back. */
  private static synchronized Map<String, Loaded> table(FileFormat format) throws Exception {
    Map<String, Loaded> done = LOADED.get(format);
    if (done != null) {
      return done;
    }
    String topic = "sr_types_" + format.id();
    SinkTaskRun.commit(taskProps(format), records(topic), Duration.ofMinutes(2));
    CycleReport report;
    try (Loader loader = stack.loader(stack.config(topic))) {
      report = loader.runOnce();
    }
    assertThat(report.rowsLoaded())
        .as("rows loaded from %s: %s", format.id(), report)
        .isEqualTo(ROWS);
    Map<String, String> types = new HashMap<>();
    for (List<Object> r :
        stack.query(
            "SELECT \"column\", type FROM redstage_sys.pg_table_def WHERE tablename = '"
                + topic
                + "'")) {
      types.put((String) r.get(0), (String) r.get(1));
    }
    Map<String, Loaded> columns = new LinkedHashMap<>();
    for (TypeCase c : CASES) {
      List<String> values = new ArrayList<>();
      for (List<Object> r :
          stack.query("SELECT " + readSql(c) + " FROM public." + topic + " ORDER BY id")) {
        values.add(r.get(0) == null ? null : r.get(0).toString());
      }
      columns.put(c.column(), new Loaded(types.get(c.column()), values));
    }
    LOADED.put(format, columns);
    return columns;
  }

  private static String readSql(TypeCase c) {
    String col = "\"" + c.column() + "\"";
    return c.read() == Read.HEX ? "ENCODE(" + col + ", 'hex')" : col + "::text";
  }

  private static List<SinkRecord> records(String topic) {
    SchemaBuilder row = SchemaBuilder.struct().name("com.example.TypeRow").version(1);
    row.field("id", Schema.INT64_SCHEMA);
    for (TypeCase c : CASES) {
      row.field(c.column(), c.schema());
    }
    Schema schema = row.build();
    List<SinkRecord> records = new ArrayList<>();
    for (int id = 0; id < ROWS; id++) {
      Struct value = new Struct(schema).put("id", (long) id);
      for (TypeCase c : CASES) {
        value.put(c.column(), c.values().get(id));
      }
      records.add(
          new SinkRecord(
              topic, 0, null, null, schema, value, id, INSTANT_MS + id, TimestampType.CREATE_TIME));
    }
    return records;
  }

  private static Map<String, String> taskProps(FileFormat format) {
    Map<String, String> p = new HashMap<>();
    p.put("s3.bucket.name", LoaderStack.BUCKET);
    p.put("s3.region", stack.s3.region());
    p.put("store.url", stack.s3.endpoint().toString());
    p.put("aws.access.key.id", stack.s3.accessKey());
    p.put("aws.secret.access.key", stack.s3.secretKey());
    p.put("markers.dir", LoaderStack.MARKERS);
    p.put("format.class", format.id());
    p.put("flush.size", Integer.toString(ROWS));
    p.put("rotate.schedule.interval.ms", "-1");
    p.put("rotate.idle.ms", "-1");
    return p;
  }

  /** A union's SUPER value compared by its set branch: null members dropped, recursively. */
  private static JsonNode withoutNulls(JsonNode node) {
    if (node.isObject()) {
      ObjectNode copy = JSON.createObjectNode();
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNull()) {
          copy.set(e.getKey(), withoutNulls(e.getValue()));
        }
      }
      return copy;
    }
    return node;
  }
}
