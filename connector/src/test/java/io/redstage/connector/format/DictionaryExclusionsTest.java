package io.redstage.connector.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;

class DictionaryExclusionsTest {
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          "message connect_row {"
              + " required int64 id;"
              + " required binary id_text (STRING);"
              + " required group address { required binary street (STRING); optional int32 zip; }"
              + " required group tags (LIST) { repeated group list { required binary element (STRING); } }"
              + " required int64 kafka_offset;"
              + "}");

  @Test
  void aNameCoversItsOwnLeafAndEveryLeafUnderIt() {
    DictionaryExclusions exclusions =
        DictionaryExclusions.of(SCHEMA, List.of("kafka_offset", "address", "tags", "id"));

    assertThat(exclusions.leafPaths)
        .containsExactly(
            "id", "address.street", "address.zip", "tags.list.element", "kafka_offset");
    assertThat(exclusions.unmatched).isEmpty();
  }

  @Test
  void aNameInsideAnotherListedNameStillCountsAsMatched() {
    for (List<String> names :
        List.of(List.of("address", "address.zip"), List.of("address.zip", "address"))) {
      DictionaryExclusions exclusions = DictionaryExclusions.of(SCHEMA, names);

      assertThat(exclusions.leafPaths)
          .as(names.toString())
          .containsExactly("address.street", "address.zip");
      assertThat(exclusions.unmatched).as(names.toString()).isEmpty();
    }
  }

  @Test
  void aDottedPathNamesOneFieldOfAStruct() {
    assertThat(DictionaryExclusions.of(SCHEMA, List.of("address.zip")).leafPaths)
        .containsExactly("address.zip");
  }

  @Test
  void namesMatchingNoColumnAreReportedNotGuessed() {
    DictionaryExclusions exclusions =
        DictionaryExclusions.of(SCHEMA, List.of("addr", "ID", "address.city", "id_text"));

    assertThat(exclusions.leafPaths).containsExactly("id_text");
    assertThat(exclusions.unmatched).containsExactly("addr", "ID", "address.city");
  }

  @Test
  void noNamesExcludeNothing() {
    DictionaryExclusions none = DictionaryExclusions.of(SCHEMA, List.of());
    assertThat(none.leafPaths).isEmpty();
    assertThat(none.unmatched).isEmpty();
  }

  @Test
  void namesMustBeColumnPathsGivenOnce() {
    DictionaryExclusions.checkNames(List.of("id", "_x", "address.zip", "a1.b_2.c"));
    for (List<String> bad :
        List.of(List.of(""), List.of("1id"), List.of("a-b"), List.of("a."), List.of("a..b"))) {
      assertThatThrownBy(() -> DictionaryExclusions.checkNames(bad))
          .as(bad.toString())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Cannot exclude '" + bad.get(0) + "' from dictionary encoding")
          .hasMessageContaining("it is not a column name");
    }
    assertThatThrownBy(() -> DictionaryExclusions.checkNames(List.of("id", "x", "id")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listed more than once");
  }
}
