package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TaskRewindsTest {
  @Test
  void theRewindLogNamesTheFirstPartitionsAndHowManyMore() {
    Map<TopicPartition, Long> rewind = new HashMap<>();
    for (int p = 11; p >= 0; p--) {
      rewind.put(new TopicPartition("orders", p), 100L + p);
    }
    assertThat(TaskRewinds.firstRewinds(rewind))
        .startsWith("orders-0 to 100, orders-1 to 101, orders-2 to 102")
        .endsWith("orders-9 to 109, and 2 more");
    assertThat(TaskRewinds.firstRewinds(Map.of(new TopicPartition("a", 3), 7L)))
        .isEqualTo("a-3 to 7");
  }
}
