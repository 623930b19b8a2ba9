package io.redstage.loader.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EarlierLoadsTest {
  private static final TableRef MARKERS = TableRef.of("public", "_redstage_load_markers");

  @Test
  void asksForOtherBatchesUnitsOverTheSpansLoadedBeforeTheBatch() {
    List<String> sql =
        EarlierLoads.queries(
            MARKERS, "public.orders", "b-1", List.of(new EarlierLoads.Span("orders", 2, 3, 7)));
    assertThat(sql)
        .containsExactly(
            "SELECT topic, kafka_partition, start_offset, end_offset, batch_id FROM"
                + " \"public\".\"_redstage_load_markers\" WHERE target_table = 'public.orders' AND"
                + " ((topic = 'orders' AND kafka_partition = 2 AND start_offset <= 7 AND end_offset >="
                + " 3)) AND batch_id <> 'b-1' AND loaded_at < (SELECT MIN(loaded_at) FROM"
                + " \"public\".\"_redstage_load_markers\" WHERE target_table = 'public.orders' AND"
                + " ((topic = 'orders' AND kafka_partition = 2 AND start_offset <= 7 AND end_offset >="
                + " 3)) AND batch_id = 'b-1')");
  }

  @Test
  void manyPartitionsAreAskedInQueriesBelowTheLimitEachSpanOnce() {
    List<EarlierLoads.Span> spans = new ArrayList<>();
    for (int p = 0; p < 2000; p++) {
      spans.add(new EarlierLoads.Span("orders", p, 0, 99));
    }
    List<String> sql = EarlierLoads.queries(MARKERS, "public.orders", "b-1", spans);
    assertThat(sql).hasSizeGreaterThan(1);
    assertThat(sql)
        .allSatisfy(q -> assertThat(q.length()).isLessThan(ControlTables.MAX_QUERY_CHARS));
    int asked = 0;
    for (String q : sql) {
      // each span twice: the units, and the batch's own load time
      asked += (q.split("kafka_partition = ", -1).length - 1) / 2;
    }
    assertThat(asked).isEqualTo(2000);
  }
}
