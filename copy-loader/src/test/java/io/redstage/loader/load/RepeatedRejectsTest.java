package io.redstage.loader.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.loader.redshift.QueryResult;
import io.redstage.loader.sql.TableRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which rejected rows a rejects object leaves out as listed elsewhere (pure logic). */
class RepeatedRejectsTest {
  private static final TableRef MARKERS = TableRef.of("public", "_redstage_load_markers");
  private final List<String> asked = new ArrayList<>();

  /** A batch "early" loaded offsets 0-4 of orders/0 before the batch under test. */
  private final LoadErrorReader.Queries earlyLoadedZeroToFour =
      (sql, name) -> {
        asked.add(sql);
        return new QueryResult(
            List.of("topic", "kafka_partition", "start_offset", "end_offset", "batch_id"),
            List.of(List.of("orders", 0L, 0L, 4L, "early")));
      };

  private static Map<String, Object> row(long offset) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("topic", "orders");
    r.put("partition", 0);
    r.put("offset", offset);
    return r;
  }

  private static List<Object> at(long offset) {
    return List.of("orders", 0, offset);
  }

  private List<Long> kept(RepeatedRejects.Kept k) {
    return k.rows().stream().map(r -> (Long) r.get("offset")).toList();
  }

  @Test
  void aRowTheEarlierBatchListsIsLeftOutAndOneRepeatedInTheBatchIsListedOnce() throws Exception {
    RepeatedRejects.Kept k =
        new RepeatedRejects(earlyLoadedZeroToFour, MARKERS)
            .keep(
                "public.orders",
                "late",
                List.of(row(3), row(3), row(7)),
                (table, batch) -> batch.equals("early") ? Set.of(at(3)) : Set.of());
    assertThat(kept(k)).containsExactly(7L);
    assertThat(k.repeated()).isEqualTo(2);
    assertThat(asked).hasSize(1);
  }

  /**
   * The earlier batch loaded the offset but its object does not list the row (its load-error view
   * had not caught up, its count was unknown, or the offset was given up with skip): kept, so the
   * row is listed somewhere.
   */
  @Test
  void aRowTheEarlierBatchDoesNotListIsKept() throws Exception {
    RepeatedRejects.Kept k =
        new RepeatedRejects(earlyLoadedZeroToFour, MARKERS)
            .keep("public.orders", "late", List.of(row(3)), (table, batch) -> Set.of());
    assertThat(kept(k)).containsExactly(3L);
    assertThat(k.repeated()).isZero();
  }

  @Test
  void whenTheMarkerTableCannotBeReadEveryRowIsKept() throws Exception {
    LoadErrorReader.Queries failing =
        (sql, name) -> {
          throw new IllegalStateException("statement timed out");
        };
    RepeatedRejects.Kept k =
        new RepeatedRejects(failing, MARKERS)
            .keep("public.orders", "late", List.of(row(3)), (table, batch) -> Set.of(at(3)));
    assertThat(kept(k)).containsExactly(3L);
  }

  @Test
  void rowsWithoutAnOffsetAreKeptAndNotAskedFor() throws Exception {
    Map<String, Object> cut = row(0);
    cut.put("offset", null);
    RepeatedRejects.Kept k =
        new RepeatedRejects(earlyLoadedZeroToFour, MARKERS)
            .keep("public.orders", "late", List.of(cut, cut), (table, batch) -> Set.of(at(0)));
    assertThat(k.rows()).hasSize(2);
    assertThat(asked).isEmpty();
  }
}
