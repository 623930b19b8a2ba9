package io.redstage.examples.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CustomerCdcTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Replaying the change events by key (latest wins, deletes delete) gives exactly the generator's
   * final state.
   */
  @Test
  void changeEventsReplayToTheFinalState() throws Exception {
    CustomerCdc cdc = new CustomerCdc(7, 20);
    Map<Long, JsonNode> replayed = new HashMap<>();
    Long lastDeleted = null;
    for (int i = 0; i < 2_000; i++) {
      SampleRecord r = cdc.next(1_700_000_000_000L + i);
      long key = JSON.readTree(r.key()).path("payload").path("id").asLong();
      if (r.tombstone()) {
        assertThat(key).as("a tombstone follows its delete").isEqualTo(lastDeleted);
        continue;
      }
      JsonNode value = JSON.readTree(r.value());
      assertThat(value.path("schema").path("name").asText())
          .isEqualTo("shop.public.customers.Value");
      JsonNode row = value.path("payload");
      assertThat(row.path("id").asLong()).isEqualTo(key);
      if (row.path("__deleted").asText().equals("true")) {
        assertThat(row.path("__op").asText()).isEqualTo("d");
        replayed.remove(key);
        lastDeleted = key;
      } else {
        replayed.put(key, row);
      }
    }
    assertThat(cdc.operations()).containsKeys("r", "c", "u", "d", "tombstone");
    assertThat(cdc.operations().get("r")).isEqualTo(20);
    assertThat(cdc.operations().get("d")).isEqualTo(cdc.operations().get("tombstone"));
    assertThat(replayed.keySet()).isEqualTo(cdc.finalState().keySet());
    cdc.finalState()
        .forEach(
            (id, c) -> {
              JsonNode row = replayed.get(id);
              assertThat(row.path("email").asText()).isEqualTo(c.email());
              assertThat(row.path("updated_at").asLong()).isEqualTo(c.updatedAtMillis());
              assertThat(row.path("lifetime_value").decimalValue())
                  .isEqualByComparingTo(c.lifetimeValue());
            });
    assertThat(cdc.expectedRows()).isEqualTo(cdc.finalState().size());
  }

  @Test
  void sameSeedSameData() {
    CustomerCdc a = new CustomerCdc(1, 5);
    CustomerCdc b = new CustomerCdc(1, 5);
    for (int i = 0; i < 200; i++) {
      SampleRecord x = a.next(i);
      SampleRecord y = b.next(i);
      assertThat(x.value()).isEqualTo(y.value());
    }
  }
}
