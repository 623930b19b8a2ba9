package io.redstage.connector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class DictionaryExcludedColumnsConfigTest {
  private static Map<String, String> with(String columns) {
    Map<String, String> p = new HashMap<>();
    p.put("s3.bucket.name", "b");
    p.put("parquet.dictionary.excluded.columns", columns);
    return p;
  }

  @Test
  void acceptsColumnNamesAndStructPaths() {
    SinkConfig c = new SinkConfig(with("order_id, address.zip"));
    assertThat(c.getList(SinkConfigDef.PARQUET_DICTIONARY_EXCLUDED))
        .containsExactly("order_id", "address.zip");
    assertThat(new SinkConfig(with("")).getList(SinkConfigDef.PARQUET_DICTIONARY_EXCLUDED))
        .isEmpty();
  }

  @Test
  void rejectsWhatIsNotAColumnNamingTheKey() {
    for (String bad : List.of("order-id", "a,", "9lives", "a,b,a")) {
      assertThatThrownBy(() -> new SinkConfig(with(bad)))
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("parquet.dictionary.excluded.columns")
          .hasMessageContaining("Cannot exclude");
    }
  }
}
