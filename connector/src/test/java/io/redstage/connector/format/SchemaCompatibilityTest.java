package io.redstage.connector.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

/** Which versions each mode projects, and what the projection holds. */
class SchemaCompatibilityTest {
  static final Schema V1 =
      SchemaBuilder.struct()
          .name("com.example.Customer")
          .version(1)
          .field("id", Schema.INT64_SCHEMA)
          .build();
  static final Schema V2 =
      SchemaBuilder.struct()
          .name("com.example.Customer")
          .version(2)
          .field("id", Schema.INT64_SCHEMA)
          .field("tier", SchemaBuilder.string().defaultValue("basic").build())
          .field("email", Schema.OPTIONAL_STRING_SCHEMA)
          .build();

  /** v2 with a new required field without default: older records cannot be projected to it. */
  static final Schema V2_REQUIRED =
      SchemaBuilder.struct()
          .name("com.example.Customer")
          .version(2)
          .field("id", Schema.INT64_SCHEMA)
          .field("tier", Schema.STRING_SCHEMA)
          .build();

  static final Schema OTHER_NAME =
      SchemaBuilder.struct()
          .name("com.example.Order")
          .version(1)
          .field("id", Schema.INT64_SCHEMA)
          .build();

  static SinkRecord v1(long id) {
    return new SinkRecord("t", 0, null, null, V1, new Struct(V1).put("id", id), id);
  }

  static SinkRecord v2(long id) {
    return new SinkRecord(
        "t",
        0,
        null,
        null,
        V2,
        new Struct(V2).put("id", id).put("tier", "gold").put("email", "e"),
        id);
  }

  @Test
  void backwardAndFullProjectOlderVersionsUpWithDefaults() {
    for (SchemaCompatibility mode :
        new SchemaCompatibility[] {SchemaCompatibility.BACKWARD, SchemaCompatibility.FULL}) {
      SinkRecord projected = mode.project(V2, v1(7));
      assertThat(projected.valueSchema()).isSameAs(V2);
      Struct value = (Struct) projected.value();
      assertThat(value.get("id")).isEqualTo(7L);
      assertThat(value.get("tier")).isEqualTo("basic");
      assertThat(value.get("email")).isNull();
      assertThat(projected.kafkaOffset()).isEqualTo(7);
      assertThat(mode.project(V1, v2(8))).as("a newer version starts a new unit").isNull();
      assertThat(mode.project(V2_REQUIRED, v1(9)))
          .as("a new required field without default")
          .isNull();
    }
  }

  /**
   * v3 removed v2's optional email field. Projected up, a v2 record's email value was dropped
   * without a word (Connect's projector leaves out fields the target lacks), though the table keeps
   * the column: under BACKWARD and FULL such a record now starts a unit of its own version; one
   * whose email is null still projects (nothing is lost).
   */
  @Test
  void backwardAndFullNeverDropAValueOfAFieldTheNewerVersionRemoved() {
    Schema v3 =
        SchemaBuilder.struct()
            .name("com.example.Customer")
            .version(3)
            .field("id", Schema.INT64_SCHEMA)
            .field("tier", SchemaBuilder.string().defaultValue("basic").build())
            .build();
    SinkRecord noEmail =
        new SinkRecord("t", 0, null, null, V2, new Struct(V2).put("id", 5L).put("tier", "gold"), 5);
    for (SchemaCompatibility mode :
        new SchemaCompatibility[] {SchemaCompatibility.BACKWARD, SchemaCompatibility.FULL}) {
      assertThat(mode.project(v3, v2(4))).as("email 'e' would be dropped").isNull();
      assertThat(((Struct) mode.project(v3, noEmail).value()).get("tier")).isEqualTo("gold");
    }
  }

  static final Schema ADDRESS =
      SchemaBuilder.struct()
          .name("com.example.Address")
          .optional()
          .field("city", SchemaBuilder.string().optional().defaultValue("?").build())
          .build();

  static SchemaBuilder withNullableFields(int version) {
    return SchemaBuilder.struct()
        .name("com.example.Account")
        .version(version)
        .field("id", Schema.INT64_SCHEMA)
        .field("note", SchemaBuilder.string().optional().defaultValue("none").build())
        .field("address", ADDRESS)
        .field("previous", SchemaBuilder.array(ADDRESS).optional().build())
        .field("by_kind", SchemaBuilder.map(Schema.STRING_SCHEMA, ADDRESS).optional().build());
  }

  /**
   * Connect's projector reads fields with Struct.get, which gives an optional field's default for
   * an explicit null: a projected record must still hold the nulls its converter delivered, at
   * every depth, as an unprojected one does, and keep the values that are set.
   */
  @Test
  void projectionKeepsExplicitNullsOfOptionalFieldsWithDefaults() {
    Schema v1 = withNullableFields(1).build();
    Schema v2 =
        withNullableFields(2).field("added", SchemaBuilder.string().optional().build()).build();
    Struct nullCity = new Struct(ADDRESS).put("city", null);
    Struct someCity = new Struct(ADDRESS).put("city", "Oslo");
    Struct value =
        new Struct(v1)
            .put("id", 1L)
            .put("note", null)
            .put("address", nullCity)
            .put("previous", List.of(nullCity, someCity))
            .put("by_kind", Map.of("home", nullCity, "work", someCity));
    SinkRecord record = new SinkRecord("t", 0, null, null, v1, value, 1);

    Struct projected = (Struct) SchemaCompatibility.BACKWARD.project(v2, record).value();

    assertThat(projected.getWithoutDefault("note")).isNull();
    assertThat(((Struct) projected.get("address")).getWithoutDefault("city")).isNull();
    List<?> previous = projected.getArray("previous");
    assertThat(((Struct) previous.get(0)).getWithoutDefault("city")).isNull();
    assertThat(((Struct) previous.get(1)).getWithoutDefault("city")).isEqualTo("Oslo");
    Map<?, ?> byKind = projected.getMap("by_kind");
    assertThat(((Struct) byKind.get("home")).getWithoutDefault("city")).isNull();
    assertThat(((Struct) byKind.get("work")).getWithoutDefault("city")).isEqualTo("Oslo");
    assertThat(projected.getWithoutDefault("added")).isNull();
    projected.validate();

    Struct set = new Struct(v1).put("id", 2L).put("note", "kept").put("address", someCity);
    Struct projectedSet =
        (Struct)
            SchemaCompatibility.BACKWARD
                .project(v2, new SinkRecord("t", 0, null, null, v1, set, 2))
                .value();
    assertThat(projectedSet.getWithoutDefault("note")).isEqualTo("kept");
    assertThat(((Struct) projectedSet.get("address")).getWithoutDefault("city")).isEqualTo("Oslo");
  }

  static final Schema NUMBERS_INT =
      SchemaBuilder.struct()
          .name("com.example.Reading")
          .version(1)
          .field("id", Schema.INT64_SCHEMA)
          .field("n", Schema.INT32_SCHEMA)
          .field("by_code", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build())
          .field("xs", SchemaBuilder.array(Schema.INT64_SCHEMA).build())
          .field("note", Schema.OPTIONAL_STRING_SCHEMA)
          .build();

  /** The same fields as floats, note required with a default: what a BACKWARD version 2 may be. */
  static final Schema NUMBERS_FLOAT =
      SchemaBuilder.struct()
          .name("com.example.Reading")
          .version(2)
          .field("id", Schema.FLOAT64_SCHEMA)
          .field("n", Schema.FLOAT32_SCHEMA)
          .field("by_code", SchemaBuilder.map(Schema.FLOAT32_SCHEMA, Schema.STRING_SCHEMA).build())
          .field("xs", SchemaBuilder.array(Schema.FLOAT32_SCHEMA).build())
          .field("note", SchemaBuilder.string().defaultValue("n/a").build())
          .build();

  static SinkRecord reading(
      Schema schema, long id, int n, Map<Integer, String> byCode, List<Long> xs, String note) {
    Struct value =
        new Struct(schema)
            .put("id", id)
            .put("n", n)
            .put("by_code", byCode)
            .put("xs", xs)
            .put("note", note);
    return new SinkRecord("t", 0, null, null, schema, value, 1);
  }

  static SinkRecord reading(long id, int n, Map<Integer, String> byCode, List<Long> xs) {
    return reading(NUMBERS_INT, id, n, byCode, xs, "set");
  }

  /**
   * Connect's projector promotes numbers with floatValue/doubleValue and writes a required field's
   * default for a null: 9007199254740993 became 9.007199254740992E15, two map keys one entry, a
   * null "n/a", all in a unit that looked like any other. Such a record now opens a unit of its own
   * version (project gives null); one whose values convert exactly still projects.
   */
  @Test
  void backwardAndFullNeverRoundANumberNorTurnANullIntoTheDefault() {
    Map<Integer, String> twoKeys = Map.of(16_777_217, "a", 16_777_216, "b");
    for (SchemaCompatibility mode :
        new SchemaCompatibility[] {SchemaCompatibility.BACKWARD, SchemaCompatibility.FULL}) {
      assertThat(
              mode.project(NUMBERS_FLOAT, reading(9_007_199_254_740_993L, 1, Map.of(), List.of())))
          .as("int64 beyond 2^53 into float64")
          .isNull();
      assertThat(mode.project(NUMBERS_FLOAT, reading(Long.MAX_VALUE, 1, Map.of(), List.of())))
          .as("Long.MAX_VALUE becomes 2^63, which a cast back saturates to Long.MAX_VALUE")
          .isNull();
      assertThat(mode.project(NUMBERS_FLOAT, reading(1, 16_777_217, Map.of(), List.of())))
          .as("int32 beyond 2^24 into float32")
          .isNull();
      assertThat(mode.project(NUMBERS_FLOAT, reading(1, Integer.MAX_VALUE, Map.of(), List.of())))
          .as("Integer.MAX_VALUE becomes 2^31")
          .isNull();
      assertThat(mode.project(NUMBERS_FLOAT, reading(1, 1, twoKeys, List.of())))
          .as("two map keys that round to one")
          .isNull();
      assertThat(
              mode.project(NUMBERS_FLOAT, reading(1, 1, Map.of(), List.of(123_456_789_012_345L))))
          .as("an array element into float32")
          .isNull();
      assertThat(mode.project(NUMBERS_FLOAT, reading(NUMBERS_INT, 1, 1, Map.of(), List.of(), null)))
          .as("a null where the newer field is required with a default")
          .isNull();

      Struct exact =
          (Struct)
              mode.project(
                      NUMBERS_FLOAT,
                      reading(
                          Long.MIN_VALUE,
                          16_777_216,
                          Map.of(16_777_216, "b", -3, "c"),
                          List.of(9_007_199_254_740_992L)))
                  .value();
      assertThat(exact.get("id")).isEqualTo(-0x1p63);
      assertThat(exact.get("n")).isEqualTo(0x1p24f);
      assertThat(exact.getMap("by_code"))
          .containsOnly(Map.entry(0x1p24f, "b"), Map.entry(-3f, "c"));
      assertThat(exact.getArray("xs")).containsExactly(0x1p53f);
      assertThat(exact.get("note")).isEqualTo("set");
    }
  }

  /** FORWARD files keep the older version: the same holds when that one has the float types. */
  @Test
  void forwardNeverRoundsANumberOfANewerRecordEither() {
    Schema v1 = copyWithVersion(NUMBERS_FLOAT, 1);
    Schema v2 = copyWithVersion(NUMBERS_INT, 2);
    assertThat(
            SchemaCompatibility.FORWARD.project(
                v1, reading(v2, 9_007_199_254_740_993L, 1, Map.of(), List.of(), "x")))
        .isNull();
    assertThat(
            SchemaCompatibility.FORWARD.project(v1, reading(v2, 1, 1, Map.of(), List.of(), null)))
        .isNull();
    Struct exact =
        (Struct)
            SchemaCompatibility.FORWARD
                .project(v1, reading(v2, 7, 2, Map.of(1, "a"), List.of(3L), "x"))
                .value();
    assertThat(exact.get("id")).isEqualTo(7.0);
    assertThat(exact.getMap("by_code")).containsOnly(Map.entry(1f, "a"));
  }

  private static Schema copyWithVersion(Schema schema, int version) {
    SchemaBuilder b = SchemaBuilder.struct().name(schema.name()).version(version);
    schema.fields().forEach(f -> b.field(f.name(), f.schema()));
    return b.build();
  }

  @Test
  void forwardProjectsNewerVersionsDownDroppingFields() {
    SinkRecord projected = SchemaCompatibility.FORWARD.project(V1, v2(3));
    assertThat(projected.valueSchema()).isSameAs(V1);
    assertThat(((Struct) projected.value()).schema().fields()).hasSize(1);
    assertThat(((Struct) projected.value()).get("id")).isEqualTo(3L);
    assertThat(SchemaCompatibility.FORWARD.project(V2, v1(4)))
        .as("an older version starts a new unit")
        .isNull();
  }

  @Test
  void noneOtherNamesAndUnversionedSchemasNeverProject() {
    assertThat(SchemaCompatibility.NONE.project(V2, v1(1))).isNull();
    SinkRecord order =
        new SinkRecord("t", 0, null, null, OTHER_NAME, new Struct(OTHER_NAME).put("id", 1L), 1);
    assertThat(
            SchemaCompatibility.BACKWARD.project(
                SchemaBuilder.struct()
                    .name("com.example.Order")
                    .version(2)
                    .field("id", Schema.INT64_SCHEMA)
                    .build(),
                order))
        .as("same name, newer file: projects")
        .isNotNull();
    assertThat(SchemaCompatibility.BACKWARD.project(V2, order)).as("other schema name").isNull();
    Schema unversioned =
        SchemaBuilder.struct()
            .name("com.example.Customer")
            .field("id", Schema.INT64_SCHEMA)
            .build();
    assertThat(
            SchemaCompatibility.BACKWARD.project(
                V2,
                new SinkRecord(
                    "t", 0, null, null, unversioned, new Struct(unversioned).put("id", 1L), 1)))
        .isNull();
    assertThat(SchemaCompatibility.of(" backward ")).isEqualTo(SchemaCompatibility.BACKWARD);
  }
}
