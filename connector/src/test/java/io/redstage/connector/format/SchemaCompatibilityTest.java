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
