package io.redstage.loader.it;

import static io.redstage.loader.it.TestFiles.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.redstage.contract.ColumnType;
import io.redstage.contract.ColumnType.Kind;
import io.redstage.contract.MarkerColumn;
import io.redstage.contract.MarkerFile;
import io.redstage.loader.TestUnits;
import io.redstage.loader.load.CycleReport;
import io.redstage.loader.load.Loader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redshift's load-error views keep 256 characters of a file name (the sandbox too), and what tells
 * a batch's files apart ({@code +<partition>+<start>+<end>}) comes last: with a time-based layout
 * and a topic of 100-odd characters, both partitions' files of an hour share the name the views
 * keep. Each rejected row must still be listed under its own partition and offset, none merged with
 * the other file's row of the same line or left out as repeated, and a row whose file its line
 * cannot tell is listed with its candidates rather than under a good record's coordinates.
 */
class LongFileNamesIT {
  static LoaderStack stack;

  /** 117 characters. */
  static final String LONG =
      "cdc.prod-server.inventory_db.public." + "customer_addresses_history_".repeat(3);

  static final String HOUR = "year=2026/month=12/day=06/hour=12";

  @BeforeAll
  static void start() {
    stack = LoaderStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @BeforeEach
  void noFaults() {
    stack.redshift.faults().clear();
  }

  static MarkerColumn c(String name, Kind kind) {
    return new MarkerColumn(name, ColumnType.of(kind), true);
  }

  /**
   * Both partitions' units of {@code topic}, offsets 0-9, their files in one hour's folder. Bad
   * ({@code n} not a number): offset 5 of both (line 6, short lines that tell the files apart);
   * offset 2 of partition 1 (line 3, longer than the 1 KB the views keep of a line, but its start
   * differs from partition 0's line 3); offset 8 of partition 0 (line 9, whose first 1 KB is the
   * same as partition 1's line 9, a good record). {@code note} is no column: COPY ignores it.
   */
  static void twoPartitionsInOneFolder(String topic) {
    for (int p = 0; p <= 1; p++) {
      int partition = p;
      MarkerFile file =
          stack.files.jsonlFile(
              topic,
              partition,
              0,
              9,
              HOUR,
              LongStream.rangeClosed(0, 9).boxed().toList(),
              List.of(c("id", Kind.INT64), c("n", Kind.INT64)),
              o -> {
                boolean bad = o == 5 || (partition == 1 && o == 2) || (partition == 0 && o == 8);
                return row(
                    "id",
                    o == 8 ? 8 : partition * 100 + o,
                    "note",
                    o == 2 || o == 8 ? "x".repeat(1100) : "-",
                    "n",
                    bad ? "bad" : o);
              });
      stack.files.marker(topic, partition, 0, 9, List.of(file));
    }
  }

  /** Loads {@code topic} into {@code table}; returns the batch's rejects object. */
  static JsonNode load(String topic, String table) throws Exception {
    twoPartitionsInOneFolder(topic);
    Map<String, String> config = stack.config(topic);
    config.put("tables.map", topic + ":public." + table);
    try (Loader loader = stack.loader(config)) {
      CycleReport r = loader.runOnce();
      assertThat(r.unitsLoaded()).isEqualTo(2);
      assertThat(r.batchesLoaded()).isEqualTo(1);
      assertThat(r.rowsRejected()).isEqualTo(4);
    }
    assertThat(stack.count("SELECT COUNT(*) FROM public." + table)).isEqualTo(16);
    return stack.object("_redstage/rejects/public." + table + "/" + stack.batchOf(topic) + ".json");
  }

  static void assertEachRowInItsPlace(JsonNode report, String topic) {
    assertThat(report.get("rejectedRows").asLong()).isEqualTo(4);
    assertThat(report.has("repeatedRowsLeftOut")).as(report.toPrettyString()).isFalse();
    List<String> placed = new ArrayList<>();
    List<JsonNode> unplaced = new ArrayList<>();
    for (JsonNode row : report.get("rows")) {
      if (row.get("partition").isNull()) {
        unplaced.add(row);
      } else {
        assertThat(row.get("topic").asText()).isEqualTo(topic);
        assertThat(row.get("file").asText())
            .as("the full URL of its own file")
            .endsWith(
                "+"
                    + row.get("partition").asInt()
                    + "+00000000000000000000+00000000000000000009.jsonl");
        placed.add(row.get("partition").asInt() + "/" + row.get("offset").asLong());
      }
    }
    assertThat(placed).as(report.toPrettyString()).containsExactlyInAnyOrder("0/5", "1/5", "1/2");
    assertThat(unplaced)
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.get("line").asLong()).isEqualTo(9);
              assertThat(row.get("topic").isNull()).isTrue();
              assertThat(row.get("markerKey").isNull()).isTrue();
              assertThat(row.get("fileUnknown").asText()).contains("256 characters");
              assertThat(row.get("candidates"))
                  .extracting(
                      c -> c.get("partition").asInt() + "/" + c.get("offsetAtLine").asLong())
                  .containsExactly("0/8", "1/8");
            });
  }

  @Test
  void rejectedRowsOfFilesSharingTheirFirst256CharactersAreEachListedInTheirPlace()
      throws Exception {
    String topic = "a." + LONG;
    assertThat(
            "s3://" + LoaderStack.BUCKET + "/" + TestUnits.dataKey(topic, HOUR, 0, 0, 9, ".jsonl"))
        .hasSizeGreaterThan(256);
    assertEachRowInItsPlace(load(topic, "ln_by_query"), topic);
  }

  /** The same read by file name and time, as without query ids (and in a recovery). */
  @Test
  void readByFileNameTheRowsOfOneLineInTwoFilesStayTwo() throws Exception {
    stack.redshift.faults().subStatementQueryIds(false);
    String topic = "b." + LONG;
    assertEachRowInItsPlace(load(topic, "ln_by_file"), topic);
  }
}
