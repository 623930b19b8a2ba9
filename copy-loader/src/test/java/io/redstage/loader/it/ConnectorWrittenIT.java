package io.redstage.loader.it;

import static io.redstage.loader.it.ConnectorFiles.struct;
import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.connector.format.FormatOptions;
import io.redstage.connector.format.SchemaCompatibility;
import io.redstage.contract.FileFormat;
import io.redstage.loader.it.ConnectorFiles.Rec;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Files and markers produced by the connector's own writers: every format loads, schema evolution
 * mid-stream (connector schema rotation) loads by name, and CDC tombstones written as delete rows
 * delete in upsert mode.
 */
class ConnectorWrittenIT {
  static final Schema KEY =
      SchemaBuilder.struct().name("Key").field("id", Schema.INT64_SCHEMA).build();
  static final Schema V1 =
      SchemaBuilder.struct()
          .name("Customer")
          .version(1)
          .optional()
          .field("id", Schema.INT64_SCHEMA)
          .field("name", Schema.OPTIONAL_STRING_SCHEMA)
          .build();
  static final Schema V2 =
      SchemaBuilder.struct()
          .name("Customer")
          .version(2)
          .optional()
          .field("id", Schema.INT64_SCHEMA)
          .field("tier", Schema.OPTIONAL_INT32_SCHEMA)
          .field("name", Schema.OPTIONAL_STRING_SCHEMA)
          .build();
  static LoaderStack stack;
  static ConnectorFiles files;

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
    files = new ConnectorFiles(stack.s3.client(), LoaderStack.BUCKET, stack.files);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void appendWithSchemaEvolutionInEveryFormat(FileFormat format) throws Exception {
    String topic = "cw_append_" + format.id();
    var options = ConnectorFiles.options(format, false);
    files.unit(
        options, topic, 0, 0, 9, KEY, V1, o -> new Rec(struct(KEY, o), struct(V1, o, "n" + o)));
    files.unit(
        options,
        topic,
        0,
        10,
        19,
        KEY,
        V2,
        o -> new Rec(struct(KEY, o), struct(V2, o, (int) o, "n" + o)));
    files.unit(
        options,
        topic,
        0,
        5,
        14,
        KEY,
        V1,
        o -> new Rec(struct(KEY, o), struct(V1, o, "n" + o))); // overlapping replay
    Map<String, String> config = stack.config();
    config.put("topics", topic);
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
      assertThat(loader.runOnce().unitsPending()).isZero();
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public." + topic)).isEqualTo(20);
    assertThat(
            stack.query(
                "SELECT id, name, tier FROM public." + topic + " WHERE id IN (3, 13) ORDER BY id"))
        .containsExactly(Arrays.asList(3L, "n3", null), Arrays.asList(13L, "n13", 13));
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void interleavedVersionsProjectedUnderBackwardLoadWithTheNewFieldsDefaults(FileFormat format)
      throws Exception {
    // As the AvroConverter builds them: v2 adds {"name":"tier","type":"string","default":"basic"}
    // and an optional email.
    Schema c1 =
        SchemaBuilder.struct()
            .name("com.example.Customer")
            .version(1)
            .field("id", Schema.INT64_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .build();
    Schema c2 =
        SchemaBuilder.struct()
            .name("com.example.Customer")
            .version(2)
            .field("id", Schema.INT64_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("tier", SchemaBuilder.string().defaultValue("basic").build())
            .field("email", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    String topic = "cw_backward_" + format.id();
    var options =
        ConnectorFiles.options(format, false).toBuilder()
            .schemaCompatibility(SchemaCompatibility.BACKWARD)
            .build();
    List<Struct> values = new ArrayList<>();
    for (long o = 0; o < 6; o++) {
      values.add(
          o % 2 == 0 ? struct(c2, o, "n" + o, "gold", o + "@example.com") : struct(c1, o, "n" + o));
    }
    files.unitOfVersions(options, topic, 0, 0, values);
    Map<String, String> config = stack.config();
    config.put("topics", topic);
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().rowsLoaded()).isEqualTo(6);
    }
    assertThat(stack.query("SELECT id, name, tier, email FROM public." + topic + " ORDER BY id"))
        .containsExactly(
            Arrays.asList(0L, "n0", "gold", "0@example.com"),
                Arrays.asList(1L, "n1", "basic", null),
            Arrays.asList(2L, "n2", "gold", "2@example.com"),
                Arrays.asList(3L, "n3", "basic", null),
            Arrays.asList(4L, "n4", "gold", "4@example.com"),
                Arrays.asList(5L, "n5", "basic", null));
  }

  @ParameterizedTest
  @EnumSource(
      value = FileFormat.class,
      names = {"PARQUET", "AVRO"})
  void cdcTombstonesDeleteInUpsertMode(FileFormat format) throws Exception {
    String topic = "cw_cdc_" + format.id();
    var options = ConnectorFiles.options(format, true);
    // offsets 0..5: insert 1, 2, 3; update 2; delete 3 (tombstone); insert 4
    Object[][] events = {{1L, "a"}, {2L, "b"}, {3L, "c"}, {2L, "b2"}, {3L, null}, {4L, "d"}};
    files.unit(
        options,
        topic,
        0,
        0,
        5,
        KEY,
        V1,
        o -> {
          Object[] e = events[(int) o];
          return new Rec(struct(KEY, e[0]), e[1] == null ? null : struct(V1, e[0], e[1]));
        });
    Map<String, String> config = upsertById(topic);
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
      files.unit(
          options,
          topic,
          0,
          6,
          7,
          KEY,
          V1,
          o ->
              o == 6
                  ? new Rec(struct(KEY, 1L), null)
                  : new Rec(struct(KEY, 3L), struct(V1, 3L, "c2")));
      loader.runOnce();
    }
    Map<Long, String> state = new TreeMap<>();
    for (List<Object> r : stack.query("SELECT id, name FROM public." + topic)) {
      assertThat(state.put((Long) r.get(0), (String) r.get(1))).isNull();
    }
    assertThat(state).isEqualTo(new TreeMap<>(Map.of(2L, "b2", 3L, "c2", 4L, "d")));
    assertThat(stack.count("SELECT COUNT(*) FROM public." + topic + " WHERE kafka_deleted"))
        .isZero();
  }

  /**
   * The connector may name its deleted column anything (metadata.deleted.column): the marker's role
   * makes it a delete flag, not only the names upsert.delete-flag-columns lists. Before, a renamed
   * column's deletes loaded as rows of NULLs.
   */
  @Test
  void aRenamedDeletedColumnStillDeletes() throws Exception {
    String topic = "cw_renamed_deleted";
    var options =
        FormatOptions.builder()
            .format(FileFormat.PARQUET)
            .deleteMarkers(true)
            .deletedColumn("is_gone")
            .build();
    files.unit(
        options, topic, 0, 0, 2, KEY, V1, o -> new Rec(struct(KEY, o), struct(V1, o, "n" + o)));
    Map<String, String> config = upsertById(topic);
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
      files.unit(options, topic, 0, 3, 3, KEY, V1, o -> new Rec(struct(KEY, 1L), null));
      loader.runOnce();
    }
    assertThat(stack.query("SELECT id, name FROM public." + topic + " ORDER BY id"))
        .containsExactly(List.of(0L, "n0"), List.of(2L, "n2"));
  }

  /**
   * A task that starts on a tombstone has seen no value schema yet, so the connector writes the
   * delete row with its Struct key's schema as the file schema: a unit of key columns only, which
   * deletes the key from an upsert table whose other columns it does not have.
   */
  @ParameterizedTest
  @EnumSource(
      value = FileFormat.class,
      names = {"PARQUET", "AVRO"})
  void deleteRowsWithOnlyTheKeysColumnsDeleteInUpsertMode(FileFormat format) throws Exception {
    String topic = "cw_keydel_" + format.id();
    var options = ConnectorFiles.options(format, true);
    files.unit(
        options, topic, 0, 0, 2, KEY, V1, o -> new Rec(struct(KEY, o), struct(V1, o, "n" + o)));
    Map<String, String> config = upsertById(topic);
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
      // after a restart: a tombstone for key 1, then a record of the value schema again
      files.unit(options, topic, 0, 3, 3, KEY, KEY, o -> new Rec(struct(KEY, 1L), null));
      files.unit(
          options, topic, 0, 4, 4, KEY, V1, o -> new Rec(struct(KEY, 5L), struct(V1, 5L, "n5")));
      loader.runOnce();
    }
    Map<Long, String> state = new TreeMap<>();
    for (List<Object> r : stack.query("SELECT id, name FROM public." + topic)) {
      assertThat(state.put((Long) r.get(0), (String) r.get(1))).isNull();
    }
    assertThat(state).isEqualTo(new TreeMap<>(Map.of(0L, "n0", 2L, "n2", 5L, "n5")));
  }

  /**
   * With keys that are not Structs (string Kafka keys, upserted by the key column), a unit that
   * opens with tombstones is written with no value fields (the connector's delete rows then depend
   * on their own records only): its metadata columns, the key column among them, delete the keys.
   */
  @ParameterizedTest
  @EnumSource(
      value = FileFormat.class,
      names = {"PARQUET", "AVRO"})
  void deleteRowsWithNoValueFieldsDeleteByTheKafkaKey(FileFormat format) throws Exception {
    String topic = "cw_strkeydel_" + format.id();
    var options =
        FormatOptions.builder().format(format).deleteMarkers(true).keyColumnEnabled(true).build();
    files.unit(
        options,
        topic,
        0,
        0,
        2,
        Schema.STRING_SCHEMA,
        V1,
        o -> new Rec("k" + o, struct(V1, o, "n" + o)));
    Map<String, String> config = stack.config();
    config.put("topics", topic);
    config.put("load.mode", "upsert");
    config.put("upsert.key", "kafka_key");
    try (Loader loader = stack.loader(config)) {
      loader.runOnce();
      files.unit(
          options,
          topic,
          0,
          3,
          3,
          Schema.STRING_SCHEMA,
          SchemaBuilder.struct().build(),
          o -> new Rec("k1", null));
      assertThat(loader.runOnce().unitsLoaded()).isEqualTo(1);
    }
    assertThat(stack.query("SELECT kafka_key, name FROM public." + topic + " ORDER BY 1"))
        .containsExactly(List.of("k0", "n0"), List.of("k2", "n2"));
  }

  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void bytesColumnsLoadIntoVarbyteInEveryFormat(FileFormat format) throws Exception {
    String topic = "cw_bytes_" + format.id();
    Schema blobs =
        SchemaBuilder.struct()
            .name("Blob")
            .field("id", Schema.INT64_SCHEMA)
            .field("payload", Schema.OPTIONAL_BYTES_SCHEMA)
            .build();
    files.unit(
        ConnectorFiles.options(format, false),
        topic,
        0,
        0,
        2,
        KEY,
        blobs,
        // row 1 null: JSON Lines converts hex with FROM_HEX on insert, which must keep a null
        o ->
            new Rec(
                struct(KEY, o),
                struct(blobs, o, o == 1 ? null : new byte[] {(byte) o, (byte) 0xff, 0x00, 0x7f})));
    Map<String, String> config = stack.config();
    config.put("topics", topic);
    try (Loader loader = stack.loader(config)) {
      assertThat(loader.runOnce().rowsLoaded()).isEqualTo(3);
    }
    assertThat(
            stack.query("SELECT id, ENCODE(payload, 'hex') FROM public." + topic + " ORDER BY id"))
        .containsExactly(
            Arrays.asList(0L, "00ff007f"), Arrays.asList(1L, null), Arrays.asList(2L, "02ff007f"));
  }

  /**
   * A schemaless JSON Lines key that is null in every record of a unit gives no type: the table
   * does not get a VARCHAR column from it; the first unit with values creates the column with their
   * type, and a later unit of nulls still sets an upserted row's value to null.
   */
  @org.junit.jupiter.api.Test
  void aSchemalessKeyOfOnlyNullsTakesItsTypeFromTheFirstValues() throws Exception {
    String topic = "cw_nulls_first";
    var options = ConnectorFiles.options(FileFormat.JSONL, false);
    Map<String, String> config = upsertById(topic);
    try (Loader loader = stack.loader(config)) {
      files.unit(options, topic, 0, 0, 1, null, null, o -> new Rec(null, row(o, null)));
      loader.runOnce();
      assertThat(columnType(topic, "coupon")).isNull();
      files.unit(
          options, topic, 0, 2, 3, null, null, o -> new Rec(null, row(o == 2 ? 0 : 2, 5 + o)));
      loader.runOnce();
      files.unit(options, topic, 0, 4, 4, null, null, o -> new Rec(null, row(0, null)));
      loader.runOnce();
      assertThat(loader.runOnce().unitsPending()).isZero();
    }
    assertThat(columnType(topic, "coupon")).isEqualTo("bigint");
    assertThat(stack.query("SELECT id, coupon FROM public." + topic + " ORDER BY id"))
        .containsExactly(Arrays.asList(0L, null), Arrays.asList(1L, null), Arrays.asList(2L, 8L));
  }

  /**
   * A unit whose records all had null keys wrote its key column as a string (a null key's kind),
   * and the loader then refused the Struct keys of the units around it, or them: the marker now
   * says the column holds only nulls, so they load beside each other.
   */
  @ParameterizedTest
  @EnumSource(FileFormat.class)
  void aUnitOfNullKeysLoadsBesideStructKeys(FileFormat format) throws Exception {
    String topic = "cw_null_keys_" + format.id();
    var options = ConnectorFiles.options(format, false).toBuilder().keyColumnEnabled(true).build();
    try (Loader loader = stack.loader(stack.config(topic))) {
      files.unit(options, topic, 0, 0, 1, null, V1, o -> new Rec(null, struct(V1, o, "n" + o)));
      loader.runOnce();
      files.unit(
          options, topic, 0, 2, 3, KEY, V1, o -> new Rec(struct(KEY, o), struct(V1, o, "n" + o)));
      files.unit(
          options, topic, 1, 0, 1, null, V1, o -> new Rec(null, struct(V1, 10 + o, "m" + o)));
      CycleReport second = loader.runOnce();
      assertThat(second.batchesQuarantined()).isZero();
      assertThat(loader.runOnce().unitsPending()).isZero();
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public." + topic)).isEqualTo(6);
    assertThat(stack.count("SELECT COUNT(*) FROM public." + topic + " WHERE kafka_key IS NULL"))
        .isEqualTo(4);
  }

  /**
   * Schemaless numbers that are not whole are float64 in the marker, but a DECIMAL column created
   * before the first load takes their exact text (bad-records.md, "Numbers in schemaless JSON").
   */
  @org.junit.jupiter.api.Test
  void schemalessDecimalsLoadExactlyIntoADecimalColumnCreatedFirst() throws Exception {
    String topic = "cw_exact_decimals";
    try (java.sql.Connection c = stack.jdbc();
        java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE TABLE public." + topic + " (id BIGINT, amount DECIMAL(38,2))");
    }
    var options = ConnectorFiles.options(FileFormat.JSONL, false);
    files.unit(
        options,
        topic,
        0,
        0,
        1,
        null,
        null,
        o ->
            new Rec(
                null, row2(o, new java.math.BigDecimal(o == 0 ? "12345678901234567.89" : "0.10"))));
    try (Loader loader = stack.loader(stack.config(topic))) {
      loader.runOnce();
      assertThat(loader.runOnce().unitsPending()).isZero();
    }
    assertThat(stack.query("SELECT amount FROM public." + topic + " ORDER BY id"))
        .extracting(r -> ((java.math.BigDecimal) r.get(0)).toPlainString())
        .containsExactly("12345678901234567.89", "0.10");
  }

  /**
   * A schemaless number with more decimals than the DECIMAL column created for it is rounded to the
   * column's scale (bad-records.md, "Numbers in schemaless JSON"): the JSON Lines COPY converts it
   * into the DECIMAL staging column, and COPY rounds only with ROUNDEC (without it, it truncates:
   * 20.259 would be 20.25).
   */
  @Test
  void schemalessDecimalsWithMoreDecimalsThanTheColumnAreRounded() throws Exception {
    String topic = "cw_round_decimals";
    try (java.sql.Connection c = stack.jdbc();
        java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE TABLE public." + topic + " (id BIGINT, amount DECIMAL(8,2))");
    }
    List<String> values = List.of("20.259", "20.251", "-20.259", "0.125");
    files.unit(
        ConnectorFiles.options(FileFormat.JSONL, false),
        topic,
        0,
        0,
        values.size() - 1,
        null,
        null,
        o -> new Rec(null, row2(o, new java.math.BigDecimal(values.get((int) o)))));
    try (Loader loader = stack.loader(stack.config(topic))) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(1);
      assertThat(r.rowsRejected()).isZero();
    }
    assertThat(stack.query("SELECT id, amount FROM public." + topic + " ORDER BY id"))
        .extracting(r -> r.get(0) + "=" + ((java.math.BigDecimal) r.get(1)).toPlainString())
        .containsExactly("0=20.26", "1=20.25", "2=-20.26", "3=0.13");
  }

  private static Map<String, Object> row2(long id, Object amount) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("id", id);
    m.put("amount", amount);
    return m;
  }

  private static Map<String, Object> row(long id, Object coupon) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("id", id);
    m.put("coupon", coupon);
    return m;
  }

  /** The column's type as the warehouse reports it, or null when the table lacks the column. */
  private static String columnType(String table, String column) throws Exception {
    List<List<Object>> rows =
        stack.query(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '"
                + table
                + "' AND column_name = '"
                + column
                + "'");
    return rows.isEmpty() ? null : (String) rows.get(0).get(0);
  }

  /** The loader's config for {@code topic} in upsert mode by the 'id' column. */
  private static Map<String, String> upsertById(String topic) {
    Map<String, String> config = stack.config();
    config.put("topics", topic);
    config.put("load.mode", "upsert");
    config.put("upsert.key", "id");
    return config;
  }
}
