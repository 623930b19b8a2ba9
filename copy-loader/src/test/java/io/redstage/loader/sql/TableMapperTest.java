package io.redstage.loader.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableMapperTest {
  @Test
  void defaultIsASafeIdentifierFromTheTopic() {
    TableMapper m = new TableMapper("public", List.of(), null, null);
    assertThat(m.table("Orders.V2-eu").name()).isEqualTo("public.orders_v2_eu");
    assertThat(m.table("2024_events").name()).isEqualTo("public.t_2024_events");
  }

  @Test
  void explicitMapWinsOverRegex() {
    TableMapper m =
        new TableMapper(
            "analytics",
            List.of("prod.orders:sales.orders_raw", "clicks:click_events"),
            "prod\\.(.*)",
            "$1");
    assertThat(m.table("prod.orders").name()).isEqualTo("sales.orders_raw");
    assertThat(m.table("clicks").name()).isEqualTo("analytics.click_events");
    assertThat(m.table("prod.page.views").name()).isEqualTo("analytics.page_views");
    assertThat(m.table("other").name()).isEqualTo("analytics.other");
  }
}
