package io.redstage.connector.commit;

import static org.assertj.core.api.Assertions.assertThat;

import io.redstage.connector.config.SinkConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComponentsFactoryTest {
  @Test
  void parquetDictionaryEncodingIsOnByDefaultAndCanBeTurnedOff() {
    Map<String, String> props = new HashMap<>();
    props.put("s3.bucket.name", "b");
    assertThat(ComponentsFactory.formatOptions(new SinkConfig(props)).parquetDictionaryEnabled())
        .isTrue();

    props.put("parquet.dictionary.enabled", "false");
    assertThat(ComponentsFactory.formatOptions(new SinkConfig(props)).parquetDictionaryEnabled())
        .isFalse();
  }
}
