package io.redstage.connector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ColumnNameMapConfigTest {
  private static Map<String, String> with(String mapping) {
    Map<String, String> p = new HashMap<>();
    p.put("s3.bucket.name", "b");
    p.put("column.name.map", mapping);
    return p;
  }

  @Test
  void acceptsFieldColumnPairs() {
    SinkConfig c = new SinkConfig(with("Order Id:order_id, user-name:user_name"));
    assertThat(c.getList(SinkConfigDef.COLUMN_NAME_MAP))
        .containsExactly("Order Id:order_id", "user-name:user_name");
    assertThat(new SinkConfig(with("")).getList(SinkConfigDef.COLUMN_NAME_MAP)).isEmpty();
  }

  @Test
  void rejectsInvalidTargetsAndDuplicatesNamingTheKey() {
    for (String bad :
        List.of("order_id", "a:order-id", "a:x,b:X", "a:x,a:y", "a:" + "x".repeat(128))) {
      assertThatThrownBy(() -> new SinkConfig(with(bad)))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("column.name.map")
          .hasMessageContaining("Cannot use the entry");
    }
  }
}
